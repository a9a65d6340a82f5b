"""A reader in Chromium: browse, refine by facets, search, open a testimony, follow a person —
at desktop width and on a 360 px phone, with JavaScript off where it matters."""

from __future__ import annotations

import pytest

LANDMARK_CHECK = """() => {
  const problems = [];
  if (document.querySelectorAll('main').length !== 1) problems.push('main landmark count');
  if (!document.querySelector('header[role=banner], body > header')) problems.push('no banner');
  if (!document.querySelector('footer')) problems.push('no contentinfo');
  if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count');
  const navs = [...document.querySelectorAll('nav')];
  if (navs.some(n => !n.getAttribute('aria-label'))) problems.push('unlabelled nav');
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const id = el.id;
    const labelled = (id && document.querySelector(`label[for="${id}"]`)) || el.closest('label') || el.getAttribute('aria-label');
    if (!labelled) problems.push('unlabelled control ' + (el.name || el.outerHTML.slice(0, 60)));
  }
  for (const a of document.querySelectorAll('a')) {
    if (!a.textContent.trim() && !a.getAttribute('aria-label')) problems.push('empty link ' + a.href);
  }
  for (const img of document.querySelectorAll('img')) { if (!img.hasAttribute('alt')) problems.push('img without alt'); }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  if (new Set(ids).size !== ids.length) problems.push('duplicate ids');
  if (!document.documentElement.lang) problems.push('no lang');
  return problems;
}"""


def check_accessibility(page):
    assert page.evaluate(LANDMARK_CHECK) == []
    # The page never scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_browse_facet_search_open_and_follow(browser, live_server, seeded, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/testimonies")
    check_accessibility(page)
    assert page.locator(".testimony-item").count() == 13
    screenshot("browse", page)
    # Refine by kind of account: the URL carries the state; counts shrink.
    page.locator('.facet a[data-facet="kind"][data-value="survivor"]').click()
    page.wait_for_url("**/testimonies?kind=survivor")
    assert page.locator(".testimony-item").count() == 3
    assert page.locator('.facet li.selected a[data-value="survivor"]').count() == 1
    page.locator('.facet a[data-facet="given"][data-value="2018"]').click()
    assert "kind=survivor" in page.url and "given=2018" in page.url
    assert page.locator(".testimony-item").count() == 1
    screenshot("browse-faceted", page)
    page.go_back()
    assert page.locator(".testimony-item").count() == 3
    # Sort by title without JavaScript: the form submits the state.
    page.select_option("#sort", "title")
    page.get_by_role("button", name="Sort").click()
    assert "sort=title" in page.url and "kind=survivor" in page.url
    # Search from the header box.
    page.fill("#site-q", "Garces")
    page.locator(".site-search button").click()
    page.wait_for_url("**/search?q=Garces")
    check_accessibility(page)
    assert "2 matching passages in 1 testimony or source" in page.locator(".hit-count").inner_text()
    assert page.locator("mark").first.inner_text() == "Garcés"
    assert page.locator(".snippet .kind-label").first.inner_text().lower().startswith("framing")
    screenshot("search", page)
    # Open the testimony and follow the speaker's link.
    page.locator(".result-title a").first.click()
    page.wait_for_url("**/t/T-0010")
    check_accessibility(page)
    screenshot("testimony", page)
    page.locator(".metadata-card dd a", has_text="Juan Garcés").first.click()
    page.wait_for_url("**/people/juan-garces")
    check_accessibility(page)
    assert "Juan E. Garcés" in page.locator("article").inner_text()
    assert page.locator("h3", has_text="Speaker of").count() == 1
    screenshot("person", page)
    context.close()


@pytest.mark.parametrize("path", ["/testimonies", "/search?q=Monafeqin", "/t/T-0012", "/people/mek", "/sources/article", "/places/tehran"])
def test_phone_width(browser, live_server, seeded, artifacts, request, path, backend):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + path)
    check_accessibility(page)
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
    page.screenshot(path=str(artifacts / f"test_phone_width-{name}-{backend}.png"), full_page=True)
    context.close()


def test_bad_query_gets_a_message_in_the_page(page, live_server, seeded, screenshot):
    page.goto(live_server + '/search?q=-MEK')
    assert "only says what to leave out" in page.get_by_role("alert").inner_text()
    page.fill("#search-q", '"death committees')
    page.get_by_role("button", name="Search", exact=True).last.click()
    assert "closing quotation mark" in page.locator("main").inner_text()
    screenshot("bad-query")


def test_focus_is_visible(page, live_server, seeded):
    page.goto(live_server + "/testimonies")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
