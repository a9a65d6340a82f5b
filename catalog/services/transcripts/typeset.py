"""The transcript as data for the Typst template (templates/print/transcript.typ).

Typst is given the content model as JSON, never as markup: every string a record holds reaches
the page as text, so a title like `#import "x"` or `*bold*` prints exactly as typed. Editorial
rich text (a summary) is already sanitized HTML; it is turned here into a tree of the sanitizer's
own allowed elements, whose text nodes are again plain strings.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Optional
from urllib.parse import urlsplit

from ...sanitize import ALLOWED_PROTOCOLS, ALLOWED_TAGS, sanitize_html
from .model import Block, Part, Transcript

#: Typst paper names for the catalog's paper sizes.
PAPERS = {"A4": "a4", "letter": "us-letter"}

_LANGUAGE = re.compile(r"[a-z]{2,3}")
_VOID = {"br"}


def typst_language(code: Optional[str]) -> Optional[str]:
    """The ISO 639 code Typst accepts for hyphenation and shaping; None for anything else."""
    primary = (code or "").split("-")[0].lower()
    return primary if _LANGUAGE.fullmatch(primary) else None


class _Tree(HTMLParser):
    """Sanitized HTML as nested {"tag", "href", "children"} nodes; text nodes are strings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict = {"tag": "root", "href": None, "children": []}
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            return
        href = dict(attrs).get("href") if tag == "a" else None
        if href is not None and urlsplit(href).scheme.lower() not in ALLOWED_PROTOCOLS:
            href = None
        node = {"tag": tag, "href": href, "children": []}
        self.stack[-1]["children"].append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth]["tag"] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        # Whitespace between block elements is HTML source layout, not text.
        if data.strip() or self.stack[-1]["tag"] not in ("root", "ul", "ol", "blockquote"):
            self.stack[-1]["children"].append(data)


def rich_text_tree(html: str) -> Optional[dict]:
    """Editorial HTML, cleaned by the one sanitizer, as a tree for the template; None when empty."""
    cleaned = sanitize_html(html)
    if not cleaned:
        return None
    tree = _Tree()
    tree.feed(cleaned)
    tree.close()
    return tree.root


def _block(block: Block) -> dict:
    kind_label = block.kind_label.split(" — ")[0]
    return {
        "number": block.number,
        "cite": block.cite,
        "kind": block.kind,
        "kind_label": block.kind_label,
        "attribution": block.attribution,
        # The label of a run in a source's flowing paragraph (as in templates/print/_print.html).
        "run_label": (
            f"{block.attribution}, own words" if block.kind == "first_person" else f"{kind_label}, {block.attribution}"
        ) + (f" · {block.cite.split(' · ')[1]}" if " · " in block.cite else ""),
        "pieces": [{"text": piece.text, "redacted": piece.redacted, "redacted_below": piece.redacted_below}
                   for piece in block.pieces],
        "lang": typst_language(block.language),
        "dir": "rtl" if block.direction == "rtl" else "ltr",
        "translation": block.translation,
        "translation_language": block.translation_language,
        "translation_lang": typst_language(block.translation_language),
        "translation_note": block.translation_note,
        "notes": [
            {"number": note.number, "text": note.text, "corroboration": list(note.corroboration)} for note in block.notes
        ],
    }


def _strings(part: Part) -> dict:
    return {"id": part.catalog_id, "short": part.short_title, "permalink": part.permalink, "revision": f"Revision {part.revision}"}


def _part(part: Part) -> dict:
    data = {
        "kind": part.kind,
        "catalog_id": part.catalog_id,
        "anchor": part.anchor,
        "title": part.title,
        "revision": part.revision,
        "strings": _strings(part),
        "notices": list(part.notices),
        "fields": [{"label": f.label, "value": f.value, "details": list(f.details)} for f in part.fields],
        "summary": rich_text_tree(part.summary_html),
        "summary_label": (
            "Catalog’s note on the source (framing)" if part.kind == "source"
            else "Archivist’s summary (framing, not the speaker’s words)"
        ),
        "text_head": "The source as published" if part.kind == "source" else "Text",
        "cite_example": part.blocks[0].cite if part.blocks else part.catalog_id,
        "blocks": [_block(block) for block in part.blocks],
    }
    if part.kind == "source":
        data["paragraphs"] = [
            {"number": number, "blocks": [_block(block) for block in blocks]} for number, blocks in part.paragraphs
        ]
    return data


def transcript_data(document: Transcript) -> dict:
    """Everything the Typst template prints, as JSON-ready data."""
    count = len(document.parts)
    return {
        "kind": document.kind,
        "title": document.title,
        "paper": PAPERS.get(document.options.paper, "a4"),
        "translation": document.options.translation,
        "masthead": "Testimony Catalog · " + {"testimony": "Transcript", "source": "Source as published"}.get(
            document.kind, "Selection of transcripts"
        ),
        "selection_sub": f"{count} testimon{'y' if count == 1 else 'ies'}, in the order chosen.",
        "permalink": document.permalink,
        "revision": document.revision,
        "head": {
            "id": document.key if document.kind != "selection" else "Selection",
            "short": document.short_title,
            "permalink": document.permalink,
            "revision": f"Revision {document.revision}" if document.kind != "selection" else "Revisions listed in the contents",
            "sha": document.content_sha256,
            "printed": document.printed_text,
            "access": document.viewer_label,
        },
        "meta": {
            "title": f"{document.key if document.kind != 'selection' else 'Selection'} — {document.title} (transcript)",
            "subject": document.key,
            "keywords": document.keywords.split(", "),
        },
        "parts": [_part(part) for part in document.parts],
    }


def catalog_metadata(document: Transcript) -> dict[str, str]:
    """The PDF's own Info keys, which `catalog verify-transcript` reads to print the same again."""
    return {
        "/CatalogKind": document.kind,
        "/CatalogKey": document.key,
        "/CatalogAccess": document.viewer_access,
        "/CatalogOptions": document.options.token,
        "/CatalogRevision": document.revision,
        "/CatalogTitle": document.title,
        "/CatalogContentSHA256": document.content_sha256,
        "/CatalogPrinted": document.printed.isoformat(),
        "/CatalogBaseURL": document.base_url,
    }
