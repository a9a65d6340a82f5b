"""Job pages over HTTP: a PDF not yet cached is rendered by a job, at exactly the asker's access
level; the page shows progress without any script, then the result or why it failed."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from catalog.models import Job, JobKind, JobState, Role
from tests.web.test_printing import restricted  # noqa: F401  (fixture)

REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def queued(app):
    """Jobs stay on the queue until the test runs them (`queue.run(token)`), as when every worker
    is busy: the request never renders anything itself."""
    queue = app.extensions["catalog_jobs"]
    queue.huey.immediate = False
    yield queue
    queue.huey.storage.flush_all()


def job_token(response) -> str:
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/jobs/")
    return location.removeprefix("/jobs/")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def job_row(db, token: str) -> Job:
    with db.session() as session:
        return session.scalar(select(Job).where(Job.token == token))


def test_selection_pdf_runs_as_a_job_at_the_askers_access_level(client, auth, restricted, queued, app):  # noqa: F811
    researcher = auth.login(Role.RESEARCHER)
    token = job_token(client.get("/print/selection.pdf?ids=T-8001,T-0003&title=Two+accounts"))
    row = job_row(restricted, token)
    assert (row.kind, row.state, row.user_id) == (JobKind.PDF, JobState.QUEUED, researcher["id"])
    assert row.params["access"] == "restricted"

    waiting = client.get(f"/jobs/{token}").get_data(as_text=True)
    assert REFRESH in waiting and "<progress" in waiting and "Waiting for a worker" in waiting
    assert "<script" not in waiting
    assert client.get(f"/jobs/{token}/file").status_code == 404  # nothing yet

    queued.run(token)

    done = client.get(f"/jobs/{token}")
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and REFRESH not in page and "<progress" not in page
    assert "Open the PDF" in page and "no-store" in done.headers["Cache-Control"]
    pdf = client.get(f"/jobs/{token}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "I was there in 1988." in text and "researcher (restricted)" in text
    # Now cached for this access level: the same address is a file read, no new job.
    again = client.get("/print/selection.pdf?ids=T-8001,T-0003&title=Two+accounts")
    assert again.status_code == 200 and again.data == pdf.data


def test_a_print_job_is_its_askers_and_its_file_only_for_its_access_level(client, app, auth, restricted, queued):  # noqa: F811
    auth.login(Role.RESEARCHER)
    token = job_token(client.get("/print/selection.pdf?ids=T-8001"))
    queued.run(token)
    assert client.get(f"/jobs/{token}/file").status_code == 200
    auth.logout()
    # A reader who is not signed in, and another researcher, know nothing of it.
    assert client.get(f"/jobs/{token}").status_code == 404
    assert client.get(f"/jobs/{token}/file").status_code == 404
    auth.login(Role.RESEARCHER)
    assert client.get(f"/jobs/{token}").status_code == 404
    auth.logout()
    # Staff see the job, but its file was made for another access level than theirs.
    auth.login(Role.ARCHIVIST)
    page = client.get(f"/jobs/{token}").get_data(as_text=True)
    assert "made for another access level" in page and "Open the PDF" not in page
    assert client.get(f"/jobs/{token}/file").status_code == 404


def test_a_public_readers_print_never_shows_restricted_words(client, restricted, queued):  # noqa: F811
    # The restricted testimony cannot be asked for at all...
    refused = client.get("/print/selection.pdf?ids=T-8001,T-0003")
    assert refused.status_code == 404 and not refused.headers.get("Location")
    # ...and a public reader's job renders for the public, whoever runs it.
    token = job_token(client.get("/t/T-0003/transcript.pdf"))
    assert job_row(restricted, token).params["access"] == "public"
    queued.run(token)
    pdf = client.get(f"/jobs/{token}/file")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    assert "Printed for: public" in text and "I was there in 1988." not in text


def test_a_failed_print_job_says_why(client, seeded, queued, monkeypatch):
    from catalog.services import transcripts
    from catalog.services.transcripts import pdf as pdf_module

    def missing():
        raise transcripts.PdfUnavailable("PDF printing is not available on this server: the Typst compiler could not load.")

    monkeypatch.setattr(pdf_module, "_typst", missing)
    token = job_token(client.get("/t/T-0010/transcript.pdf"))
    queued.run(token)
    page = client.get(f"/jobs/{token}").get_data(as_text=True)
    assert 'class="job job-failed"' in page and "the Typst compiler could not load" in page and REFRESH not in page
    assert job_row(seeded, token).state is JobState.FAILED


def test_status_json_and_unknown_tokens(client, seeded, queued):
    token = job_token(client.get("/t/T-0003/transcript.pdf"))
    status = client.get(f"/jobs/{token}/status.json").get_json()
    assert status == {"state": "queued", "done": 0, "total": 0, "stage": "Waiting for a worker", "error": "",
                      "over": False}
    queued.run(token)
    assert client.get(f"/jobs/{token}/status.json").get_json()["state"] == "done"
    assert client.get("/jobs/" + "x" * 43).status_code == 404
    assert client.get("/jobs/not-a-token").status_code == 404


def test_import_job_page_shows_progress_then_the_summary(client, auth, db, queued):
    import io

    from tests.conftest import csrf_token_from

    auth.login(Role.ARCHIVIST)
    csv = ("testimony,title,speaker,speaker_name,segment_kind,segment_text,segment_language\n"
           "T-0501,Imported,imported-witness,Imported Witness,first_person,Words.,\n")
    token = csrf_token_from(client.get("/archive/import").data)
    sent = client.post("/archive/import", data={"csrf_token": token, "format": "auto", "dry_run": "y",
                                                "file": (io.BytesIO(csv.encode()), "batch.csv")},
                       content_type="multipart/form-data")
    job = job_token(sent)
    waiting = client.get(f"/jobs/{job}").get_data(as_text=True)
    assert REFRESH in waiting and "Import of batch.csv" in waiting
    queued.run(job)
    row = job_row(db, job)
    assert row.state is JobState.DONE, (row.state, row.error, row.stage)
    page = client.get(f"/jobs/{job}").get_data(as_text=True)
    assert REFRESH not in page and "batch.csv checks out" in page and "Would create" in page
    # The form to send the next file is on the page, its "Only check the file" box ticked.
    assert 'name="dry_run"' in page and "checked" in page.split('name="dry_run"')[0].rsplit("<input", 1)[-1] + \
        page.split('name="dry_run"')[1].split(">", 1)[0]


def test_an_admin_queues_a_reindex_and_follows_it(client, auth, seeded):
    from tests.conftest import csrf_token_from

    auth.login(Role.ADMIN)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Rebuild the search index" in page
    response = client.post("/admin/reindex", data={"csrf_token": csrf_token_from(page)})
    token = job_token(response)
    done = client.get(f"/jobs/{token}").get_data(as_text=True)
    assert "13 testimonies and" in done and REFRESH not in done
    auth.logout()
    auth.login(Role.ARCHIVIST)
    assert client.post("/admin/reindex", data={"csrf_token": auth.csrf_token("/archive/")}).status_code == 403
