"""Benchmark: printed transcripts (PDF) of a ~200-page testimony and of a 50-testimony selection.

    .venv/bin/python benchmarks/transcripts.py [--pages-target 200] [--selection 50]

Builds a throw-away SQLite catalog in a temporary instance folder (the seeds plus a synthetic long
testimony and 50 short ones), then measures through the same code the web views use:
- first render of the long testimony's PDF (wall time, and peak memory of a fresh process),
- a repeated request for the same revision and access level (served from the PDF cache),
- the 50-testimony selection's PDF (first render and cached),
- and, for reference, a plain WeasyPrint render of the same HTML without any of the layout care.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1450, help="passages in the long testimony (~200 pages)")
    parser.add_argument("--selection", type=int, default=50)
    parser.add_argument("--measure", choices=["long", "selection"], help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.instance, args.measure, args.selection)))
        return
    with tempfile.TemporaryDirectory(prefix="transcripts-bench-") as instance:
        build_catalog(instance, args.segments, args.selection)
        for what in ("long", "selection"):
            out = subprocess.run(
                [sys.executable, __file__, "--measure", what, "--instance", instance, "--selection", str(args.selection)],
                check=True, capture_output=True, text=True,
            ).stdout
            print(out.strip())


if __name__ == "__main__":
    main()
