"""Editorial rich text: the one place HTML from people is cleaned (and the only user of bleach).

First-person words never come here: they are plain text, stored as typed and escaped on output.
To replace bleach, reimplement `sanitize_html` with the same allowlists (nh3 offers the same
model) and keep tests/test_sanitize.py passing.
"""

from __future__ import annotations

import threading
from functools import partial

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
