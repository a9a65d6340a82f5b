"""The print view in Chromium: the stylesheet and fonts load under the CSP, kinds stay apart in
print media, and the toolbar does not print."""

from __future__ import annotations


def test_print_view_in_the_browser(page, live_server, seeded, screenshot, artifacts, request):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" and "404" not in message.text else None)
    page.on("response", lambda response: problems.append(response.url) if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.goto(live_server + "/t/T-0012/transcript")
    assert page.locator("h1.part-title").inner_text() == "Kobra Jokar: six years in the regime’s prisons"
    own_words = page.locator(".k-first_person .txt").first
    framing = page.locator(".k-editorial .txt").first
    # Told apart by type and rules, not colour: upright under a solid rule vs italic in a frame.
    assert own_words.evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"
    assert own_words.evaluate("el => getComputedStyle(el).fontStyle") == "normal"
    assert framing.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
    assert page.evaluate("document.fonts.check('12px \"Source Serif 4\"')")
    assert problems == [], problems
    screenshot("transcript-screen")
    page.emulate_media(media="print")
    assert page.locator(".toolbar").is_hidden()
    screenshot("transcript-print")
