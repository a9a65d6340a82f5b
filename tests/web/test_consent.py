"""Consent in the archivist's hands: refusals shown, consent withdrawn from the workspace, and the
release form — uploaded from the workspace, kept by its SHA-256, served only to viewers whose level
opens it (404 as if absent to anyone else, never cached), checked by `catalog verify`."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.cli import main
from catalog.models import AccessLevel, ConsentStatus, PublicationState, Role, Testimony
from catalog.services import files
from catalog.services.actors import Actor
from catalog.services.write import workflow
from tests.conftest import csrf_token_from

ARCHIVIST = Actor("amina (archivist)")
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n" + b"x" * 70_000


def load(db, public_id: str) -> Testimony:
    with db.writing() as session:
        testimony = session.scalar(select(Testimony).where(Testimony.public_id == public_id))
        session.expunge(testimony)
        return testimony


@pytest.fixture
def published(session, make_testimony):
    testimony = make_testimony(("first_person", "I signed the form at the office."), state=PublicationState.DRAFT,
                               public_id="T-0961", consent_status=ConsentStatus.GIVEN)
    workflow.publish(session, testimony, ARCHIVIST)
    session.commit()
    return testimony.public_id


def workspace_token(client, public_id: str) -> str:
    page = client.get(f"/archive/testimonies/{public_id}")
    assert page.status_code == 200
    return csrf_token_from(page.data)


def upload(client, db, public_id: str, data: bytes, level: str = "confidential", name: str = "form.pdf"):
    token = workspace_token(client, public_id)
    version = load(db, public_id).version
    return client.post(f"/archive/testimonies/{public_id}/release-form", content_type="multipart/form-data", data={
        "release-csrf_token": token, "release-version": str(version), "release-access_level": level,
        "release-file": (io.BytesIO(data), name),
    })


def test_an_archivist_attaches_a_release_form_kept_by_its_checksum(app, client, auth, db, published):
    auth.login(Role.ARCHIVIST)
    assert upload(client, db, published, PDF).status_code == 302
    testimony = load(db, published)
    with db.writing() as session:
        form = session.scalar(select(Testimony).where(Testimony.public_id == published)).release_form
        assert form.sha256 == hashlib.sha256(PDF).hexdigest() and form.size == len(PDF)
        assert form.media_type == "application/pdf" and form.access_level is AccessLevel.CONFIDENTIAL
    stored = files.path_of(app.config["INSTANCE_PATH"], hashlib.sha256(PDF).hexdigest())
    assert stored.read_bytes() == PDF
    page = client.get(f"/archive/testimonies/{published}").get_data(as_text=True)
    assert "Release form: <a" in page and "form.pdf" in page
    served = client.get(f"/t/{published}/release-form")
    assert served.status_code == 200 and served.data == PDF and served.mimetype == "application/pdf"
    assert "no-store" in served.headers["Cache-Control"]
    served.close()
    assert testimony.version >= 2  # a revision of the testimony


@pytest.mark.parametrize("level, researcher_status", [("confidential", 404), ("restricted", 200)])
def test_the_file_is_served_only_to_viewers_its_level_allows(app, client, auth, db, published, level,
                                                             researcher_status):
    auth.login(Role.ARCHIVIST)
    assert upload(client, db, published, PDF, level).status_code == 302
    auth.logout()
    public = app.test_client().get(f"/t/{published}/release-form")
    absent = app.test_client().get("/t/T-0961/no-such-thing")
    assert public.status_code == 404 and public.data != PDF
    assert absent.status_code == 404
    auth.login(Role.RESEARCHER)
    answer = client.get(f"/t/{published}/release-form")
    assert answer.status_code == researcher_status
    answer.close()


@pytest.mark.parametrize("data, words", [
    (b"GIF89a not accepted", "must be a PDF, JPEG, PNG or TIFF"),
    (b"", "empty"),
])
def test_a_file_that_is_not_a_release_form_is_refused_with_the_reason(client, auth, db, published, data, words):
    auth.login(Role.ARCHIVIST)
    refused = upload(client, db, published, data, name="form.pdf")
    assert refused.status_code == 400 and words in refused.get_data(as_text=True)
    with db.writing() as session:
        assert session.scalar(select(Testimony).where(Testimony.public_id == published)).release_form is None


def test_a_file_over_the_limit_is_refused_and_nothing_kept(tmp_path):
    with pytest.raises(files.FileRefused, match="larger than 1 MB"):
        files.store(tmp_path, io.BytesIO(b"%PDF-" + b"0" * (1024 * 1024)), max_bytes=1024 * 1024)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    kept = files.store(tmp_path, io.BytesIO(b"%PDF-" + b"0" * 100), max_bytes=1024 * 1024)
    assert files.checksum_of(files.path_of(tmp_path, kept.sha256)) == kept.sha256 and kept.size == 105


def test_the_limit_comes_from_configuration(app, client, auth, db, published, monkeypatch):
    monkeypatch.setitem(app.config, "RELEASE_FORM_MAX_MB", 1)
    monkeypatch.setattr(files, "CHUNK", 1024)
    seen = []
    real_store = files.store
    monkeypatch.setattr(files, "store", lambda path, stream, max_bytes: seen.append(max_bytes) or
                        real_store(path, stream, max_bytes))
    auth.login(Role.ARCHIVIST)
    assert upload(client, db, published, PDF).status_code == 302 and seen == [1024 * 1024]


def test_sniffing_reads_the_first_bytes():
    assert files.sniff(b"\xff\xd8\xff\xe0JFIF") == "image/jpeg"
    assert files.sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert files.sniff(b"II*\x00....") == files.sniff(b"MM\x00*....") == "image/tiff"
    assert files.sniff(b"<html>%PDF-") is None


def test_verify_checks_each_release_forms_checksum(app, client, auth, db, published):
    auth.login(Role.ARCHIVIST)
    assert upload(client, db, published, PDF).status_code == 302
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["verify"]).exit_code == 0
    stored = files.path_of(app.config["INSTANCE_PATH"], hashlib.sha256(PDF).hexdigest())
    stored.write_bytes(PDF + b"tampered")
    result = runner.invoke(main, ["verify"])
    assert result.exit_code != 0 and f"{published}: its release form no longer matches" in result.output


def test_consent_withdrawn_from_the_workspace_takes_it_out_of_publication(app, client, auth, db, published):
    auth.login(Role.ARCHIVIST)
    token = workspace_token(client, published)
    version = load(db, published).version
    refused = client.post(f"/archive/testimonies/{published}/withdraw-consent",
                          data={"consent-csrf_token": token, "consent-version": version, "consent-reason": ""})
    assert refused.status_code == 400 and "Say how and when consent was withdrawn" in refused.get_data(as_text=True)
    client.post(f"/archive/testimonies/{published}/withdraw-consent",
                data={"consent-csrf_token": token, "consent-version": version,
                      "consent-reason": "The witness wrote on 2 December to withdraw consent."})
    testimony = load(db, published)
    assert testimony.consent_status is ConsentStatus.WITHDRAWN
    assert testimony.publication_state is PublicationState.WITHDRAWN
    auth.logout()
    gone = app.test_client().get(f"/t/{published}")
    assert gone.status_code == 410 and "The witness wrote on 2 December" in gone.get_data(as_text=True)


def test_publishing_beyond_consent_from_the_workspace_shows_the_reason(client, auth, db, session, make_testimony):
    testimony = make_testimony(("first_person", "Words."), state=PublicationState.DRAFT, public_id="T-0962",
                               consent_status=ConsentStatus.RESEARCHERS_ONLY)
    session.commit()
    auth.login(Role.ARCHIVIST)
    token = workspace_token(client, "T-0962")
    answer = client.post("/archive/testimonies/T-0962/publish", data={"csrf_token": token, "version": testimony.version},
                         follow_redirects=True)
    assert "Consent was given for researchers only" in answer.get_data(as_text=True)
    assert load(db, "T-0962").publication_state is PublicationState.DRAFT


def test_the_history_names_who_gave_consent_and_the_embargo_in_words(client, auth, db, make_agent, session):
    from catalog.services.write import TestimonyInput, records

    make_agent("Parisa Giver", key="parisa-giver")
    base = dict(title="An account", roles=[{"agent": "parisa-giver", "role": "speaker"}],
                segments=[{"kind": "first_person", "text": "I gave my consent."}])
    saved = records.save(session, TestimonyInput(**base), ARCHIVIST)
    records.save(session, TestimonyInput(**base, consent_status="embargoed", embargo_until="2031-05-01",
                                         consent_given_by="parisa-giver"), ARCHIVIST, existing=saved)
    session.commit()
    auth.login(Role.ARCHIVIST)
    page = client.get(f"/archive/testimonies/{saved.public_id}/history?a=1&b=2").get_data(as_text=True)
    assert "Consent given by" in page and "Parisa Giver" in page
    assert "Embargoed until" in page and "2031-05-01" in page
    assert "consent given, embargoed until a date" in page
