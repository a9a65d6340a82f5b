"""PDF rendering with WeasyPrint, which may be missing its system libraries on a fresh machine.

WeasyPrint is imported only when a PDF is asked for: the catalog starts, serves and prints HTML
without it, and a PDF request gets a clear PdfUnavailable instead of a crash at import.

Long transcripts are laid out in parts. WeasyPrint lays out one page after another in one
thread (about 40 ms a page here), so a 200-page testimony is cut, between passages, into parts
of about CHUNK_CHARS characters that worker processes lay out side by side; the parts are joined
with pypdf and the "page X of Y" numbers, which no part can know, are written on afterwards. How a
document is cut depends only on its content (never on the machine's number of cores), so a
transcript always prints, and re-prints for verification, with exactly the same pages.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import resource
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

from ... import paths
from .model import Block, Part, Transcript
from .render import render_html

#: The address the PDF's HTML believes it lives at. Nothing is fetched from it over a network:
#: the URL fetcher maps its /static/ paths onto the project's own static folder and refuses
#: everything else (other hosts, file:, data:, ftp:...).
INTERNAL_BASE = "https://print.catalog.invalid/"
INTERNAL_STATIC = INTERNAL_BASE + "static/"

#: What to install when WeasyPrint cannot load (Debian/Ubuntu package names).
SYSTEM_LIBRARIES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1"

#: Characters of passage text per part of a long PDF (about 50 pages).
CHUNK_CHARS = 200_000
#: Worker processes laying out parts at once (never more than the machine's cores).
MAX_WORKERS = 4

logger = logging.getLogger(__name__)

_MEDIA_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2", ".png": "image/png", ".svg": "image/svg+xml"}


class PdfUnavailable(RuntimeError):
    """PDFs cannot be made on this machine (WeasyPrint or its system libraries are missing)."""


@lru_cache(maxsize=1)
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDF printing is not available on this server: WeasyPrint could not load "
            f"({error}). The print view still works; use the browser's Print. "
            f"To enable PDFs, install the system libraries WeasyPrint needs ({SYSTEM_LIBRARIES})."
        ) from error
    return weasyprint


def static_file_for(url: str) -> Path:
    """The static file an internal URL stands for; ValueError for anything else."""
    if not url.startswith(INTERNAL_STATIC):
        raise ValueError(f"printing fetches nothing outside the catalog: refused {url[:200]!r}")
    relative = unquote(urlsplit(url).path).removeprefix("/static/")
    root = paths.STATIC.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.suffix not in _MEDIA_TYPES:
        raise ValueError(f"no such printable static file: {relative[:200]!r}")
    return target


def _fetcher():
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class CatalogOnlyFetcher(URLFetcher):
        """Serves the project's own static files; refuses every other URL, file: included."""

        def fetch(self, url, headers=None):
            try:
                target = static_file_for(url)
            except ValueError:
                logger.warning("PDF rendering refused to fetch %s", url[:200])
                raise
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": _MEDIA_TYPES[target.suffix]})

    return CatalogOnlyFetcher()


# --- parts of a long PDF -----------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A slice of one part of the transcript: its blocks from `start` to `end`."""

    part: Part
    blocks: tuple[Block, ...]
    head: bool
    tail: bool


@dataclass(frozen=True)
class Chunk:
    first: bool
    last: bool
    pieces: tuple[Piece, ...]
    #: Page numbers for a selection's contents, known only once the other parts are laid out.
    toc_pages: dict


def _weight(block: Block) -> int:
    # Labels, rules and spacing cost about as much as a line of text.
    return len(block.text) + len(block.translation or "") + 120


def plan_chunks(document: Transcript) -> list[Chunk]:
    """How the PDF is cut into parts: one part unless it is long. Sources stay whole (their
    paragraphs flow across passages); a selection's contents get a part of their own."""
    total = sum(_weight(block) for part in document.parts for block in part.blocks)
    if total <= CHUNK_CHARS or any(part.kind == "source" for part in document.parts):
        return [Chunk(True, True, tuple(Piece(p, p.blocks, True, True) for p in document.parts), {})]
    count = math.ceil(total / CHUNK_CHARS)
    target = total / count
    groups: list[list[Piece]] = [[]]
    load = 0
    for part in document.parts:
        start = 0
        for index, block in enumerate(part.blocks):
            load += _weight(block)
            if load >= target * len(groups) and len(groups) < count and index + 1 < len(part.blocks):
                groups[-1].append(Piece(part, part.blocks[start : index + 1], start == 0, False))
                groups.append([])
                start = index + 1
        groups[-1].append(Piece(part, part.blocks[start:], start == 0, True))
        if load >= target * len(groups) and len(groups) < count and part is not document.parts[-1]:
            groups.append([])
    chunks = [Chunk(False, False, tuple(group), {}) for group in groups if group]
    if document.kind == "selection":
        chunks.insert(0, Chunk(True, False, (), {}))
    else:
        chunks[0] = Chunk(True, False, chunks[0].pieces, {})
    chunks[-1] = Chunk(chunks[-1].first, True, chunks[-1].pieces, {})
    return chunks


def _page_css(document: Transcript, numbered_later: bool) -> str:
    # Given as user stylesheet: only !important overrides the print stylesheet's own rules.
    size = "letter" if document.options.paper == "letter" else "A4"
    css = f"@page {{ size: {size} !important; }}"
    if numbered_later:
        css += " @page { @bottom-right { content: none !important; } }"
    return css


