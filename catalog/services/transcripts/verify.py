"""Checking a printed PDF against the catalog: `catalog verify-transcript FILE.pdf`.

The PDF says (in its metadata) which record, access level, options and printed date it stands
for. The check prints the same transcript again from the catalog and compares
1. the revision the PDF was printed from with the catalog's current one,
2. the content SHA-256 the PDF states with the hash of what the catalog would print, and
3. every page's text with the text of the catalog's own rendering, so a PDF whose words were
   altered is caught even when its footer hash was left intact.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from ...viewer import Viewer
from .build import SelectionRefused, parse_selection_ids, selection_transcript, source_transcript, testimony_transcript
from .model import PrintOptions, Transcript
from .pdf import render_pdf

_VIEWER_FOR_ACCESS = {"public": "public", "restricted": "researcher", "confidential": "archivist"}


@dataclass
class Verification:
    matches: bool
    findings: list[str] = field(default_factory=list)
    record: str = ""


def pdf_metadata(data: bytes) -> dict[str, str]:
    from io import BytesIO

    from pypdf import PdfReader

    info = PdfReader(BytesIO(data)).metadata or {}
    # Key names are compared in lower case (PDFs printed before Typst wrote them so).
    return {str(key).lstrip("/").lower(): str(value) for key, value in info.items()}


def page_texts(data: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (line breaks are layout, not content)."""
    from io import BytesIO

    from pypdf import PdfReader

    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(data)).pages]


def rebuild(session: Session, meta: dict[str, str]) -> Transcript | None:
    """The transcript the catalog prints today for the record, access and options the PDF names."""
    viewer = Viewer.for_level(_VIEWER_FOR_ACCESS[meta["catalogaccess"]])
    options = PrintOptions.from_token(meta.get("catalogoptions", ""))
    printed = dt.datetime.fromisoformat(meta["catalogprinted"])
    base_url = meta.get("catalogbaseurl", "")
    kind, key = meta["catalogkind"], meta["catalogkey"]
    if kind == "testimony":
        return testimony_transcript(session, viewer, key, options, base_url=base_url, printed=printed)
    if kind == "source":
        return source_transcript(session, viewer, key, options, base_url=base_url, printed=printed)
    if kind == "selection":
        try:
            return selection_transcript(
                session, viewer, parse_selection_ids(key), options,
                title=meta.get("catalogtitle", ""), base_url=base_url, printed=printed,
            )
        except SelectionRefused:
            return None
    raise KeyError(kind)


def _first_difference(expected: str, found: str) -> str:
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            return f"the catalog prints “…{expected[max(0, i1 - 30):i2 + 30]}…” where the PDF says “…{found[max(0, j1 - 30):j2 + 30]}…”"
    return "the texts differ"


def verify_pdf(session: Session, data: bytes) -> Verification:
    """Compare a PDF with what the catalog prints for the same record, access level and options."""
    try:
        meta = pdf_metadata(data)
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        return Verification(False, [f"This file cannot be read as a PDF ({error})."])
    needed = ("catalogkind", "catalogkey", "catalogaccess", "catalogprinted")
    if any(name not in meta for name in needed) or meta["catalogaccess"] not in _VIEWER_FOR_ACCESS:
        return Verification(False, ["This PDF was not printed by the Testimony Catalog (its catalog metadata is missing)."])
    label = f"{meta['catalogkind']} {meta['catalogkey']} for {meta['catalogaccess']} access"
    try:
        expected = rebuild(session, meta)
    except (KeyError, ValueError) as error:
        return Verification(False, [f"The PDF's catalog metadata is not valid ({error})."], label)
    if expected is None:
        return Verification(False, ["The catalog holds no such record open at the access level this PDF was printed for."], label)
    findings = []
    if meta.get("catalogrevision") != expected.revision:
        findings.append(
            f"Revision: the PDF was printed from {meta.get('catalogrevision', 'an unstated revision')}; "
            f"the catalog now holds {expected.revision}."
        )
    if meta.get("catalogcontentsha256") != expected.content_sha256:
        findings.append(
            f"Content hash: the PDF states {meta.get('catalogcontentsha256', 'none')}; what the catalog prints "
            f"hashes to {expected.content_sha256}."
        )
    found_pages = page_texts(data)
    expected_pages = page_texts(render_pdf(expected))
    if len(found_pages) != len(expected_pages):
        findings.append(f"Pages: the PDF has {len(found_pages)}; the catalog's print has {len(expected_pages)}.")
    for number, (want, have) in enumerate(zip(expected_pages, found_pages), start=1):
        if want != have:
            findings.append(f"Text on page {number} differs: {_first_difference(want, have)}.")
            break
    if findings:
        return Verification(False, findings, label)
    return Verification(
        True,
        [
            f"Revision {expected.revision}, content SHA-256 {expected.content_sha256}.",
            f"All {len(found_pages)} pages read exactly as the catalog prints them.",
        ],
        label,
    )


def verify_file(session: Session, path: Path) -> Verification:
    return verify_pdf(session, Path(path).read_bytes())
