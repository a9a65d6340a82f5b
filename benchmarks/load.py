"""Measure the reader routes under load with wrk, against `catalog serve` on 127.0.0.1.

    python benchmarks/load.py --url sqlite:////tmp/bench/catalog-100k.sqlite3 --label sqlite

Starts the production server (gunicorn, through `catalog serve --workers N`) on a free local port, checks and
warms up every route, then measures each route closed-loop at concurrency 1 and 8 for a bounded
time and number of requests. Writes a JSON result file and a Markdown table (benchmarks/out/), with
each figure set against the target it answers to. Every request goes to 127.0.0.1 only.

Needs wrk (Debian/Ubuntu: `sudo apt-get install wrk`; macOS: `brew install wrk`) and the corpus
sidecar written by benchmarks/corpus.py (it names the benchmark terms and their frequencies).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
LUA = HERE / "wrk" / "report.lua"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Route:
    name: str
    title: str
    paths: list[str]
    #: At concurrency 1: p95 in ms the route must stay under (None: no latency target).
    p95_ms: float | None = None
    #: At concurrency 8: requests/s the route must reach (None: no throughput target).
    min_rps_c8: float | None = None
    #: Text every page of this route must contain (a hit on a search page).
    expect: str | None = None
    #: Passages the corpus holds for this search, visible to the public (from the sidecar).
    expected_hits: int | None = None
    notes: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def catalog_command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "catalog"
    return [str(script)] if script.exists() else [sys.executable, "-m", "catalog.cli"]


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in kB."""
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    return values


def children(pid: int) -> list[int]:
    """The direct child processes of a process, from /proc/<pid>/task/*/children."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the server's master and its worker processes)."""
    found, frontier = [pid], [pid]
    while frontier:
        below = children(frontier.pop())
        found += below
        frontier += below
    return found