def _render(document: Transcript, chunk: Optional[Chunk]) -> tuple[bytes, int, dict[str, int], dict]:
    """Lay out the whole transcript or one part: PDF bytes, page count, the page index of each
    anchor, and what it cost (CPU seconds, this process's peak memory in MB)."""
    started = time.process_time()
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(document, static_url=INTERNAL_STATIC, for_pdf=True, chunk=chunk)
    fonts = FontConfiguration()
    page_css = weasyprint.CSS(string=_page_css(document, chunk is not None), font_config=fonts)
    laid_out = weasyprint.HTML(string=html, base_url=INTERNAL_BASE, url_fetcher=_fetcher()).render(
        stylesheets=[page_css], font_config=fonts
    )
    anchors = {name: index for index, page in enumerate(laid_out.pages) for name in page.anchors}
    data = laid_out.write_pdf(custom_metadata=True)
    cost = {"cpu_s": round(time.process_time() - started, 2), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    return data, len(laid_out.pages), anchors, cost


_pool: Optional[ProcessPoolExecutor] = None
_pool_lock = threading.Lock()


def _workers() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # Spawned, not forked: the web server is multi-threaded, and a fork copies locks held
            # by other threads.
            _pool = ProcessPoolExecutor(
                max_workers=max(1, min(MAX_WORKERS, os.cpu_count() or 1)),
                mp_context=multiprocessing.get_context("spawn"),
            )
        return _pool


def _ready() -> bool:
    _weasyprint()
    return True


def warm_up() -> None:
    """Start the layout workers ahead of the first long PDF (they take a second to import)."""
    pool = _workers()
    for future in [pool.submit(_ready) for _ in range(pool._max_workers)]:
        future.result()


def _discard_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


#: What laying out the last PDF cost, per process (CPU seconds, peak MB): for the benchmark.
last_cost: dict[str, dict] = {}


def render_pdf(document: Transcript) -> bytes:
    """The transcript as PDF bytes, laid out from the same template as the print view."""
    _weasyprint()
    chunks = plan_chunks(document)
    if len(chunks) == 1:
        data, _, _, cost = _render(document, None)
        last_cost.clear()
        last_cost["main"] = cost
        return data
    body = [chunk for chunk in chunks if chunk.pieces]
    try:
        futures = [_workers().submit(_render, document, chunk) for chunk in body]
        results = [future.result() for future in futures]
    except BrokenProcessPool:
        _discard_pool()
        logger.warning("PDF worker processes failed; laying out the parts in this process instead")
        results = [_render(document, chunk) for chunk in body]
    last_cost.clear()
    last_cost.update({f"part {n}": result[3] for n, result in enumerate(results, 1)})
    parts = [result[0] for result in results]
    if not chunks[0].pieces:
        parts.insert(0, _contents(document, chunks[0], results))
    started = time.process_time()
    data = _join(parts)
    last_cost["join"] = {"cpu_s": round(time.process_time() - started, 2)}
    last_cost["main"] = {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    return data


def _contents(document: Transcript, chunk: Chunk, results) -> bytes:
    """A selection's contents, with the page on which each testimony begins."""
    pages = 0
    for _ in range(3):
        toc, offset = {}, pages
        for data, count, anchors, _ in results:
            for name, index in anchors.items():
                toc.setdefault(name, offset + index + 1)
            offset += count
        data, count, _, _ = _render(document, Chunk(True, False, (), toc))
        if count == pages:
            return data
        pages = count
    return data


# Widths (per 1000 em) of the Helvetica-Bold glyphs a page number uses.
_HELVETICA_BOLD = {" ": 278, "p": 611, "a": 556, "g": 611, "e": 556, "o": 611, "f": 333, **{d: 556 for d in "0123456789"}}
_MM = 72 / 25.4


def _join(parts: list[bytes]) -> bytes:
    """One PDF from the parts, with "page X of Y" where the stylesheet puts it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    first = PdfReader(BytesIO(parts[0]))
    for data in parts:
        writer.append(PdfReader(BytesIO(data)))
    writer.add_metadata({key: value for key, value in (first.metadata or {}).items()})
    font = writer._add_object(
        DictionaryObject({
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        })
    )
    total = len(writer.pages)
    size = 8
    for number, page in enumerate(writer.pages, start=1):
        text = f"page {number} of {total}"
        width = sum(_HELVETICA_BOLD[ch] for ch in text) * size / 1000
        x = float(page.mediabox.width) - 18 * _MM - width
        y = 27 * _MM - 3 * _MM - size * 0.95
        resources = page[NameObject("/Resources")].get_object()
        fonts = resources.get("/Font")
        if fonts is None:
            fonts = DictionaryObject()
            resources[NameObject("/Font")] = fonts
        fonts = fonts.get_object()
        fonts[NameObject("/CatalogPageNumber")] = font
        before, after = DecodedStreamObject(), DecodedStreamObject()
        before.set_data(b"q\n")
        after.set_data(f"\nQ\nq BT /CatalogPageNumber {size} Tf 0 g {x:.2f} {y:.2f} Td ({text}) Tj ET Q\n".encode("ascii"))
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else ArrayObject()
        streams = list(existing) if isinstance(existing, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *streams, writer._add_object(after)])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
