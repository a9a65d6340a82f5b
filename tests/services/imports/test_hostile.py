"""Hostile files through `catalog import`: every one is refused with a message naming the field,
nothing is stored, and no traceback reaches the archivist. And an archivist's export loads back
into an empty catalog whole — history, corroboration and claims included.

Each case here stands for one protection; removing that protection makes its case fail.
"""

from __future__ import annotations

import contextlib
import json
import signal

import pytest
from sqlalchemy import func, select, text

from catalog.cli import main
from catalog.models import Agent, Claim, CorroborationLink, Occasion, Place, Revision, Segment, Source, Testimony
from catalog.services.actors import Actor
from catalog.services.export import export_catalog
from catalog.services.imports import load_catalog
from catalog.services.write import (
    ClaimInput, CollectionInput, CorroborationInput, Problems, TestimonyInput, WriteContext, save,
)
from catalog.services.write import workflow
from catalog.services.write.claims import add_claim
from catalog.viewer import Viewer

FORMAT = "testimony-catalog/1"
BIDI_CONTROLS = ["\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
MARKUP = ["<script>alert(1)</script> title", "<b>Bold</b>"]
CSV_HEADER = "testimony,title,speaker,speaker_name,segment_kind,segment_text\n"


# --- files -------------------------------------------------------------------------------------


def account(**fields) -> dict:
    entry = {
        "id": "T-0900",
        "title": "An account",
        "account_kind": "eyewitness",
        "roles": [{"agent": "hostile-witness", "role": "speaker"}],
        "segments": [{"kind": "first_person", "text": "I was there."}],
    }
    entry.update(fields)
    return entry


def catalog_file(**sections) -> dict:
    data = {
        "format": FORMAT,
        "agents": [{"key": "hostile-witness", "kind": "person", "name": "A witness"}],
        "testimonies": [account()],
    }
    data.update(sections)
    return data


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def csv_file(title: str = "An account", speaker_name: str = "A witness") -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER.strip().split(","))
    writer.writerow(["T-0900", title, "hostile-witness", speaker_name, "first_person", "I was there."])
    return out.getvalue().encode("utf-8")


def _two_segments_at(position: int, source: str) -> list[dict]:
    return [
        {"kind": "first_person", "text": "First words.", "source": source, "source_position": position},
        {"kind": "first_person", "text": "Second words.", "source": source, "source_position": position},
    ]


