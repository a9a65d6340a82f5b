"""Measure OAI-PMH at 100,000 testimonies: list pages of headers and of records, at the start and
deep in the catalog, and a whole harvest of identifiers following resumption tokens.

    python benchmarks/oai.py --url sqlite:////path/to/a-copy-of-catalog-100k.sqlite3

The synthetic corpus (corpus.py) is loaded with Core inserts, which leave OAI-PMH's columns as a
bulk load leaves them; this script first sets them as migration 0009 does for existing rows (the
public could read what is published and public since its publication; its datestamp is its last
save), so write to a copy. Requests go through the app in this process (Flask's test client), so
the figures are the catalog's own work, without HTTP. Prints the median and the slowest of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def prepare(url: str) -> None:
    from sqlalchemy import case, create_engine, update

    from catalog.models import AccessLevel, PublicationState, Testimony

    engine = create_engine(url)
    readable = (Testimony.publication_state == PublicationState.PUBLISHED) & (
        Testimony.access_level == AccessLevel.PUBLIC) & Testimony.is_deleted.is_(False)
    with engine.begin() as connection:
        connection.execute(update(Testimony).values(
            first_public_dt=case((Testimony.published_dt.isnot(None) & (Testimony.access_level == AccessLevel.PUBLIC),
                                  Testimony.published_dt), else_=None),
            harvest_dt=Testimony.updated_dt,
            harvest_public=case((readable, True), else_=False),
        ))
    engine.dispose()


def timed(client, runs: int, **arguments) -> tuple[list[float], bytes]:
    times, body = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get("/oai?" + urlencode(arguments))
        times.append((time.perf_counter() - start) * 1000)
        body = response.data
        assert response.status_code == 200 and b"<error" not in body, body[:500]
    return times, body


def token_of(body: bytes) -> str:
    from lxml import etree

    return etree.fromstring(body).findtext(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken") or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    prepare(args.url)
    os.environ.setdefault("CATALOG_INSTANCE_PATH", tempfile.mkdtemp(prefix="oai-bench-"))
    from catalog import create_app

    app = create_app({"DATABASE_URL": args.url, "PAGE_CACHE_MB": 0, "JOB_WORKERS": 0})
    client = app.test_client()
    report = []

    def line(label: str, times: list[float]) -> None:
        report.append(f"| {label} | {statistics.median(times):.0f} ms | {max(times):.0f} ms |")

    times, body = timed(client, args.runs, verb="Identify")
    line("Identify", times)
    for verb, prefix in (("ListIdentifiers", "oai_dc"), ("ListRecords", "oai_dc"), ("ListRecords", "testimony")):
        times, body = timed(client, args.runs, verb=verb, metadataPrefix=prefix)
        line(f"{verb} {prefix}, first page of 100", times)
    times, _ = timed(client, args.runs, verb="ListRecords", metadataPrefix="oai_dc", set="kind:survivor")
    line("ListRecords oai_dc set=kind:survivor, first page", times)

    # A whole harvest of identifiers, following the tokens; the last token is kept to time a page at
    # the end of the catalog.
    start, pages, deep = time.perf_counter(), 0, ""
    token = token_of(timed(client, 1, verb="ListIdentifiers", metadataPrefix="oai_dc")[1])
    while token:
        pages += 1
        deep = token
        token = token_of(timed(client, 1, verb="ListIdentifiers", resumptionToken=token)[1])
    harvest = time.perf_counter() - start
    times, _ = timed(client, args.runs, verb="ListIdentifiers", resumptionToken=deep)
    line("ListIdentifiers, the last page (by its token)", times)
    record_token = token_of(timed(client, 1, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2000-01-01"})[1])
    times, _ = timed(client, args.runs, verb="ListRecords", resumptionToken=record_token)
    line("ListRecords oai_dc, second page (by its token)", times)
    print("| Request | median | slowest |\n|---|---|---|")
    print("\n".join(report))
    print(f"\nWhole harvest of identifiers: {pages + 1} pages in {harvest:.1f} s")


if __name__ == "__main__":
    main()