def server_workers(master: int, expected: int, timeout: float = 30) -> list[int]:
    """The pids of gunicorn's worker processes: the master's children (the workers' own children,
    such as PDF layout processes, are not included). Waits until `expected` of them are up."""
    deadline = time.monotonic() + timeout
    while True:
        workers = sorted(children(master))
        if len(workers) >= expected or time.monotonic() > deadline:
            return workers
        time.sleep(0.2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process and its descendants have used so far."""
    total = 0.0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def tree_memory(pid: int) -> dict[str, int]:
    """Peak and current resident memory (kB) of the server: summed over its processes (an upper
    bound: forked workers share the pages they have not written) and of the largest one."""
    statuses = []
    for member in process_tree(pid):
        try:
            statuses.append(proc_status(member))
        except OSError:
            continue
    return {
        "peak_rss_kb": sum(s.get("VmHWM", 0) for s in statuses),
        "peak_rss_largest_kb": max((s.get("VmHWM", 0) for s in statuses), default=0),
        "rss_at_end_kb": sum(s.get("VmRSS", 0) for s in statuses),
        "processes": len(statuses),
    }


def fetch(url: str, timeout: float = 60) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def machine() -> dict:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        memory = f"{int(open('/proc/meminfo').readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version[0].split(" [")[0].replace("debian/", "") if wrk_version else "",
    }


class Server:
    """`catalog serve` as a child process; stopped (by its own pid) when the block ends."""

    def __init__(self, url: str, workers: int, threads: int, page_cache_mb: float | None, log: Path,
                 job_workers: int = 0) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, CATALOG_DATABASE_URL=url, CATALOG_INSTANCE_PATH=str(OUT / "instance"))
        if page_cache_mb is not None:
            env["CATALOG_PAGE_CACHE_MB"] = f"{page_cache_mb:g}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [*catalog_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--threads", str(threads), "--job-workers", str(job_workers)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"The server exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise SystemExit(f"The server did not answer within {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def build_routes(args, corpus: dict) -> list[Route]:
    visible = corpus["visible_testimonies"]
    pages = max(1, -(-visible // args.page_size))
    deep = max(1, int(pages * 0.9))
    browse = args.browse_path

    def page_url(page: int) -> str:
        return f"{browse}?{urllib.parse.urlencode({args.page_param: page})}" if page > 1 else browse

    def search_url(query: str, **extra: str) -> str:
        return f"{args.search_path}?{urllib.parse.urlencode({args.query_param: query, **extra})}"

    ids = list(corpus["sample_public_ids"])
    random.Random(corpus["seed"]).shuffle(ids)
    terms = corpus["terms"]
    routes = [
        Route("browse_page1", "Browse, page 1", [page_url(1)], p95_ms=15, min_rps_c8=400),
        Route("browse_deep", f"Browse, page {deep} of {pages}", [page_url(deep)], p95_ms=15, min_rps_c8=400),
        Route("browse_deep_sorted", f"Browse by date of events, latest first, page {deep}",
              [f"{browse}?{urllib.parse.urlencode({args.sort_param: args.sort, args.page_param: deep})}"],
              p95_ms=15, min_rps_c8=400),
        Route("browse_faceted", f"Browse, two facets ({args.facet_query})", [f"{browse}?{args.facet_query}"],
              p95_ms=100),
        Route("testimony", f"Testimony page ({len(ids)} different ids)", [f"{args.testimony_path}{i}" for i in ids],
              p95_ms=15),
    ]
    for cls, limit in (("rare", 10), ("medium", 150), ("common", 150), ("very_common", 150), ("phrase", 150),
                       ("persian", 150)):
        info = terms[cls]
        routes.append(Route(
            f"search_{cls}",
            f"Search, {cls.replace('_', ' ')}: {info['query']} ({info['segments']:,} segments)",
            [search_url(info["query"])], p95_ms=limit, expect="/t/T-", expected_hits=info["visible_segments"]))
    info = terms["common"]
    routes.append(Route(
        "search_common_first_person",
        f"Search, common, first-person words only: {info['query']}",
        [search_url(info["query"], **{args.scope_param: "first_person"})], p95_ms=150, expect="/t/T-",
        expected_hits=info["visible_first_person_segments"]))
    if args.only:
        wanted = set(args.only.split(","))
        routes = [r for r in routes if r.name in wanted]
    return routes


def run_wrk(base: str, route: Route, concurrency: int, duration: float, max_requests: int, paths_file: Path) -> dict:
    threads = min(concurrency, os.cpu_count() or 1, 2)
    command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration:g}s", "--timeout", "10s", "-s", str(LUA),
               base, "--", str(paths_file), str(max_requests), str(threads)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):])
    raise RuntimeError(f"wrk gave no result for {route.name}:\n{completed.stdout}\n{completed.stderr}")


def start_profile(py_spy: str, pid: int, seconds: float, output: Path) -> subprocess.Popen:
    """py-spy sampling one process (collapsed stacks) for the length of one run."""
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))), "--rate", "250",
         "--format", "raw", "--nonblocking", "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def start_worker_profiles(py_spy: str, master: int, workers: int, seconds: float, stem: str) -> list[tuple]:
    """One py-spy per gunicorn worker (the master only waits for signals and serves no request):
    a list of (worker pid, output path, py-spy process)."""
    started = []
    for pid in server_workers(master, workers):
        output = OUT / f"{stem}-worker{pid}.txt"
        output.unlink(missing_ok=True)
        started.append((pid, output, start_profile(py_spy, pid, seconds, output)))
    return started


def finish_worker_profiles(started: list[tuple]) -> list[dict]:
    """Waits for every worker's py-spy; what each wrote (samples 0: the worker served nothing)."""
    finished = []
    for pid, output, process in started:
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        samples = 0
        if output.exists():
            samples = sum(int(line.rpartition(" ")[2]) for line in output.read_text().splitlines()
                          if line.rpartition(" ")[2].isdigit())
        entry = {"pid": pid, "file": output.name if output.exists() else None, "samples": samples}
        if process.returncode and not output.exists():
            entry["error"] = (stderr or "").strip().splitlines()[-1:] or [f"py-spy exited with {process.returncode}"]
            print(f"  warning: py-spy on worker {pid}: {entry['error'][0]}", file=sys.stderr)
        finished.append(entry)
    return finished


def summarise_profile(paths: list[Path], top: int = 20) -> dict[str, list[tuple[float, str]]]:
    """Where the server's time goes, over the samples of every file given (one per worker): the
    catalog's own functions and templates by inclusive share of samples, and the functions the
    samples were taken in (self share), line numbers dropped."""
    total, inclusive, own = 0, {}, {}
    frame = re.compile(r"^(.*) \((.*?)(?::\d+)?\)$")

    def name_of(part: str) -> tuple[str, str]:
        match = frame.match(part.strip())
        if not match:
            return part.strip(), ""
        where = match.group(2).split("site-packages/")[-1].split(str(ROOT) + "/")[-1]
        return f"{match.group(1)} ({where})", where

    lines = [line for path in paths if path.exists() for line in path.read_text().splitlines()]
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        names = [name_of(part) for part in stack.split(";")]
        for name, where in dict.fromkeys(names):
            if where.startswith(("catalog/", "templates/")) or where.endswith(".html"):
                inclusive[name] = inclusive.get(name, 0) + samples
        if names:
            own[names[-1][0]] = own.get(names[-1][0], 0) + samples

    def ranked(table: dict[str, int]) -> list[tuple[float, str]]:
        rows = sorted(table.items(), key=lambda item: -item[1])[:top]
        return [(round(100 * n / total, 1), name) for name, n in rows] if total else []

    return {"samples": total, "catalog_inclusive": ranked(inclusive), "self": ranked(own)}


def verdicts(route: Route, concurrency: int, result: dict) -> list[dict]:
    """Each target this run answers to, with the measured figure and whether it is met."""
    checks = []
    errors = result["non2xx"] + sum(v for k, v in result["errors"].items() if k != "status")
    checks.append({"target": "no errors", "measured": errors, "met": errors == 0})
    if concurrency == 1 and route.p95_ms is not None:
        p95 = result["latency_ms"]["p95"]
        checks.append({"target": f"p95 <= {route.p95_ms:g} ms", "measured": p95, "met": p95 <= route.p95_ms})
    if concurrency == 8 and route.min_rps_c8 is not None:
        rps = result["requests_per_s"]
        checks.append({"target": f">= {route.min_rps_c8:g} req/s", "measured": rps, "met": rps >= route.min_rps_c8})
    return checks


def markdown(report: dict) -> str:
    corpus = report["corpus"]
    lines = [
        f"### {report['label']}: {report['database']}",
        "",
        f"Measured {report['started']} on {report['machine']['cpus']} CPUs ({report['machine']['cpu_model']}), "
        f"{report['machine']['memory']} RAM, Python {report['machine']['python']}, SQLite "
        f"{report['machine']['sqlite']}, {report['machine']['wrk']}; server `catalog serve --workers "
        f"{report['server']['workers']} --threads {report['server']['threads']}` (gunicorn), page cache "
        f"{report['server']['page_cache']}. Corpus: {corpus['testimonies']:,} testimonies, "
        f"{corpus['segments']:,} segments, {corpus['visible_testimonies']:,} visible to the public. "
        f"{report['duration_s']:g} s per run. Peak server memory (VmHWM): "
        f"**{report['server']['peak_rss_kb'] / 1024:.0f} MiB** over {report['server']['processes']} processes "
        f"(largest {report['server']['peak_rss_largest_kb'] / 1024:.0f} MiB).",
        "",
        "| Route | Conc. | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req | errors | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for run in report["runs"]:
        if run.get("skipped"):
            lines.append(f"| {run['title']} | {run['concurrency']} | – | – | – | – | – | – | {run['skipped']} | – |")
            continue
        r = run["result"]
        errors = r["non2xx"] + sum(v for k, v in r["errors"].items() if k != "status")
        targets = [c for c in run["checks"] if c["target"] != "no errors"]
        target = "; ".join(c["target"] for c in targets) or "no errors"
        met = all(c["met"] for c in run["checks"])
        lines.append(
            f"| {run['title']} | {run['concurrency']} | {r['latency_ms']['p50']:.1f} | {r['latency_ms']['p95']:.1f} | "
            f"{r['latency_ms']['p99']:.1f} | {r['requests_per_s']:.0f} | {run['server_cpu_ms_per_request']:.1f} | "
            f"{errors} | {target} | {'yes' if met else '**no**'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="database URL the server reads")
    parser.add_argument("--label", default=None, help="name of this measurement (default: the database kind)")
    parser.add_argument("--terms", type=Path, default=OUT / "corpus-terms.json", help="sidecar from corpus.py")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of unrecorded load per route first")
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap on requests per run")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated connection counts")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument("--page-cache-mb", type=float, default=None,
                        help="CATALOG_PAGE_CACHE_MB for the server (0: every page rendered afresh)")
    parser.add_argument("--only", default="", help="comma-separated route names to run (default: all)")
    parser.add_argument("--browse-path", default="/testimonies")
    parser.add_argument("--page-param", default="page")
    parser.add_argument("--page-size", type=int, default=50, help="testimonies per browse page")
    parser.add_argument("--facet-query", default="place=tehran-province-2&year=1988",
                        help="query string of the faceted browse (two facets combined)")
    parser.add_argument("--sort-param", default="sort")
    parser.add_argument("--sort", default="-events", help="sort order of the sorted deep browse page")
    parser.add_argument("--testimony-path", default="/t/")
    parser.add_argument("--search-path", default="/search")
    parser.add_argument("--query-param", default="q")
    parser.add_argument("--scope-param", default="scope")
    parser.add_argument("--profile", action="store_true",
                        help="sample the server's worker processes with py-spy during the concurrency-1 runs "
                             "(needs py-spy: `.venv/bin/pip install py-spy`; "
                             "makes those runs slower, so measure without it)")
    parser.add_argument("--py-spy", default="", help="path of the py-spy executable")
    args = parser.parse_args(argv)

    if shutil.which("wrk") is None:
        print("wrk is not installed. Install it with `sudo apt-get install wrk` (Debian/Ubuntu) or "
              "`brew install wrk` (macOS), then run this again.", file=sys.stderr)
        return 2
    if not args.terms.exists():
        print(f"{args.terms} is missing: generate the corpus first with benchmarks/corpus.py.", file=sys.stderr)
        return 2
    corpus = json.loads(args.terms.read_text())
    label = args.label or args.url.split(":", 1)[0].split("+", 1)[0]
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    routes = build_routes(args, corpus)
    OUT.mkdir(parents=True, exist_ok=True)
    paths_dir = OUT / f"paths-{label}"
    paths_dir.mkdir(exist_ok=True)

    report = {
        "label": label,
        "database": re.sub(r"//[^@/]*@", "//", args.url) if "@" in args.url else args.url,
        "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "duration_s": args.duration,
        "corpus": {k: corpus[k] for k in ("testimonies", "segments", "visible_testimonies", "seed")},
        "terms": corpus["terms"],
        "server": {"workers": args.workers, "threads": args.threads,
                   "page_cache": "off" if args.page_cache_mb == 0 else
                   f"{args.page_cache_mb if args.page_cache_mb is not None else 64:g} MB"},
        "runs": [],
    }
    # py-spy installed into this Python's environment is found without activating it.
    beside = Path(sys.executable).parent / "py-spy"
    py_spy = (args.py_spy or shutil.which("py-spy") or (str(beside) if beside.exists() else None)
              if args.profile else None)
    if args.profile and not py_spy:
        print("--profile needs py-spy (`pip install py-spy`, or name it with --py-spy).", file=sys.stderr)
        return 2
    profiles: dict[str, list] = {}
    server = Server(args.url, args.workers, args.threads, args.page_cache_mb, OUT / f"server-{label}.log")
    try:
        started = time.monotonic()
        server.wait_ready()
        print(f"Server up on {server.base} (pid {server.process.pid}) after {time.monotonic() - started:.1f} s")
        live = []
        for route in routes:
            fetched = time.perf_counter()
            status, body = fetch(server.base + route.paths[0])
            # The route's first request: nothing cached for it yet (no page, no remembered count).
            first_ms = 1000 * (time.perf_counter() - fetched)
            report.setdefault("first_request_ms", {})[route.name] = round(first_ms, 1)
            first = f"{route.name:<28} {status} {len(body):>7} bytes  first request {first_ms:7.1f} ms"
            if status != 200:
                print(f"{first}  -> skipped (HTTP {status})")
                report["runs"] += [{"route": route.name, "title": route.title, "concurrency": c,
                                    "skipped": f"HTTP {status}"} for c in concurrencies]
                continue
            if route.expected_hits is not None:
                shown = re.search(r"([\d,]+) matching passage", body)
                hits = int(shown.group(1).replace(",", "")) if shown else None
                report.setdefault("hit_counts", {})[route.name] = {"shown": hits, "corpus": route.expected_hits}
                if hits != route.expected_hits:
                    route.notes.append(f"page shows {hits} matching passages, the corpus holds {route.expected_hits}")
                    print(f"  warning: {route.name} shows {hits} matching passages; the corpus holds "
                          f"{route.expected_hits} visible ones")
            if route.expect and route.expect not in body:
                route.notes.append(f"first page shows no {route.expect!r}")
                print(f"{first}  (warning: the page shows no {route.expect!r})")
            else:
                print(first)
            paths_file = paths_dir / f"{route.name}.txt"
            paths_file.write_text("\n".join(route.paths) + "\n")
            live.append((route, paths_file))
        for route, paths_file in live:
            if args.warmup > 0:
                run_wrk(server.base, route, 2, args.warmup, args.max_requests, paths_file)
            for concurrency in concurrencies:
                profilers = []
                if py_spy and concurrency == 1:
                    profilers = start_worker_profiles(py_spy, server.process.pid, args.workers, args.duration,
                                                      f"profile-{label}-{route.name}")
                before = cpu_seconds(server.process.pid)
                result = run_wrk(server.base, route, concurrency, args.duration, args.max_requests, paths_file)
                used = cpu_seconds(server.process.pid) - before
                if profilers:
                    workers = finish_worker_profiles(profilers)
                    profiles[route.name] = {
                        **summarise_profile([OUT / w["file"] for w in workers if w["file"]]), "workers": workers}
                run = {
                    "route": route.name, "title": route.title, "concurrency": concurrency, "path": route.paths[0],
                    "result": result, "server_cpu_ms_per_request": 1000 * used / max(result["requests"], 1),
                    "notes": route.notes,
                }
                run["checks"] = verdicts(route, concurrency, result)
                if result["requests"] >= args.max_requests:
                    run["notes"] = [*route.notes, "request cap reached: req/s understated"]
                report["runs"].append(run)
                lat = result["latency_ms"]
                print(f"  {route.name:<28} c={concurrency}  p50 {lat['p50']:7.1f}  p95 {lat['p95']:7.1f}  "
                      f"p99 {lat['p99']:7.1f} ms  {result['requests_per_s']:7.1f} req/s  "
                      f"non-2xx {result['non2xx']}  socket errors "
                      f"{sum(v for k, v in result['errors'].items() if k != 'status')}", flush=True)
        report["server"].update(tree_memory(server.process.pid))
    finally:
        server.stop()
    order = {route.name: index for index, route in enumerate(routes)}
    report["runs"].sort(key=lambda run: (order[run["route"]], run["concurrency"]))
    json_path = OUT / f"load-{label}.json"
    md_path = OUT / f"load-{label}.md"
    if profiles:
        report["profiles"] = profiles
        with (OUT / f"profile-{label}.md").open("w") as handle:
            for name, tables in profiles.items():
                per_worker = ", ".join(f"worker {w['pid']}: {w['samples']}" for w in tables["workers"])
                handle.write(f"## {name} (concurrency 1)\n\n{tables['samples']} samples of the worker processes "
                             f"at 250 Hz ({per_worker}); raw stacks in `profile-{label}-{name}-worker<pid>.txt`.\n\n"
                             f"Catalog code and templates, inclusive share of the workers' samples:\n\n")
                handle.writelines(f"    {share:5.1f}%  {frame}\n" for share, frame in tables["catalog_inclusive"])
                handle.write("\nFunctions the samples were taken in (self):\n\n")
                handle.writelines(f"    {share:5.1f}%  {frame}\n" for share, frame in tables["self"])
                handle.write("\n")
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    md_path.write_text(markdown(report))
    print(f"\nPeak server memory (VmHWM): {report['server']['peak_rss_kb'] / 1024:.0f} MiB")
    print(f"Results: {json_path} and {md_path}")
    failed = [f"{run['route']} c={run['concurrency']}" for run in report["runs"]
              if not run.get("skipped") and not all(c["met"] for c in run["checks"])]
    print("Targets missed: " + (", ".join(failed) if failed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
