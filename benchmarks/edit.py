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
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load import OUT, ROOT, Server, catalog_command, machine  # noqa: E402

USERNAME = "edit-benchmark"
PASSWORD = "edit-benchmark-password-1"


class FormFields(HTMLParser):
    """The fields a browser would post from the page's form with the given id (or its first
    form): inputs, checked boxes, selected options and text areas, in document order."""

    def __init__(self, form_id: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.fields: list[list[str]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (
                not self.form_id or self.form_id in (a.get("id"), *(a.get("class") or "").split())):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([name, a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self.fields.append([self._select, value])
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.fields.append([self._select, self._select_first])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            value = self._textarea[1]
            self.fields.append([self._textarea[0], value[1:] if value.startswith("\n") else value])
            self._textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(html: str, form_id: str = "") -> list[list[str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


class Browser:
    """A cookie-keeping client that follows redirects, like a signed-in archivist's browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, fields: list | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode([tuple(f) for f in fields]).encode() if fields is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.geturl(), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode("utf-8", "replace")


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


def create_archivist(url: str) -> None:
    env = dict(os.environ, CATALOG_DATABASE_URL=url, CATALOG_INSTANCE_PATH=str(OUT / "instance"))
    done = subprocess.run([*catalog_command(), "user", "create", USERNAME, "--role", "archivist"],
                          input=PASSWORD + "\n", text=True, capture_output=True, env=env, cwd=ROOT)
    if done.returncode != 0 and "already" not in (done.stdout + done.stderr):
        raise SystemExit(f"catalog user create failed: {done.stdout}{done.stderr}")


def sign_in(browser: Browser) -> None:
    status, _, page = browser.request("/sign-in")
    fields = dict(form_fields(page, "form-narrow"))
    fields.update(username=USERNAME, password=PASSWORD)
    status, where, page = browser.request("/sign-in", list(fields.items()))
    if status != 200 or "/sign-in" in urllib.parse.urlparse(where).path:
        raise SystemExit(f"Signing in failed ({status}).")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


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
    create_archivist(args.url)
    os.environ["CATALOG_SECURE_COOKIES"] = "0"  # plain HTTP on 127.0.0.1
    server = Server(args.url, args.workers, 8, None, OUT / f"server-edit-{label}.log")
    opened, saved = [], []
    try:
        server.wait_ready()
        browser = Browser(server.base)
        sign_in(browser)
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
