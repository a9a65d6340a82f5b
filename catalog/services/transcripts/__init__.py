"""Printable transcripts: content cut to the viewer, hashed, laid out as HTML and PDF, cached,
and checkable against the catalog later."""

from .build import (
    MAX_SELECTION,
    SelectionRefused,
    parse_selection_ids,
    selection_title,
    selection_transcript,
    source_transcript,
    testimony_transcript,
)
from .cache import CachedPdf, cached_pdf, pdf_for
from .model import PrintOptions, Transcript
from .pdf import PdfUnavailable, render_pdf
from .render import render_html
from .verify import Verification, verify_file, verify_pdf

__all__ = [
    "MAX_SELECTION",
    "PdfUnavailable",
    "PrintOptions",
    "SelectionRefused",
    "Transcript",
    "Verification",
    "CachedPdf",
    "cached_pdf",
    "pdf_for",
    "parse_selection_ids",
    "render_html",
    "render_pdf",
    "selection_title",
    "selection_transcript",
    "source_transcript",
    "testimony_transcript",
    "verify_file",
    "verify_pdf",
]
