"""PDF typesetting with Typst, from the transcript's content model (not from HTML).

Typst (the `typst` wheel, a self-contained compiler) typesets templates/print/transcript.typ
with the transcript given as JSON data (see typeset.py). It sees only the project's own fonts
(static/fonts: no system font, none of Typst's embedded ones), is given the template's folder as
its root, and the template imports no package and reads no file, so printing fetches nothing.

Typst writes the standard document information (title, author, subject, keywords); the
catalog's own keys, which `catalog verify-transcript` reads, are appended as an incremental
update (pypdf writes the objects): only the information dictionary is new, however long the PDF.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import time
from functools import lru_cache
from io import BytesIO

from ... import paths
from .model import Transcript
from .typeset import catalog_metadata, transcript_data

TEMPLATE = "print/transcript.typ"

logger = logging.getLogger(__name__)


class PdfUnavailable(RuntimeError):
    """PDFs cannot be made on this machine (the Typst compiler is missing)."""


@lru_cache(maxsize=1)
def _typst():
    try:
        import typst
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDF printing is not available on this server: the Typst compiler could not load "
            f"({error}). The print view still works; use the browser's Print. "
            "To enable PDFs, install the catalog's dependencies again (pip install typst)."
        ) from error
    return typst


def engine_version() -> str:
    """Part of the PDF cache key: another compiler may lay the same words out differently. Read
    from the installed package, without loading the compiler: a catalog whose Typst cannot load
    still works out its keys, and its PDF requests get the clear answer of PdfUnavailable."""
    try:
        return "typst-" + importlib.metadata.version("typst")
    except importlib.metadata.PackageNotFoundError:
        return "typst-missing"


@lru_cache(maxsize=1)
def _fonts():
    """The shipped fonts only, found once per process."""
    return _typst().Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(paths.STATIC / "fonts")]
    )


def warm_up() -> None:
    """Load the compiler and find the fonts now (a second or two), so the first PDF a process
    typesets does not pay for it; PDFs still work, more slowly, if this fails."""
    try:
        _fonts()
    except PdfUnavailable:
        pass


def _compile(document: Transcript) -> bytes:
    typst = _typst()
    template = paths.TEMPLATES / TEMPLATE
    compiler = typst.Compiler(
        str(template), root=str(template.parent), font_paths=_fonts(), ignore_system_fonts=True,
        sys_inputs={"transcript": json.dumps(transcript_data(document), ensure_ascii=False)},
    )
    # The printed date as the PDF's creation date: the same print always gives the same bytes.
    return compiler.compile(format="pdf", timestamp=document.printed)


def _with_catalog_metadata(data: bytes, document: Transcript) -> bytes:
    """The PDF with the catalog's keys added to its document information, as an incremental
    update (PDF 1.7, 7.5.6): a new information dictionary, a one-entry cross-reference section and
    a trailer pointing back to Typst's, appended. Nothing already written is read or written
    again, so the cost does not grow with the number of pages."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, IndirectObject, NameObject, NumberObject, TextStringObject

    reader = PdfReader(BytesIO(data))
    trailer = reader.trailer
    info = DictionaryObject(trailer["/Info"].get_object()) if "/Info" in trailer else DictionaryObject()
    info.update({NameObject(key): TextStringObject(value) for key, value in catalog_metadata(document).items()})
    number = int(trailer["/Size"])
    previous = int(data[data.rindex(b"startxref") + len(b"startxref"):].split()[0])
    update = BytesIO()
    update.write(b"" if data.endswith(b"\n") else b"\n")
    offset = len(data) + update.tell()
    update.write(f"{number} 0 obj\n".encode("ascii"))
    info.write_to_stream(update)
    update.write(b"\nendobj\n")
    xref = len(data) + update.tell()
    update.write(f"xref\n{number} 1\n{offset:010d} 00000 n\r\n".encode("ascii"))
    new_trailer = DictionaryObject({
        NameObject("/Size"): NumberObject(number + 1),
        NameObject("/Root"): trailer.raw_get("/Root"),
        NameObject("/Info"): IndirectObject(number, 0, reader),
        NameObject("/Prev"): NumberObject(previous),
    })
    if "/ID" in trailer:
        new_trailer[NameObject("/ID")] = trailer["/ID"]
    update.write(b"trailer\n")
    new_trailer.write_to_stream(update)
    update.write(f"\nstartxref\n{xref}\n%%EOF\n".encode("ascii"))
    return data + update.getvalue()


#: What typesetting the last PDF cost (wall seconds per step): for the benchmark.
last_cost: dict[str, float] = {}


def render_pdf(document: Transcript, *, progress=None) -> bytes:
    """The transcript as PDF bytes. `progress`, when given, is called with a short description of
    each step as it begins (typesetting, metadata)."""
    if progress is not None:
        progress("typesetting")
    started = time.perf_counter()
    data = _compile(document)
    typeset = time.perf_counter() - started
    if progress is not None:
        progress("metadata")
    started = time.perf_counter()
    data = _with_catalog_metadata(data, document)
    last_cost.clear()
    last_cost.update({"typeset_s": round(typeset, 3), "metadata_s": round(time.perf_counter() - started, 3)})
    return data
