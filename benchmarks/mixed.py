"""Readers and an archivist together: reader latency while testimonies are being saved.

    python benchmarks/mixed.py --url sqlite:////tmp/bench/catalog-100k.sqlite3 --label sqlite

Starts `catalog serve --workers N` (as benchmarks/load.py does) on a free local port and, for a
bounded time, drives readers with wrk at concurrency 8 across browse page 1, a faceted browse,
testimony pages and a search, while an archivist — signed in through the real sign-in form, CSRF
token and all — opens the edit form of an ordinary testimony and saves a small change (its title)
every 2 seconds. After each save the archivist also times the first browse page it asks for
itself, on two fresh connections at once (one per worker when both are free): the reader who
comes right after a save. Then, with the readers stopped, a few more saves each followed by the
same two requests: the first reader after a save without queueing behind other readers. Writes
benchmarks/out/mixed-<label>.json and .md: reader p50/p95/p99 and errors, save latency, first
reader after a save (under load and unloaded).

The archivist account is created with `catalog user create` first (its password is random). The
run writes to the database: measure on a copy of the corpus. Every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from archivist import Browser, create_archivist, form_fields, percentile, sign_in  # noqa: E402
from load import LUA, OUT, ROOT, Server, fetch, free_port, machine  # noqa: E402


class Archivist(Browser):
    """A signed-in archivist's browser that does not follow redirects: a save answers 302 itself."""

    def __init__(self, base: str) -> None:
        super().__init__(base, follow_redirects=False)

    def save_title(self, public_id: str) -> tuple[int, float]:
        """Open the testimony's edit form and save it with its title changed; (status, seconds of
        the save itself)."""
        path = f"/archive/testimonies/{public_id}/edit"
        status, _, page = self.request(path)
        if status != 200:
            return status, 0.0
        data = []
        for name, value in form_fields(page, action=path):
            if name == "title":
                value = value[:-2] if value.endswith(" ·") else value + " ·"
            data.append((name, value))
        started = time.perf_counter()
        status, _, _ = self.request(path, data)
        return status, time.perf_counter() - started


def timed_get(base: str, path: str) -> tuple[int, float]:
    """One GET on a fresh connection, timed from connecting to the last byte."""
    host, port = base.split("//", 1)[1].split(":")
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def first_readers(base: str, path: str, count: int) -> list[tuple[int, float]]:
    results: list[tuple[int, float]] = [(0, 0.0)] * count
    threads = []
    for i in range(count):
        def run(i=i):
            results[i] = timed_get(base, path)
        threads.append(threading.Thread(target=run))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class SourceServer(Server):
    """`catalog serve` from another checkout of the catalog (to measure a base commit)."""

    def __init__(self, url, workers, threads, log: Path, source: Path | None) -> None:
        if source is None:
            # The job consumer runs too, as with `make run`: each save queues a render of the
            # published transcript, which competes with the readers as it would in production.
            super().__init__(url, workers, threads, None, log, job_workers=2)
            return
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, CATALOG_DATABASE_URL=url, CATALOG_INSTANCE_PATH=str(OUT / "instance"),
                   PYTHONPATH=str(source))
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from catalog.cli import main; main()", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers), "--threads", str(threads)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=source)


