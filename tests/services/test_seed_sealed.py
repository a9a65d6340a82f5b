"""The seeds and sealed identities: they load through the rule with no override, name the protected
witness only by pseudonym, and would be refused if they did not; the command line's override."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from catalog.models import AccessLevel, Agent, Revision, Testimony
from catalog.paths import SEED_CATALOG
from catalog.services.actors import SEED_LOADER
from catalog.services.imports import load_catalog
from catalog.services.write import Rejected
from catalog.services.write.sealed import SealedMatcher, SealedName


def seed_data() -> dict:
    return json.loads(SEED_CATALOG.read_text(encoding="utf-8"))


def test_seeds_load_through_the_rule_without_an_override(seeded, db):
    with db.session() as session:
        sealed = session.scalars(select(Agent).where(Agent.is_protected.is_(True),
                                                     Agent.identity_access != AccessLevel.PUBLIC)).all()
        assert [a.key for a in sealed] == ["anonymous-survivor"]
        assert not session.scalar(select(func.count()).select_from(Revision)
                                  .where(Revision.note.contains("by override of")))
        witness = session.scalar(select(Testimony).where(Testimony.public_id == "T-0006"))
        assert sealed[0].preferred_name not in witness.title and sealed[0].preferred_name not in witness.occasion.title


def test_no_seed_text_names_a_sealed_identity():
    """Every free text of the seed file, against every sealed name in it (the rule's own matcher)."""
    data = seed_data()
    names = [SealedName(n, a.get("pseudonym") or "", AccessLevel(a.get("identity_access", "confidential")))
             for a in data["agents"] if a.get("protected")
             for n in [a["name"], *(x["name"] for x in a.get("names", []) if x.get("kind") != "pseudonym")]]
    matcher = SealedMatcher.build(names)
    assert matcher.pattern is not None

    def texts(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("name", "names", "key", "agent", "speaker"):
                    yield from texts(item)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item)

    for section in ("testimonies", "occasions", "sources", "source_claims"):
        for text in texts(data[section]):
            assert matcher.find(text) == [], text


def test_a_seed_naming_the_sealed_witness_would_be_refused(session):
    data = seed_data()
    survivor = next(a for a in data["agents"] if a["key"] == "anonymous-survivor")
    witness = next(t for t in data["testimonies"] if t["id"] == "T-0006")
    witness["title"] = f"{survivor['name']}: the international community sits with the instigators"
    with pytest.raises(Rejected) as caught:
        load_catalog(session, data, SEED_LOADER)
    assert caught.value.sealed
    assert any(p.path[:3] == ("testimonies", data["testimonies"].index(witness), "title")
               for p in caught.value.problems)


def test_cli_import_override_is_recorded(runner, db, tmp_path, session, make_agent):
    from catalog.cli import main

    make_agent("Shirin Rahimi", is_protected=True, public_pseudonym="Witness A")
    session.commit()
    path = tmp_path / "batch.csv"
    path.write_text("testimony,title,speaker,speaker_name,segment_kind,segment_text\n"
                    "T-0801,Shirin Rahimi remembers,w,A Witness,first_person,Words.\n", encoding="utf-8")
    refused = runner.invoke(main, ["import", str(path)])
    assert refused.exit_code != 0 and "names “Shirin Rahimi”" in refused.output, refused.output
    done = runner.invoke(main, ["import", str(path), "--override-sealed", "Named in the court record."])
    assert done.exit_code == 0, done.output
    with db.session() as s:
        note = s.scalar(select(Revision.note).where(Revision.entity_type == "testimony"))
    assert "Named in the court record." in note and "“Shirin Rahimi”" in note
