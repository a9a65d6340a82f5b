"""The history page's diffs, made from real revisions: vocabulary labels, only what changed, and
list fields (the corroboration history, claims) by the items added, removed or changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from catalog.models import Revision, Role, SegmentKind, Testimony
from catalog.services.actors import Actor
from catalog.services.write import workflow
from catalog.services.write.claims import ClaimInput, add_claim
from catalog.services.write.context import WriteContext

ARCHIVIST = Actor("parisa (archivist)")


@pytest.fixture
def testimony_id(session, make_testimony, auth):
    testimony = make_testimony((SegmentKind.FIRST_PERSON, "I was in Evin in 1988 and saw them."), public_id="T-0820")
    session.commit()
    auth.login(Role.ARCHIVIST)
    return testimony.public_id


def _load(session, public_id) -> Testimony:
    session.expire_all()
    return session.scalar(select(Testimony).where(Testimony.public_id == public_id))


def _newest(session, testimony) -> int:
    return session.scalar(select(func.max(Revision.number)).where(
        Revision.entity_type == "testimony", Revision.entity_id == testimony.id))


def _diff(client, public_id, a, b) -> str:
    page = client.get(f"/archive/testimonies/{public_id}/history?a={a}&b={b}").get_data(as_text=True)
    return page[page.index('id="diff-heading"'):page.index('id="revisions-heading"')]


def test_a_change_of_status_shows_labels_and_only_the_new_history_entry(client, session, testimony_id):
    testimony = _load(session, testimony_id)
    workflow.change_corroboration(session, testimony, "partially_corroborated", "One prison memoir agrees.", ARCHIVIST)
    session.commit()
    before = _newest(session, testimony)
    workflow.change_corroboration(session, _load(session, testimony_id), "corroborated",
                                  "A second, independent memoir agrees.", ARCHIVIST)
    session.commit()
    diff = _diff(client, testimony_id, before, before + 1)
    assert "partially_corroborated" not in diff
    assert re.search(r"<del>\s*partially corroborated\s*</del>", diff) and re.search(r"<ins>\s*corroborated\s*</ins>", diff)
    # The earlier entry of the history did not change: it is neither removed nor added again.
    assert diff.count("One prison memoir agrees.") == 1  # only as the rationale that was replaced
    assert re.search(r"Added:</span> <ins>[^<]*corroborated — A second, independent memoir agrees.</ins>", diff)
    assert "Removed:" not in diff


def test_an_unchanged_rationale_is_not_shown(client, session, testimony_id):
    testimony = _load(session, testimony_id)
    workflow.change_corroboration(session, testimony, "contested", "A guard disputes the date.", ARCHIVIST)
    session.commit()
    before = _newest(session, testimony)
    workflow.change_corroboration(session, _load(session, testimony_id), "corroborated", "A guard disputes the date.",
                                  ARCHIVIST)
    session.commit()
    diff = _diff(client, testimony_id, before, before + 1)
    assert "Corroboration rationale" not in diff
    assert "Corroboration status" in diff


def test_a_new_claim_is_shown_as_added(client, session, testimony_id):
    testimony = _load(session, testimony_id)
    before = _newest(session, testimony)
    add_claim(WriteContext(session, ARCHIVIST), ClaimInput(
        segment={"testimony": testimony_id, "number": 1}, statement="The speaker was in Evin in 1988.",
        excerpt="in Evin in 1988", kind="location"))
    session.commit()
    diff = _diff(client, testimony_id, before, before + 1)
    claims = diff[diff.index("segment-diff"):]
    assert "none" not in claims and "—</del>" not in claims
    assert re.search(r"Added:</span> <ins>[^<]*location claim “The speaker was in Evin in 1988.”", diff)