#: (case id, file name, bytes, the field path the problem must name, words of the message).
HOSTILE: list[tuple[str, str, bytes, str, str]] = [
    (
        "lone-surrogate",
        "surrogate.json",
        # Written as JSON text with the escape itself, as a hostile file would carry it.
        b'{"format":"testimony-catalog/1","agents":[{"key":"x","name":"x\\ud800"}]}',
        "agents[0].name",
        "unpaired surrogate",
    ),
    (
        "nested-100000-deep",
        "deep.json",
        b'{"format":"testimony-catalog/1","testimonies":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "file",
        "nested too deeply",
    ),
    (
        "huge-number",
        "number.json",
        # 1e30 is a float that no ¶ number (a 32-bit integer) can hold.
        as_json(catalog_file()).replace(b'"text": "I was there."', b'"text": "I was there.", "number": 1e30'),
        "testimonies[0].segments[0].number",
        "whole number",
    ),
    (
        "markup-timecode",
        "timecode.json",
        as_json(catalog_file(testimonies=[account(segments=[
            {"kind": "first_person", "text": "I was there.", "timecode_start": "<script>"}])])),
        "testimonies[0].segments[0].timecode_start",
        "Must be a number",
    ),
    (
        "places-each-others-parent",
        "cycle.json",
        as_json(catalog_file(places=[{"key": "ward-a", "name": "Ward A", "parent": "ward-b"},
                                     {"key": "ward-b", "name": "Ward B", "parent": "ward-a"}])),
        "places[0].parent",
        "cannot lie inside itself",
    ),
    (
        "source-position-twice-in-file",
        "positions.json",
        as_json(catalog_file(sources=[{"key": "hostile-source", "title": "A source", "kind": "article"}],
                             testimonies=[account(segments=_two_segments_at(1, "hostile-source"))])),
        "testimonies[0].segments[1].source_position",
        "given to two segments",
    ),
    (
        "source-position-taken-in-file-by-source-text",
        "positions.json",
        as_json(catalog_file(
            sources=[{"key": "hostile-source", "title": "A source", "kind": "article",
                      "segments": [{"kind": "editorial", "text": "The source's own words.", "position": 1}]}],
            testimonies=[account(segments=[{"kind": "first_person", "text": "Mine.", "source": "hostile-source",
                                              "source_position": 1}])])),
        "testimonies[0].segments[0].source_position",
        "given to two segments",
    ),
    (
        "source-position-taken-in-catalog",
        "positions.json",
        # The seeds' article holds positions 1..104 of its text.
        as_json(catalog_file(testimonies=[account(segments=[
            {"kind": "first_person", "text": "Mine.", "source": "article", "source_position": 3}])])),
        "testimonies[0].segments[0].source_position",
        "already holds another segment",
    ),
    (
        "source-position-taken-in-catalog-last",
        "positions.json",
        as_json(catalog_file(testimonies=[account(segments=[
            {"kind": "first_person", "text": "Mine.", "source": "article", "source_position": 104}])])),
        "testimonies[0].segments[0].source_position",
        "already holds another segment",
    ),
    *[
        (f"bidi-{ord(char):04X}-{kind}-json", "bidi.json", as_json(data), path, "bidirectional")
        for char in BIDI_CONTROLS
        for kind, data, path in (
            ("testimony", catalog_file(testimonies=[account(title=f"Evin{char} 1988")]), "testimonies[0].title"),
            ("occasion", catalog_file(occasions=[{"key": "o", "kind": "interview", "title": f"Talk{char}s"}]),
             "occasions[0].title"),
            ("source", catalog_file(sources=[{"key": "s", "kind": "article", "title": f"Paper{char}"}]),
             "sources[0].title"),
        )
    ],
    *[
        (f"bidi-{ord(char):04X}-testimony-csv", "bidi.csv", csv_file(title=f"Evin{char} 1988"), "row 2, title",
         "bidirectional")
        for char in BIDI_CONTROLS
    ],
    *[
        (f"markup-{n}-{kind}-json", "markup.json", as_json(data), path, "Plain text only")
        for n, markup in enumerate(MARKUP)
        for kind, data, path in (
            ("testimony", catalog_file(testimonies=[account(title=markup)]), "testimonies[0].title"),
            ("occasion", catalog_file(occasions=[{"key": "o", "kind": "interview", "title": markup}]),
             "occasions[0].title"),
            ("source", catalog_file(sources=[{"key": "s", "kind": "article", "title": markup}]), "sources[0].title"),
            ("agent", catalog_file(agents=[{"key": "hostile-witness", "kind": "person", "name": markup}]),
             "agents[0].name"),
        )
    ],
    *[
        (f"markup-{n}-{kind}-csv", "markup.csv", data, path, "Plain text only")
        for n, markup in enumerate(MARKUP)
        for kind, data, path in (
            ("testimony", csv_file(title=markup), "row 2, title"),
            ("agent", csv_file(speaker_name=markup), "row 2, speaker_name"),
        )
    ],
]
#: The cases about records the seed catalog holds run on a seeded database; the others on an empty one.
IN_CATALOG = [case for case in HOSTILE if "in-catalog" in case[0]]
ON_ITS_OWN = [case for case in HOSTILE if "in-catalog" not in case[0]]


def counts(db) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Agent, Place, Source, Occasion, Testimony, Segment, Claim, CorroborationLink, Revision)
        }


