"""A job's page in Chromium: it refreshes itself while a worker renders the PDF (no script), then
links to the PDF."""

from __future__ import annotations


def test_job_page_reaches_the_pdf(page, live_server, app, seeded, monkeypatch, screenshot):
    queue = app.extensions["catalog_jobs"]
    queue.huey.immediate = False  # the embedded SQLite queue, worked by a real consumer
    consumer = queue.consumer(workers=1)
    monkeypatch.setattr(consumer, "_set_signal_handlers", lambda: None)
    statuses = []
    page.on("response", lambda response: statuses.append((response.url, response.status)))
    try:
        # Nothing else may run before the page is seen waiting: the consumer starts afterwards.
        page.goto(live_server + "/print/selection.pdf?ids=T-0003&title=Conference")
        assert "/jobs/" in page.url
        assert page.locator('meta[http-equiv="refresh"]').count() == 1
        assert page.locator("progress").count() == 1
        screenshot("waiting")
        consumer.start()
        link = page.get_by_role("link", name="Open the PDF")
        link.wait_for(timeout=60_000)
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        screenshot("done")
        response = page.request.get(live_server + link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
    finally:
        consumer.stop(graceful=True)
        queue.huey.storage.flush_all()
    assert all(status < 400 for url, status in statuses if not url.endswith("favicon.ico")), statuses
