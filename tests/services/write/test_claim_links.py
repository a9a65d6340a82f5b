"""Links between claims through the one write path: checked by CorroborationInput, and each made or
removed as a revision of the testimony the linking claim is made in."""

from __future__ import annotations

import json

import pytest

from catalog.models import Claim, ClaimKind, CorroborationLink, CorroborationRelation, SegmentKind
from catalog.services.actors import Actor
from catalog.services.revisions import verify_chains
from catalog.services.write import CorroborationInput, Rejected, WriteContext
from catalog.services.write.claims import link_claims, unlink_claims
from catalog.services.write.restore import revisions_of

ACTOR = Actor("amina (archivist)")


@pytest.fixture
def two_claims(session, make_testimony):
    first = make_testimony((SegmentKind.FIRST_PERSON, "We were taken to Evin."), title="First account")
    second = make_testimony((SegmentKind.FIRST_PERSON, "My brother was in Evin."), title="Second account")
    a = Claim(key="held-in-evin", segment=first.segments[0], kind=ClaimKind.LOCATION, statement="Held in Evin")
    b = Claim(key="brother-in-evin", segment=second.segments[0], kind=ClaimKind.LOCATION, statement="Brother in Evin")
    session.add_all([a, b])
    session.flush()
    return first, second, a, b


def link(session, a, b, relation="supports", rationale="Both name Evin in the same year.", evidence=""):
    return link_claims(WriteContext(session, ACTOR), CorroborationInput(
        from_claim=a.id, to_claim=b.id, relation=relation, rationale=rationale, evidence=evidence))


def test_a_link_is_a_revision_of_the_linking_claims_testimony(session, two_claims):
    first, second, a, b = two_claims
    before = len(revisions_of(session, first))
    made = link(session, a, b, evidence="Both transcripts, ¶1.")
    assert made.relation is CorroborationRelation.SUPPORTS and made.evidence == "Both transcripts, ¶1."
    revisions = revisions_of(session, first)
    assert len(revisions) == before + 1
    latest = revisions[0]
    assert "held-in-evin supports claim brother-in-evin" in latest.note
    snapshot = json.loads(latest.snapshot)
    [saved] = snapshot["segments"][0]["claims"]
    assert saved["corroborations"][0]["relation"] == "supports"
    assert saved["corroborations"][0]["rationale"] == "Both name Evin in the same year."
    # The other testimony's history is not touched.
    assert len(revisions_of(session, second)) == 1
    assert verify_chains(session) == []


@pytest.mark.parametrize("relation", ["qualifies", "same_as", "contradicts", "partly_supports"])
def test_every_relation_may_be_recorded(session, two_claims, relation):
    _first, _second, a, b = two_claims
    assert link(session, a, b, relation=relation).relation.value == relation


@pytest.mark.parametrize(("fields", "where"), [
    ({"rationale": ""}, "rationale"),
    ({"rationale": "   "}, "rationale"),
    ({"relation": "proves"}, "relation"),
    ({"relation": ""}, "relation"),
    ({"to_claim": None}, "to_claim"),
    ({"to_claim": 999_999}, "to_claim"),
])
def test_a_bad_link_is_refused_by_field(session, two_claims, fields, where):
    _first, _second, a, b = two_claims
    values = {"from_claim": a.id, "to_claim": b.id, "relation": "supports", "rationale": "Why.", **fields}
    with pytest.raises(Rejected) as refused:
        link_claims(WriteContext(session, ACTOR), CorroborationInput(**values))
    assert where in refused.value.by_field()
    assert session.query(CorroborationLink).count() == 0


def test_a_claim_cannot_link_to_itself_nor_twice_the_same_way(session, two_claims):
    _first, _second, a, b = two_claims
    with pytest.raises(Rejected, match="itself"):
        link(session, a, a)
    link(session, a, b)
    with pytest.raises(Rejected, match="already linked"):
        link(session, a, b)
    # Another relation between the same claims is another link.
    link(session, a, b, relation="qualifies")


def test_removing_a_link_needs_a_reason_and_is_a_revision(session, two_claims):
    first, _second, a, b = two_claims
    made = link(session, a, b)
    count = len(revisions_of(session, first))
    with pytest.raises(Rejected) as refused:
        unlink_claims(WriteContext(session, ACTOR), made, "  ")
    assert "reason" in refused.value.by_field()
    assert session.get(CorroborationLink, made.id) is not None
    unlink_claims(WriteContext(session, ACTOR), made, "Entered against the wrong claim.")
    assert session.get(CorroborationLink, made.id) is None
    revisions = revisions_of(session, first)
    assert len(revisions) == count + 1
    assert "Entered against the wrong claim." in revisions[0].note
    assert json.loads(revisions[0].snapshot)["segments"][0]["claims"][0]["corroborations"] == []


def test_a_link_from_a_claim_in_a_sources_own_text_is_a_revision_of_the_source(seeded, session):
    from sqlalchemy import select

    from catalog.models import Source

    source_claim = session.scalar(select(Claim).where(Claim.key == "article-8000-in-two-weeks"))
    other = session.scalar(select(Claim).where(Claim.key == "jokar-50-pregnant-women"))
    article = session.scalar(select(Source).where(Source.key == "article"))
    count = len(revisions_of(session, article))
    link(session, source_claim, other, relation="qualifies", rationale="Both speak of executions that summer.")
    revisions = revisions_of(session, article)
    assert len(revisions) == count + 1
    assert revisions[0].note.startswith("claim article-8000-in-two-weeks qualifies claim jokar-50-pregnant-women")
