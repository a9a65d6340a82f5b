"""Benchmark: printed transcripts (PDF) of a ~200-page testimony and of a 50-testimony selection.

    .venv/bin/python benchmarks/transcripts.py [--pages-target 200] [--selection 50]

Builds a throw-away SQLite catalog in a temporary instance folder (the seeds plus a synthetic long
testimony and 50 short ones), then measures through the same code the web views use:
- first render of the long testimony's PDF (wall time, and peak memory of a fresh process),
- a repeated request for the same revision and access level (served from the PDF cache),
- the 50-testimony selection's PDF (first render and cached),
- and, for reference, a plain WeasyPrint render of the same print HTML in one process (no parts,
  no worker processes, no cache), reported next to each case with the ratio of the catalog's
  first render to it (`first_over_plain`, `first_warm_workers_over_plain`).
Targets: first render of the 200-page testimony < 5 s and < 300 MB peak; cached < 50 ms.
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

WORDS = (
    "we were taken at night to the prison and kept in a corridor for days without knowing why "
    "the guards called names from a list and those who left did not come back to the ward"
).split()


def _paragraph(seed: int, words: int = 95) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


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
                t.segments.append(
                    Segment(position=n, number=n, kind=kinds[n % len(kinds)], text=_paragraph(n, 40 if n % 5 == 0 else 95), language="en", direction="ltr")
                )
            session.add(t)
            session.flush()
            record_revision(session, t, Actor.system("benchmark"))

        testimony("B-LONG", segments)
        for i in range(selection):
            testimony(f"B-{i:04d}", 12)


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
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        request()
        timings.append(time.perf_counter() - started)
    cached = sorted(timings)[len(timings) // 2]
    # Another first render (letter paper: a new layout, nothing cached) with the layout workers
    # already running, as in a server that has printed before.
    started = time.perf_counter()
    request(transcripts.PrintOptions(paper="letter"))
    first_warm = time.perf_counter() - started
    pages = len(PdfReader(path).pages)
    from catalog.services.transcripts import pdf as pdf_module

    cost = dict(pdf_module.last_cost)
    return {"what": what, "pages": pages, "first_s": round(first, 2), "first_warm_workers_s": round(first_warm, 2), "cached_ms": round(cached * 1000, 1),
            "peak_mb_main": round(peak / 1024), "cost_of_last_render": cost, "baseline_mb": round(before / 1024),
            "cpus": os.cpu_count(), "load_average": os.getloadavg()[0]}


def measure_plain(instance: str, what: str, selection: int) -> dict:
    """The reference: the same print HTML laid out by WeasyPrint directly, in this one process, as
    one document (no parts, no worker processes, no PDF cache). Runs in a fresh process, as
    measure() does. WeasyPrint is imported before the clock starts."""
    os.environ["CATALOG_INSTANCE_PATH"] = instance
    import weasyprint
    from pypdf import PdfReader

    from catalog import create_app
    from catalog.services import transcripts
    from catalog.services.transcripts import pdf as pdf_module
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
    # The HTML the catalog lays out when a transcript is printed in one piece, with the same page
    # size and the same static files (print.css, fonts) through the catalog's own URL fetcher.
    html = render_html(document, static_url=pdf_module.INTERNAL_STATIC, for_pdf=True)
    page = "letter" if options.paper == "letter" else "A4"
    data = weasyprint.HTML(string=html, base_url=pdf_module.INTERNAL_BASE, url_fetcher=pdf_module._fetcher()).write_pdf(
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
    parser.add_argument("--selection", type=int, default=50)
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
            plain = _run(instance, f"plain-{what}", args.selection)
            plain.pop("what")
            result["plain"] = plain
            result["first_over_plain"] = round(result["first_s"] / plain["total_s"], 2)
            result["first_warm_workers_over_plain"] = round(result["first_warm_workers_s"] / plain["total_s"], 2)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
