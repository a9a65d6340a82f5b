"""Model rules the database itself enforces, and optimistic locking."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from catalog.models import (
    AgentRole,
    CorroborationLink,
    CorroborationRelation,
    RoleKind,
    Segment,
    SegmentKind,
    Testimony,
)


def test_alleged_perpetrator_must_be_named_by_a_source(session, make_testimony, make_agent):
    testimony = make_testimony()
    testimony.roles.append(AgentRole(agent=make_agent(), role=RoleKind.ALLEGED_PERPETRATOR))
    with pytest.raises(IntegrityError):
        session.flush()


def test_segment_needs_an_owner(session):
    session.add(Segment(kind=SegmentKind.EDITORIAL, text="orphan"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_public_ids_are_unique(session, make_testimony):
    make_testimony(public_id="T-0500")
    with pytest.raises(IntegrityError):
        make_testimony(public_id="T-0500")


def test_corroboration_link_has_one_target(session, make_testimony):
    from catalog.models import Claim, ClaimKind

    testimony = make_testimony()
    claim = Claim(key="c1", segment=testimony.segments[0], kind=ClaimKind.EVENT, statement="s")
    session.add(claim)
    session.flush()
    session.add(CorroborationLink(from_claim=claim, relation=CorroborationRelation.SUPPORTS, rationale="r"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_stale_edit_is_refused(db, seeded):
    """Two archivists load the same testimony; the second save is refused, not applied."""
    first, second = db.session(write=True), db.session()
    mine = first.scalar(select(Testimony).where(Testimony.public_id == "T-0012"))
    theirs = second.scalar(select(Testimony).where(Testimony.public_id == "T-0012"))
    second.close()
    mine.title = "First archivist's title"
    first.commit()
    first.close()
    late = db.session(write=True)
    theirs = late.merge(theirs, load=False)
    theirs.title = "Second archivist's title"
    with pytest.raises(StaleDataError):
        late.commit()
    late.rollback()
    late.close()
    with db.session() as session:
        assert session.scalar(select(Testimony.title).where(Testimony.public_id == "T-0012")) == "First archivist's title"


def test_enums_are_stored_as_their_values(db, seeded):
    from sqlalchemy import text

    with db.session() as session:
        kinds = set(session.execute(text("SELECT DISTINCT kind FROM segments")).scalars())
    assert kinds == {"first_person", "editorial", "reported"}