def markdown(report: dict) -> str:
    r, s, f = report["readers"], report["saves"], report["first_reader_after_save"]
    q = report["first_reader_after_save_unloaded"]
    ms = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
    lines = [
        f"# Readers and an archivist together — {report['label']}",
        "",
        f"{report['started']}; {report['machine']['cpus']} CPUs ({report['machine']['cpu_model']}); "
        f"{report['server']['workers']} workers × {report['server']['threads']} threads; "
        f"{report['duration_s']:g} s; readers at concurrency {report['concurrency']}, a save every "
        f"{report['save_every_s']:g} s.",
        "",
        "| Measure | p50 ms | p95 ms | p99 ms | count | errors |",
        "|---|---|---|---|---|---|",
        f"| Readers (wrk: browse, faceted browse, testimony pages, search) | {ms(r['p50_ms'])} | {ms(r['p95_ms'])} "
        f"| {ms(r['p99_ms'])} | {r['requests']} | {r['errors']} |",
        f"| Archivist's save (POST of the edit form) | {ms(s['p50_ms'])} | {ms(s['p95_ms'])} | {ms(s['p99_ms'])} "
        f"| {s['count']} | {s['errors']} |",
        f"| First browse page after a save (2 fresh connections at once) | {ms(f['p50_ms'])} | {ms(f['p95_ms'])} "
        f"| {ms(f['p99_ms'])} | {f['count']} | {f['errors']} |",
        f"| The same, after the readers stopped (saves every 0.5 s, nothing else running) | {ms(q['p50_ms'])} "
        f"| {ms(q['p95_ms'])} | {ms(q['p99_ms'])} | {q['count']} | {q['errors']} |",
        "",
        "Targets: readers p95 ≤ 50 ms with 0 errors; first reader after a save p95 ≤ 30 ms.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="database URL the server reads (a copy: the run writes)")
    parser.add_argument("--label", default=None, help="name of this measurement (default: the database kind)")
    parser.add_argument("--terms", type=Path, default=OUT / "corpus-terms.json", help="sidecar from corpus.py")
    parser.add_argument("--duration", type=float, default=45, help="seconds of mixed load")
    parser.add_argument("--concurrency", type=int, default=8, help="reader connections")
    parser.add_argument("--save-every", type=float, default=2, help="seconds between the archivist's saves")
    parser.add_argument("--quiet-saves", type=int, default=15,
                        help="saves made after the mixed load, with no readers, each followed by the first "
                             "browse page on two fresh connections (the first reader after a save, unqueued)")
    parser.add_argument("--no-saves", action="store_true",
                        help="readers only (a reference for the same machine, same load)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--facet-query", default="place=tehran-province-2&year=1988")
    parser.add_argument("--source", type=Path, default=None,
                        help="serve the catalog from this checkout instead (e.g. a base commit, for a 'before')")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (`sudo apt-get install wrk`).", file=sys.stderr)
        return 2
    corpus = json.loads(args.terms.read_text())
    label = args.label or args.url.split(":", 1)[0].split("+", 1)[0]
    OUT.mkdir(parents=True, exist_ok=True)

    # The archivist signs in over plain HTTP on 127.0.0.1: the cookie may not be Secure-only.
    os.environ["CATALOG_SECURE_COOKIES"] = "0"
    username, password = f"bench-archivist-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    create_archivist(args.url, username, password, source=args.source)

    ids = list(corpus["sample_public_ids"])
    random.Random(corpus["seed"]).shuffle(ids)
    search = corpus["terms"]["medium"]["query"]
    reader_paths = []
    for i in range(40):
        reader_paths += ["/testimonies", f"/testimonies?{args.facet_query}", f"/t/{ids[i % len(ids)]}",
                         f"/search?{urllib.parse.urlencode({'q': search})}"]
    paths_file = OUT / f"mixed-paths-{label}.txt"
    paths_file.write_text("\n".join(reader_paths) + "\n")
    # The archivist edits other testimonies than the readers open.
    edited = ids[len(ids) // 2:] or ids

    report = {
        "label": label,
        "database": re.sub(r"//[^@/]*@", "//", args.url),
        "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "server": {"workers": args.workers, "threads": args.threads, "source": str(args.source or ROOT)},
        "duration_s": args.duration,
        "concurrency": args.concurrency,
        "save_every_s": args.save_every,
        "reader_paths": reader_paths[:4],
    }
    server = SourceServer(args.url, args.workers, args.threads, OUT / f"server-mixed-{label}.log", args.source)
    try:
        server.wait_ready(timeout=300)
        for path in reader_paths[:4] + ["/testimonies?sort=title"]:
            status, _ = fetch(server.base + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        archivist = Archivist(server.base)
        sign_in(archivist, username, password)
        # Warm both workers (every route, each worker) before measuring.
        for _ in range(4):
            first_readers(server.base, "/testimonies", 2)

        threads = min(args.concurrency, 2)
        wrk_result: dict = {}

        def readers() -> None:
            completed = subprocess.run(
                ["wrk", f"-t{threads}", f"-c{args.concurrency}", f"-d{args.duration:g}s", "--timeout", "10s",
                 "-s", str(LUA), server.base, "--", str(paths_file), "0", str(threads)],
                capture_output=True, text=True, timeout=args.duration + 60)
            for line in completed.stdout.splitlines():
                if line.startswith("WRK_JSON "):
                    wrk_result.update(json.loads(line[len("WRK_JSON "):]))
            if not wrk_result:
                wrk_result["failure"] = completed.stdout + completed.stderr

        load = threading.Thread(target=readers)
        load.start()
        saves, save_errors, firsts, first_errors = [], 0, [], 0
        started = time.monotonic()
        number = 0
        while not args.no_saves and time.monotonic() - started < args.duration - args.save_every:
            tick = time.monotonic()
            status, seconds = archivist.save_title(edited[number % len(edited)])
            if status == 302:
                saves.append(seconds)
                for status, seconds in first_readers(server.base, f"/testimonies?after-save={number}", 2):
                    if status == 200:
                        firsts.append(seconds)
                    else:
                        first_errors += 1
            else:
                save_errors += 1
            number += 1
            time.sleep(max(0.0, args.save_every - (time.monotonic() - tick)))
        load.join()
        quiet, quiet_errors = [], 0
        for extra in range(0 if args.no_saves else args.quiet_saves):
            time.sleep(0.5)
            status, _ = archivist.save_title(edited[(number + extra) % len(edited)])
            if status != 302:
                quiet_errors += 1
                continue
            for status, seconds in first_readers(server.base, f"/testimonies?quiet-save={extra}", 2):
                if status == 200:
                    quiet.append(seconds * 1000)
                else:
                    quiet_errors += 1
    finally:
        server.stop()
    if "failure" in wrk_result:
        raise SystemExit(f"wrk gave no result:\n{wrk_result['failure']}")
    latency = wrk_result["latency_ms"]
    report["readers"] = {
        "requests": wrk_result["requests"],
        "requests_per_s": wrk_result["requests_per_s"],
        # Socket errors of every kind and responses that are not 2xx.
        "errors": sum(wrk_result["errors"].values()) + wrk_result["non2xx"],
        "p50_ms": latency["p50"], "p95_ms": latency["p95"], "p99_ms": latency["p99"],
        "wrk": wrk_result,
    }
    ms = [s * 1000 for s in saves]
    report["saves"] = {"count": len(saves), "errors": save_errors, "p50_ms": percentile(ms, 0.5),
                       "p95_ms": percentile(ms, 0.95), "p99_ms": percentile(ms, 0.99)}
    ms = [s * 1000 for s in firsts]
    report["first_reader_after_save"] = {"count": len(firsts), "errors": first_errors,
                                         "p50_ms": percentile(ms, 0.5), "p95_ms": percentile(ms, 0.95),
                                         "p99_ms": percentile(ms, 0.99), "max_ms": max(ms) if ms else None}
    report["first_reader_after_save_unloaded"] = {
        "count": len(quiet), "errors": quiet_errors, "p50_ms": percentile(quiet, 0.5),
        "p95_ms": percentile(quiet, 0.95), "p99_ms": percentile(quiet, 0.99), "max_ms": max(quiet) if quiet else None}
    (OUT / f"mixed-{label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    text = markdown(report)
    (OUT / f"mixed-{label}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
