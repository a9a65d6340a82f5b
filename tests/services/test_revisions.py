"""Revisions: every save leaves a snapshot chained by hash, and tampering shows."""

from __future__ import annotations

import json

from sqlalchemy import select

from catalog.models import Revision, SegmentKind
from catalog.services.actors import Actor
from catalog.services.revisions import record_revision, snapshot, verify_chains


def test_seeded_catalog_verifies(seeded):
    with seeded.session() as session:
        assert session.scalar(select(Revision).limit(1)) is not None
        assert verify_chains(session) == []


def test_each_save_chains_to_the_previous(session, make_testimony):
    testimony = make_testimony((SegmentKind.FIRST_PERSON, "First words."))
    testimony.title = "Corrected title"
    second = record_revision(session, testimony, Actor("archivist one", None))
    first = session.scalar(select(Revision).where(Revision.entity_id == testimony.id, Revision.number == 1))
    assert second.number == 2
    assert second.previous_sha256 == first.sha256
    assert json.loads(second.snapshot)["title"] == "Corrected title"
    assert json.loads(first.snapshot)["title"] == "A testimony"
    assert verify_chains(session) == []


def test_snapshot_holds_the_words_exactly(session, make_testimony):
    testimony = make_testimony((SegmentKind.FIRST_PERSON, "من آنجا بودم."))
    assert snapshot(testimony)["segments"][0]["text"] == "من آنجا بودم."


def test_altered_snapshot_is_reported(session, make_testimony):
    testimony = make_testimony((SegmentKind.FIRST_PERSON, "Original words."))
    revision = session.scalar(select(Revision).where(Revision.entity_id == testimony.id))
    revision.snapshot = revision.snapshot.replace("Original", "Altered")
    session.flush()
    problems = verify_chains(session)
    assert [p.entity_id for p in problems] == [testimony.id]
    assert "does not match its SHA-256" in str(problems[0])


def test_removed_revision_breaks_the_chain(session, make_testimony):
    testimony = make_testimony()
    for _ in range(2):
        record_revision(session, testimony, Actor("archivist", None))
    middle = session.scalar(select(Revision).where(Revision.entity_id == testimony.id, Revision.number == 2))
    session.delete(middle)
    session.flush()
    messages = [p.message for p in verify_chains(session)]
    assert "expected revision number 2" in messages
    assert "previous hash does not match the revision before it" in messages


def test_claims_are_part_of_the_testimonys_history(session, make_testimony):
    from catalog.models import Claim, ClaimKind

    testimony = make_testimony((SegmentKind.FIRST_PERSON, "Seventy of them were taken."))
    session.add(Claim(key="seventy", segment=testimony.segments[0], kind=ClaimKind.COUNT,
                      statement="Seventy were taken.", quantity_low=70, quantity_high=70))
    session.flush()
    revision = record_revision(session, testimony, Actor("archivist", None))
    claims = json.loads(revision.snapshot)["segments"][0]["claims"]
    assert [(c["key"], c["quantity_low"]) for c in claims] == [("seventy", 70)]
    first = session.scalar(
        select(Revision).where(Revision.entity_type == "testimony", Revision.entity_id == testimony.id, Revision.number == 1)
    )
    assert "claims" not in json.loads(first.snapshot)["segments"][0]
