"""Bulk entry from CSV: one row per segment, turned into the catalog's JSON format and loaded by
the same importer, so a CSV import is checked exactly like a JSON one and is all-or-nothing.

Every problem is reported by row and column ("row 7, segment_kind: …"). A dry run loads
everything into the session and always rolls back; the real import is committed by the caller
only when there is no problem at all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .actors import Actor
from .ingest import FORMAT, ImportRejected, LoadReport, Problem, load_catalog

#: The columns, in the order a template file lists them, with what each holds.
COLUMNS: dict[str, str] = {
    "testimony": "Public identifier (T-0001). Consecutive rows with the same identifier are one testimony's segments, in order. Required.",
    "title": "The testimony's title; on its first row. Required.",
    "speaker": "Key of the speaker (an agent already in the catalog, or a new one named in speaker_name). Required on the first row.",
    "speaker_name": "Name of a new speaker; creates the agent with the key in speaker.",
    "speaker_kind": "person or organisation (new speaker only; default person).",
    "account_kind": "eyewitness, survivor, relative, official_insider, expert_statement, organisational_statement, press_report or document.",
    "language": "BCP 47 tag of the testimony's language (default en).",
    "events_date": "EDTF date of the events told (1988-07/1988-09, 1988~…).",
    "occasion": "Key of an occasion already in the catalog.",
    "source": "Key of a source already in the catalog.",
    "access_level": "public, restricted or confidential (default public).",
    "publication_state": "draft or published (default draft).",
    "summary": "Archivist's summary (editorial HTML, cleaned on import).",
    "segment_kind": "first_person, editorial, question or reported. Required on every row.",
    "segment_text": "The segment's text, exactly as given. Required on every row.",
    "segment_language": "BCP 47 tag of the segment (default: the testimony's language).",
    "segment_direction": "ltr or rtl (default: from the language).",
    "translation": "A translation shown beside the segment.",
    "translation_language": "BCP 47 tag of the translation.",
    "segment_access_level": "public, restricted or confidential (default public).",
    "author": "Key of the agent who wrote framing text (editorial, question, reported).",
}
REQUIRED = ("testimony", "segment_kind", "segment_text")
#: Columns that only matter on a testimony's first row.
TESTIMONY_COLUMNS = (
    "title", "speaker", "speaker_name", "speaker_kind", "account_kind", "language", "events_date", "occasion",
    "source", "access_level", "publication_state", "summary",
)
#: Where the importer's field names come from in the CSV.
_SEGMENT_FIELDS = {
    "kind": "segment_kind", "text": "segment_text", "language": "segment_language", "direction": "segment_direction",
    "translation": "translation", "translation_language": "translation_language",
    "access_level": "segment_access_level", "author": "author",
}
_TESTIMONY_FIELDS = {
    "id": "testimony", "title": "title", "language": "language", "account_kind": "account_kind",
    "events_date": "events_date", "occasion": "occasion", "source": "source", "access_level": "access_level",
    "publication_state": "publication_state", "summary": "summary", "roles": "speaker", "segments": "segment_text",
}
_PATH = re.compile(r"^(?P<list>agents|testimonies)\[(?P<i>\d+)\](?:\.(?P<rest>.*))?$")
#: Largest file accepted, in bytes.
MAX_BYTES = 20_000_000


@dataclass
class CsvReport:
    problems: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class CsvRejected(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")


def template_header() -> str:
    return ",".join(COLUMNS) + "\r\n"


def _read_rows(raw: bytes | str) -> tuple[list[dict[str, str]], list[str]]:
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            return [], [f"file: larger than {MAX_BYTES // 1_000_000} MB; split it."]
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return [], [f"file: not UTF-8 text (byte {error.start}); save the sheet as “CSV UTF-8”."]
    csv.field_size_limit(1_000_000)
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    problems = []
    if not header:
        return [], ["file: empty; the first row must name the columns."]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        problems.append(f"header: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}.")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.append(f"header: missing required column(s) {', '.join(missing)}.")
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if None in row:
                problems.append(f"row {reader.line_num}: more cells than columns.")
            rows.append({k: (v or "") for k, v in row.items() if k is not None} | {"__row": str(reader.line_num)})
    except csv.Error as error:
        problems.append(f"row {reader.line_num}: {error}.")
    return rows, problems


def csv_to_catalog(raw: bytes | str) -> tuple[dict[str, Any], list[str], dict]:
    """The catalog JSON for a CSV file, the CSV-level problems, and where each entry came from."""
    rows, problems = _read_rows(raw)
    data: dict[str, Any] = {"format": FORMAT, "agents": [], "testimonies": []}
    origin: dict = {"agents": [], "testimonies": [], "segments": []}
    current = None
    for row in rows:
        line = int(row["__row"])
        if not any(v.strip() for k, v in row.items() if k != "__row"):
            continue
        public_id = row.get("testimony", "").strip()
        if not public_id:
            problems.append(f"row {line}, testimony: required on every row.")
            continue
        if current is None or current["id"] != public_id:
            if any(t["id"] == public_id for t in data["testimonies"]):
                problems.append(f"row {line}, testimony: the rows of {public_id} must be consecutive.")
                continue
            current = _testimony_from(row, data, origin, line)
            origin["segments"].append([])
        elif any(row.get(name, "").strip() for name in ("title", "speaker", "speaker_name")):
            if row.get("title", "").strip() and row["title"].strip() != current.get("title"):
                problems.append(f"row {line}, title: differs from the first row of {public_id}; give it once.")
        segment = {"kind": row.get("segment_kind", "").strip(), "text": row.get("segment_text", "")}
        for json_name, column in _SEGMENT_FIELDS.items():
            if json_name in ("kind", "text"):
                continue
            value = row.get(column, "").strip()
            if value:
                segment[json_name] = value
        if not segment["kind"]:
            problems.append(f"row {line}, segment_kind: required on every row.")
        current["segments"].append(segment)
        origin["segments"][-1].append(line)
    return data, problems, origin


def _testimony_from(row: dict[str, str], data: dict, origin: dict, line: int) -> dict:
    get = lambda name: row.get(name, "").strip()  # noqa: E731
    testimony: dict[str, Any] = {"id": get("testimony"), "title": get("title"), "segments": []}
    for json_name, column in _TESTIMONY_FIELDS.items():
        if json_name in ("id", "title", "roles", "segments"):
            continue
        if get(column):
            testimony[json_name] = get(column)
    if get("summary"):
        testimony["summary"] = row["summary"]
    if get("speaker"):
        testimony["roles"] = [{"agent": get("speaker"), "role": "speaker"}]
        if get("speaker_name") and not any(a["key"] == get("speaker") for a in data["agents"]):
            data["agents"].append({"key": get("speaker"), "name": get("speaker_name"), "kind": get("speaker_kind") or "person"})
            origin["agents"].append(line)
    else:
        testimony["roles"] = []
    data["testimonies"].append(testimony)
    origin["testimonies"].append(line)
    return testimony


def _locate(problem: Problem, origin: dict) -> str:
    """An importer problem ("testimonies[1].segments[2].kind") as a row and a column."""
    match = _PATH.match(problem.where)
    if not match:
        return f"{problem.where}: {problem.message}"
    index, rest = int(match["i"]), match["rest"] or ""
    if match["list"] == "agents":
        line = origin["agents"][index] if index < len(origin["agents"]) else "?"
        column = {"name": "speaker_name", "kind": "speaker_kind", "key": "speaker"}.get(rest, "speaker")
        return f"row {line}, {column}: {problem.message}"
    line = origin["testimonies"][index] if index < len(origin["testimonies"]) else "?"
    segment = re.match(r"^segments\[(\d+)\](?:\.(\w+))?", rest)
    if segment:
        seg_index = int(segment[1])
        lines = origin["segments"][index] if index < len(origin["segments"]) else []
        line = lines[seg_index] if seg_index < len(lines) else line
        column = _SEGMENT_FIELDS.get(segment[2] or "", "segment_text")
        return f"row {line}, {column}: {problem.message}"
    head = rest.split(".")[0].split("[")[0]
    column = _TESTIMONY_FIELDS.get(head, head or "testimony")
    if head == "roles" and rest.endswith(".role"):
        column = "speaker"
    return f"row {line}, {column}: {problem.message}"


def import_csv(session: Session, raw: bytes | str, actor: Actor, dry_run: bool = False) -> CsvReport:
    """Check (and unless `dry_run`, load) a CSV file; raise CsvRejected listing every problem.

    Never commits; on CsvRejected, and after any dry run, the caller must roll back.
    """
    data, problems, origin = csv_to_catalog(raw)
    report = CsvReport(rows=sum(len(lines) for lines in origin["segments"]))
    if not data["testimonies"] and not problems:
        problems.append("file: no rows with a testimony.")
    try:
        loaded: LoadReport | None = load_catalog(session, data, actor) if data["testimonies"] else None
    except ImportRejected as rejected:
        # One message per cell: a problem the CSV check already named is not repeated.
        named = {problem.split(":", 1)[0] for problem in problems}
        for located in (_locate(p, origin) for p in rejected.problems):
            if located.split(":", 1)[0] not in named:
                problems.append(located)
        loaded = None
    if problems:
        raise CsvRejected(problems)
    if loaded is not None:
        report.created = dict(loaded.created)
        report.skipped = dict(loaded.skipped)
    return report
