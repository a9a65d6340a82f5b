"""An embargo lifts on its day with nothing scheduled: until then an embargoed testimony is absent
for the public everywhere (its page, the lists and their facet counts, search, the API, CSV, the
sitemap, OAI-PMH, the page cache), and from that day it is present everywhere. The day is set
through `catalog.dates.now`: no test sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from catalog import dates
from catalog.models import ConsentStatus, PublicationState, Role, Testimony
from catalog.models.base import as_utc
from catalog.services.actors import Actor
from catalog.services.write import workflow

ARCHIVIST = Actor("amina (archivist)")
WORD = "quokkaberry"
TITLE = "Account of the embargoed witness"
REAL_NOW = dates.now()
TOMORROW = REAL_NOW.date() + dt.timedelta(days=1)


def set_now(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(dates, "now", lambda: moment)


@pytest.fixture
def embargoed(db, session, make_testimony):
    """A public testimony published under an embargo that ends tomorrow."""
    testimony = make_testimony(("first_person", f"I remember the {WORD} tree by the gate."), title=TITLE,
                               state=PublicationState.DRAFT, public_id="T-0951",
                               consent_status=ConsentStatus.EMBARGOED, embargo_until=TOMORROW)
    workflow.publish(session, testimony, ARCHIVIST)
    session.commit()
    return testimony.public_id


def everything_public(client, public_id: str) -> dict[str, bool]:
    """Where the public finds the testimony, place by place."""
    api_list = client.get("/api/testimonies").get_json()
    return {
        "page": client.get(f"/t/{public_id}").status_code == 200,
        "browse": public_id in client.get("/testimonies").get_data(as_text=True),
        "facet count": "kind=eyewitness" in client.get("/testimonies").get_data(as_text=True),
        "search": public_id in client.get(f"/search?q={WORD}").get_data(as_text=True),
        "search count": "matching passage" in client.get(f"/search?q={WORD}").get_data(as_text=True),
        "api item": client.get(f"/api/testimonies/{public_id}").status_code == 200,
        "api list": public_id in str(api_list),
        "api search": public_id in str(client.get(f"/api/search?q={WORD}").get_json()),
        # Found by its title among records: neither listed nor counted.
        "record count": client.get('/api/search?q="embargoed witness"').get_json()["matching_records"]["total"] > 0,
        "record search": public_id in client.get('/search?q="embargoed witness"').get_data(as_text=True),
        "csv": public_id in client.get("/testimonies.csv").get_data(as_text=True),
        "search csv": public_id in client.get(f"/search.csv?q={WORD}").get_data(as_text=True),
        "sitemap": public_id in client.get("/sitemaps/testimonies/1.xml").get_data(as_text=True),
        "oai": public_id in client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").get_data(as_text=True),
    }


def test_an_embargoed_testimony_is_absent_for_the_public_until_its_day_then_present_everywhere(
        app, db, embargoed, monkeypatch):
    before = everything_public(app.test_client(), embargoed)
    assert not any(before.values()), before
    set_now(monkeypatch, dt.datetime.combine(TOMORROW, dt.time(0, 0, 1), dt.timezone.utc))
    after = everything_public(app.test_client(), embargoed)
    assert [name for name, found in after.items() if not found] == []


def test_the_embargo_day_reaches_harvesters_as_the_records_datestamp(app, db, embargoed, monkeypatch):
    with db.writing() as session:
        testimony = session.scalar(select(Testimony).where(Testimony.public_id == embargoed))
        midnight = dt.datetime.combine(TOMORROW, dt.time(), dt.timezone.utc)
        assert as_utc(testimony.first_public_dt) == midnight == as_utc(testimony.harvest_dt)
    set_now(monkeypatch, dt.datetime.combine(TOMORROW, dt.time(9), dt.timezone.utc))
    # A harvester that last came yesterday asks for what changed since: the record is among them.
    since = (TOMORROW - dt.timedelta(days=1)).isoformat()
    page = app.test_client().get(f"/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&from={since}")
    text = page.get_data(as_text=True)
    assert embargoed in text and f"<datestamp>{TOMORROW.isoformat()}T00:00:00Z</datestamp>" in text


def test_archivists_see_an_embargoed_testimony_and_its_end(client, db, embargoed, auth):
    auth.login(Role.ARCHIVIST)
    page = client.get(f"/t/{embargoed}")
    assert page.status_code == 200
    assert f"Embargoed until {TOMORROW.isoformat()}" in page.get_data(as_text=True)


def test_a_page_kept_in_the_cache_is_not_served_once_the_embargo_is_over(app, db, embargoed, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_MB", 8)
    first = app.test_client().get("/testimonies").get_data(as_text=True)
    assert embargoed not in first
    set_now(monkeypatch, dt.datetime.combine(TOMORROW, dt.time(1), dt.timezone.utc))
    assert embargoed in app.test_client().get("/testimonies").get_data(as_text=True)


def test_an_embargo_ended_before_it_was_published_is_no_embargo(app, db, session, make_testimony):
    testimony = make_testimony(("first_person", f"The {WORD} again."), state=PublicationState.DRAFT,
                               public_id="T-0952", consent_status=ConsentStatus.EMBARGOED,
                               embargo_until=REAL_NOW.date() - dt.timedelta(days=3))
    workflow.publish(session, testimony, ARCHIVIST)
    session.commit()
    assert app.test_client().get("/t/T-0952").status_code == 200
