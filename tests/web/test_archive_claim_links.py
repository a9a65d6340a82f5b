"""Linking claims in the workspace, without JavaScript: find the other claim, choose it, link with a
rationale; readers then see the link on both claims' pages; removing it needs a reason."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from catalog.models import AccessLevel, Claim, ClaimKind, CorroborationLink, PublicationState, Role, SegmentKind
from tests.web.formdata import form_fields

URL = "/archive/claims/jvmi-70-suspects/links"


@pytest.fixture
def archivist(auth, monkeypatch):
    from catalog.web import archive

    # As in a large catalog: the picker lists only its current choice; "Find…" finds the rest.
    monkeypatch.setattr(archive, "PICKER_FULL_LIST_LIMIT", 1)
    return auth.login(Role.ARCHIVIST)


def link_through_the_form(client, to_key: str, db, relation="qualifies", rationale="The counts differ in scope.",
                          evidence="Both reports."):
    fields = form_fields(client.get(URL).data, URL)
    with db.session() as session:
        other = session.scalar(select(Claim).where(Claim.key == to_key))
    return client.post(URL, data={**fields, "op": "", "to_claim_id": str(other.id), "relation": relation,
                                  "rationale": rationale, "evidence": evidence})


def test_find_choose_and_link_without_javascript(client, archivist, seeded, db):
    page = client.get(URL)
    assert page.status_code == 200
    fields = form_fields(page.data, URL)
    found = client.post(URL, data={**fields, "op": "find:to_claim_id", "find_q": "pregnant"}).get_data(as_text=True)
    buttons = re.findall(r'value="choose:to_claim_id:(\d+)" class="small">([^<]+)</button>', found)
    assert len(buttons) == 1 and "jokar-50-pregnant-women" in buttons[0][1] and "T-0012" in buttons[0][1]
    chosen = client.post(URL, data={**fields, "rationale": "Typed first.", "op": f"choose:to_claim_id:{buttons[0][0]}"})
    back = form_fields(chosen.data, URL)
    assert back["to_claim_id"] == buttons[0][0] and back["rationale"] == "Typed first."
    # The claim itself is never offered.
    itself = client.post(URL, data={**fields, "op": "find:to_claim_id", "find_q": "jvmi-70"}).get_data(as_text=True)
    assert "No claim matches" in itself
    saved = client.post(URL, data={**back, "op": "", "relation": "qualifies", "evidence": "Both reports."})
    assert saved.status_code == 302
    with db.session() as session:
        [made] = session.scalars(select(CorroborationLink).where(CorroborationLink.relation == "qualifies")).all()
        assert (made.from_claim.key, made.to_claim.key, made.rationale) == (
            "jvmi-70-suspects", "jokar-50-pregnant-women", "Typed first.")
    listed = client.get(URL).get_data(as_text=True)
    assert "This claim qualifies" in listed and "Typed first." in listed


def test_readers_see_the_web_of_links_both_ways_with_whose_testimony(client, archivist, seeded, db, auth):
    assert link_through_the_form(client, "jokar-50-pregnant-women", db).status_code == 302
    auth.logout()
    linking = client.get("/claims/jvmi-70-suspects").get_data(as_text=True)
    assert "this claim qualifies" in linking
    assert 'href="/claims/jokar-50-pregnant-women"' in linking and 'href="/t/T-0012"' in linking
    assert "The counts differ in scope." in linking and "Evidence: Both reports." in linking
    linked = client.get("/claims/jokar-50-pregnant-women").get_data(as_text=True)
    assert "is qualified by" in linked and 'href="/t/T-0011"' in linked
    assert "Link this claim to another claim" not in linked  # staff only


def test_the_link_shows_in_the_workspace_and_the_history(client, archivist, seeded, db):
    link_through_the_form(client, "jokar-50-pregnant-women", db, relation="same_as")
    workspace = client.get("/archive/testimonies/T-0011").get_data(as_text=True)
    assert "Links to other claims (1)" in workspace
    history = client.get("/archive/testimonies/T-0011/history").get_data(as_text=True)
    assert "claim jvmi-70-suspects same as claim jokar-50-pregnant-women" in history


def test_a_link_without_a_rationale_is_refused_under_its_field(client, archivist, seeded, db):
    refused = link_through_the_form(client, "jokar-50-pregnant-women", db, rationale="")
    assert refused.status_code == 400
    assert "rationale" in refused.get_data(as_text=True).lower()
    with db.session() as session:
        assert session.scalar(select(CorroborationLink).where(CorroborationLink.relation == "qualifies")) is None
    nothing = client.post(URL, data={**form_fields(client.get(URL).data, URL), "op": "", "rationale": "Why."})
    assert nothing.status_code == 400


def test_removing_a_link_needs_a_reason(client, archivist, seeded, db):
    link_through_the_form(client, "jokar-50-pregnant-women", db)
    with db.session() as session:
        link_id = session.scalar(select(CorroborationLink.id).where(CorroborationLink.relation == "qualifies"))
    remove = f"/archive/claim-links/{link_id}/remove"
    fields = form_fields(client.get(URL).data, remove)
    client.post(remove, data={**fields, "reason": " "})
    with db.session() as session:
        assert session.get(CorroborationLink, link_id) is not None
    gone = client.post(remove, data={**fields, "reason": "Linked by mistake."})
    assert gone.status_code == 302 and gone.headers["Location"].endswith(URL)
    with db.session() as session:
        assert session.get(CorroborationLink, link_id) is None
    history = client.get("/archive/testimonies/T-0011/history").get_data(as_text=True)
    assert "Linked by mistake." in history
    assert client.post("/archive/claim-links/999999/remove", data={**fields, "reason": "x"}).status_code == 404


def test_links_to_claims_a_reader_may_not_read_are_hidden_and_not_counted(client, seeded, db, session, make_testimony):
    draft = make_testimony((SegmentKind.FIRST_PERSON, "Unpublished words."), state=PublicationState.DRAFT)
    restricted = make_testimony((SegmentKind.FIRST_PERSON, "Restricted words."), access=AccessLevel.RESTRICTED)
    shown = session.scalar(select(Claim).where(Claim.key == "jvmi-70-suspects"))
    for key, testimony in (("draft-claim", draft), ("restricted-claim", restricted)):
        claim = Claim(key=key, segment=testimony.segments[0], kind=ClaimKind.EVENT, statement=f"Unseen {key}")
        session.add(claim)
        session.flush()
        session.add(CorroborationLink(from_claim=claim, to_claim=shown, relation="contradicts", rationale="Hidden."))
    session.commit()
    page = client.get("/claims/jvmi-70-suspects").get_data(as_text=True)
    assert "Unseen" not in page and "Hidden." not in page and "draft-claim" not in page
    assert "No corroboration recorded that you may see." in page
    assert client.get("/claims/draft-claim").status_code == 404
    listing = client.get("/claims?q=Unseen").get_data(as_text=True)
    assert "No claim matches" in listing and "claim-item" not in listing and "draft-claim" not in listing


def test_only_staff_may_link(client, auth, seeded):
    assert client.get(URL).status_code == 302
    auth.login(Role.RESEARCHER)
    assert client.get(URL).status_code == 403


def test_the_pickers_look_up_finds_claims_by_their_words(client, archivist, seeded):
    found = client.get("/archive/lookup/claims?q=pregnant").get_json()
    assert len(found) == 1 and "jokar-50-pregnant-women" in found[0]["label"]
