"""The testimony record read as plain rows equals the record read through ORM entities, for every
testimony and every kind of reader."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from catalog import queries
from catalog.models import AccessLevel, CorroborationStatus, Redaction, Role, SegmentKind, Testimony
from catalog.models.testimonies import CorroborationChange
from catalog.queries.visibility import visible_testimonies
from catalog.viewer import Viewer


def orm_record(session, viewer, public_id):
    """The record as `testimony_record` cuts it from the ORM entity (relationships loaded lazily)."""
    testimony = session.scalar(visible_testimonies(viewer).where(Testimony.public_id == public_id))
    return None if testimony is None else queries.testimony_record(session, viewer, testimony)


VIEWERS = (Viewer.public(), Viewer(role=Role.RESEARCHER), Viewer(role=Role.ARCHIVIST))


def test_rows_and_orm_give_the_same_record_for_every_seed_testimony_and_viewer(seeded):
    session = seeded.session()
    try:
        public_ids = list(session.scalars(select(Testimony.public_id).order_by(Testimony.public_id)))
        assert len(public_ids) > 5
        seen = {"records": 0, "hidden": 0, "claims": 0, "transmission": 0, "named_by": 0, "ancestors": 0,
                "redacted": 0, "pseudonyms": 0, "history": 0, "revision": 0}
        for viewer in VIEWERS:
            for public_id in public_ids:
                expected = orm_record(session, viewer, public_id)
                session.expunge_all()
                record = queries.get_testimony(session, viewer, public_id)
                assert record == expected, (viewer.label, public_id)
                if record is None:
                    seen["hidden"] += 1
                    continue
                seen["records"] += 1
                seen["claims"] += bool(record.claims)
                seen["transmission"] += bool(record.transmission)
                seen["named_by"] += any(role.named_by for role in record.roles)
                seen["ancestors"] += bool(record.occasion and record.occasion.place and record.occasion.place.ancestors)
                seen["redacted"] += any(segment.is_redacted for segment in record.segments)
                seen["pseudonyms"] += any(role.agent.is_pseudonym for role in record.roles)
                seen["history"] += bool(record.corroboration_history)
                seen["revision"] += record.revision is not None
        # The seeds exercise every part of the record (redactions and hidden testimonies: below).
        assert all(count for name, count in seen.items() if name not in ("hidden", "redacted")), seen
    finally:
        session.close()


def test_rows_and_orm_agree_on_protected_speakers_redactions_and_confidential_passages(
    session, make_agent, make_testimony
):
    protected = make_agent("Real Name", key="real-name", is_protected=True, public_pseudonym="Witness R")
    testimony = make_testimony(
        (SegmentKind.FIRST_PERSON, "They came at night."),
        (SegmentKind.FIRST_PERSON, "The guard was called Hamid Secret-Guard."),
        {"kind": SegmentKind.FIRST_PERSON, "text": "Family in Karaj.", "access_level": AccessLevel.CONFIDENTIAL},
        speaker=protected,
        public_id="T-0201",
    )
    second = testimony.segments[1]
    start = second.text.index("Hamid")
    second.redactions.append(Redaction(start=start, end=len(second.text) - 1, access_level=AccessLevel.RESTRICTED))
    second.redactions.append(Redaction(start=0, end=3, reason="names", access_level=AccessLevel.CONFIDENTIAL))
    for number, status in enumerate((CorroborationStatus.CONTESTED, CorroborationStatus.CORROBORATED)):
        testimony.corroboration_history.append(CorroborationChange(
            status=status, rationale=f"change {number}", changed_by_label="Editor",
            changed_dt=dt.datetime(2024, 1, 1 + number, tzinfo=dt.timezone.utc),
        ))
    second.translation = "translated words"
    second.translation_language = "fa"
    make_testimony((SegmentKind.FIRST_PERSON, "Restricted words."), public_id="T-0202", access=AccessLevel.RESTRICTED)
    session.flush()
    session.expire_all()  # the ORM reads the rows back in their stored order, as a page request does
    for viewer, visible in zip(VIEWERS, (False, True, True)):
        expected = orm_record(session, viewer, "T-0202")
        assert queries.get_testimony(session, viewer, "T-0202") == expected
        assert (expected is not None) is visible
    records = {}
    for viewer in VIEWERS:
        expected = orm_record(session, viewer, "T-0201")
        record = queries.get_testimony(session, viewer, "T-0201")
        assert record == expected
        records[viewer.role] = record
    public = records[Viewer.public().role]
    assert public.roles[0].agent.name == "Witness R" and "Real Name" not in repr(public)
    assert "Hamid" not in repr(public) and "translated words" not in repr(public)
    assert [s.text for s in public.segments] == ["They came at night.", "[redacted] guard was called [redacted]."]
    assert [c.rationale for c in public.corroboration_history][-2:] == ["change 0", "change 1"]
    archivist = records[Role.ARCHIVIST]
    assert archivist.roles[0].agent.name == "Real Name" and len(archivist.segments) == 3
    assert [r["start"] for r in archivist.segments[1].redactions] == [0, start]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.label)
def test_the_row_reader_runs_a_fixed_number_of_statements(seeded, sql_log, viewer):
    """No statement per passage, role or link: the count does not grow with the testimony."""
    session = seeded.session()
    try:
        public_ids = list(session.scalars(select(Testimony.public_id)))
        counts = set()
        for public_id in public_ids:
            with sql_log() as statements:
                record = queries.get_testimony(session, viewer, public_id)
            if record is not None and not record.claims:
                # A testimony in a collection reads which, in one statement more.
                counts.add(len(statements) - (1 if record.collections else 0))
        assert counts and max(counts) <= 7, counts
    finally:
        session.close()
