"""Bulk entry from CSV: one row per segment, turned into the catalog's JSON format and written by
the same door, so a CSV file is checked by exactly the same rules as a JSON one.

Every problem is reported by row and column ("row 7, segment_kind: …").

The catalog's own CSV downloads (services/csv_export.py) write a passage per row in these columns,
with a quote before any cell a spreadsheet would run as a formula (`escape_cell`); reading a file,
that quote is taken off again (`unescape_cell`), so an archivist's download imports as it was.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from ..write import Problem
from .json_format import FORMAT

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
    "about_places": "Keys of the places the account speaks of (apart from where it was given), separated by \"; \".",
    "segment_kind": "first_person, editorial, question or reported. Required on every row.",
    "segment_text": "The segment's text, exactly as given. Required on every row.",
    "segment_language": "BCP 47 tag of the segment (default: the testimony's language).",
    "segment_direction": "ltr or rtl (default: from the language).",
    "translation": "A translation shown beside the segment.",
    "translation_language": "BCP 47 tag of the translation.",
    "segment_access_level": "public, restricted or confidential (default public).",
    "author": "Key of the agent who wrote framing text (editorial, question, reported).",
    "segment_number": "The segment's ¶ number within the testimony (kept, so citations stay stable; default: given in order).",
    "redactions": 'The segment\'s redactions as a JSON list, as in the JSON format: [{"start": 4, "end": 9, "access_level": "restricted", "reason": "…"}].',
}
#: Columns of the catalog's CSV downloads that an import reads past (they describe, they hold no data).
IGNORED_COLUMNS = ("permalink",)
REQUIRED = ("testimony", "segment_kind", "segment_text")
#: Columns that only matter on a testimony's first row.
TESTIMONY_COLUMNS = (
    "title", "speaker", "speaker_name", "speaker_kind", "account_kind", "language", "events_date", "occasion",
    "source", "access_level", "publication_state", "summary", "about_places",
)
#: Where the importer's field names come from in the CSV.
_SEGMENT_FIELDS = {
    "kind": "segment_kind", "text": "segment_text", "language": "segment_language", "direction": "segment_direction",
    "translation": "translation", "translation_language": "translation_language",
    "access_level": "segment_access_level", "author": "author", "number": "segment_number",
    "redactions": "redactions",
}
_TESTIMONY_FIELDS = {
    "id": "testimony", "title": "title", "language": "language", "account_kind": "account_kind",
    "events_date": "events_date", "occasion": "occasion", "source": "source", "access_level": "access_level",
    "publication_state": "publication_state", "summary": "summary", "roles": "speaker", "segments": "segment_text",
}
#: Cells passed to the write path as typed, as a form or a JSON file passes them: its rules trim
#: what may be trimmed and refuse the rest (a line break in a title, a control character in a date).
#: Keys and vocabulary terms are trimmed here, as a spreadsheet pads them.
_AS_TYPED = ("title", "speaker_name", "language", "events_date", "summary", "segment_language", "translation",
             "translation_language")

#: A cell a spreadsheet program would run as a formula begins with one of = + - @, a tab or a
#: carriage return (OWASP, "CSV Injection"); it may follow quotes already there.
_FORMULA_LEADING = re.compile(r"'*[=+\-@\t\r]")


def escape_cell(value: str) -> str:
    """A cell as the catalog writes it: a quote before one that a spreadsheet would read as a
    formula, so the program shows it as text. Cells that begin with quotes and then a formula
    character get one more, so that `unescape_cell` gives back exactly what was written."""
    return "'" + value if _FORMULA_LEADING.match(value) else value


def unescape_cell(value: str) -> str:
    """The cell `escape_cell` was given: its quote taken off, and nothing else touched."""
    return value[1:] if value.startswith("'") and _FORMULA_LEADING.match(value, 1) else value


def template_header() -> str:
    return ",".join(COLUMNS) + "\r\n"


def _read_rows(raw: str) -> tuple[list[dict[str, str]], list[str]]:
    csv.field_size_limit(1_000_000)
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    problems = []
    if not header:
        return [], ["file: empty; the first row must name the columns."]
    unknown = [name for name in header if name not in COLUMNS and name not in IGNORED_COLUMNS]
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
            rows.append(
                {k: unescape_cell(v or "") for k, v in row.items() if k is not None and k not in IGNORED_COLUMNS}
                | {"__row": str(reader.line_num)}
            )
    except csv.Error as error:
        problems.append(f"row {reader.line_num}: {error}.")
    return rows, problems


def csv_to_catalog(raw: str) -> tuple[dict[str, Any], list[str], dict]:
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
            if row.get("title", "").strip() and row["title"].strip() != (current.get("title") or "").strip():
                problems.append(f"row {line}, title: differs from the first row of {public_id}; give it once.")
        segment = {"kind": row.get("segment_kind", "").strip(), "text": row.get("segment_text", "")}
        for json_name, column in _SEGMENT_FIELDS.items():
            if json_name in ("kind", "text"):
                continue
            value = row.get(column, "")
            if column == "redactions" and value.strip():
                segment[json_name] = _redactions(value, line, problems)
            elif value.strip():
                segment[json_name] = value if column in _AS_TYPED else value.strip()
        current["segments"].append(segment)
        origin["segments"][-1].append(line)
    return data, problems, origin


def _redactions(cell: str, line: int, problems: list[str]) -> Any:
    """The redactions cell read as JSON; the write path checks each span as it checks JSON files'."""
    try:
        return json.loads(cell)
    except ValueError:
        problems.append(
            f'row {line}, redactions: not a JSON list of spans such as [{{"start": 4, "end": 9, '
            '"access_level": "restricted", "reason": "…"}].'
        )
        return []


