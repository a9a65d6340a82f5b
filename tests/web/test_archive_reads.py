"""What the workspace's pages read: through the read layer, and only what a page shows."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from catalog.models import Claim, ClaimKind, Occasion, PublicationState, Segment, Source, Testimony
from catalog.web import archive
from tests.conftest import csrf_token_from, whole_table_reads
from tests.web.formdata import form_fields
from tests.web.test_archive import create, payload_for_testimony

#: The tables whose rows the history page and the pickers name.
NAMED_TABLES = ("agents", "sources", "occasions", "places", "users")


@pytest.fixture
def archivist(auth):
    return auth.login()


def test_start_page_filters_by_state_and_text_and_counts_each_state(client, archivist, session, make_testimony):
    make_testimony(public_id="T-0501", title="Arrest in Tabriz", state=PublicationState.DRAFT)
    make_testimony(public_id="T-0502", title="Visits to Evin")
    make_testimony(public_id="T-0503", title="Entered twice", is_deleted=True)
    session.commit()
    page = client.get("/archive/").get_data(as_text=True)
    assert "T-0501" in page and "T-0502" in page and "T-0503" not in page
    assert "All (2)" in page and "Draft (1)" in page and "Published (1)" in page and "Deleted (1)" in page
    drafts = client.get("/archive/?state=draft").get_data(as_text=True)
    assert "T-0501" in drafts and "T-0502" not in drafts
    found = client.get("/archive/?q=evin").get_data(as_text=True)
    assert "T-0502" in found and "T-0501" not in found
    deleted = client.get("/archive/?deleted=1").get_data(as_text=True)
    assert "T-0503" in deleted and "T-0501" not in deleted and "state-deleted" in deleted


def test_record_lists_find_by_name_and_mark_protected_people(client, archivist, session, make_agent):
    make_agent("Parvaneh Real-Name", key="parvaneh", is_protected=True, public_pseudonym="Witness P")
    make_agent("Hamid Guard", key="hamid")
    session.commit()
    page = client.get("/archive/agents").get_data(as_text=True)
    assert "Parvaneh Real-Name" in page and "Hamid Guard" in page
    assert page.count("state-protected") == 1
    found = client.get("/archive/agents?q=parv").get_data(as_text=True)
    assert "Parvaneh Real-Name" in found and "Hamid Guard" not in found


def test_history_reads_only_the_names_its_revisions_mention(client, archivist, db, sql_log, session, make_agent):
    make_agent("Someone Unrelated")
    session.commit()
    create(client)
    with db.session() as reading:
        testimony = reading.scalars(select(Testimony)).one()
        pid, version, speaker_id = testimony.public_id, testimony.version, testimony.roles[0].agent_id
        segments = [{"record_id": s.id, "number": s.number, "kind": s.kind.value, "text": s.text} for s in testimony.segments]
    token = csrf_token_from(client.get(f"/archive/testimonies/{pid}/edit").data)
    client.post(f"/archive/testimonies/{pid}/edit", data=payload_for_testimony(
        token, speaker_id=speaker_id, segments=segments, version=str(version),
        **{"roles-0-relation_to_events": "former political prisoner"}))
    with sql_log() as statements:
        page = client.get(f"/archive/testimonies/{pid}/history?a=1&b=2").get_data(as_text=True)
    assert "speaker — Kobra Jokar — former political prisoner" in page
    assert whole_table_reads(statements, *NAMED_TABLES) == []


def test_pickers_of_a_large_catalog_read_only_their_choices(client, archivist, seeded, sql_log, monkeypatch):
    monkeypatch.setattr(archive, "PICKER_FULL_LIST_LIMIT", 1)
    with sql_log() as statements:
        edit = client.get("/archive/testimonies/T-0012/edit").get_data(as_text=True)
        workspace = client.get("/archive/testimonies/T-0012").get_data(as_text=True)
        occasion_form = client.get("/archive/occasions/new").get_data(as_text=True)
        edit_place_form = client.get("/archive/places/evin-prison/edit").get_data(as_text=True)
    assert "Kobra Jokar</option>" in edit and "Augusto Pinochet</option>" not in edit
    assert "Evin Prison, Tehran, Iran</option>" not in workspace + occasion_form
    assert "Tehran, Iran</option>" in edit_place_form
    assert whole_table_reads(statements, *NAMED_TABLES) == []


def test_a_large_catalog_picker_keeps_a_choice_found_by_search(client, archivist, seeded, db, monkeypatch):
    monkeypatch.setattr(archive, "PICKER_FULL_LIST_LIMIT", 1)
    [suggestion] = client.get("/archive/lookup/places?q=Evin").get_json()
    assert suggestion["label"] == "Evin Prison, Tehran, Iran"
    url = "/archive/occasions/new"
    fields = {**form_fields(client.get(url).data, url), "kind": "interview", "place_id": str(suggestion["id"])}
    untitled = client.post(url, data={**fields, "title": ""})
    assert untitled.status_code == 400
    assert f'<option selected value="{suggestion["id"]}">Evin Prison, Tehran, Iran</option>' in untitled.get_data(as_text=True)
    response = client.post(url, data={**fields, "title": "Visit to Evin"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with db.session() as session:
        assert session.scalar(select(Occasion.place_id).where(Occasion.title == "Visit to Evin")) == suggestion["id"]


@pytest.mark.parametrize("kind, text, label", [
    ("sources", "Le Monde", "Le Monde report on the executions (March 1989)"),
    ("occasions", "Le Monde", "Le Monde’s report of March 1989 — March 1989"),
    ("places", "Ward", "Ward 209, Evin Prison, Tehran, Iran"),
])
def test_lookups_label_each_kind(client, archivist, seeded, kind, text, label):
    assert [item["label"] for item in client.get(f"/archive/lookup/{kind}?q={text}").get_json()] == [label]


def test_lookup_of_an_unknown_kind_is_not_found(client, archivist):
    assert client.get("/archive/lookup/testimonies?q=a").status_code == 404


def test_printing_a_source_reads_only_that_sources_claims(client, seeded, session, make_testimony):
    elsewhere = make_testimony(public_id="T-0601")
    session.add(Claim(key="claim-elsewhere", segment=elsewhere.segments[0], kind=ClaimKind.EVENT, statement="Elsewhere."))
    session.commit()
    article_claims = set(session.scalars(
        select(Claim.key).join(Segment, Claim.segment_id == Segment.id).join(Source, Segment.source_id == Source.id)
        .where(Source.key == "article")
    ))
    loaded: list[str] = []

    def on_load(claim, context):
        loaded.append(claim.key)

    event.listen(Claim, "load", on_load)
    try:
        response = client.get("/sources/article/transcript")
    finally:
        event.remove(Claim, "load", on_load)
    assert response.status_code == 200
    assert "jokar-50-pregnant-women" in loaded
    assert set(loaded) <= article_claims

