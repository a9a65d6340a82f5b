"""The archivist workspace through the test client, CSRF on: entry, correction, workflow, history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.models import (
    Agent,
    AgentKind,
    Claim,
    CorroborationChange,
    PublicationState,
    Revision,
    Role,
    Segment,
    SegmentKind,
    Testimony,
)
from catalog.services.revisions import verify_chains
from tests.conftest import csrf_token_from


def payload_for_testimony(csrf: str, speaker_id=None, segments=None, **fields) -> dict:
    """Form fields as the browser posts them."""
    data = {
        "csrf_token": csrf,
        "title": "Testimony of Kobra Jokar",
        "language": "en",
        "account_kind": "survivor",
        "events_date_edtf": "1988",
        "access_level": "public",
        "consent_status": "public_record",
        "roles-0-role": "speaker",
        "roles-0-agent_id": str(speaker_id or ""),
        "roles-0-new_agent_name": "" if speaker_id else "Kobra Jokar",
        "roles-0-new_agent_kind": "person",
    }
    segments = segments if segments is not None else [
        {"kind": "editorial", "text": "Kobra Jokar, MEK member, said:"},
        {"kind": "first_person", "text": "I was arrested in 1981."},
    ]
    for index, seg in enumerate(segments):
        for key, value in {"kind": "first_person", "language": "", "direction": "auto", "access_level": "public", **seg}.items():
            if key == "redactions":
                for r_index, red in enumerate(value):
                    for r_key, r_value in red.items():
                        data[f"segments-{index}-redactions-{r_index}-{r_key}"] = str(r_value)
            else:
                data[f"segments-{index}-{key}"] = "" if value is None else str(value)
    data.update(fields)
    return data


@pytest.fixture
def archivist(auth):
    return auth.login(Role.ARCHIVIST)


def new_form_token(client) -> str:
    return csrf_token_from(client.get("/archive/testimonies/new").data)


def create(client, **kwargs):
    token = new_form_token(client)
    return client.post("/archive/testimonies/new", data=payload_for_testimony(token, **kwargs))


_sessions: list = []


@pytest.fixture(autouse=True)
def _close_read_sessions(db):
    yield
    while _sessions:
        _sessions.pop().close()


def load(db, public_id: str | None = None) -> Testimony:
    """The newest (or the named) testimony, read fresh in a session that lives until the test ends."""
    session = db.session()
    _sessions.append(session)
    query = select(Testimony).order_by(Testimony.id.desc())
    if public_id:
        query = query.where(Testimony.public_id == public_id)
    return session.scalars(query).first()


@pytest.mark.parametrize("role, status", [(None, 302), (Role.RESEARCHER, 403), (Role.ARCHIVIST, 200), (Role.ADMIN, 200)])
def test_only_staff_enter_the_workspace(client, auth, role, status):
    if role:
        auth.login(role)
    assert client.get("/archive/").status_code == status
    assert client.get("/archive/testimonies/new").status_code == status


def test_researcher_cannot_post_anything(client, auth, seeded):
    auth.login(Role.RESEARCHER)
    token = auth.csrf_token("/sign-in")
    assert client.post("/archive/testimonies/new", data=payload_for_testimony(token)).status_code == 403
    assert client.post("/archive/testimonies/T-0012/publish", data={"csrf_token": token}).status_code == 403


def test_create_a_testimony_with_a_new_speaker(client, archivist, db):
    response = create(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    testimony = load(db)
    assert testimony.publication_state is PublicationState.DRAFT
    assert [s.kind for s in testimony.segments] == [SegmentKind.EDITORIAL, SegmentKind.FIRST_PERSON]
    assert [s.number for s in testimony.segments] == [1, 2]
    assert testimony.roles[0].agent.preferred_name == "Kobra Jokar"
    with db.session() as session:
        revision = session.scalar(select(Revision).where(Revision.entity_type == "testimony", Revision.entity_id == testimony.id))
        assert revision.actor_id == archivist["id"] and revision.actor_label == archivist["username"]


def test_first_person_text_is_stored_exactly_as_typed_in_nfc(client, archivist, db):
    typed = "  I said: <b>\"No\"</b> — e\u0301vin, twice.\n\nThen silence.  "
    response = create(client, segments=[{"kind": "first_person", "text": typed}])
    assert response.status_code == 302
    assert load(db).segments[0].text == typed.replace("e\u0301", "\u00e9")


def test_persian_segment_is_right_to_left(client, archivist, db):
    create(client, segments=[{"kind": "first_person", "text": "من در سال ۱۳۶۰ دستگیر شدم.", "language": "fa"}])
    segment = load(db).segments[0]
    assert (segment.language, segment.direction) == ("fa", "rtl")


def test_invalid_date_is_named_and_everything_typed_comes_back(client, archivist, db):
    token = new_form_token(client)
    data = payload_for_testimony(token, events_date_edtf="1988-13")
    data["segments-1-text"] = "Words that must not be lost."
    response = client.post("/archive/testimonies/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1988-13 is not a valid month" in page
    assert "Words that must not be lost." in page
    assert 'value="Testimony of Kobra Jokar"' in page
    assert load(db) is None


def test_expired_csrf_token_keeps_the_transcription(client, archivist, db):
    data = payload_for_testimony("a-token-that-expired-an-hour-ago")
    data["segments-1-text"] = "An hour of careful transcription."
    response = client.post("/archive/testimonies/new", data=data)
    page = response.get_data(as_text=True)
    assert "security token expired" in page
    assert "An hour of careful transcription." in page
    assert load(db) is None
    # The re-shown form carries a fresh token: saving again works.
    retry = payload_for_testimony(csrf_token_from(page))
    assert client.post("/archive/testimonies/new", data=retry).status_code == 302


def test_editing_changes_the_text_and_keeps_paragraph_numbers(client, archivist, db):
    create(client)
    testimony = load(db)
    page = client.get(f"/archive/testimonies/{testimony.public_id}/edit").get_data(as_text=True)
    segments = [
        {"record_id": s.id, "number": s.number, "kind": s.kind.value, "text": s.text} for s in testimony.segments
    ]
    segments[1]["text"] = "I was arrested in 1982."
    data = payload_for_testimony(csrf_token_from(page), speaker_id=testimony.roles[0].agent_id, segments=segments,
                             version=str(testimony.version))
    response = client.post(f"/archive/testimonies/{testimony.public_id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = load(db, testimony.public_id)
    assert saved.segments[1].text == "I was arrested in 1982."
    assert [s.number for s in saved.segments] == [1, 2]
    assert saved.segments[1].id == segments[1]["record_id"]


def test_two_concurrent_edits_cannot_overwrite_each_other(app, client, archivist, auth, db, make_user):
    create(client)
    testimony = load(db)
    other = app.test_client()
    second = make_user(Role.ARCHIVIST)
    from tests.conftest import AuthActions

    AuthActions(other, make_user).sign_in(second["username"], second["password"])
    url = f"/archive/testimonies/{testimony.public_id}/edit"
    first_token = csrf_token_from(client.get(url).data)
    second_token = csrf_token_from(other.get(url).data)
    base = dict(speaker_id=testimony.roles[0].agent_id, version=str(testimony.version))

    def segments(text):
        return [{"record_id": s.id, "number": s.number, "kind": s.kind.value, "text": s.text} for s in testimony.segments[:1]] + [
            {"record_id": testimony.segments[1].id, "number": 2, "kind": "first_person", "text": text}
        ]

    assert client.post(url, data=payload_for_testimony(first_token, segments=segments("First archivist's words."), **base)).status_code == 302
    refused = other.post(url, data=payload_for_testimony(second_token, segments=segments("Second archivist's words."), **base))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved this testimony" in page
    assert "Second archivist&#39;s words." in page  # their input, shown again
    assert "First archivist&#39;s words." in page  # beside the current version
    assert load(db, testimony.public_id).segments[1].text == "First archivist's words."


def test_workflow_draft_published_withdrawn_and_readers(client, archivist, auth, db):
    create(client)
    testimony = load(db)
    pid = testimony.public_id
    page = client.get(f"/archive/testimonies/{pid}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.get(f"/t/{pid}").status_code == 200  # staff see drafts
    assert client.post(f"/archive/testimonies/{pid}/publish", data={"csrf_token": token, "version": testimony.version}).status_code == 302
    assert load(db, pid).publication_state is PublicationState.PUBLISHED
    version = load(db, pid).version
    refused = client.post(f"/archive/testimonies/{pid}/withdraw", data={"withdraw-csrf_token": token, "withdraw-version": version, "withdraw-reason": ""})
    assert refused.status_code == 400 and load(db, pid).publication_state is PublicationState.PUBLISHED
    assert "Say why the testimony is withdrawn" in refused.get_data(as_text=True)
    client.post(f"/archive/testimonies/{pid}/withdraw", data={"withdraw-csrf_token": token, "withdraw-version": version, "withdraw-reason": "Consent withdrawn by the family."})
    saved = load(db, pid)
    assert saved.publication_state is PublicationState.WITHDRAWN and saved.withdrawn_reason == "Consent withdrawn by the family."
    auth.logout()
    # Readers could read it: its permalink now says it was withdrawn (tests/web/test_tombstones.py).
    assert client.get(f"/t/{pid}").status_code == 410


def test_reader_sees_only_published(client, archivist, auth, db):
    create(client)
    pid = load(db).public_id
    auth.logout()
    assert client.get(f"/t/{pid}").status_code == 404
    assert pid not in client.get("/").get_data(as_text=True)


def test_soft_delete_keeps_the_record_with_who_and_why(client, archivist, db):
    create(client)
    testimony = load(db)
    token = csrf_token_from(client.get(f"/archive/testimonies/{testimony.public_id}").data)
    client.post(f"/archive/testimonies/{testimony.public_id}/delete",
                data={"delete-csrf_token": token, "delete-version": testimony.version, "delete-reason": "Entered twice."})
    saved = load(db, testimony.public_id)
    assert saved.is_deleted and saved.deleted_reason == "Entered twice." and saved.deleted_by_id == archivist["id"]
    assert client.get(f"/t/{testimony.public_id}").status_code == 404


def test_corroboration_change_needs_a_rationale_and_is_kept(client, archivist, db):
    create(client)
    testimony = load(db)
    pid = testimony.public_id
    token = csrf_token_from(client.get(f"/archive/testimonies/{pid}").data)
    client.post(f"/archive/testimonies/{pid}/corroboration", data={"csrf_token": token, "version": testimony.version,
                                                                    "status": "corroborated", "rationale": ""})
    assert load(db, pid).corroboration_status.value == "unverified"
    client.post(f"/archive/testimonies/{pid}/corroboration", data={"csrf_token": token, "version": testimony.version,
                                                                    "status": "partially_corroborated",
                                                                    "rationale": "Matches Amnesty's figures."})
    with db.session() as session:
        changes = session.scalars(select(CorroborationChange)).all()
        assert [(c.status.value, c.rationale) for c in changes] == [("partially_corroborated", "Matches Amnesty's figures.")]


def test_history_shows_a_word_diff_and_restore_makes_a_new_revision(client, archivist, db):
    create(client)
    testimony = load(db)
    pid = testimony.public_id
    token = csrf_token_from(client.get(f"/archive/testimonies/{pid}/edit").data)
    segments = [{"record_id": s.id, "number": s.number, "kind": s.kind.value, "text": s.text} for s in testimony.segments]
    segments[1]["text"] = "I was arrested in 1982."
    client.post(f"/archive/testimonies/{pid}/edit", data=payload_for_testimony(
        token, speaker_id=testimony.roles[0].agent_id, segments=segments, version=str(testimony.version)))
    page = client.get(f"/archive/testimonies/{pid}/history?a=1&b=2").get_data(as_text=True)
    assert "<del>1981.</del>" in page and "<ins>1982.</ins>" in page
    version = load(db, pid).version
    response = client.post(f"/archive/testimonies/{pid}/restore/1", data={"csrf_token": token, "version": version})
    assert response.status_code == 302
    assert load(db, pid).segments[1].text == "I was arrested in 1981."
    with db.session() as session:
        numbers = session.scalars(select(Revision.number).where(Revision.entity_type == "testimony",
                                                                 Revision.entity_id == testimony.id)).all()
        assert sorted(numbers) == [1, 2, 3]
        assert verify_chains(session) == []


def test_split_and_merge_only_change_the_form_until_saved(client, archivist, db):
    token = new_form_token(client)
    data = payload_for_testimony(token, segments=[{"kind": "first_person", "text": "First part.\n\nSecond part."}])
    data["op"] = "split:0"
    page = client.post("/archive/testimonies/new", data=data).get_data(as_text=True)
    assert load(db) is None
    assert "First part.</textarea>" in page and "Second part.</textarea>" in page
    data = payload_for_testimony(csrf_token_from(page), segments=[
        {"kind": "first_person", "text": "One."}, {"kind": "first_person", "text": "Two."}])
    data["op"] = "merge:0"
    page = client.post("/archive/testimonies/new", data=data).get_data(as_text=True)
    assert "One. Two.</textarea>" in page
    data = payload_for_testimony(csrf_token_from(page), segments=[
        {"kind": "first_person", "text": "Witness."}, {"kind": "editorial", "text": "Framing."}])
    data["op"] = "merge:0"
    page = client.post("/archive/testimonies/new", data=data).get_data(as_text=True)
    assert "never run into framing" in page


def test_reorder_keeps_numbers_and_redactions_are_saved(client, archivist, db):
    create(client, segments=[
        {"kind": "editorial", "text": "Framing."},
        {"kind": "first_person", "text": "My cellmate was Ali.", "redactions": [{"start": 15, "end": 19, "access_level": "confidential", "reason": "family safety"}]},
    ])
    testimony = load(db)
    assert [(r.start, r.end) for r in testimony.segments[1].redactions] == [(15, 19)]
    segments = [{"record_id": s.id, "number": s.number, "kind": s.kind.value, "text": s.text} for s in reversed(testimony.segments)]
    token = csrf_token_from(client.get(f"/archive/testimonies/{testimony.public_id}/edit").data)
    client.post(f"/archive/testimonies/{testimony.public_id}/edit", data=payload_for_testimony(
        token, speaker_id=testimony.roles[0].agent_id, segments=segments, version=str(testimony.version)))
    saved = load(db, testimony.public_id)
    assert [(s.position, s.number) for s in saved.segments] == [(1, 2), (2, 1)]


def test_redaction_outside_the_text_is_refused(client, archivist, db):
    response = create(client, segments=[{"kind": "first_person", "text": "Short.", "redactions": [{"start": 2, "end": 40}]}])
    assert response.status_code == 400
    assert "must lie within the text" in response.get_data(as_text=True)


def test_claims_attach_to_a_segment(client, archivist, db):
    create(client)
    testimony = load(db)
    pid = testimony.public_id
    token = csrf_token_from(client.get(f"/archive/testimonies/{pid}").data)
    response = client.post(f"/archive/testimonies/{pid}/claims", data={
        "csrf_token": token, "segment_id": str(testimony.segments[1].id), "kind": "event",
        "statement": "The speaker was arrested in 1981.", "excerpt": "arrested in 1981", "scope_period_edtf": "1981",
    })
    assert response.status_code == 302
    with db.session() as session:
        claim = session.scalar(select(Claim))
        assert claim.segment_id == testimony.segments[1].id and claim.speaker_id == testimony.roles[0].agent_id


def test_edtf_preview_endpoint(client, archivist):
    assert client.get("/archive/edtf?value=2018-07-16%3F").get_json()["words"] == "16 July 2018 (uncertain)"
    bad = client.get("/archive/edtf?value=1988-13").get_json()
    assert not bad["ok"] and "1988-13 is not a valid month" in bad["error"]


def test_agent_lookup_finds_alternate_names(client, archivist, seeded):
    items = client.get("/archive/lookup/agents?q=Jokar").get_json()
    assert any("Kobra Jokar" in item["label"] for item in items)


def test_editing_a_seeded_testimony_keeps_source_segments(client, archivist, seeded, db):
    testimony = load(db, "T-0012")
    page = client.get("/archive/testimonies/T-0012/edit")
    assert page.status_code == 200
    form_page = page.get_data(as_text=True)
    assert "also in the source" in form_page


def test_get_never_changes_state(client, archivist, seeded):
    for url in ("/archive/testimonies/T-0012/publish", "/archive/testimonies/T-0012/delete", "/sign-out"):
        assert client.get(url).status_code in (404, 405)


def test_occasion_and_source_created_inline(client, archivist, db):
    response = create(client, new_occasion_title="Interview in Paris", new_occasion_kind="interview",
                      new_occasion_date="2019-05~", new_source_title="Audio recording, tape 3", new_source_kind="recording")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    testimony = load(db)
    assert testimony.occasion.title == "Interview in Paris" and testimony.occasion.date_edtf == "2019-05~"
    assert testimony.source.title == "Audio recording, tape 3"


def test_a_session_that_ended_hands_back_what_was_typed(client, archivist, db):
    from catalog.models import UserSession

    token = new_form_token(client)
    with db.writing() as session:
        for record in session.scalars(select(UserSession)):
            record.ended_dt, record.ended_reason = record.created_dt, "idle"
    data = payload_for_testimony(token)
    data["segments-1-text"] = "Two hours of transcription."
    response = client.post("/archive/testimonies/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "nothing was saved" in page and "Two hours of transcription." in page
    assert load(db) is None


def test_history_names_people_not_ids(client, archivist, db):
    create(client)
    testimony = load(db)
    pid = testimony.public_id
    token = csrf_token_from(client.get(f"/archive/testimonies/{pid}/edit").data)
    segments = [{"record_id": s.id, "number": s.number, "kind": s.kind.value, "text": s.text} for s in testimony.segments]
    client.post(f"/archive/testimonies/{pid}/edit", data=payload_for_testimony(
        token, speaker_id=testimony.roles[0].agent_id, segments=segments, version=str(testimony.version),
        **{"roles-0-relation_to_events": "former political prisoner"}))
    page = client.get(f"/archive/testimonies/{pid}/history?a=1&b=2").get_data(as_text=True)
    assert "speaker — Kobra Jokar — former political prisoner" in page


def test_stale_agent_edit_is_refused_and_shows_both(app, client, archivist, db, make_user):
    from tests.conftest import AuthActions
    from tests.web.formdata import form_fields

    url = "/archive/agents/new"
    client.post(url, data={**form_fields(client.get(url).data, url), "preferred_name": "Amina"})
    edit = "/archive/agents/amina/edit"
    mine = form_fields(client.get(edit).data, edit)
    other = app.test_client()
    second = make_user(Role.ARCHIVIST)
    AuthActions(other, make_user).sign_in(second["username"], second["password"])
    theirs = form_fields(other.get(edit).data, edit)
    assert other.post(edit, data={**theirs, "preferred_name": "Amina R."}).status_code == 302
    refused = client.post(edit, data={**mine, "preferred_name": "Amina Rahimi"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Someone else saved this agent" in page
    assert 'value="Amina Rahimi"' in page and "Amina R." in page
    with db.session() as session:
        assert session.scalar(select(Agent.preferred_name).where(Agent.key == "amina")) == "Amina R."


def test_pickers_in_a_large_catalog_list_only_the_choice(client, archivist, db, monkeypatch):
    from catalog.web import archive

    create(client)
    testimony = load(db)
    monkeypatch.setattr(archive, "PICKER_FULL_LIST_LIMIT", 1)
    page = client.get(f"/archive/testimonies/{testimony.public_id}/edit").get_data(as_text=True)
    assert page.count("Kobra Jokar</option>") == 1  # the chosen speaker only, not in every author picker
