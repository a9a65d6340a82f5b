"""CSV downloads on the reading side: the same list as the page, streamed, named, never cached, and
linked from the browse and search pages."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html import unescape

from catalog.models import AccessLevel, Role, SegmentKind
from catalog.services import csv_export
from catalog.web.page_cache import HEADER


@dataclass
class Download:
    status_code: int
    headers: dict
    data: bytes
    is_streamed: bool

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


def fetch(client, url: str) -> Download:
    """A download read to its end and closed, as a WSGI server closes it (which ends its request)."""
    with client.get(url) as response:
        streamed = response.is_streamed
        return Download(response.status_code, dict(response.headers), response.get_data(), streamed)


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"), newline="")))


def listed(page: str) -> list[str]:
    return re.findall(r'<span class="record-ref">(T-\d+)</span>', page)


def test_browse_download_is_the_browse_list(client, seeded):
    page = client.get("/testimonies?kind=survivor&sort=title").get_data(as_text=True)
    response = fetch(client, "/testimonies.csv?kind=survivor&sort=title")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert [row["id"] for row in rows_of(response)] == listed(page)
    assert re.fullmatch(r'attachment; filename="testimony-catalog-\d{4}-\d\d-\d\d-browse-testimonies\.csv"',
                        response.headers["Content-Disposition"])
    passages = fetch(client, "/testimonies.csv?kind=survivor&sort=title&rows=passages")
    assert list(rows_of(passages)[0]) == list(csv_export.PASSAGE_COLUMNS)
    assert passages.headers["Content-Disposition"].endswith('-browse-passages.csv"')
    assert list(dict.fromkeys(row["testimony"] for row in rows_of(passages))) == listed(page)


def test_whole_catalog_download_and_the_byte_order_mark(client, seeded):
    plain = fetch(client, "/catalog.csv?rows=passages")
    assert not plain.data.startswith(b"\xef\xbb\xbf") and plain.data.startswith(b"testimony,title,")
    assert re.search(r'filename="testimony-catalog-\d{4}-\d\d-\d\d-passages\.csv"', plain.headers["Content-Disposition"])
    marked = fetch(client, "/catalog.csv?rows=passages&bom=1")
    assert marked.data == b"\xef\xbb\xbf" + plain.data
    testimonies = rows_of(fetch(client, "/catalog.csv"))
    assert len(testimonies) == 13 and list(testimonies[0]) == list(csv_export.TESTIMONY_COLUMNS)
    assert testimonies[0]["permalink"] == "http://localhost/t/T-0001"
    passages = rows_of(plain)
    assert {row["testimony"] for row in passages} == {row["id"] for row in testimonies}
    assert all(row["permalink"].startswith(f"http://localhost/t/{row['testimony']}#p") for row in passages)


def test_search_download_is_the_search(client, seeded):
    page = client.get("/search?q=prisoners&scope=first_person").get_data(as_text=True)
    total = int(re.search(r"([\d,]+) matching passage", page).group(1).replace(",", ""))
    passages = rows_of(fetch(client, "/search.csv?q=prisoners&scope=first_person&rows=passages"))
    assert len(passages) == total and {row["segment_kind"] for row in passages} == {"first_person"}
    response = fetch(client, "/search.csv?q=prisoners&scope=first_person")
    assert response.headers["Content-Disposition"].endswith('-search-testimonies.csv"')
    assert {row["id"] for row in rows_of(response)} == {row["testimony"] for row in passages}


def test_bad_requests_get_a_clear_400(client, seeded):
    for url, words in (
        ("/search.csv", "Give the words to search for"),
        ("/search.csv?q=-only", "Add at least one word to look for"),
        ("/catalog.csv?rows=everything", "give rows=testimonies or rows=passages"),
        ("/testimonies.csv?rows=", "give rows=testimonies or rows=passages"),
    ):
        response = fetch(client, url)
        assert response.status_code == 400, url
        assert words in unescape(response.text), url


def test_downloads_are_streamed_and_never_kept_by_the_page_cache(app, seeded):
    cache = app.extensions["catalog_page_cache"]
    before = len(cache)
    for _ in range(2):
        response = fetch(app.test_client(), "/catalog.csv?rows=passages")
        assert response.is_streamed
        assert response.headers[HEADER] == "miss"
    assert len(cache) == before
    # The download's own session was closed with its last row: no connection is left checked out.
    assert app.extensions["catalog_db"].engine.pool.checkedout() == 0


def test_readers_download_what_their_pages_show(client, auth, session, make_agent, make_testimony):
    protected = make_agent("Parvaneh Realname", is_protected=True, public_pseudonym="Witness P")
    make_testimony((SegmentKind.FIRST_PERSON, "Open words."), speaker=protected, public_id="T-0801")
    make_testimony((SegmentKind.FIRST_PERSON, "Restricted words."), public_id="T-0802", access=AccessLevel.RESTRICTED)
    session.commit()
    public = fetch(client, "/catalog.csv?rows=passages").text
    assert "Restricted words" not in public and "Realname" not in public and "Witness P" in public
    auth.login(Role.RESEARCHER)
    signed_in = rows_of(fetch(client, "/catalog.csv?rows=passages"))
    assert [row["segment_text"] for row in signed_in] == ["Open words.", "Restricted words."]
    assert fetch(client, "/catalog.csv").headers["Cache-Control"] == "no-store"


def test_browse_and_search_pages_link_their_downloads(client, seeded):
    browse = client.get("/testimonies?kind=survivor&page=1").get_data(as_text=True)
    form = re.search(r'<form class="csv-download" method="get" action="/testimonies.csv">(.*?)</form>', browse, re.S)
    assert form and '<input type="hidden" name="kind" value="survivor">' in form.group(1)
    assert 'name="page"' not in form.group(1)
    assert 'name="rows" value="passages"' in form.group(1) and 'name="bom" value="1"' in form.group(1)
    assert 'href="/catalog.csv?rows=passages"' in browse
    search = client.get("/search?q=prisoners&scope=first_person").get_data(as_text=True)
    form = re.search(r'<form class="csv-download" method="get" action="/search.csv">(.*?)</form>', search, re.S)
    assert form and 'name="q" value="prisoners"' in form.group(1) and 'name="scope" value="first_person"' in form.group(1)
