"""The print view's HTML (the browser's Print), with the same words as the PDF."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ... import paths
from ...sanitize import safe_html
from .model import Transcript

TEMPLATE = "print/transcript.html"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """A Jinja environment of its own, so the CLI and workers render without a Flask request."""
    env = Environment(
        loader=FileSystemLoader(str(paths.TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_html"] = safe_html
    return env


def render_html(
    document: Transcript,
    *,
    static_url: str,
    for_pdf: bool,
    toolbar: Optional[dict] = None,
) -> str:
    """The transcript as HTML. `static_url` is where print.css and the fonts are served from;
    `toolbar` holds the screen-only links (PDF, translation placement) of the print view;
    `for_pdf` marks the page for paged media (footnotes, page breaks), as a CSS Paged Media
    engine lays it out (the PDFs themselves are typeset by Typst, see pdf.py)."""
    return environment().get_template(TEMPLATE).render(
        doc=document, static_url=static_url.rstrip("/") + "/", for_pdf=for_pdf, toolbar=toolbar or {},
    )
