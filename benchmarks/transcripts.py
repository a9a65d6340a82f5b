"""Benchmark: printed transcripts (PDF) of a ~200-page testimony and of a 100-testimony selection.

    .venv/bin/python benchmarks/transcripts.py [--segments 1450] [--selection 100]

Builds a throw-away SQLite catalog in a temporary instance folder (the seeds plus a synthetic long
testimony and 100 shorter ones), then measures through the same code the web views use:
- first render of the long testimony's PDF (wall time, and peak memory of a fresh process),
- a repeated request for the same revision and access level (served from the PDF cache),
- the selection's PDF (first render and cached),
- and, for reference, a plain WeasyPrint render of the same print view's HTML laid out as paged
  media in one process (no cache), reported next to each case with the ratio of the catalog's
  first render to it (`first_over_plain`). WeasyPrint is not one of the catalog's dependencies:
  install it for the reference with `pip install -e '.[bench]'` (it needs Pango); without it the
  reference is left out.
Targets: first render of the 200-page testimony <= 2 s, of a 100-testimony selection (~500 pages)
<= 10 s; < 300 MB peak; cached < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

WORDS = (
    "we were taken at night to the prison and kept in a corridor for days without knowing why "
    "the guards called names from a list and those who left did not come back to the ward"
).split()


def _paragraph(seed: int, words: int = 95) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


PERSIAN = "ما را شب به زندان بردند و روزها در راهرو نگه داشتند بی آنکه بدانیم چرا نگهبانان نام‌ها را از فهرست می‌خواندند".split()


def _persian(seed: int, words: int = 70) -> str:
    return " ".join(PERSIAN[(seed * 5 + i * 3) % len(PERSIAN)] for i in range(words)) + "."


def build_catalog(instance: str, segments: int, selection: int) -> None:
    os.environ["CATALOG_INSTANCE_PATH"] = instance
    from catalog import create_app
    from catalog.migrate import upgrade
    from catalog.models import (
        AccessLevel, AccountKind, Agent, AgentKind, AgentRole, PublicationState, RoleKind, Segment, SegmentKind, Testimony,
    )
    from catalog.services.actors import Actor
    from catalog.services.revisions import record_revision
    from catalog.services.seed import load_seeds
    from catalog.web import database

    db = database(create_app())
    upgrade(db.engine)
    kinds = [SegmentKind.QUESTION, SegmentKind.FIRST_PERSON, SegmentKind.FIRST_PERSON, SegmentKind.EDITORIAL, SegmentKind.REPORTED]
    with db.writing() as session:
        load_seeds(session)
        speaker = Agent(key="bench-speaker", kind=AgentKind.PERSON, preferred_name="Bench Speaker")
        session.add(speaker)

        def testimony(public_id: str, count: int) -> None:
            t = Testimony(
                public_id=public_id, title=f"Synthetic interview {public_id}", account_kind=AccountKind.SURVIVOR,
                publication_state=PublicationState.PUBLISHED, access_level=AccessLevel.PUBLIC, language="en",
            )
            t.roles.append(AgentRole(agent=speaker, role=RoleKind.SPEAKER))
            for n in range(1, count + 1):
                # Every other short testimony is in Persian, with an English translation of each passage.
                persian = public_id != "B-LONG" and int(public_id[2:]) % 2 == 1
                if persian:
                    t.segments.append(Segment(
                        position=n, number=n, kind=kinds[n % len(kinds)], text=_persian(n), language="fa", direction="rtl",
                        translation=_paragraph(n, 60), translation_language="en",
                    ))
                    continue
                t.segments.append(
                    Segment(position=n, number=n, kind=kinds[n % len(kinds)], text=_paragraph(n, 40 if n % 5 == 0 else 95), language="en", direction="ltr")
                )
            session.add(t)
            session.flush()
            record_revision(session, t, Actor.system("benchmark"))

        testimony("B-LONG", segments)
        for i in range(selection):
            testimony(f"B-{i:04d}", 30)


def measure(instance: str, what: str, selection: int) -> dict:
    """Runs in a fresh process so peak memory (ru_maxrss) belongs to this render alone."""
    os.environ["CATALOG_INSTANCE_PATH"] = instance
    from pypdf import PdfReader

    from catalog import create_app
    from catalog.services import transcripts
    from catalog.viewer import Viewer
    from catalog.web import database

    app = create_app()
    db = database(app)
    options = transcripts.PrintOptions()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    ids = tuple(f"B-{i:04d}" for i in range(selection))
    kind, key = ("testimony", "B-LONG") if what == "long" else ("selection", ",".join(ids))

    def request(options=options):
        """What the web view does: find the PDF in the cache, or build and render it."""
        with db.session() as session:
            def build():
                if what == "long":
                    return transcripts.testimony_transcript(session, Viewer.public(), "B-LONG", options, base_url="http://localhost/")
                return transcripts.selection_transcript(session, Viewer.public(), ids, options, title="Benchmark selection", base_url="http://localhost/")
            pdf = transcripts.pdf_for(instance, session, Viewer.public(), kind, key, options, "http://localhost/", build, variant="bench")
            return pdf.path, pdf.path.read_bytes()

    started = time.perf_counter()
    path, _ = request()
    first = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from catalog.services.transcripts import pdf as first_module

    first_cost = dict(first_module.last_cost)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        request()
        timings.append(time.perf_counter() - started)
    cached = sorted(timings)[len(timings) // 2]

    cost = first_cost
    # Another first render (letter paper: a new layout, nothing cached) in a process that has
    # printed before (Typst loaded, fonts found).
    started = time.perf_counter()
    request(transcripts.PrintOptions(paper="letter"))
    first_again = time.perf_counter() - started
    pages = len(PdfReader(path).pages)
    return {"what": what, "pages": pages, "first_s": round(first, 2), "first_again_s": round(first_again, 2), "cached_ms": round(cached * 1000, 1),
            "peak_mb": round(peak / 1024), "cost_of_first_render": cost, "baseline_mb": round(before / 1024),
            "cpus": os.cpu_count(), "load_average": round(os.getloadavg()[0], 2)}


#: The address the reference render's HTML believes it lives at; its fetcher serves only the
#: catalog's own static files from it and refuses every other URL (nothing is fetched).
INTERNAL_BASE = "https://print.catalog.invalid/"
INTERNAL_STATIC = INTERNAL_BASE + "static/"


def _fetcher(static: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    types = {".css": "text/css", ".ttf": "font/ttf"}

    class CatalogOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            target = (static / unquote(urlsplit(url).path).removeprefix("/static/")).resolve()
            if not url.startswith(INTERNAL_STATIC) or not target.is_relative_to(static) or target.suffix not in types:
                raise ValueError(f"the reference render fetches nothing else: {url[:200]!r}")
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": types[target.suffix]})

    return CatalogOnlyFetcher()


def measure_plain(instance: str, what: str, selection: int) -> dict:
    """The reference: the print view's HTML laid out as paged media by WeasyPrint (the engine the
    catalog printed with before Typst), in one process, as one document, no PDF cache. Runs in a
    fresh process, as measure() does. WeasyPrint is imported before the clock starts."""
    os.environ["CATALOG_INSTANCE_PATH"] = instance
    import weasyprint
    from pypdf import PdfReader

    from catalog import create_app, paths
    from catalog.services import transcripts
    from catalog.services.transcripts.render import render_html
    from catalog.viewer import Viewer
    from catalog.web import database

    db = database(create_app())
    options = transcripts.PrintOptions()
    ids = tuple(f"B-{i:04d}" for i in range(selection))
    started = time.perf_counter()
    with db.session() as session:
        if what == "long":
            document = transcripts.testimony_transcript(session, Viewer.public(), "B-LONG", options, base_url="http://localhost/")
        else:
            document = transcripts.selection_transcript(session, Viewer.public(), ids, options, title="Benchmark selection", base_url="http://localhost/")
    build = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    # The print view's HTML marked for paged media, with the same page size and the same static
    # files (print.css, fonts).
    html = render_html(document, static_url=INTERNAL_STATIC, for_pdf=True)
    page = "letter" if options.paper == "letter" else "A4"
    data = weasyprint.HTML(string=html, base_url=INTERNAL_BASE, url_fetcher=_fetcher(paths.STATIC.resolve())).write_pdf(
        stylesheets=[weasyprint.CSS(string=f"@page {{ size: {page} !important; }}")]
    )
    render = time.perf_counter() - started
    cpu = time.process_time() - cpu
    from io import BytesIO

    return {"what": what, "pages": len(PdfReader(BytesIO(data)).pages), "build_s": round(build, 2), "render_s": round(render, 2),
            "total_s": round(build + render, 2), "render_cpu_s": round(cpu, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def _run(instance: str, measure_what: str, selection: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", measure_what, "--instance", instance, "--selection", str(selection)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1450, help="passages in the long testimony (~200 pages)")
    parser.add_argument("--selection", type=int, default=100, help="testimonies of 30 passages (~5 pages each)")
    parser.add_argument("--measure", choices=["long", "selection", "plain-long", "plain-selection"], help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        if args.measure.startswith("plain-"):
            print(json.dumps(measure_plain(args.instance, args.measure.removeprefix("plain-"), args.selection)))
        else:
            print(json.dumps(measure(args.instance, args.measure, args.selection)))
        return
    with tempfile.TemporaryDirectory(prefix="transcripts-bench-") as instance:
        build_catalog(instance, args.segments, args.selection)
        for what in ("long", "selection"):
            result = _run(instance, what, args.selection)
            # The plain render runs after the catalog's: neither gains from a cache the other filled
            # (the plain render uses none, and the catalog's first render found none).
            try:
                import weasyprint  # noqa: F401
            except (ImportError, OSError):
                result["plain"] = "WeasyPrint is not installed: pip install -e '.[bench]'"
            else:
                plain = _run(instance, f"plain-{what}", args.selection)
                plain.pop("what")
                result["plain"] = plain
                result["first_over_plain"] = round(result["first_s"] / plain["total_s"], 2)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
