"""The pickers' plain look-up list (no JavaScript): "Find…" posts the whole form and comes back with
a page of records; choosing one puts it in the picker; nothing typed is lost and nothing is saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from catalog.models import Agent, Place, Revision, Role, Source
from tests.web.formdata import form_fields


@pytest.fixture
def archivist(auth, monkeypatch):
    from catalog.web import archive

    # As in a large catalog: pickers list only their current choice.
    monkeypatch.setattr(archive, "PICKER_FULL_LIST_LIMIT", 1)
    return auth.login(Role.ARCHIVIST)


def choose_buttons(html: str) -> list[tuple[str, str]]:
    return re.findall(r'value="choose:[^:"]+:(\d+)" class="small">([^<]+)</button>', html)


def test_find_pages_through_every_record_and_searches(client, archivist, seeded, db):
    url = "/archive/testimonies/new"
    fields = form_fields(client.get(url).data, url)
    with db.session() as session:
        agents = session.scalar(select(func.count()).select_from(Agent))
    first = client.post(url, data={**fields, "op": "find:roles-0-agent_id"}).get_data(as_text=True)
    assert 'id="finder"' in first and "Find an agent for “Agent”" in first
    assert len(choose_buttons(first)) == 20 and 'value="find:roles-0-agent_id:2"' in first
    second = client.post(url, data={**fields, "op": "find:roles-0-agent_id:2"}).get_data(as_text=True)
    assert len(choose_buttons(second)) == agents - 20 and "Next page" not in second
    assert not {i for i, _ in choose_buttons(first)} & {i for i, _ in choose_buttons(second)}
    found = client.post(url, data={**fields, "op": "find:roles-0-agent_id", "find_q": "Jokar"}).get_data(as_text=True)
    assert sorted(label for _, label in choose_buttons(found)) == ["Husband of Kobra Jokar (name not given)",
                                                                  "Kobra Jokar"]
    nothing = client.post(url, data={**fields, "op": "find:roles-0-agent_id", "find_q": "zzzz"}).get_data(as_text=True)
    assert "No agent matches “zzzz”" in nothing


def test_choosing_keeps_what_was_typed_and_saves_nothing(client, archivist, seeded, db):
    url = "/archive/testimonies/new"
    fields = {**form_fields(client.get(url).data, url), "title": "Typed before choosing",
              "segments-0-text": "The witness's words, typed first."}
    with db.session() as session:
        jokar = session.scalar(select(Agent).where(Agent.preferred_name == "Kobra Jokar"))
        revisions = session.scalar(select(func.count()).select_from(Revision))
    page = client.post(url, data={**fields, "op": f"choose:roles-0-agent_id:{jokar.id}"}).get_data(as_text=True)
    back = form_fields(page, url)
    assert back["roles-0-agent_id"] == str(jokar.id)
    assert back["title"] == "Typed before choosing"
    assert back["segments-0-text"] == "The witness's words, typed first."
    assert 'id="finder"' not in page
    gone = client.post(url, data={**fields, "op": "choose:roles-0-agent_id:999999"}).get_data(as_text=True)
    assert "That record is no longer there" in gone and form_fields(gone, url)["roles-0-agent_id"] == ""
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Revision)) == revisions
    saved = client.post(url, data={**back, "save": "1"})
    assert saved.status_code == 302


def test_find_on_an_edit_keeps_the_version_it_was_opened_at(client, archivist, seeded, db):
    with db.session() as session:
        source = session.scalar(select(Source).order_by(Source.id))
    url = "/archive/testimonies/T-0001/edit"
    fields = form_fields(client.get(url).data, url)
    page = client.post(url, data={**fields, "op": f"choose:source_id:{source.id}"}).get_data(as_text=True)
    back = form_fields(page, url)
    assert back["version"] == fields["version"] and back["source_id"] == str(source.id)


def test_entity_forms_find_and_a_place_is_never_offered_within_itself(client, archivist, seeded, db):
    with db.session() as session:
        place = session.scalar(select(Place).where(Place.parent_id.is_not(None)).order_by(Place.id))
        key = place.key
        others = session.scalar(select(func.count()).select_from(Place)) - 1
    url = f"/archive/places/{key}/edit"
    fields = {**form_fields(client.get(url).data, url), "name": "Typed name"}
    page = client.post(url, data={**fields, "op": "find:parent_id"}).get_data(as_text=True)
    offered = choose_buttons(page)
    assert len(offered) == others and str(place.id) not in {i for i, _ in offered}
    assert form_fields(page, url)["name"] == "Typed name"
    itself = client.post(url, data={**fields, "op": f"choose:parent_id:{place.id}"}).get_data(as_text=True)
    assert "That record is no longer there" in itself
    publisher = client.post("/archive/sources/new", data={
        **form_fields(client.get("/archive/sources/new").data, "/archive/sources/new"),
        "op": "find:publisher_id", "find_q": "Jokar"}).get_data(as_text=True)
    assert "Kobra Jokar" in {label for _, label in choose_buttons(publisher)}
