"""A reader in Chromium: from the home page to a testimony, with kinds visibly apart."""

from __future__ import annotations


def test_reader_opens_a_testimony(page, live_server, seeded, screenshot):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Kobra Jokar: six years in the regime’s prisons").click()
    page.wait_for_url("**/t/T-0012")
    assert page.locator("h1").inner_text() == "Kobra Jokar: six years in the regime’s prisons"
    first_person = page.locator('[data-kind="first_person"] blockquote')
    assert first_person.count() == 5
    # The witness's words and the framing look different without relying on colour.
    quote_border = first_person.first.evaluate("el => getComputedStyle(el).borderLeftWidth")
    framing_font = page.locator('[data-kind="editorial"] .segment-text').first.evaluate(
        "el => getComputedStyle(el).fontFamily"
    )
    quote_font = first_person.first.evaluate("el => getComputedStyle(el).fontFamily")
    assert quote_border == "4px"
    assert framing_font != quote_font
    screenshot("testimony")


def test_source_reads_as_published(page, live_server, seeded, screenshot):
    page.goto(live_server + "/sources/article")
    text = page.locator("article").inner_text()
    assert text.index("The summer of 1988") < text.index("It is decreed") < text.index("The executed were buried")
    screenshot("article")


def test_persian_renders_right_to_left(page, live_server, session, make_testimony, screenshot):
    from catalog.models import SegmentKind

    make_testimony({"kind": SegmentKind.FIRST_PERSON, "text": "من در بند ۲۰۹ زندان اوین بودم.", "language": "fa",
                    "direction": "rtl"}, public_id="T-0900", title="Persian account")
    session.commit()
    page.goto(live_server + "/t/T-0900")
    quote = page.locator('blockquote[lang="fa"]')
    assert quote.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert quote.inner_text() == "من در بند ۲۰۹ زندان اوین بودم."
    screenshot("persian")
