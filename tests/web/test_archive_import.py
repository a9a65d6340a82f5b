"""Bulk import through the workspace: dry run first, then all or nothing."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from catalog.models import Role, Testimony
from tests.conftest import csrf_token_from

CSV = (
    "testimony,title,speaker,speaker_name,segment_kind,segment_text,segment_language\n"
    "T-0501,Imported,imported-witness,Imported Witness,editorial,Framing.,\n"
    "T-0501,,,,first_person,من آنجا بودم.,fa\n"
)


def post(client, content: bytes, filename: str, dry_run: bool):
    token = csrf_token_from(client.get("/archive/import").data)
    data = {"csrf_token": token, "format": "auto", "file": (io.BytesIO(content), filename)}
    if dry_run:
        data["dry_run"] = "y"
    sent = client.post("/archive/import", data=data, content_type="multipart/form-data")
    # The import is a job: the answer sends the archivist to its page.
    assert sent.status_code == 303 and sent.headers["Location"].startswith("/jobs/")
    return client.get(sent.headers["Location"])


def failed(response) -> bool:
    return 'class="job job-failed"' in response.get_data(as_text=True)


def count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Testimony))


def test_csv_dry_run_then_import(client, auth, db):
    auth.login(Role.ARCHIVIST)
    checked = post(client, CSV.encode(), "batch.csv", dry_run=True)
    assert checked.status_code == 200 and not failed(checked) and "checks out" in checked.get_data(as_text=True)
    assert count(db) == 0
    imported = post(client, CSV.encode(), "batch.csv", dry_run=False)
    assert "imported" in imported.get_data(as_text=True) and count(db) == 1


def test_csv_problems_by_row_and_nothing_imported(client, auth, db):
    auth.login(Role.ARCHIVIST)
    bad = CSV + "T-0502,Second,imported-witness,,first_persn,Words.,\n"
    response = post(client, bad.encode(), "batch.csv", dry_run=False)
    page = response.get_data(as_text=True)
    assert failed(response) and "row 4, segment_kind" in page
    assert count(db) == 0


def test_json_export_format_imports(client, auth, db):
    auth.login(Role.ARCHIVIST)
    data = {"format": "testimony-catalog/1", "agents": [{"key": "w", "name": "W"}], "testimonies": [
        {"id": "T-0601", "title": "From JSON", "roles": [{"agent": "w", "role": "speaker"}],
         "segments": [{"kind": "first_person", "text": "Words."}]}]}
    assert not failed(post(client, json.dumps(data).encode(), "batch.json", dry_run=False))
    assert count(db) == 1
    broken = post(client, b"{not json", "batch.json", dry_run=True)
    assert failed(broken) and "not valid JSON" in broken.get_data(as_text=True)


def test_researchers_cannot_import(client, auth):
    auth.login(Role.RESEARCHER)
    assert client.get("/archive/import").status_code == 403
