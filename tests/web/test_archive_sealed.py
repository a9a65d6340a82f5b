"""Sealed identities through the workspace's doors: the forms refuse words naming a protected person
whose identity is sealed and offer “Save anyway” with a reason; imports take one reason for the
file; the history shows who overrode, why and which names; a restore carries its override over."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from catalog.models import AccessLevel, Agent, AgentKind, Claim, Occasion, Revision, Role, Testimony
from catalog.services.actors import Actor
from catalog.services.imports import run_import
from catalog.services.write import Rejected
from catalog.services.write.restore import restore_revision
from tests.conftest import csrf_token_from
from tests.web.formdata import form_fields

SEALED_NOTE = "saved naming a sealed identity"


@pytest.fixture
def archivist(auth):
    return auth.login(Role.ARCHIVIST)


@pytest.fixture
def sealed(db):
    with db.session() as session:
        agent = Agent(key="shirin", kind=AgentKind.PERSON, preferred_name="Shirin Rahimi", is_protected=True,
                      public_pseudonym="Witness A", identity_access=AccessLevel.CONFIDENTIAL)
        session.add(agent)
        session.commit()
        return agent.id


def notes(db, entity_type="testimony"):
    with db.session() as session:
        return session.scalars(select(Revision.note).where(Revision.entity_type == entity_type)
                               .order_by(Revision.id)).all()


def new_testimony_fields(client, **values):
    url = "/archive/testimonies/new"
    fields = form_fields(client.get(url).data, url)
    fields.update({"title": "A title", "roles-0-new_agent_name": "Someone", "segments-0-text": "Words."})
    fields.update(values)
    return url, fields


def test_testimony_form_refuses_then_saves_anyway_with_the_reason(client, archivist, sealed, db):
    url, fields = new_testimony_fields(client, title="What Shirin Rahimi saw",
                                       **{"segments-0-text": "I, shirin rahimi, saw it."})
    refused = client.post(url, data=fields)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "The title names “Shirin Rahimi”, whose identity is sealed" in page
    assert "The segment names “Shirin Rahimi”" in page
    assert "Save anyway, naming the sealed identity" in page and "“Witness A”" in page
    # Ticked without a reason: still refused, and the reason is asked for.
    again = client.post(url, data={**fields, "sealed_override_chosen": "y", "sealed_override": ""})
    assert again.status_code == 400 and "Say why the words may name a sealed identity." in again.get_data(as_text=True)
    saved = client.post(url, data={**fields, "sealed_override_chosen": "y",
                                   "sealed_override": "She asked to be named; consent form of 3 May."})
    assert saved.status_code == 302
    with db.session() as session:
        testimony = session.scalar(select(Testimony))
        assert testimony.title == "What Shirin Rahimi saw"
        public_id, testimony_id = testimony.public_id, testimony.id
    [note] = notes(db)
    assert "“Shirin Rahimi”" in note and "consent form of 3 May" in note and archivist["username"] in note
    history = client.get(f"/archive/testimonies/{public_id}/history").get_data(as_text=True)
    assert "consent form of 3 May" in history and SEALED_NOTE in history


def test_testimony_form_without_sealed_names_offers_no_override(client, archivist, sealed):
    url, fields = new_testimony_fields(client, events_date_edtf="1988-13")
    page = client.post(url, data=fields).get_data(as_text=True)
    assert "not a valid month" in page and "Save anyway" not in page


def test_occasion_form_refuses_the_note(client, archivist, sealed, db):
    url = "/archive/occasions/new"
    fields = {**form_fields(client.get(url).data, url), "title": "An interview",
              "date_note": "Dated by Shirin Rahimi herself."}
    refused = client.post(url, data=fields)
    assert refused.status_code == 400
    assert "The occasion’s note names “Shirin Rahimi”" in refused.get_data(as_text=True)
    saved = client.post(url, data={**fields, "sealed_override_chosen": "y", "sealed_override": "Her own dating."})
    assert saved.status_code == 302
    assert "Her own dating." in notes(db, "occasion")[0]


def test_claim_form_refuses_the_statement(client, archivist, sealed, db, make_testimony, session):
    testimony = make_testimony(("first_person", "I was arrested in 1981."))
    session.commit()
    pid = testimony.public_id
    token = csrf_token_from(client.get(f"/archive/testimonies/{pid}").data)
    data = {"csrf_token": token, "segment_id": str(testimony.segments[0].id), "kind": "event",
            "statement": "Shirin Rahimi was arrested in 1981.", "excerpt": "arrested in 1981"}
    refused = client.post(f"/archive/testimonies/{pid}/claims", data=data)
    assert refused.status_code == 400 and "The claim’s statement names “Shirin Rahimi”" in refused.get_data(as_text=True)
    saved = client.post(f"/archive/testimonies/{pid}/claims",
                        data={**data, "sealed_override_chosen": "y", "sealed_override": "Named in court records."})
    assert saved.status_code == 302
    with db.session() as s:
        assert s.scalar(select(Claim.statement)) == "Shirin Rahimi was arrested in 1981."
    assert "Named in court records." in notes(db)[-1]


def import_file(title: str) -> dict:
    return {"format": "testimony-catalog/1", "agents": [{"key": "speaker", "kind": "person", "name": "A Speaker"}],
            "testimonies": [{"id": "T-0700", "title": title, "roles": [{"agent": "speaker", "role": "speaker"}],
                             "segments": [{"kind": "first_person", "text": "Words."}]}]}


def test_json_import_refuses_names_and_takes_an_override(sealed, db):
    raw = json.dumps(import_file("Told by Shirin Rahimi")).encode()
    archivist = Actor("archivist", may_override_sealed=True)
    with db.session() as session:
        refused = run_import(session, raw, archivist, filename="x.json")
        session.rollback()
    assert not refused.ok
    assert any(p.startswith("testimonies[0].title: The title names “Shirin Rahimi”") for p in refused.problems)
    with db.session() as session:
        nobody = run_import(session, raw, Actor("someone"), filename="x.json", sealed_override="Because.")
        session.rollback()
    assert any("Only an archivist or admin" in p for p in nobody.problems)
    with db.session() as session:
        done = run_import(session, raw, archivist, filename="x.json", sealed_override="Named in the published book.")
        assert done.ok
        session.commit()
    testimony_notes = notes(db)
    assert "created by import" in testimony_notes[0] and "Named in the published book." in testimony_notes[0]
    assert "Named in the published book." not in notes(db, "agent")[0]


def test_csv_import_names_the_row_and_column(sealed, db):
    raw = ("testimony,title,speaker,speaker_name,segment_kind,segment_text\n"
           "T-0701,An account,w,A Witness,first_person,My friend Shirin Rahimi was there.\n")
    with db.session() as session:
        result = run_import(session, raw.encode(), Actor("archivist", may_override_sealed=True), filename="x.csv")
        session.rollback()
    assert not result.ok
    assert any("segment_text" in p and "names “Shirin Rahimi”" in p for p in result.problems), result.problems


def test_workspace_import_passes_the_reason(client, archivist, sealed, db):
    raw = json.dumps(import_file("Told by Shirin Rahimi")).encode()
    token = csrf_token_from(client.get("/archive/import").data)
    sent = client.post("/archive/import", content_type="multipart/form-data", data={
        "csrf_token": token, "format": "auto", "file": (io.BytesIO(raw), "x.json"),
        "sealed_override": "Named in the published book."})
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "imported" in page
    assert "Named in the published book." in notes(db)[0]


def test_restore_carries_the_override_of_the_revision_it_restores(client, archivist, sealed, db):
    url, fields = new_testimony_fields(client, title="What Shirin Rahimi saw")
    client.post(url, data={**fields, "sealed_override_chosen": "y", "sealed_override": "She asked to be named."})
    with db.session() as session:
        testimony = session.scalar(select(Testimony))
        public_id = testimony.public_id
    edit = f"/archive/testimonies/{public_id}/edit"
    assert client.post(edit, data={**form_fields(client.get(edit).data, edit), "title": "What Witness A saw"}) \
        .status_code == 302
    with db.session() as session:
        testimony = session.scalar(select(Testimony))
        restore_revision(session, testimony, 1, Actor("archivist", may_override_sealed=True), testimony.version)
        session.commit()
        assert testimony.title == "What Shirin Rahimi saw"
    assert "as in revision 1: She asked to be named." in notes(db)[-1]
    # A revision saved before the name was sealed brings no override: refused.
    with db.session() as session:
        testimony = session.scalar(select(Testimony))
        session.add(Agent(key="witness-a", kind=AgentKind.PERSON, preferred_name="Witness A", is_protected=True,
                          public_pseudonym="W", identity_access=AccessLevel.RESTRICTED))
        session.flush()
        with pytest.raises(Rejected) as caught:
            restore_revision(session, testimony, 2, Actor("archivist", may_override_sealed=True), testimony.version)
        assert caught.value.sealed
        session.rollback()


def test_only_staff_may_save_anyway(client, auth, sealed, db):
    auth.login(Role.RESEARCHER)
    token = auth.csrf_token("/sign-in")
    for url in ("/archive/testimonies/new", "/archive/occasions/new", "/archive/import"):
        response = client.post(url, data={"csrf_token": token, "title": "Shirin Rahimi", "roles-0-new_agent_name": "X",
                                          "segments-0-text": "Words.", "sealed_override_chosen": "y",
                                          "sealed_override": "I say so."})
        assert response.status_code == 403, url
    with db.session() as session:
        assert session.scalar(select(Testimony.id)) is None and session.scalar(select(Occasion.id)) is None
