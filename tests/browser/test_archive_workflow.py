"""An archivist in Chromium: sign in, enter a testimony with first-person, editorial and Persian
segments, correct it, read the diff, publish it, and find it as a reader."""

from __future__ import annotations

import re

import pytest

from catalog.models import Role


def fail_on_dialog(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def sign_in(page, live_server, user):
    page.goto(live_server + "/sign-in")
    page.get_by_label("User name").fill(user["username"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    assert "Signed in as" in page.locator(".account-control").inner_text()


def test_archivist_enters_corrects_and_publishes_a_testimony(page, live_server, make_user, screenshot):
    dialogs = fail_on_dialog(page)
    user = make_user(Role.ARCHIVIST)
    sign_in(page, live_server, user)
    page.get_by_role("link", name="Archive").click()
    page.get_by_role("link", name="New testimony").click()

    page.get_by_label("Title").fill("Kobra Jokar: six years in prison")
    page.get_by_label("Kind of account").select_option("survivor")
    events = page.get_by_label("Date of the events")
    events.fill("1988-13")
    expect_words = page.locator("#events_date_edtf-words")
    expect_words.filter(has_text="not a valid month").wait_for()
    events.fill("1981/1987")
    expect_words.filter(has_text="1981 to 1987").wait_for()
    page.locator("#roles-0-new_agent_name").fill("Kobra Jokar")

    page.locator("#segments-0-kind").select_option("editorial")
    page.locator("#segments-0-text").fill("Kobra Jokar, MEK member, said:")
    page.get_by_role("button", name="Add a segment at the end").click()
    page.locator("#segments-1-text").fill("I was arrested in 1982 and spent six years in prison.")
    page.get_by_role("button", name="Add a segment at the end").click()
    page.locator("#segments-2-text").fill("من شش سال در زندان بودم.")
    page.locator("#segments-2-language").fill("fa")
    page.locator("#segments-2-translation").fill("I was in prison for six years.") if page.locator("#segments-2-translation").is_visible() else None
    screenshot("entry-form")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r".*/archive/testimonies/T-\d+$"))
    public_id = page.locator(".record-id").first.inner_text().split(" ")[0]
    assert "saved as a draft" in page.locator(".flashes").inner_text()
    persian = page.locator('.testimony-text [lang="fa"]')
    assert persian.evaluate("el => getComputedStyle(el).direction") == "rtl"

    # Correct it: the year was 1981.
    page.get_by_role("link", name="Correct").click()
    text = page.locator("#segments-1-text")
    text.fill(text.input_value().replace("1982", "1981"))
    page.get_by_label("What changed").fill("Year of arrest as in the article.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(rf".*/archive/testimonies/{public_id}$"))

    page.get_by_role("link", name=re.compile("History")).click()
    # The click starts the navigation; wait for the history page itself before reading it.
    page.wait_for_url(re.compile(rf".*/archive/testimonies/{public_id}/history$"))
    page.wait_for_load_state()
    page.locator("del", has_text="1982").first.wait_for()
    page.locator("ins", has_text="1981").first.wait_for()
    assert page.locator("del", has_text="1982").count() >= 1
    assert page.locator("ins", has_text="1981").count() >= 1
    screenshot("diff")

    page.get_by_role("link", name="Back to the record").click()
    page.get_by_role("button", name="Publish").click()
    assert "is published" in page.locator(".flashes").inner_text()
    screenshot("published")

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Kobra Jokar: six years in prison").click()
    page.wait_for_url(f"**/t/{public_id}")
    assert page.locator('[data-kind="first_person"] blockquote').first.inner_text().startswith("I was arrested in 1981")
    assert page.locator('blockquote[lang="fa"]').evaluate("el => getComputedStyle(el).direction") == "rtl"
    screenshot("reader")
    assert dialogs == []


def test_pickers_search_as_you_type(page, live_server, seeded, make_user):
    user = make_user(Role.ARCHIVIST)
    sign_in(page, live_server, user)
    page.goto(live_server + "/archive/testimonies/new")
    search = page.locator("#roles-0-agent_id").locator("xpath=preceding-sibling::input[@type='search']")
    search.fill("Jokar")
    page.locator("#roles-0-agent_id ~ span[aria-live]", has_text="found").wait_for()
    options = page.locator("#roles-0-agent_id option").all_inner_texts()
    assert any("Kobra Jokar" in option for option in options)
    assert len(options) < 10  # only the matches (and "none")
    # Redact the selected words: the offsets land in the redaction row.
    page.locator("#segments-0-text").fill("My cellmate was Ali Rezaei.")
    page.locator("#segments-0-text").evaluate("el => el.setSelectionRange(16, 26)")
    page.get_by_text("Translation, redactions, author, timecodes").first.click()
    page.get_by_role("button", name="Redact selection").first.click()
    assert page.locator("#segments-0-redactions-0-start").input_value() == "16"
    assert page.locator("#segments-0-redactions-0-end").input_value() == "26"


def test_pickers_are_plain_selects_without_javascript(browser, live_server, seeded, make_user):
    user = make_user(Role.ARCHIVIST)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, user)
        page.goto(live_server + "/archive/testimonies/new")
        assert page.locator("input.picker-search").count() == 0
        assert page.locator("#roles-0-agent_id option").count() > 10
        page.get_by_label("Title").fill("Entered without JavaScript")
        page.locator("#roles-0-agent_id").select_option(label="Kobra Jokar")
        page.locator("#segments-0-text").fill("First part.\n\nSecond part.")
        page.get_by_role("button", name="Split at cursor").click()
        assert page.locator("#segments-1-text").input_value() == "Second part."
        page.get_by_role("button", name="Save as draft").click()
        assert "saved as a draft" in page.locator(".flashes").inner_text()
    finally:
        context.close()