def _testimony_from(row: dict[str, str], data: dict, origin: dict, line: int) -> dict:
    get = lambda name: row.get(name, "").strip()  # noqa: E731
    testimony: dict[str, Any] = {"id": get("testimony"), "title": row.get("title", ""), "segments": []}
    for json_name, column in _TESTIMONY_FIELDS.items():
        if json_name in ("id", "title", "roles", "segments"):
            continue
        if get(column):
            testimony[json_name] = row[column] if column in _AS_TYPED else get(column)
    if get("summary"):
        testimony["summary"] = row["summary"]
    if get("about_places"):
        testimony["about_places"] = [key.strip() for key in row["about_places"].split(";") if key.strip()]
    if get("speaker"):
        testimony["roles"] = [{"agent": get("speaker"), "role": "speaker"}]
        if get("speaker_name") and not any(a["key"] == get("speaker") for a in data["agents"]):
            data["agents"].append({"key": get("speaker"), "name": row.get("speaker_name", ""), "kind": get("speaker_kind") or "person"})
            origin["agents"].append(line)
    else:
        testimony["roles"] = []
    data["testimonies"].append(testimony)
    origin["testimonies"].append(line)
    return testimony


def locate(problem: Problem, origin: dict) -> str:
    """A problem of the JSON form ("testimonies", 1, "segments", 2, "kind") as a row and a column."""
    path = problem.path
    if len(path) >= 2 and path[0] == "agents" and isinstance(path[1], int):
        lines = origin["agents"]
        line = lines[path[1]] if path[1] < len(lines) else "?"
        column = {"name": "speaker_name", "kind": "speaker_kind", "key": "speaker"}.get(_at(path, 2), "speaker")
        return f"row {line}, {column}: {problem.message}"
    if len(path) < 2 or path[0] != "testimonies" or not isinstance(path[1], int):
        return str(problem)
    index = path[1]
    line = origin["testimonies"][index] if index < len(origin["testimonies"]) else "?"
    rest = path[2:]
    if rest[:1] == ("segments",) and len(rest) >= 2 and isinstance(rest[1], int):
        lines = origin["segments"][index] if index < len(origin["segments"]) else []
        line = lines[rest[1]] if rest[1] < len(lines) else line
        return f"row {line}, {_SEGMENT_FIELDS.get(_at(rest, 2), 'segment_text')}: {problem.message}"
    head = _at(rest, 0) or "testimony"
    column = "speaker" if head == "roles" else _TESTIMONY_FIELDS.get(head, head)
    return f"row {line}, {column}: {problem.message}"


def _at(path: tuple, index: int) -> str:
    return path[index] if len(path) > index and isinstance(path[index], str) else ""
