"""One sanitizer for editorial rich text, idempotent, with a narrow allowlist."""

from __future__ import annotations

import pytest

from catalog.sanitize import sanitize_html

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<p onmouseover="alert(1)">hover</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<svg><script>alert(1)</script></svg>',
    '<svg onload="alert(1)"></svg>',
    '<math><mtext><img src=x onerror=alert(1)></mtext></math>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://example.org"></iframe>',
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("html", HOSTILE)
def test_hostile_markup_is_neutralised(html):
    cleaned = sanitize_html(html).lower()
    for bad in ("<script", "onerror", "onload", "onmouseover", "javascript:", "data:", "<svg", "<math", "style=", "<iframe", "<img"):
        assert bad not in cleaned


@pytest.mark.parametrize(
    "html",
    HOSTILE
    + [
        "<p>A <em>plain</em> <strong>note</strong>.</p>",
        '<ul><li>one</li><li><a href="https://example.org/x?a=1&b=2">two</a></li></ul>',
        "<blockquote cite=\"https://example.org\"><p>quoted</p></blockquote>",
        "text with a bare link https://example.org and <cite>a title</cite>",
        "&lt;p&gt; escaped &amp; fine",
    ],
)
def test_sanitizing_is_idempotent(html):
    once = sanitize_html(html)
    assert sanitize_html(once) == once


def test_allowed_markup_survives_and_links_get_rel():
    cleaned = sanitize_html('<p>See <a href="https://example.org">the report</a> and <em>this</em>.</p>')
    assert '<a href="https://example.org" rel="nofollow noopener">the report</a>' in cleaned
    assert "<em>this</em>" in cleaned


def test_mailto_is_allowed():
    assert 'href="mailto:archive@example.org"' in sanitize_html('<a href="mailto:archive@example.org">write</a>')


def test_sanitizing_from_many_threads_at_once_gives_the_same_result():
    # Pages are rendered by several threads of one process; the sanitizer must not share a parser.
    import sys
    import threading

    html = "<p>Summary with <em>emphasis</em>, a <a href='https://example.org'>link</a>" + "<p>more</p>" * 40
    expected = sanitize_html(html)
    failures = []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to provoke interleaving

    def work():
        try:
            for _ in range(60):
                if sanitize_html(html) != expected:
                    failures.append("different output")
        except Exception as error:  # noqa: BLE001 - any failure in a thread is the finding
            failures.append(repr(error))

    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert failures == []
