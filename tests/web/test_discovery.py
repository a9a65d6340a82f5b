"""For search engines: robots.txt, the sitemap of public records, and schema.org data in record pages."""

from __future__ import annotations

import json
import re
from html import unescape
from xml.etree import ElementTree

from catalog.models import AccessLevel, PublicationState, Role, SegmentKind
from catalog.web import discovery

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/xml", url
    return [loc.text for loc in ElementTree.fromstring(response.data).iterfind(".//s:loc", NS)]


def sitemap_urls(client) -> list[str]:
    return [url for file in locations(client, "/sitemap.xml") for url in locations(client, file.removeprefix("http://localhost"))]


def test_robots_names_the_sitemap_and_keeps_crawlers_out_of_staff_pages(client, seeded):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in body
    assert "Disallow: /archive/" in body and "Disallow: /admin/" in body


def test_sitemap_lists_every_public_record_with_its_last_change(client, seeded):
    urls = sitemap_urls(client)
    assert sum("/t/T-" in url for url in urls) == 13
    for expected in ("/sources/article", "/people/mek", "/places/tehran", "/claims/hrw-montazeri-2800-3800"):
        assert f"http://localhost{expected}" in urls
    page = client.get("/sitemaps/testimonies/1.xml").get_data(as_text=True)
    assert re.search(r"<loc>http://localhost/t/T-0001</loc><lastmod>\d{4}-\d\d-\d\dT[\d:]+\+00:00</lastmod>", page)
    assert client.get("/sitemaps/testimonies/2.xml").status_code == 404
    assert client.get("/sitemaps/users/1.xml").status_code == 404


def test_sitemap_names_only_what_the_public_may_read_even_for_staff(client, auth, session, make_agent, make_testimony):
    protected = make_agent("Parvaneh Realname", key="parvaneh-realname", is_protected=True, public_pseudonym="Witness P")
    make_testimony(speaker=protected, public_id="T-0901")
    make_testimony(public_id="T-0902", access=AccessLevel.RESTRICTED)
    make_testimony(public_id="T-0903", state=PublicationState.DRAFT)
    session.commit()
    auth.login(Role.ARCHIVIST)
    urls = sitemap_urls(client)
    assert "http://localhost/t/T-0901" in urls
    assert not [url for url in urls if "T-0902" in url or "T-0903" in url or "realname" in url]
    assert f"http://localhost/people/protected-{protected.id}" in urls


def test_a_large_catalog_gets_several_sitemap_files(client, session, make_testimony, monkeypatch):
    for n in range(5):
        make_testimony(public_id=f"T-{9500 + n}")
    session.commit()
    monkeypatch.setattr(discovery, "SITEMAP_SIZE", 2)
    files = locations(client, "/sitemap.xml")
    testimony_files = [f for f in files if "/sitemaps/testimonies/" in f]
    assert testimony_files == [f"http://localhost/sitemaps/testimonies/{n}.xml" for n in (1, 2, 3)]
    listed = [url for f in testimony_files for url in locations(client, f.removeprefix("http://localhost"))]
    assert listed == [f"http://localhost/t/T-{9500 + n}" for n in range(5)]


def structured_data(page: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', page, re.S)
    return json.loads(block[1]) | {"__nonce": block[0]}


def test_testimony_page_carries_schema_org_data_as_its_reader_sees_it(client, seeded):
    response = client.get("/t/T-0012")
    data = structured_data(response.get_data(as_text=True))
    assert f"'nonce-{data.pop('__nonce')}'" in response.headers["Content-Security-Policy"]
    assert data["@context"] == "https://schema.org" and data["@type"] == "CreativeWork"
    assert data["url"] == data["@id"] == "http://localhost/t/T-0012" and data["identifier"] == "T-0012"
    assert data["name"] == "Kobra Jokar: six years in the regime’s prisons"
    assert data["author"][0]["name"] == "Kobra Jokar" and data["author"][0]["@type"] == "Person"
    assert data["isPartOf"]["url"] == "http://localhost/sources/article"
    assert data["conditionsOfAccess"] == "Open to every reader." and data["inLanguage"] == "en"
    # The occasion's date is uncertain (2018-07-16?): schema.org cannot say so, and it is left out.
    assert "dateCreated" not in data
    protected = structured_data(client.get("/t/T-0006").get_data(as_text=True))
    assert protected["author"][0]["name"] == "Anonymous survivor of the 1988 massacre"
    assert protected["author"][0]["url"].startswith("http://localhost/people/protected-")


def test_schema_org_data_cannot_be_broken_out_of(client, session, make_testimony):
    hostile = 'Words </script><script>alert(1)</script> & <!-- "quoted"'
    make_testimony((SegmentKind.FIRST_PERSON, "Words."), public_id="T-0950", title=hostile, occasion=None)
    session.commit()
    page = client.get("/t/T-0950").get_data(as_text=True)
    assert "<script>alert(1)" not in page and page.count("</script>") == 1
    assert structured_data(page)["name"] == hostile
    assert unescape(re.search(r"<h1>(.*?)</h1>", page).group(1)) == hostile
