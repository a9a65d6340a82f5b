"""Measure the archivist's edit form: open it, and save it back with a small change.

    python benchmarks/edit.py --url sqlite:////path/to/a-copy-of-catalog-100k.sqlite3 --label sqlite

Starts `catalog serve --workers 2` on a free local port against the database (write to a copy: the
run saves testimonies and adds an account), creates an archivist with `catalog user create`, signs
in through the sign-in form (with its CSRF token), then, for N different ordinary testimonies (a
given number of segments: 18 by default, the most an ordinary testimony of the
synthetic corpus has): times GET of the edit form, and POST of the form as
served with one word changed in the title — the save, with its redirect followed. Prints p50/p95
per step and writes JSON and Markdown to benchmarks/out/. Every request goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from archivist import Browser, create_archivist, form_fields, percentile, sign_in  # noqa: E402
from load import OUT, Server, machine  # noqa: E402

USERNAME = "edit-benchmark"
PASSWORD = "edit-benchmark-password-1"


def ordinary_testimonies(url: str, segments: int, count: int) -> list[str]:
    """Public ids of `count` live testimonies with exactly `segments` segments, spread over the catalog."""
    from sqlalchemy import func, select

    from catalog.db import make_engine
    from catalog.models import Segment, Testimony

    engine = make_engine(url)
    with engine.connect() as connection:
        per_testimony = (select(Segment.testimony_id).group_by(Segment.testimony_id)
                         .having(func.count() == segments).subquery())
        ids = connection.execute(
            select(Testimony.public_id).where(Testimony.id.in_(select(per_testimony.c.testimony_id)),
                                              Testimony.deleted_dt.is_(None)).order_by(Testimony.id)
        ).scalars().all()
    engine.dispose()
    if len(ids) < count:
        raise SystemExit(f"Only {len(ids)} testimonies have {segments} segments; ask for fewer.")
    step = len(ids) // count
    return [ids[i * step] for i in range(count)]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1), "max_ms": round(max(values), 1)}


def markdown(report: dict) -> str:
    lines = [f"# Edit form — {report['label']}", "",
             f"{report['started']}, {report['database']}, {report['server']}; "
             f"{report['testimonies']} testimonies of {report['segments']} segments, "
             f"{report['warmup']} warm-up round(s) first.", "",
             "| Step | n | p50 ms | p95 ms | max ms | target p95 ms |", "|---|---:|---:|---:|---:|---:|"]
    for step, target in (("open", 100), ("save", 150)):
        s = report["steps"][step]
        lines.append(f"| {step} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} | {target} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="database URL (a copy: the run writes to it)")
    parser.add_argument("--label", default=None)
    parser.add_argument("--count", type=int, default=40, help="testimonies edited")
    parser.add_argument("--segments", type=int, default=18, help="segments of each testimony edited")
    parser.add_argument("--warmup", type=int, default=3, help="testimonies opened and saved before measuring")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    label = args.label or args.url.split(":", 1)[0].split("+", 1)[0]
    OUT.mkdir(parents=True, exist_ok=True)

    ids = ordinary_testimonies(args.url, args.segments, args.count + args.warmup)
    create_archivist(args.url, USERNAME, PASSWORD)
    os.environ["CATALOG_SECURE_COOKIES"] = "0"  # plain HTTP on 127.0.0.1
    server = Server(args.url, args.workers, 8, None, OUT / f"server-edit-{label}.log")
    opened, saved = [], []
    try:
        server.wait_ready()
        browser = Browser(server.base)
        sign_in(browser, USERNAME, PASSWORD)
        for n, public_id in enumerate(ids):
            path = f"/archive/testimonies/{public_id}/edit"
            started = time.perf_counter()
            status, _, page = browser.request(path)
            open_ms = (time.perf_counter() - started) * 1000
            if status != 200:
                raise SystemExit(f"GET {path}: {status}")
            fields = form_fields(page, "testimony-form")  # its id (or class)
            for field in fields:
                if field[0] == "title":
                    field[1] = re.sub(r" \(checked \d+\)$", "", field[1]) + f" (checked {n})"
            fields.append(["save", "1"])
            started = time.perf_counter()
            status, where, page = browser.request(path, fields)
            save_ms = (time.perf_counter() - started) * 1000
            if status != 200 or urllib.parse.urlparse(where).path != f"/archive/testimonies/{public_id}":
                errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', page)[:5]
                raise SystemExit(f"POST {path}: {status} at {where}; {errors}")
            if n >= args.warmup:
                opened.append(open_ms)
                saved.append(save_ms)
            print(f"{public_id}: open {open_ms:7.1f} ms, save {save_ms:7.1f} ms", flush=True)
    finally:
        server.stop()
    report = {
        "label": label,
        "database": re.sub(r"//[^@/]*@", "//", args.url),
        "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {k: v for k, v in machine().items() if k != "wrk"},
        "server": f"catalog serve --workers {args.workers}",
        "testimonies": args.count, "segments": args.segments, "warmup": args.warmup,
        "steps": {"open": summary(opened), "save": summary(saved)},
    }
    (OUT / f"edit-{label}.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT / f"edit-{label}.md").write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
