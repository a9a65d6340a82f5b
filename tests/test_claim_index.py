"""The claims index: readable claims only, each facet counted in SQL over the readable set, and
filters (places within places, years of the scope period, speakers by the name the viewer may see)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from catalog import queries
from catalog.models import (
    AccessLevel,
    AgentKind,
    Claim,
    ClaimKind,
    CorroborationStatus,
    Place,
    PublicationState,
    Role,
    SegmentKind,
)
from catalog.services.write.context import set_date
from catalog.dates import parse as parse_edtf
from catalog.viewer import Viewer

PUBLIC, RESEARCHER, ARCHIVIST = Viewer.public(), Viewer(role=Role.RESEARCHER), Viewer(role=Role.ARCHIVIST)


@pytest.fixture
def catalog(session, make_testimony, make_agent):
    iran = Place(key="iran", name="Iran")
    tehran = Place(key="tehran", name="Tehran", parent=iran)
    evin = Place(key="evin", name="Evin Prison", parent=tehran)
    shiraz = Place(key="shiraz", name="Shiraz", parent=iran)
    session.add_all([iran, tehran, evin, shiraz])
    named = make_agent("Named Witness", key="named-witness")
    hidden = make_agent("Real Name", key="real-name", is_protected=True, public_pseudonym="Witness A",
                        identity_access=AccessLevel.CONFIDENTIAL)
    public = make_testimony((SegmentKind.FIRST_PERSON, "They took us to Evin in 1988."),
                            (SegmentKind.FIRST_PERSON, "Thousands were executed that summer."),
                            speaker=named, title="Public account",
                            corroboration_status=CorroborationStatus.CORROBORATED)
    anonymous = make_testimony((SegmentKind.FIRST_PERSON, "In Shiraz the guards came at night."),
                               speaker=hidden, title="Anonymous account")
    draft = make_testimony((SegmentKind.FIRST_PERSON, "A draft about Evin."), speaker=named,
                           state=PublicationState.DRAFT, title="Draft account")
    restricted = make_testimony((SegmentKind.FIRST_PERSON, "A restricted word about Evin."), speaker=named,
                                access=AccessLevel.RESTRICTED, title="Restricted account")

    def claim(key, testimony, number, kind, statement, speaker, place=None, period=None, excerpt=""):
        c = Claim(key=key, segment=testimony.segments[number - 1], kind=kind, statement=statement, speaker=speaker,
                  scope_place=place, excerpt=excerpt)
        set_date(c, "scope_period", parse_edtf(period) if period else None)
        session.add(c)
        return c

    claim("evin-1988", public, 1, ClaimKind.LOCATION, "Prisoners were held in Evin", named, evin, "1988",
          excerpt="They took us to Evin")
    claim("executions", public, 2, ClaimKind.COUNT, "Thousands were executed", named, tehran, "1988/1989")
    claim("shiraz-night", anonymous, 1, ClaimKind.EVENT, "Guards came at night in Shiraz", hidden, shiraz, "1981")
    claim("draft-claim", draft, 1, ClaimKind.EVENT, "A draft claim about Evin", named, evin, "1988")
    claim("restricted-claim", restricted, 1, ClaimKind.LOCATION, "A restricted claim about Evin", named, evin, "1990")
    session.commit()
    return {"named": named, "hidden": hidden}


def index(session, viewer, **args):
    query = queries.ClaimQuery.from_args(MultiDict([(k, v) for k, vs in args.items()
                                                    for v in (vs if isinstance(vs, list) else [vs])]))
    return queries.claim_index(session, viewer, query)


def keys(page) -> list[str]:
    return [c.key for c in page.claims]


def counts(page, facet) -> dict[str, int]:
    return {v.value: v.count for v in page.facets.get(facet, ())}


def test_the_index_lists_only_readable_claims_and_counts_only_them(session, catalog):
    public = index(session, PUBLIC)
    assert keys(public) == ["evin-1988", "executions", "shiraz-night"]
    assert public.total == 3
    assert counts(public, "kind") == {"location": 1, "count": 1, "event": 1}
    assert counts(public, "place") == {"iran": 3, "tehran": 2, "evin": 1, "shiraz": 1}
    assert keys(index(session, RESEARCHER)) == ["evin-1988", "executions", "shiraz-night", "restricted-claim"]
    staff = index(session, ARCHIVIST)
    assert staff.total == 5 and counts(staff, "place")["evin"] == 3


def test_a_place_takes_in_the_places_within_it(session, catalog):
    assert keys(index(session, PUBLIC, place="tehran")) == ["evin-1988", "executions"]
    assert keys(index(session, PUBLIC, place="iran")) == ["evin-1988", "executions", "shiraz-night"]
    assert keys(index(session, PUBLIC, place="evin")) == ["evin-1988"]
    assert index(session, PUBLIC, place="nowhere").total == 0


def test_period_years_come_from_the_scope_bounds(session, catalog):
    page = index(session, PUBLIC)
    assert counts(page, "year") == {"1981": 1, "1988": 2, "1989": 1}
    assert [v.value for v in page.facets["year"]] == ["1981", "1988", "1989"]
    assert keys(index(session, PUBLIC, year="1989")) == ["executions"]
    assert keys(index(session, PUBLIC, year=["1981", "1989"])) == ["executions", "shiraz-night"]
    assert index(session, PUBLIC, year="not-a-year").total == 0


def test_kind_status_and_words_filter(session, catalog):
    assert keys(index(session, PUBLIC, kind="count")) == ["executions"]
    assert counts(index(session, PUBLIC), "status") == {"corroborated": 2, "unverified": 1}
    assert keys(index(session, PUBLIC, status="unverified")) == ["shiraz-night"]
    assert keys(index(session, PUBLIC, q="EVIN")) == ["evin-1988"]
    assert keys(index(session, PUBLIC, q="took us")) == ["evin-1988"]  # the excerpt is searched too
    assert keys(index(session, PUBLIC, q="100%_")) == []
    assert keys(index(session, ARCHIVIST, q="evin", kind="location")) == ["evin-1988", "restricted-claim"]


def test_a_protected_speaker_is_named_and_filtered_only_by_pseudonym(session, catalog):
    hidden = catalog["hidden"]
    page = index(session, PUBLIC)
    speakers = {v.value: v.label for v in page.facets["speaker"]}
    assert speakers == {"named-witness": "Named Witness", f"protected-{hidden.id}": "Witness A"}
    assert page.claims[2].speaker.name == "Witness A" and page.claims[2].speaker.is_pseudonym
    assert keys(index(session, PUBLIC, speaker=f"protected-{hidden.id}")) == ["shiraz-night"]
    # The real key must not tie the person to the pseudonym's claims.
    assert index(session, PUBLIC, speaker="real-name").total == 0
    staff = index(session, ARCHIVIST, speaker="real-name")
    assert keys(staff) == ["shiraz-night"] and staff.claims[0].speaker.name == "Real Name"
    assert index(session, ARCHIVIST, speaker=f"protected-{hidden.id}").total == 0


def test_counts_kept_between_requests_follow_every_write(session, catalog):
    first = index(session, PUBLIC, kind="event")
    assert first.total == 1
    claim = session.get(Claim, session.scalar(select(Claim.id).where(Claim.key == "draft-claim")))
    claim.segment.testimony.publication_state = PublicationState.PUBLISHED
    session.commit()
    again = index(session, PUBLIC, kind="event")
    assert again.total == 2 and counts(again, "kind") == {"event": 2}
