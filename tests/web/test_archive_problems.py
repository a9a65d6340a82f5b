"""Problems from the write path are shown where the archivist typed: under the field, or above the
list they concern, and never lost."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from catalog.models import Role, Testimony
from tests.web.formdata import form_fields


@pytest.fixture
def archivist(auth):
    return auth.login(Role.ARCHIVIST)


def test_a_testimony_without_a_speaker_says_so_above_the_people(client, archivist, db):
    url = "/archive/testimonies/new"
    fields = form_fields(client.get(url).data, url)
    fields.update({"title": "No speaker named", "segments-0-text": "Words typed by hand."})
    response = client.post(url, data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    people = re.search(r'<div id="roles" class="section-errors"[^>]*>(.*?)</div>', page, re.S)
    assert people is not None and "Name the speaker" in people.group(1)
    assert 'href="#roles"' in page
    assert "Words typed by hand." in page
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Testimony)) == 0


def test_a_problem_in_a_segment_stands_under_that_segment(client, archivist, db):
    url = "/archive/testimonies/new"
    fields = form_fields(client.get(url).data, url)
    fields.update({"title": "Dated wrongly", "roles-0-new_agent_name": "A witness", "segments-0-text": "Words.",
                   "segments-0-timecode_start": "<script>", "events_date_edtf": "1988-13"})
    page = client.post(url, data=fields).get_data(as_text=True)
    assert re.search(r'id="segments-0-timecode_start-error"[^>]*>Must be a number', page)
    assert re.search(r'id="events_date_edtf-error"[^>]*>“1988-13” is not a valid EDTF date', page)
