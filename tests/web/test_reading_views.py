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
    assert "<strong>partially corroborated</strong>" in items[0]
    assert "One prison memoir agrees." in items[0] and re.search(r'<time datetime="\d{4}-\d\d-\d\dT', items[0])
    assert "<strong>contested</strong>" in items[1] and "A guard’s account disputes the date." in items[1]
    assert "partially_corroborated" not in history
    # Readers are not told which archivist made a change; staff are.
    assert "parisa" not in history and "the catalog’s archivists" in history
    auth.login(Role.ARCHIVIST)
    assert "parisa (archivist)" in _history(client.get("/t/T-0810").get_data(as_text=True))


def test_a_single_status_is_shown_with_its_date_and_rationale(client, seeded):
    page = client.get("/t/T-0012").get_data(as_text=True)
    history = _history(page)
    assert history.count("<li>") >= 1 and "<time datetime=" in history


# --- seeing a reading page as another audience -------------------------------------------------


def _restricted_testimony(session, make_testimony):
    from catalog.models import AccessLevel

    make_testimony((SegmentKind.FIRST_PERSON, "Open words."),
                   {"kind": SegmentKind.FIRST_PERSON, "text": "Researchers' words.", "access_level": AccessLevel.RESTRICTED},
                   {"kind": SegmentKind.FIRST_PERSON, "text": "Archivists' words.", "access_level": AccessLevel.CONFIDENTIAL},
                   public_id="T-0830")
    make_testimony((SegmentKind.FIRST_PERSON, "Restricted account."), public_id="T-0831", access=AccessLevel.RESTRICTED)
    session.commit()


def test_staff_see_a_page_as_the_public_and_as_a_researcher(client, session, make_testimony, auth):
    _restricted_testimony(session, make_testimony)
    user = auth.login(Role.ARCHIVIST)
    own = client.get("/t/T-0830")
    assert "Archivists&#39; words." in own.get_data(as_text=True)
    assert "View as public" in own.get_data(as_text=True)

    public = client.get("/t/T-0830?view_as=public")
    page = public.get_data(as_text=True)
    assert "Open words." in page and "Researchers&#39; words." not in page and "Archivists&#39; words." not in page
    assert "You are seeing this page as the public sees it" in page
    assert "Back to your own view" in page and 'href="/t/T-0830"' in page
    assert f"Signed in as <strong>{user['username']}</strong>" in page  # the account control stays theirs
    assert "Viewing as: public." in page
    assert public.headers["Cache-Control"] == "no-store"  # a signed-in page, never kept
    assert 'href="/t/T-0830/transcript?view_as=public"' in page
    assert client.get("/t/T-0831?view_as=public").status_code == 404  # as the public: no such account

    page = client.get("/t/T-0830?view_as=researcher").get_data(as_text=True)
    assert "Researchers&#39; words." in page and "Archivists&#39; words." not in page
    assert "as a researcher sees it" in page
    assert client.get("/t/T-0831?view_as=researcher").status_code == 200

    # The print view and the whole-catalog CSV are read for the same audience.
    printed = client.get("/t/T-0830/transcript?view_as=public").get_data(as_text=True)
    assert "Open words." in printed and "Researchers&#39; words." not in printed and "Printed for: <b>public</b>" in printed
    assert "view_as=public" in printed  # its toolbar's links keep the audience
    assert "See the print as:" in printed and "<strong>the public</strong>" in printed
    assert 'href="/t/T-0830/transcript?view_as=researcher"' in printed and 'href="/t/T-0830/transcript">your own view' in printed
    assert "T-0831" not in client.get("/catalog.csv?view_as=public").get_data(as_text=True)


def test_no_one_can_raise_their_view(client, session, make_testimony, auth):
    _restricted_testimony(session, make_testimony)
    assert client.get("/t/T-0831?view_as=researcher").status_code == 404
    page = client.get("/t/T-0830?view_as=archivist").get_data(as_text=True)
    assert "Researchers&#39; words." not in page and "You are seeing this page as" not in page
    auth.login(Role.RESEARCHER)
    page = client.get("/t/T-0830?view_as=archivist").get_data(as_text=True)
    assert "Researchers&#39; words." in page and "Archivists&#39; words." not in page
    assert "View as public" not in page and "You are seeing this page as" not in page
    printed = client.get("/t/T-0830/transcript?view_as=archivist").get_data(as_text=True)
    assert "Researchers&#39; words." in printed and "Archivists&#39; words." not in printed
    assert "See the print as:" not in printed


def test_view_as_is_not_honoured_in_the_workspace_nor_the_api(client, session, make_testimony, auth):
    _restricted_testimony(session, make_testimony)
    auth.login(Role.ARCHIVIST)
    assert client.get("/archive/?view_as=public").status_code == 200
    # The API answers the signed-in viewer only, and says the parameter is not one of its own.
    answer = client.get("/api/testimonies/T-0830?view_as=public")
    assert answer.status_code == 400 and answer.json["errors"][0]["parameter"] == "view_as"
    assert "Archivists" in client.get("/api/testimonies/T-0830").get_data(as_text=True)


