"""Loading catalog JSON: every problem reported by place, all-or-nothing, and round trips."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from catalog.models import Testimony
from catalog.paths import SEED_CATALOG
from catalog.services.actors import Actor
from catalog.services.export import export_catalog
from catalog.services.imports import load_catalog
from catalog.services.write import Rejected
from catalog.viewer import Viewer

ACTOR = Actor("import test")


def minimal(**testimony_fields) -> dict:
    testimony = {
        "id": "T-0700",
        "title": "A short account",
        "account_kind": "eyewitness",
        "publication_state": "published",
        "roles": [{"agent": "witness-a", "role": "speaker"}],
        "segments": [{"kind": "first_person", "text": "I was there."}],
    }
    testimony.update(testimony_fields)
    return {
        "format": "testimony-catalog/1",
        "agents": [{"key": "witness-a", "kind": "person", "name": "Witness A"}],
        "testimonies": [testimony],
    }


def test_minimal_import(session):
    report = load_catalog(session, minimal(), ACTOR)
    assert report.created["testimony"] == 1
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0700"))
    assert testimony.segments[0].text == "I was there."


def test_every_problem_is_reported_with_its_place(session):
    data = minimal(
        events_date="1988-13",
        segments=[
            {"kind": "firstperson", "text": "I was there."},
            {"kind": "editorial", "text": "bad\x00text"},
            {"kind": "first_person", "text": "x" * 200_001},
        ],
        roles=[{"agent": "nobody", "role": "speaker"}, {"agent": "witness-a", "role": "alleged_perpetrator"}],
    )
    data["agents"][0]["name"] = "Witness\u202eA"
    with pytest.raises(Rejected) as error:
        load_catalog(session, data, ACTOR)
    problems = {path: " ".join(messages) for path, messages in error.value.by_field().items()}
    assert "1988-13 is not a valid month" in problems["testimonies[0].events_date"]
    assert "“firstperson” is not one of" in problems["testimonies[0].segments[0].kind"]
    assert "NUL" in problems["testimonies[0].segments[1].text"]
    assert "limit is 200,000" in problems["testimonies[0].segments[2].text"]
    assert "“nobody”" in problems["testimonies[0].roles[0].agent"]
    assert "the catalog accuses nobody itself" in problems["testimonies[0].roles[1].named_by"]
    assert "bidirectional" in problems["agents[0].name"]


def test_rejected_import_writes_nothing(db):
    data = minimal()
    data["testimonies"].append({**data["testimonies"][0], "id": "T-0701", "account_kind": "rumour"})
    session = db.session(write=True)
    with pytest.raises(Rejected):
        load_catalog(session, data, ACTOR)
    session.rollback()
    session.close()
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Testimony)) == 0


def test_editorial_html_that_could_run_is_refused_and_first_person_is_kept_as_typed(session):
    for hostile in ('<p onclick="x()">Summary</p>', "<p>Summary <script>alert(1)</script></p>",
                    '<a href="javascript:alert(1)">link</a>'):
        with pytest.raises(Rejected) as error:
            load_catalog(session, minimal(summary=hostile), ACTOR)
        assert "Editorial text may not contain" in error.value.by_field()["testimonies[0].summary"][0]
    data = minimal(
        summary='<p>Summary with <em>emphasis</em> and <span class="x">a span</span></p>',
        segments=[{"kind": "first_person", "text": "<b>I said</b> \"no\" & left."}],
    )
    load_catalog(session, data, ACTOR)
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0700"))
    assert testimony.summary_html == "<p>Summary with <em>emphasis</em> and a span</p>"
    assert testimony.segments[0].text == "<b>I said</b> \"no\" & left."


def test_text_is_stored_in_nfc(session):
    decomposed = "Garce\u0301s"
    load_catalog(session, minimal(segments=[{"kind": "first_person", "text": decomposed}]), ACTOR)
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0700"))
    assert testimony.segments[0].text == "Garc\u00e9s"


def test_persian_segment_gets_right_to_left(session):
    load_catalog(session, minimal(segments=[{"kind": "first_person", "text": "من در اوین بودم.", "language": "fa"}]), ACTOR)
    segment = session.scalar(select(Testimony).where(Testimony.public_id == "T-0700")).segments[0]
    assert segment.direction == "rtl"


def test_archivist_export_round_trips(seeded, tmp_path):
    """Export everything, load it into an empty catalog, export again: the same catalog."""
    archivist = Viewer.for_level("archivist")
    with seeded.session() as session:
        first = export_catalog(session, archivist)
    from catalog.db import Database
    from catalog.migrate import upgrade

    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    upgrade(other.engine)
    with other.writing() as session:
        load_catalog(session, copy.deepcopy(first), ACTOR)
    with other.session() as session:
        second = export_catalog(session, archivist)
    other.dispose()

    def comparable(data):
        data = json.loads(json.dumps(data))
        data.pop("exported_at")
        for testimony in data["testimonies"]:
            testimony.pop("revision", None)
            for change in testimony.get("corroboration", {}).get("history", []):
                change.pop("changed_at", None)
        return data

    assert comparable(second) == comparable(first)


def test_seeds_validate_cleanly(session):
    report = load_catalog(session, json.loads(SEED_CATALOG.read_text(encoding="utf-8")), ACTOR)
    assert report.created["testimony"] == 13


def test_who_may_see_a_protected_identity_travels_only_in_an_archivists_export(session):
    data = minimal()
    data["agents"][0].update({"protected": True, "pseudonym": "Witness P", "identity_access": "restricted"})
    load_catalog(session, data, ACTOR)
    session.flush()
    archivist = export_catalog(session, Viewer.for_level("archivist"))
    assert archivist["agents"][0]["identity_access"] == "restricted"
    public = export_catalog(session, Viewer.public())
    assert all("identity_access" not in agent and agent.get("key") != "witness-a" for agent in public["agents"])


def test_when_a_testimony_was_withdrawn_and_first_public_travel_in_an_archivists_export_only(session):
    data = minimal(publication_state="withdrawn", withdrawn_reason="At the witness's request.",
                   withdrawn_at="2026-11-02T10:00:00+00:00", first_public_at="2026-01-05T09:30:00+00:00")
    load_catalog(session, data, ACTOR)
    session.flush()
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0700"))
    assert testimony.withdrawn_dt.isoformat().startswith("2026-11-02T10:00:00")
    assert testimony.first_public_dt.isoformat().startswith("2026-01-05T09:30:00")
    [entry] = export_catalog(session, Viewer.for_level("archivist"))["testimonies"]
    assert entry["withdrawn_at"] == "2026-11-02T10:00:00.000000+00:00"
    assert entry["first_public_at"] == "2026-01-05T09:30:00.000000+00:00"
    testimony.publication_state = testimony.publication_state.PUBLISHED
    session.flush()
    for viewer in (Viewer.public(), Viewer.for_level("researcher")):
        [entry] = export_catalog(session, viewer)["testimonies"]
        assert "first_public_at" not in entry and "withdrawn_at" not in entry


def test_a_time_of_withdrawal_is_refused_for_a_testimony_not_withdrawn_and_when_unreadable(session):
    with pytest.raises(Rejected) as refused:
        load_catalog(session, minimal(withdrawn_at="2026-11-02T10:00:00+00:00", first_public_at="yesterday"), ACTOR)
    paths = {str(problem) for problem in refused.value.problems}
    assert paths == {"testimonies[0].withdrawn_at: Only a withdrawn testimony has a time it was withdrawn.",
                     "testimonies[0].first_public_at: Must be a date and time such as 2026-12-03T14:05:00+00:00."}
