"""The content of a printed transcript: what the page says, already cut to the viewer.

A transcript is built only from the visibility-scoped records of `catalog.queries`, so whatever
the viewer may not read (a redacted span, a protected person's real name, a restricted
testimony) is already gone or replaced before anything is laid out. Every string here is exactly
what is printed; the templates only arrange it. `canonical()` is the definition of "the printed
content" whose SHA-256 every page carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Mapping, Optional

from ...queries.records import paragraphs_of

#: Bumped whenever the canonical form changes meaning, so old hashes are never compared wrongly.
CANONICAL_VERSION = 1

#: How translations are placed next to the original.
TRANSLATION_PLACEMENTS = ("after", "beside", "none")
PAPER_SIZES = ("A4", "letter")


@dataclass(frozen=True)
class PrintOptions:
    """What the reader chose: where translations go, and the paper size."""

    translation: str = "after"
    paper: str = "A4"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "PrintOptions":
        translation = args.get("translation", cls.translation)
        paper = {"a4": "A4", "letter": "letter"}.get(str(args.get("paper", "")).lower(), cls.paper)
        return cls(
            translation=translation if translation in TRANSLATION_PLACEMENTS else cls.translation,
            paper=paper,
        )

    @property
    def token(self) -> str:
        """A short stable form for cache keys and the PDF's metadata."""
        return f"translation={self.translation};paper={self.paper}"

    @classmethod
    def from_token(cls, token: str) -> "PrintOptions":
        pairs = dict(item.split("=", 1) for item in token.split(";") if "=" in item)
        return cls.from_args(pairs)

    def query(self, **changes: str) -> dict[str, str]:
        """Query-string values for a link that changes one option and keeps the others."""
        values = {"translation": self.translation, "paper": self.paper, **changes}
        defaults = PrintOptions()
        return {k: v for k, v in values.items() if v != getattr(defaults, k)}


@dataclass(frozen=True)
class Field:
    """One line of a header: a label and what it says."""

    label: str
    value: str
    #: Extra lines under the value (a transmission chain, a rationale).
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Piece:
    text: str
    redacted: bool = False
    #: In a staff print: words readers below this access level get as a redaction mark.
    redacted_below: str = ""


@dataclass(frozen=True)
class Note:
    """A claim made in a passage, printed as a footnote with its corroboration."""

    number: int
    claim_key: str
    text: str
    corroboration: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    """One printed passage (a segment) with everything that tells the reader whose words it is."""

    #: The stable paragraph number printed in the margin ("¶3"); None for unnumbered passages.
    number: Optional[int]
    #: How to cite it: "T-0012 ¶3" (or "article ¶41" for a source's own framing).
    cite: str
    kind: str
    #: The label that keeps kinds apart on paper: "Own words", "Framing", "Question", "Reported".
    kind_label: str
    #: Who speaks or who wrote it: "Kobra Jokar", "Framing by the article".
    attribution: str
    pieces: tuple[Piece, ...]
    language: str
    direction: str
    translation: Optional[str] = None
    translation_language: Optional[str] = None
    translation_note: str = ""
    notes: tuple[Note, ...] = ()
    #: Printed above the passage when it begins a new paragraph of its source (source prints).
    source_paragraph: Optional[int] = None

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)


@dataclass(frozen=True)
class Part:
    """One testimony, or one source read as published."""

    kind: str
    catalog_id: str
    title: str
    short_title: str
    fields: tuple[Field, ...]
    #: The archivist's (or publisher's) summary: sanitized HTML, framing, never the witness's words.
    summary_html: str
    blocks: tuple[Block, ...]
    permalink: str
    revision: str
    #: Visible warnings printed prominently (draft, withdrawn, passages withheld).
    notices: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return "part-" + "".join(ch if ch.isalnum() else "-" for ch in self.catalog_id)

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(note for block in self.blocks for note in block.notes)

    @property
    def paragraphs(self) -> list[tuple[Optional[int], list[Block]]]:
        """Consecutive passages grouped by paragraph number: a source prints as it was laid out,
        one paragraph of flowing text whose runs of framing and quotation stay distinct."""
        return paragraphs_of(self.blocks, lambda block: block.number)


@dataclass(frozen=True)
class Transcript:
    """A whole print: one testimony, one source, or a selection of testimonies."""

    kind: str  # "testimony", "source" or "selection"
    key: str
    title: str
    short_title: str
    viewer_access: str
    viewer_label: str
    options: PrintOptions
    parts: tuple[Part, ...]
    permalink: str
    revision: str
    printed: dt.datetime = field(compare=False)
    #: The address the permalinks were made for; kept so a PDF can be re-rendered to compare.
    base_url: str = field(default="", compare=False)

    def canonical(self) -> str:
        """The printed content as stable JSON: no date, no page numbers, nothing layout-bound.

        Two prints of the same revision for the same access level and options always give the
        same text, hence the same SHA-256; any change in what is printed changes it.
        """
        content = {
            "canonical_version": CANONICAL_VERSION,
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "access": self.viewer_access,
            "options": {"translation": self.options.translation},
            "revision": self.revision,
            "parts": [_part_content(part) for part in self.parts],
        }
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    @property
    def printed_text(self) -> str:
        return self.printed.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    @property
    def filename(self) -> str:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in self.key)[:80]
        return f"{self.kind}-{safe}-transcript.pdf" if self.kind != "testimony" else f"{safe}-transcript.pdf"

    @property
    def keywords(self) -> str:
        ids = [part.catalog_id for part in self.parts]
        return ", ".join(["testimony", "transcript", self.kind, *ids])


def _part_content(part: Part) -> dict:
    data = asdict(part)
    data.pop("permalink")
    return data
