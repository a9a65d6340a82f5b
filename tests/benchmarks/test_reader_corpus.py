"""The reader benchmark's corpus generator keeps working as the schema changes, and the term
frequencies it promises are the ones in the database."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from catalog.cli import main
from catalog.models import AgentRole, Segment, Testimony

CORPUS_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus.py"


@pytest.fixture
def corpus(monkeypatch):
    spec = importlib.util.spec_from_file_location("benchmark_corpus", CORPUS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The EDTF check parses ~10 ms per value: a few per form are enough here.
    monkeypatch.setattr(module, "CHECKS_PER_FORM", 2)
    return module


def generate(corpus, url: str, sidecar: Path, testimonies: int = 40) -> dict:
    assert corpus.main(["--url", url, "--testimonies", str(testimonies), "--no-reindex", "--sidecar", str(sidecar)]) == 0
    return json.loads(sidecar.read_text())


def test_corpus_rows_and_term_counts_match_the_sidecar(corpus, database_url, tmp_path):
    info = generate(corpus, database_url, tmp_path / "terms.json")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Testimony)) == 40
        assert conn.scalar(select(func.count()).select_from(Segment)) == info["segments"]
        assert info["testimony_segments"] >= 40 * 3
        assert conn.scalar(select(func.count()).where(AgentRole.role == "alleged_perpetrator",
                                                      AgentRole.named_by_source_id.is_(None))) == 0
        for cls in ("rare", "medium", "common", "very_common", "persian"):
            term = info["terms"][cls]["term"]
            # Planted terms are whole words that no other word of the corpus starts with.
            found = conn.scalar(select(func.count()).select_from(Segment).where(func.lower(Segment.text).contains(term)))
            assert found == info["terms"][cls]["segments"], cls
        assert info["terms"]["rare"]["segments"] > 0
        assert info["terms"]["very_common"]["segments"] > info["testimony_segments"] / 2
        assert conn.scalar(select(func.count()).select_from(Testimony).where(Testimony.language == "fa")) > 0
        visible = conn.scalar(select(func.count()).select_from(Testimony).where(
            Testimony.publication_state == "published", Testimony.access_level == "public",
            Testimony.is_deleted.is_(False)))
        assert visible == info["visible_testimonies"]
    engine.dispose()


def test_corpus_is_deterministic_and_leaves_the_database_usable(corpus, database_url, tmp_path, client, db):
    first = generate(corpus, database_url, tmp_path / "terms.json")
    # The same seed gives the same corpus, whatever the database.
    second = generate(corpus, f"sqlite:///{tmp_path / 'again.sqlite3'}", tmp_path / "again.json")
    for varying in ("database", "timings_seconds", "database_bytes"):
        first.pop(varying), second.pop(varying)
    assert first == second
    # The app serves the generated records, and new rows get fresh ids (sequences moved on).
    response = client.get(f"/t/{first['sample_public_ids'][0]}")
    assert response.status_code == 200
    with db.writing() as session:
        session.execute(text(
            "INSERT INTO places (key, name, kind, created_dt, version) VALUES ('new-place', 'New', 'city', "
            "CURRENT_TIMESTAMP, 1)"))
    with db.session() as session:
        assert session.scalar(text("SELECT id FROM places WHERE key = 'new-place'")) == first["rows"]["places"] + 1


def test_corpus_refuses_a_database_that_holds_testimonies(corpus, database_url, tmp_path, capsys):
    generate(corpus, database_url, tmp_path / "terms.json", testimonies=5)
    assert corpus.main(["--url", database_url, "--testimonies", "5", "--no-reindex",
                        "--sidecar", str(tmp_path / "again.json")]) == 2
    assert "already holds 5 testimonies" in capsys.readouterr().err


def test_search_finds_exactly_the_passages_the_corpus_promises(corpus, database_url, tmp_path, runner, client):
    """The load script reads each term's frequency from the sidecar; the search must agree."""
    info = generate(corpus, database_url, tmp_path / "terms.json", testimonies=60)
    result = runner.invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    for cls in ("rare", "medium", "phrase", "persian"):
        term = info["terms"][cls]
        assert term["visible_segments"] > 0, cls
        page = client.get("/search", query_string={"q": term["query"]}).get_data(as_text=True)
        assert f"{term['visible_segments']:,} matching passage" in page, cls
