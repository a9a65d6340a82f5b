"""Hostile input typed into every form never runs: what the forms let through (first-person words,
notes) is stored inert and escaped, and Chromium opens no dialog on any page that shows it."""

from __future__ import annotations

from catalog.models import Role
from tests.web.formdata import form_fields

PAYLOADS = [
    "<script>alert('script')</script>",
    '<img src=x onerror="alert(\'handler\')">',
    '<a href="javascript:alert(\'link\')">click me</a>',
    "<svg onload=alert('svg')><script>alert('svg2')</script></svg>",
    '"><script>alert("attr")</script>',
]
HOSTILE = " ".join(PAYLOADS)


def test_hostile_input_never_executes(page, live_server, make_user, screenshot):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    user = make_user(Role.ARCHIVIST)
    page.goto(live_server + "/sign-in")
    page.get_by_label("User name").fill(user["username"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")

    request = page.context.request

    def post_form(url: str, changes: dict, page_url: str | None = None) -> int:
        fields = form_fields(request.get(live_server + (page_url or url)).text(), url)
        fields.update(changes)
        return request.post(live_server + url, form=fields, max_redirects=0).status

    # Every markup-refusing field says no; the page that says so runs nothing.
    assert post_form("/archive/agents/new", {"preferred_name": HOSTILE}) == 400
    assert post_form("/archive/sources/new", {"title": "A report", "location": "javascript:alert('loc')"}) == 400
    assert post_form("/archive/sources/new", {"title": "A report", "stance_note_html": HOSTILE}) == 400
    # What is accepted as plain text is stored as typed.
    assert post_form("/archive/agents/new", {"preferred_name": "Plain Name", "names-0-name": "Other name",
                                             "names-0-note": "note"}) == 302
    assert post_form("/archive/occasions/new", {"title": "Hearing", "date_note": HOSTILE}) == 302
    assert post_form("/archive/testimonies/new", {
        "title": "Hostile words", "roles-0-new_agent_name": "A witness", "segments-0-text": HOSTILE,
        "segments-0-translation": HOSTILE, "summary_html": "<p>A <em>plain</em> summary</p>",
    }) == 302
    page.goto(live_server + "/archive/")
    page.get_by_role("link", name="Hostile words").click()
    archive_url = page.url
    public_id = page.locator(".record-id").first.inner_text().split(" ")[0]
    assert post_form(f"/archive/testimonies/{public_id}/claims", {"statement": HOSTILE, "kind": "event"},
                     page_url=f"/archive/testimonies/{public_id}") == 302
    page.goto(archive_url)
    page.get_by_role("button", name="Publish").click()

    for url in (
        archive_url,
        live_server + f"/archive/testimonies/{public_id}/edit",
        live_server + f"/archive/testimonies/{public_id}/history?a=1&b=3",
        live_server + f"/t/{public_id}",
        live_server + "/archive/occasions",
        live_server + "/",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        # A record's schema.org data block is the one script element without src: data, never run.
        assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0, url
        assert page.locator("img[onerror], svg[onload], a[href^='javascript:']").count() == 0, url
    page.goto(live_server + f"/t/{public_id}")
    assert "<script>alert('script')</script>" in page.locator('[data-kind="first_person"] blockquote').inner_text()
    screenshot("reader")
    assert dialogs == []
