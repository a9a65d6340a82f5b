"""Pickers in a catalog too large to list: search as you type with JavaScript, and without it a
"Find…" button that opens a paged look-up list, choosing from which keeps everything typed."""

from __future__ import annotations

import pytest

from catalog.models import Role

from .test_archive_workflow import sign_in


@pytest.fixture
def large_catalog(monkeypatch):
    """Pickers behave as in a catalog beyond their full-list limit (the seeds hold 26 agents)."""
    from catalog.web import archive

    monkeypatch.setattr(archive, "PICKER_FULL_LIST_LIMIT", 1)


def assert_speaker_saved(page, name):
    page.goto(page.url + "/edit")
    assert page.locator("#roles-0-role option:checked").inner_text().lower() == "speaker"
    assert page.locator("#roles-0-agent_id option:checked").inner_text() == name


def test_without_javascript_find_pages_chooses_and_keeps_the_form(browser, live_server, seeded, make_user,
                                                                  large_catalog):
    user = make_user(Role.ARCHIVIST)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, user)
        page.goto(live_server + "/archive/testimonies/new")
        # The whole table is never listed: only "none" until something is chosen.
        assert page.locator("#roles-0-agent_id option").count() == 1
        page.get_by_label("Title").fill("Chosen without JavaScript")
        page.locator("#segments-0-text").fill("Words typed before looking anyone up.")
        page.locator('[data-find-for="roles-0-agent_id"]').click()

        finder = page.locator("#finder")
        assert "Find a agent" not in finder.inner_text()  # named by its kind, in plain words
        assert finder.locator(".finder-results button").count() == 20  # one page of every agent
        finder.get_by_role("button", name="Next page").click()
        assert 1 <= page.locator("#finder .finder-results button").count() <= 20
        page.locator("#finder").get_by_role("button", name="Previous page").wait_for()
        page.locator("#find_q").fill("Jokar")
        page.locator("#finder").get_by_role("button", name="Search").click()
        results = page.locator("#finder .finder-results button")
        assert sorted(results.all_inner_texts()) == ["Husband of Kobra Jokar (name not given)", "Kobra Jokar"]
        results.filter(has_text="Husband").click()
        # Looked up again (a second look-up keeps the first choice until another is made).
        assert page.locator("#roles-0-agent_id option:checked").inner_text() == "Husband of Kobra Jokar (name not given)"
        page.locator('[data-find-for="roles-0-agent_id"]').click()
        page.locator("#find_q").fill("Kobra")
        page.locator("#find_q").press("Enter")  # Enter searches while the list is open
        page.locator("#finder .finder-results button").get_by_text("Kobra Jokar", exact=True).click()

        assert page.locator("#finder").count() == 0
        assert page.locator("#roles-0-agent_id option:checked").inner_text() == "Kobra Jokar"
        assert page.locator("#roles-0-agent_id option").count() == 2
        assert page.get_by_label("Title").input_value() == "Chosen without JavaScript"
        assert page.locator("#segments-0-text").input_value() == "Words typed before looking anyone up."
        page.get_by_role("button", name="Save as draft").click()
        assert "saved as a draft" in page.locator(".flashes").inner_text()
        assert_speaker_saved(page, "Kobra Jokar")
    finally:
        context.close()


def test_with_javascript_the_search_box_replaces_the_find_button(page, live_server, seeded, make_user,
                                                                 large_catalog):
    user = make_user(Role.ARCHIVIST)
    sign_in(page, live_server, user)
    page.goto(live_server + "/archive/testimonies/new")
    assert page.locator('[data-find-for="roles-0-agent_id"]').is_hidden()
    assert page.locator("#roles-0-agent_id option").count() == 1
    page.get_by_label("Title").fill("Chosen as I typed")
    page.locator("#segments-0-text").fill("Words of the witness.")
    search = page.locator("#roles-0-agent_id").locator("xpath=preceding-sibling::input[@type='search']")
    search.fill("Jokar")
    page.locator("#roles-0-agent_id ~ span[aria-live]", has_text="found").wait_for()
    options = page.locator("#roles-0-agent_id option").all_inner_texts()
    assert sorted(options) == ["Husband of Kobra Jokar (name not given)", "Kobra Jokar", "— none —"]
    page.locator("#roles-0-agent_id").select_option(label="Kobra Jokar")
    page.get_by_role("button", name="Save as draft").click()
    assert "saved as a draft" in page.locator(".flashes").inner_text()
    assert_speaker_saved(page, "Kobra Jokar")
