"""PDF rendering with WeasyPrint, which may be missing its system libraries on a fresh machine.

WeasyPrint is imported only when a PDF is asked for: the catalog starts, serves and prints HTML
without it, and a PDF request gets a clear PdfUnavailable instead of a crash at import.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ... import paths
from .model import Transcript
from .render import render_html

#: The address the PDF's HTML believes it lives at. Nothing is fetched from it over a network:
#: the URL fetcher maps its /static/ paths onto the project's own static folder and refuses
#: everything else (other hosts, file:, data:, ftp:...).
INTERNAL_BASE = "https://print.catalog.invalid/"
INTERNAL_STATIC = INTERNAL_BASE + "static/"

#: What to install when WeasyPrint cannot load (Debian/Ubuntu package names).
SYSTEM_LIBRARIES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1"

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
    parts = urlsplit(url)
    relative = unquote(parts.path).removeprefix("/static/")
    root = paths.STATIC.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.suffix not in _MEDIA_TYPES:
        raise ValueError(f"no such printable static file: {relative[:200]!r}")
    return target


def _fetcher():
    weasyprint = _weasyprint()
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

    del weasyprint
    return CatalogOnlyFetcher()


def _page_css(document: Transcript) -> str:
    size = "letter" if document.options.paper == "letter" else "A4"
    return f"@page {{ size: {size}; }}"


def render_pdf(document: Transcript) -> bytes:
    """The transcript as PDF bytes, laid out from the same template as the print view."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(document, static_url=INTERNAL_STATIC, for_pdf=True)
    fonts = FontConfiguration()
    page_css = weasyprint.CSS(string=_page_css(document), font_config=fonts)
    return weasyprint.HTML(string=html, base_url=INTERNAL_BASE, url_fetcher=_fetcher()).write_pdf(
        stylesheets=[page_css], font_config=fonts, custom_metadata=True, uncompressed_pdf=False
    )
