"""Editorial rich text: the one place HTML from people is cleaned (and the only user of bleach).

First-person words never come here: they are plain text, stored as typed and escaped on output.
To replace bleach, reimplement `sanitize_html` with the same allowlists (nh3 offers the same
model) and keep tests/test_sanitize.py passing.
"""

from __future__ import annotations

import re
import threading
from functools import partial
from html.parser import HTMLParser

import bleach
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

#: Elements editorial text may use: paragraphs, emphasis, lists, quotations, citations, links.
ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "i", "b", "ul", "ol", "li", "blockquote", "cite", "q", "a"}
)
#: Attributes per element; nothing else (no style, no event handlers, no class).
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "blockquote": ["cite"], "q": ["cite"]}
#: Link schemes; javascript:, data: and the rest are dropped.
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
#: Every link is marked so search engines and opened pages get no credit or handle.
LINK_REL = "nofollow noopener"


def _set_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = LINK_REL
    return attrs


def _new_cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[partial(LinkifyFilter, callbacks=[_set_rel], parse_email=False)],
    )


#: A Cleaner keeps its parser's state while it works, so two threads must never share one (a
#: shared one failed under concurrent page renders): one per thread.
_local = threading.local()


def sanitize_html(html: str | None) -> str:
    """Clean editorial HTML against the allowlist. Idempotent: clean(clean(x)) == clean(x)."""
    if not html:
        return ""
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _new_cleaner()
    return cleaner.clean(html).strip()


def safe_html(html: str | None) -> Markup:
    """Jinja filter: editorial HTML cleaned again at output, marked safe for the template."""
    return Markup(sanitize_html(html))


#: Elements whose end starts a new line when editorial HTML is read as plain text.
_BLOCK_TAGS = frozenset({"p", "br", "li", "blockquote", "ul", "ol"})


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str | None) -> str:
    """Editorial HTML as plain text (for tables and metadata): cleaned first, then its words only,
    a line per paragraph or list item, entities read back to characters."""
    cleaned = sanitize_html(html)
    if not cleaned:
        return ""
    reader = _TextOnly()
    reader.feed(cleaned)
    reader.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(reader.parts).split("\n"))
    return "\n".join(line for line in lines if line)
