"""The archive's import page with hostile files: the import runs as a job whose page says it failed
and lists the problems (never a 500), nothing stored, and the "Only check the file" box ticked again
whatever was sent; a real import links to the records it created."""

from __future__ import annotations

import html
import io
import re

import pytest

from catalog.models import Role
from tests.conftest import csrf_token_from
from tests.services.imports.test_hostile import (
    CASE_FIELDS,
    IN_CATALOG,
    ON_ITS_OWN,
    as_json,
    catalog_file,
    counts,
    csv_file,
    time_limit,
)

_DRY_RUN_BOX = re.compile(r"<input\b[^>]*\bname=\"dry_run\"[^>]*>")


def post(client, content: bytes, filename: str, dry_run: bool):
    token = csrf_token_from(client.get("/archive/import").data)
    data = {"csrf_token": token, "format": "auto", "file": (io.BytesIO(content), filename)}
    if dry_run:
        data["dry_run"] = "y"
    with time_limit(60):
        sent = client.post("/archive/import", data=data, content_type="multipart/form-data")
    # The import is a job: the answer sends the archivist to its page.
    assert sent.status_code == 303 and sent.headers["Location"].startswith("/jobs/"), sent.status_code
    return client.get(sent.headers["Location"])


def failed(page: str) -> bool:
    return 'class="job job-failed"' in page


def dry_run_ticked(page: str) -> bool:
    box = _DRY_RUN_BOX.search(page)
    assert box, "the page has no “Only check the file” box"
    return re.search(r"\schecked\b", box.group()) is not None


def problems_on(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", item))
            for item in re.findall(r"<li>(.*?)</li>", page.split('class="problems"', 1)[-1].split("</ol>", 1)[0],
                                   flags=re.S)]


@pytest.mark.parametrize(CASE_FIELDS, ON_ITS_OWN, ids=[case[0] for case in ON_ITS_OWN])
def test_hostile_file_is_answered_400_with_its_problems(client, auth, db, case, filename, content, where, words):
    refused_by_page(client, auth, db, filename, content, where, words)


@pytest.mark.parametrize(CASE_FIELDS, IN_CATALOG, ids=[case[0] for case in IN_CATALOG])
def test_hostile_file_against_the_catalog_is_answered_400(client, auth, seeded, case, filename, content, where,
                                                          words):
    refused_by_page(client, auth, seeded, filename, content, where, words)


def refused_by_page(client, auth, db, filename, content, where, words) -> None:
    auth.login(Role.ARCHIVIST)
    before = counts(db)
    for dry_run in (True, False):
        response = post(client, content, filename, dry_run)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and failed(page), f"not failed for a {'dry run' if dry_run else 'real import'}"
        assert "Traceback" not in page
        assert "nothing was imported" in page
        found = problems_on(page)
        assert any(p.startswith(f"{where}:") and words in p for p in found), (
            f"no problem at {where} saying “{words}” on the page: {found}")
        assert dry_run_ticked(page), "the “Only check the file” box must be ticked again"
        assert counts(db) == before, "something was stored"


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_a_section_of_the_wrong_kind_is_reported_once(client, auth, db, dry_run):
    auth.login(Role.ARCHIVIST)
    response = post(client, b'{"format": "testimony-catalog/1", "testimonies": "nope"}', "nope.json", dry_run)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and failed(page)
    assert problems_on(page) == ["testimonies: Must be a list."]
    assert dry_run_ticked(page)


def test_clean_file_dry_run_then_import_links_the_records_created(client, auth, db):
    auth.login(Role.ARCHIVIST)
    content = as_json(catalog_file(
        occasions=[{"key": "paris-interview", "kind": "interview", "title": "An interview in Paris"}]))
    before = counts(db)

    checked = post(client, content, "clean.json", dry_run=True)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and not failed(page) and "checks out" in page
    assert dry_run_ticked(page)
    assert counts(db) == before

    imported = post(client, content, "clean.json", dry_run=False)
    page = imported.get_data(as_text=True)
    assert imported.status_code == 200 and "imported" in page
    assert counts(db)["Testimony"] == before["Testimony"] + 1
    assert dry_run_ticked(page), "after a real import the next file is checked first too"
    links = set(re.findall(r'<a href="([^"]+)"', page.split('class="import-records"', 1)[-1].split("</ul>", 1)[0]))
    assert links == {"/archive/testimonies/T-0900", "/archive/agents/hostile-witness/edit",
                     "/archive/occasions/paris-interview/edit"}, links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_clean_csv_import_links_the_testimony(client, auth, db):
    auth.login(Role.ARCHIVIST)
    imported = post(client, csv_file(), "batch.csv", dry_run=False)
    page = imported.get_data(as_text=True)
    assert imported.status_code == 200 and not failed(page), problems_on(page)
    assert 'href="/archive/testimonies/T-0900"' in page
    assert 'href="/archive/agents/hostile-witness/edit"' in page
    assert dry_run_ticked(page)
