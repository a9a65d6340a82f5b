"""The one import operation, shared by `catalog import` and the archive's import page: it reads the
bytes, tells JSON from CSV, decodes, checks every entry through the write path, and writes only a
file without problems (all or nothing). A dry run checks and writes nothing."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..actors import Actor
from ..write import Rejected
from .csv_format import csv_to_catalog, locate
from .json_format import FORMAT, LoadReport, load_catalog

#: Largest file accepted, in bytes.
MAX_BYTES = 20_000_000

__all__ = ["FORMAT", "ImportResult", "LoadReport", "MAX_BYTES", "load_catalog", "run_import"]


@dataclass
class ImportResult:
    format: str = ""
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    #: (kind, key) of the records created, for links to them.
    records: list[tuple[str, str]] = field(default_factory=list)
    #: Segments read from a CSV file.
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def detect_format(raw: str, filename: str = "") -> str:
    """"json" or "csv": by the file's name, else by its first character."""
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv"):
        return "csv"
    return "json" if raw.lstrip()[:1] in ("{", "[") else "csv"


def decode(raw: bytes | str) -> tuple[str, list[str]]:
    """The file's text (UTF-8, with or without a byte-order mark), or why it cannot be read."""
    if isinstance(raw, str):
        return raw, []
    if len(raw) > MAX_BYTES:
        return "", [f"file: larger than {MAX_BYTES // 1_000_000} MB; split it."]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        return "", [f"file: not UTF-8 text (byte {error.start}); save it as UTF-8 (a sheet as “CSV UTF-8”)."]


def parse_json(text: str) -> tuple[Any, list[str]]:
    try:
        return json.loads(text), []
    except RecursionError:
        return None, ["file: nested too deeply to be a catalog file."]
    except json.JSONDecodeError as error:
        return None, [f"file: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."]


def run_import(session: Session, raw: bytes | str, actor: Actor, dry_run: bool = False,
               filename: str = "", progress=None, sealed_override: str | None = None) -> ImportResult:
    """Check (and unless `dry_run`, write) a JSON or CSV file. Never commits: the caller commits a
    result that is `ok` and not a dry run, and rolls back otherwise. `progress(done, total)` is
    told how many of the file's records are written. `sealed_override`: the reason given to
    import words naming a sealed identity anyway (see services/write/sealed.py)."""
    text, problems = decode(raw)
    result = ImportResult(dry_run=dry_run, problems=problems)
    if problems:
        return result
    result.format = detect_format(text, filename)
    if result.format == "json":
        data, result.problems = parse_json(text)
        located = str
    else:
        data, result.problems, origin = csv_to_catalog(text)
        result.rows = sum(len(lines) for lines in origin["segments"])
        if not data["testimonies"] and not result.problems:
            result.problems.append("file: no rows with a testimony.")
        located = lambda problem: locate(problem, origin)  # noqa: E731
    if result.problems and result.format == "json":
        return result
    try:
        report = load_catalog(session, data, actor, dry_run=dry_run or bool(result.problems), progress=progress,
                              sealed_override=sealed_override)
    except Rejected as rejected:
        named = {problem.split(":", 1)[0] for problem in result.problems}
        for message in map(located, rejected.problems):
            if message.split(":", 1)[0] not in named and message not in result.problems:
                result.problems.append(message)
        return result
    if not result.problems:
        result.created, result.skipped, result.records = report.created, report.skipped, report.records
    return result