# --- redactions marked for staff ---------------------------------------------------------------


def _redacted_testimony(session, make_testimony):
    from catalog.models import AccessLevel, Redaction

    testimony = make_testimony((SegmentKind.FIRST_PERSON, "The guard Hamid took us to Gohardasht."), public_id="T-0840")
    segment = testimony.segments[0]
    start = segment.text.index("Hamid")
    segment.redactions.append(Redaction(start=start, end=start + 5, access_level=AccessLevel.CONFIDENTIAL, reason="name"))
    place = segment.text.index("Gohardasht")
    segment.redactions.append(Redaction(start=place, end=place + 10, access_level=AccessLevel.RESTRICTED))
    session.commit()
    return testimony


def test_staff_see_redacted_words_marked_on_the_reading_page_and_in_the_workspace(client, session, make_testimony, auth):
    _redacted_testimony(session, make_testimony)
    assert "Hamid" not in client.get("/t/T-0840").get_data(as_text=True)
    auth.login(Role.ARCHIVIST)
    for path in ("/t/T-0840", "/archive/testimonies/T-0840", "/archive/testimonies/T-0840/edit"):
        page = client.get(path).get_data(as_text=True)
        assert re.search(r'<mark class="redacted-seen redacted-below-confidential"[^>]*>'
                         r'<span class="visually-hidden">Redacted for the public and researchers: </span>Hamid<', page), path
        assert re.search(r'<mark class="redacted-seen redacted-below-restricted"[^>]*>'
                         r'<span class="visually-hidden">Redacted for the public: </span>Gohardasht<', page), path
    # Seen as the public, the same page shows the marks readers get, and not the words.
    page = client.get("/t/T-0840?view_as=public").get_data(as_text=True)
    assert "Hamid" not in page and "Gohardasht" not in page and 'aria-label="redacted passage"' in page
    page = client.get("/t/T-0840?view_as=researcher").get_data(as_text=True)
    assert "Hamid" not in page and "Gohardasht" in page and "redacted-seen" not in page


def test_a_researcher_sees_no_marks(client, session, make_testimony, auth):
    _redacted_testimony(session, make_testimony)
    auth.login(Role.RESEARCHER)
    page = client.get("/t/T-0840").get_data(as_text=True)
    assert "Gohardasht" in page and "Hamid" not in page and "redacted-seen" not in page


# --- translations beside their originals ---------------------------------------------------------


def test_translations_beside_their_originals(client, session, make_testimony):
    make_testimony({"kind": SegmentKind.FIRST_PERSON, "text": "من در اوین بودم.", "language": "fa", "direction": "rtl",
                    "translation": "I was in Evin.", "translation_language": "en"},
                   {"kind": SegmentKind.FIRST_PERSON, "text": "Untranslated words."},
                   {"kind": SegmentKind.EDITORIAL, "text": "She was interviewed in English.",
                    "translation": "با او به انگلیسی مصاحبه شد.", "translation_language": "fa"},
                   public_id="T-0850")
    session.commit()
    under = client.get("/t/T-0850").get_data(as_text=True)
    assert "segment-pair" not in under and "I was in Evin." in under
    assert 'href="/t/T-0850?translations=beside"' in under
    beside = client.get("/t/T-0850?translations=beside").get_data(as_text=True)
    pairs = re.findall(r'<div class="segment-pair">(.*?)</div>', beside, re.S)
    assert len(pairs) == 2  # the untranslated passage stands alone
    assert re.search(r'<blockquote class="segment-text" lang="fa" dir="rtl">من در اوین بودم.</blockquote>.*I was in Evin.',
                     pairs[0], re.S)
    assert re.search(r'lang="fa"><span class="kind-label" lang="en">Translation</span> '
                     r'<span class="translation-text" dir="auto">با او به انگلیسی مصاحبه شد.</span>', pairs[1])
    assert '<strong aria-current="true">beside the original</strong>' in beside and 'href="/t/T-0850"' in beside
    bad = client.get("/t/T-0850?translations=sideways")
    assert bad.status_code == 400 and "translations=beside" in bad.get_data(as_text=True)


def test_a_withheld_translation_is_not_set_beside(client, session, make_testimony):
    from catalog.models import AccessLevel, Redaction

    testimony = make_testimony({"kind": SegmentKind.FIRST_PERSON, "text": "Hamid was there.",
                                "translation": "حمید آنجا بود.", "translation_language": "fa"}, public_id="T-0851")
    testimony.segments[0].redactions.append(Redaction(start=0, end=5, access_level=AccessLevel.CONFIDENTIAL))
    session.commit()
    page = client.get("/t/T-0851?translations=beside").get_data(as_text=True)
    assert "حمید" not in page and "segment-pair" not in page and "Translation withheld" in page
