"""Permalinks of testimonies that readers could once read and may no longer: 410 Gone with a
tombstone that says what happened and when, and nothing of the testimony itself; every other
testimony a reader may not see stays a 404 exactly like one that never existed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from catalog.models import AccessLevel, PublicationState, Role, Testimony
from catalog.services.actors import Actor
from catalog.services.write import Rejected, workflow
from catalog.web.page_cache import HEADER
from tests.conftest import csrf_token_from

ARCHIVIST = Actor("amina (archivist)")
TITLE = "Account of Witness Zeta at the gate"
WORDS = "I stood at the gate of the prison all night."


def load(session, public_id: str) -> Testimony:
    return session.scalar(select(Testimony).where(Testimony.public_id == public_id))


@pytest.fixture
def published(db, session, make_testimony):
    """A public testimony published through the workflow, so the public could read it."""
    testimony = make_testimony(("first_person", WORDS), title=TITLE, state=PublicationState.DRAFT,
                               public_id="T-0901")
    workflow.publish(session, testimony, ARCHIVIST)
    session.commit()
    assert testimony.first_public_dt is not None
    return testimony.public_id


def withdraw(db, public_id: str, reason: str = "Withdrawn at the witness's request.") -> None:
    with db.writing() as session:
        workflow.withdraw(session, load(session, public_id), reason, ARCHIVIST)


def delete(db, public_id: str, reason: str = "Entered by mistake.", public_reason: str = "") -> None:
    with db.writing() as session:
        workflow.soft_delete(session, load(session, public_id), reason, ARCHIVIST, public_reason=public_reason)


def test_a_withdrawn_testimony_answers_410_with_when_and_why_and_nothing_of_it(app, db, published):
    withdraw(db, published, "Withdrawn at the witness's request, for their safety.")
    response = app.test_client().get(f"/t/{published}")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert f"Testimony {published} was withdrawn on" in page
    assert "Withdrawn at the witness&#39;s request, for their safety." in page
    assert f"http://localhost/t/{published}" in page  # its permalink and citation stay
    assert TITLE not in page and WORDS not in page
    assert 'class="tombstone"' in page and "<nav" in page  # in the site's layout


def test_a_deleted_testimony_tells_readers_only_the_public_reason(app, db, published):
    delete(db, published, reason="Duplicate of T-0001; the witness's real name was in it.",
           public_reason="This account was a duplicate of another in the catalog.")
    response = app.test_client().get(f"/t/{published}")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert f"Testimony {published} was removed on" in page
    assert "This account was a duplicate of another in the catalog." in page
    assert "real name" not in page and TITLE not in page and WORDS not in page


def test_a_deletion_without_a_public_reason_says_only_that_it_was_removed(app, db, published):
    delete(db, published)
    page = app.test_client().get(f"/t/{published}").get_data(as_text=True)
    assert "was removed on" in page and "Entered by mistake." not in page
    assert "What the archivists say" not in page


def absent_body(app) -> bytes:
    return app.test_client().get("/t/T-9999").data


@pytest.mark.parametrize("case", ["draft", "never public", "restricted now", "withdrawn but restricted",
                                  "returned to draft"])
def test_what_readers_never_could_read_or_may_not_now_stays_a_plain_404(app, db, session, make_testimony, case):
    testimony = make_testimony(title=TITLE, state=PublicationState.DRAFT, public_id="T-0902",
                               access=AccessLevel.RESTRICTED if case == "withdrawn but restricted" else AccessLevel.PUBLIC)
    if case == "never public":
        # Withdrawn before any save left it readable by the public: it never was.
        testimony.publication_state = PublicationState.PUBLISHED
        workflow.withdraw(session, testimony, "Not for readers.", ARCHIVIST)
        assert testimony.first_public_dt is None
    elif case != "draft":
        workflow.publish(session, testimony, ARCHIVIST)
    if case == "restricted now":
        testimony.access_level = AccessLevel.RESTRICTED
        workflow.withdraw(session, testimony, "Moved to researchers.", ARCHIVIST)
    if case == "withdrawn but restricted":
        workflow.withdraw(session, testimony, "Not any more.", ARCHIVIST)
    if case == "returned to draft":
        workflow.return_to_draft(session, testimony, ARCHIVIST)
    session.commit()
    response = app.test_client().get("/t/T-0902")
    assert response.status_code == 404
    assert response.data == absent_body(app)
    assert app.test_client().get("/t/T-0902/cite.json").status_code == 404


def test_cite_json_answers_410_with_an_item_that_says_withdrawn_and_when(app, db, published):
    withdraw(db, published, "At the family's request.")
    response = app.test_client().get(f"/t/{published}/cite.json")
    assert response.status_code == 410
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    [item] = json.loads(response.data)
    with db.session() as session:
        when = load(session, published).withdrawn_dt.date().isoformat()
    assert item["id"] == published and item["status"] == "withdrawn"
    assert item["note"] == f"Withdrawn from the Testimony Catalog on {when}. At the family's request."
    assert item["URL"] == f"http://localhost/t/{published}"
    assert "title" not in item and "author" not in item


def test_print_view_and_pdf_of_a_gone_testimony_answer_410(app, db, published):
    client = app.test_client()
    withdraw(db, published)
    for path in (f"/t/{published}/transcript", f"/t/{published}/transcript.pdf"):
        response = client.get(path)
        assert response.status_code == 410, path
        assert WORDS not in response.get_data(as_text=True)


def test_archivists_still_see_a_withdrawn_testimony_as_it_is(client, auth, db, published):
    withdraw(db, published)
    auth.login(Role.ARCHIVIST)
    page = client.get(f"/t/{published}")
    assert page.status_code == 200 and WORDS in page.get_data(as_text=True)
    # A researcher may not read withdrawn testimony: the tombstone, as for the public.
    auth.logout()
    auth.login(Role.RESEARCHER)
    assert client.get(f"/t/{published}").status_code == 410


def test_a_page_cached_before_the_withdrawal_answers_410_at_once(app, db, published):
    first = app.test_client().get(f"/t/{published}")
    assert first.status_code == 200 and first.headers[HEADER] == "miss"
    assert app.test_client().get(f"/t/{published}").headers[HEADER] == "hit"
    withdraw(db, published)
    after = app.test_client().get(f"/t/{published}")
    assert after.status_code == 410 and WORDS not in after.get_data(as_text=True)
    # A 410 is never kept: the next reader is answered afresh too.
    again = app.test_client().get(f"/t/{published}")
    assert again.status_code == 410 and again.headers[HEADER] == "miss"


def test_publishing_again_brings_the_testimony_back(app, db, published):
    withdraw(db, published)
    with db.writing() as session:
        workflow.publish(session, load(session, published), ARCHIVIST)
    assert app.test_client().get(f"/t/{published}").status_code == 200


# --- the workspace ------------------------------------------------------------------------------


def test_the_delete_form_takes_what_readers_are_told(client, auth, db, published):
    auth.login(Role.ARCHIVIST)
    url = f"/archive/testimonies/{published}"
    page = client.get(url).get_data(as_text=True)
    assert "What readers are told" in page
    with db.session() as session:
        version = load(session, published).version
    response = client.post(f"{url}/delete", data={
        "delete-csrf_token": csrf_token_from(page), "delete-version": version,
        "delete-reason": "The witness's name is in the text.", "delete-public_reason": "Removed for the witness's safety.",
    })
    assert response.status_code == 302
    with db.session() as session:
        saved = load(session, published)
        assert saved.is_deleted and saved.deleted_public_reason == "Removed for the witness's safety."
        assert saved.deleted_reason == "The witness's name is in the text."
    # The workspace shows the archivist what readers are now told, word for word.
    workspace = client.get(url).get_data(as_text=True)
    assert f"Testimony {published} was removed on" in workspace
    assert "Removed for the witness&#39;s safety." in workspace


def test_a_refused_deletion_keeps_what_was_typed(client, auth, db, published):
    auth.login(Role.ARCHIVIST)
    url = f"/archive/testimonies/{published}"
    page = client.get(url).get_data(as_text=True)
    with db.session() as session:
        version = load(session, published).version
    response = client.post(f"{url}/delete", data={
        "delete-csrf_token": csrf_token_from(page), "delete-version": version,
        "delete-reason": "", "delete-public_reason": "Words the archivist took care over.",
    })
    refused = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Say why the testimony is deleted." in refused
    assert "Words the archivist took care over." in refused
    with db.session() as session:
        assert not load(session, published).is_deleted


def test_what_readers_are_told_follows_the_rules_of_plain_text(session, published):
    with pytest.raises(Rejected) as refused:
        workflow.soft_delete(session, load(session, published), "Duplicate.", ARCHIVIST, public_reason="bad\x00text")
    assert refused.value.problems[0].path == ("public_reason",)


def test_the_api_answers_410_with_the_tombstone_s_words_and_nothing_of_the_testimony(app, db, published):
    withdraw(db, published, "At the family's request.")
    response = app.test_client().get(f"/api/testimonies/{published}")
    assert response.status_code == 410
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    with db.session() as session:
        when = load(session, published).withdrawn_dt.date().isoformat()
    assert body["state"] == "withdrawn" and body["gone_at"].startswith(when)
    assert body["public_reason"] == "At the family's request."
    assert body["permalink"] == f"http://localhost/t/{published}"
    assert TITLE not in response.get_data(as_text=True) and WORDS not in response.get_data(as_text=True)


def test_the_api_answers_404_for_a_testimony_the_public_never_read(app, db, session, make_testimony):
    make_testimony(("first_person", WORDS), title=TITLE, state=PublicationState.DRAFT, public_id="T-0903")
    session.commit()
    response = app.test_client().get("/api/testimonies/T-0903")
    assert response.status_code == 404 and TITLE not in response.get_data(as_text=True)
