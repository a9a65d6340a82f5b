"""What the reading page shows beyond the text: the corroboration history readers follow, the
redactions staff see marked, the view of another audience, and translations beside originals."""

from __future__ import annotations

import re

from catalog.models import Role, SegmentKind
from catalog.services.actors import Actor
from catalog.services.write import workflow


def _history(page: str) -> str:
    start = page.index('id="corroboration-history"')
    return page[start:page.index("</div>", start)]


def test_readers_follow_the_dated_corroboration_history(client, session, make_testimony, auth):
    testimony = make_testimony((SegmentKind.FIRST_PERSON, "We were moved at night."), public_id="T-0810")
    archivist = Actor("parisa (archivist)")
    workflow.change_corroboration(session, testimony, "partially_corroborated", "One prison memoir agrees.", archivist)
    workflow.change_corroboration(session, testimony, "contested", "A guard’s account disputes the date.", archivist)
    session.commit()
    history = _history(client.get("/t/T-0810").get_data(as_text=True))
    items = re.findall(r"<li>.*?</li>", history, re.S)
    assert len(items) == 2
    assert "Partially corroborated" in items[0] or "partially corroborated" in items[0]
    assert "One prison memoir agrees." in items[0] and re.search(r'<time datetime="\d{4}-\d\d-\d\dT', items[0])
    assert "contested" in items[1] and "A guard’s account disputes the date." in items[1]
    assert "partially_corroborated" not in history
    # Readers are not told which archivist made a change; staff are.
    assert "parisa" not in history and "the catalog’s archivists" in history
    auth.login(Role.ARCHIVIST)
    assert "parisa (archivist)" in _history(client.get("/t/T-0810").get_data(as_text=True))


def test_a_single_status_is_shown_with_its_date_and_rationale(client, seeded):
    page = client.get("/t/T-0012").get_data(as_text=True)
    history = _history(page)
    assert history.count("<li>") >= 1 and "<time datetime=" in history
