"""Side-by-side Markdown table of load results (for benchmarks/README.md).

    python benchmarks/report.py benchmarks/out/load-sqlite.json benchmarks/out/load-postgresql.json

For each route and result file: p50 and p95 at concurrency 1, requests/s and p95 at concurrency 8,
the server's CPU milliseconds per request at concurrency 1 and the route's first request (nothing
cached); then errors over all runs, the target, and whether each file's runs meet it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def errors(run: dict) -> int:
    result = run["result"]
    return result["non2xx"] + sum(v for k, v in result["errors"].items() if k != "status")


def table(reports: list[dict]) -> str:
    labels = [r["label"] for r in reports]
    head = ["Route"]
    for label in labels:
        head += [f"{label} p50 / p95 ms (c1)", f"{label} req/s, p95 ms (c8)", f"{label} CPU ms/req (c1)",
                 f"{label} first request ms"]
    head += ["errors", "target"] + [f"met ({label})" for label in labels]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    routes = list(dict.fromkeys(run["route"] for run in reports[0]["runs"]))
    for route in routes:
        cells, verdicts, title, failures, targets = [], [], route, 0, []
        for report in reports:
            runs = {run["concurrency"]: run for run in report["runs"] if run["route"] == route}
            one, eight = runs.get(1), runs.get(8)
            if one:
                title = one["title"]

            def fmt(run, c):
                if not run or run.get("skipped"):
                    return "–"
                lat = run["result"]["latency_ms"]
                if c == 1:
                    return f"{lat['p50']:.1f} / {lat['p95']:.1f}"
                return f"{run['result']['requests_per_s']:.0f}, {lat['p95']:.0f}"

            first = report.get("first_request_ms", {}).get(route)
            cells += [fmt(one, 1), fmt(eight, 8),
                      f"{one['server_cpu_ms_per_request']:.1f}" if one and not one.get("skipped") else "–",
                      f"{first:.0f}" if first is not None else "–"]
            checks = [c for run in (one, eight) if run and not run.get("skipped") for c in run["checks"]]
            failures += sum(errors(r) for r in (one, eight) if r and not r.get("skipped"))
            targets = targets or [c["target"] for c in checks if c["target"] != "no errors"]
            verdicts.append("yes" if checks and all(c["met"] for c in checks) else "**no**")
        target = "; ".join(targets + ["no errors"])
        lines.append("| " + " | ".join([title, *cells, str(failures), target, *verdicts]) + " |")
    memory = ", ".join(
        f"{r['label']} {r['server']['peak_rss_kb'] / 1024:.0f} MiB over {r['server'].get('processes', 1)} processes "
        f"(largest {r['server'].get('peak_rss_largest_kb', r['server']['peak_rss_kb']) / 1024:.0f} MiB)"
        for r in reports)
    return "\n".join(lines) + f"\n\nPeak server memory (VmHWM, summed over the server's processes): {memory}.\n"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(table([json.loads(Path(path).read_text()) for path in argv]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