@contextlib.contextmanager
def time_limit(seconds: int):
    """Fail instead of hanging: a write that loops (a place inside itself) must not stall the suite."""

    def stop(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cli_import(runner, path, dry_run: bool):
    args = ["import", *(["--dry-run"] if dry_run else []), str(path)]
    with time_limit(60):
        return runner.invoke(main, args)


def assert_refused(result, where: str, words: str) -> None:
    output = result.output
    assert "Traceback" not in output, output
    assert result.exit_code == 1, f"exit code {result.exit_code}: {output}\n{result.exception!r}"
    # Click's own exit, not an exception escaping the command.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "nothing was imported" in output, output
    problems = [line.strip() for line in output.splitlines() if line.startswith("  ")]
    assert any(line.startswith(f"{where}:") and words in line for line in problems), (
        f"no problem at {where} saying “{words}”:\n{output}")


# --- the command line -----------------------------------------------------------------------------


CASE_FIELDS = ("case", "filename", "content", "where", "words")


@pytest.mark.parametrize(CASE_FIELDS, ON_ITS_OWN, ids=[case[0] for case in ON_ITS_OWN])
def test_cli_refuses_hostile_file(runner, db, tmp_path, case, filename, content, where, words):
    refused_by_cli(runner, db, tmp_path, filename, content, where, words)


@pytest.mark.parametrize(CASE_FIELDS, IN_CATALOG, ids=[case[0] for case in IN_CATALOG])
def test_cli_refuses_hostile_file_against_the_catalog(runner, seeded, tmp_path, case, filename, content, where,
                                                      words):
    refused_by_cli(runner, seeded, tmp_path, filename, content, where, words)


def refused_by_cli(runner, db, tmp_path, filename, content, where, words) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    before = counts(db)
    for dry_run in (True, False):
        result = cli_import(runner, path, dry_run)
        assert_refused(result, where, words)
        assert counts(db) == before, "something was stored"


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_cli_reports_a_section_of_the_wrong_kind_exactly_once(runner, db, tmp_path, dry_run):
    path = tmp_path / "nope.json"
    path.write_text('{"format": "testimony-catalog/1", "testimonies": "nope"}', encoding="utf-8")
    result = cli_import(runner, path, dry_run)
    assert_refused(result, "testimonies", "Must be a list")
    problems = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert problems == ["  testimonies: Must be a list."], result.output
    assert "1 problem(s)" in result.output


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_cli_reports_a_file_without_its_format_exactly_once(runner, db, tmp_path, dry_run):
    path = tmp_path / "nope.json"
    path.write_text('{"testimonies": "nope"}', encoding="utf-8")
    result = cli_import(runner, path, dry_run)
    assert_refused(result, "format", "testimony-catalog/1")
    problems = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert len(problems) == 1, result.output
    assert "1 problem(s)" in result.output


def test_cli_imports_a_clean_file(runner, seeded, tmp_path):
    """The hostile files are refused for what they carry, not because every file is refused."""
    path = tmp_path / "clean.json"
    path.write_bytes(as_json(catalog_file()))
    before = counts(seeded)
    dry = cli_import(runner, path, True)
    assert dry.exit_code == 0, dry.output
    assert counts(seeded) == before
    real = cli_import(runner, path, False)
    assert real.exit_code == 0, real.output
    assert counts(seeded)["Testimony"] == before["Testimony"] + 1


# --- an archivist's export loads back whole ---------------------------------------------------------


def _edit_the_catalog(db) -> None:
    """The seeds, then the life of a catalog: edits by people, corroboration changes, a withdrawal, a new
    confidential testimony with a redaction, a claim, and a corroboration link."""
    amina, bahram = Actor("amina (archivist)"), Actor("bahram (archivist)")
    with db.writing() as session:
        t2 = session.scalar(select(Testimony).where(Testimony.public_id == "T-0002"))
        workflow.change_corroboration(session, t2, "corroborated", "Two independent sources agree.", amina)
    with db.writing() as session:
        t2 = session.scalar(select(Testimony).where(Testimony.public_id == "T-0002"))
        workflow.change_corroboration(session, t2, "contested", "A third source disagrees.", bahram)
    with db.writing() as session:
        t3 = session.scalar(select(Testimony).where(Testimony.public_id == "T-0003"))
        workflow.withdraw(session, t3, "The family asked for it to be withdrawn.", amina)
    with db.writing() as session:
        collection = save(session, CollectionInput(key="paris-interviews", title="Interviews in Paris",
                                                   description="<p>Recorded from 2019.</p>"), amina)
        save(session, CollectionInput(title="Interviews in Paris, 2019–2020"), bahram, existing=collection)
    with db.writing() as session:
        new = save(session, TestimonyInput(
            id="T-0500", title="An interview in Paris", events_date="1988-07/1988-09", access_level="confidential",
            collections=["paris-interviews", "1988-massacre-article"],
            roles=[{"agent": "mek", "role": "speaker"}],
            segments=[
                {"kind": "editorial", "text": "Recorded in 2019.", "author": "mek"},
                {"kind": "first_person", "text": "I was in Evin in 1988 and saw them.",
                 "redactions": [{"start": 10, "end": 14, "access_level": "confidential", "reason": "place"}]},
            ],
        ), bahram)
        add_claim(WriteContext(session, amina), ClaimInput(
            segment={"testimony": new.public_id, "number": 2}, statement="The speaker was in Evin in 1988.",
            excerpt="in Evin in 1988", kind="event"))
    with db.writing() as session:
        new = session.scalar(select(Testimony).where(Testimony.public_id == "T-0500"))
        save(session, TestimonyInput(
            title="An interview in Paris, 2019", events_date="1988-07/1988-09", access_level="confidential",
            roles=[{"agent": "mek", "role": "speaker"}],
            segments=[{"id": s.id, "kind": s.kind.value, "text": s.text, "author": s.author.key if s.author else None,
                       "redactions": [{"start": r.start, "end": r.end, "access_level": r.access_level.value,
                                       "reason": r.reason} for r in s.redactions]}
                      for s in new.segments],
        ), amina, existing=new, note="a better title")
    with db.writing() as session:
        ctx = WriteContext(session, amina)
        claim = session.scalar(select(Claim).where(Claim.statement == "The speaker was in Evin in 1988."))
        other = session.scalar(select(Claim).where(Claim.id != claim.id).order_by(Claim.id).limit(1))
        link = CorroborationInput(from_claim=claim.key, to_claim=other.key, relation="supports",
                                  rationale="Both place the speaker in Evin that summer.")
        problems = Problems()
        link.check(ctx, problems)
        problems.raise_any()
        link.apply(ctx)


def _differences(first, second, path: str = "") -> list[str]:
    """Where two exports differ, by JSON path, for a message that says what was lost."""
    if type(first) is not type(second):
        return [f"{path}: {first!r:.200} != {second!r:.200}"]
    if isinstance(first, dict):
        out = []
        for key in sorted(set(first) | set(second)):
            if key not in second:
                out.append(f"{path}.{key}: only in the first export")
            elif key not in first:
                out.append(f"{path}.{key}: only in the second export")
            else:
                out.extend(_differences(first[key], second[key], f"{path}.{key}"))
        return out
    if isinstance(first, list):
        out = [f"{path}: {len(first)} entries != {len(second)}"] if len(first) != len(second) else []
        for index, (a, b) in enumerate(zip(first, second)):
            out.extend(_differences(a, b, f"{path}[{index}]"))
        return out
    return [] if first == second else [f"{path}: {first!r:.200} != {second!r:.200}"]


def _normalized(data: dict) -> dict:
    data = {key: value for key, value in data.items() if key != "exported_at"}
    return json.loads(json.dumps(data, sort_keys=True, ensure_ascii=False))


def test_archivist_export_loads_back_whole(request, backend, seeded, tmp_path):
    _edit_the_catalog(seeded)
    archivist = Viewer.for_level("archivist")
    with seeded.session() as session:
        first = export_catalog(session, archivist)

    # A second, empty catalog on the same kind of database.
    if backend == "sqlite":
        from catalog.db import Database
        import shutil

        path = tmp_path / "second.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        second_db = Database(f"sqlite:///{path}")
    else:
        second_db = _second_postgres_database(request)
    try:
        with second_db.writing() as session:
            if backend == "postgres":
                # A server whose clock is not set to UTC must not move the times the file carries.
                session.execute(text("SET LOCAL TIME ZONE 'Asia/Tehran'"))
            load_catalog(session, json.loads(json.dumps(first)), Actor.system("load of an export"))
        with second_db.session() as session:
            second = export_catalog(session, archivist)
    finally:
        second_db.dispose()

    first, second = _normalized(first), _normalized(second)
    differences = _differences(first, second)
    assert not differences, "the export did not load back whole:\n" + "\n".join(differences[:40])

    # What must survive, checked by name so that an export that drops it cannot pass.
    testimonies = {t["id"]: t for t in second["testimonies"]}
    history = testimonies["T-0500"]["revisions"]
    assert [r["number"] for r in history] == [1, 2, 3]
    assert [r["actor"] for r in history] == ["bahram (archivist)", "amina (archivist)", "amina (archivist)"]
    assert all(r["at"] and r["sha256"] for r in history)
    changes = testimonies["T-0002"]["corroboration"]["history"]
    assert [c["changed_by"] for c in changes][-2:] == ["amina (archivist)", "bahram (archivist)"]
    assert all(c["changed_at"] for c in changes)
    assert testimonies["T-0500"]["claims"] and testimonies["T-0500"]["claims"][0]["excerpt"] == "in Evin in 1988"
    assert any(link["rationale"].startswith("Both place") and link.get("created_at")
               for link in second["corroborations"])
    assert testimonies["T-0003"]["publication_state"] == "withdrawn"
    # Collections, with their history, and which testimonies are in them.
    collections = {c["key"]: c for c in second["collections"]}
    assert collections["paris-interviews"]["title"] == "Interviews in Paris, 2019–2020"
    assert [r["actor"] for r in collections["paris-interviews"]["revisions"]] == ["amina (archivist)",
                                                                                   "bahram (archivist)"]
    assert testimonies["T-0500"]["collections"] == ["paris-interviews", "1988-massacre-article"]  # by title
    assert testimonies["T-0001"]["collections"] == ["1988-massacre-article"]
    # What the withdrawn testimony's permalink says (when it was withdrawn, since when it was public).
    assert testimonies["T-0003"]["withdrawn_at"] and testimonies["T-0003"]["first_public_at"]
    assert testimonies["T-0003"]["withdrawn_at"] > testimonies["T-0003"]["first_public_at"]
    assert "withdrawn_at" not in testimonies["T-0002"] and testimonies["T-0002"]["first_public_at"]


def _second_postgres_database(request):
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from catalog.db import Database
    from catalog.migrate import upgrade

    admin_url = make_url(request.getfixturevalue("postgres_run").url)
    name = f"catalog_test_second_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    request.addfinalizer(drop)
    database = Database(admin_url.set(database=name).render_as_string(hide_password=False))
    upgrade(database.engine)
    return database
