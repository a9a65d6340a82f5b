"""The places an account speaks of, from the archivist's form to the reader's page, facets,
JSON export and CSV import."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from catalog.models import Place, Role, Testimony
from catalog.services.actors import Actor
from catalog.services.export import export_catalog
from catalog.services.imports import run_import
from catalog.viewer import Viewer
from tests.web.formdata import form_fields


@pytest.fixture
def archivist(auth):
    return auth.login(Role.ARCHIVIST)


def test_the_testimony_form_sets_the_places_it_speaks_of(client, archivist, seeded, db):
    url = "/archive/testimonies/T-0012/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="about_places"' in page and "Places it speaks of" in page
    with db.session() as session:
        khavaran = session.scalar(select(Place.id).where(Place.key == "khavaran"))
    data = form_fields(client.get(url).data, url)
    data["about_places"] = [str(khavaran)]
    assert client.post(url, data=data).status_code == 302
    with db.session() as session:
        testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0012"))
        assert [p.key for p in testimony.about_places] == ["khavaran"]
    # The form shows the choice again, the reader's page lists it, and the facet finds it.
    page = client.get(url).get_data(as_text=True)
    picker = page[page.index('name="about_places"'):]
    picker = picker[:picker.index("</select>")]
    assert f'selected value="{khavaran}"' in picker or f'value="{khavaran}" selected' in picker
    client.get("/sign-out")
    reading = client.get("/t/T-0012").get_data(as_text=True)
    assert "Speaks of" in reading and 'href="/places/khavaran"' in reading
    browse = client.get("/testimonies?about=khavaran").get_data(as_text=True)
    assert 'class="record-ref">T-0012<' in browse and "Place spoken of" in browse


def test_json_export_and_csv_import_carry_the_places(session, seeded):
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0012"))
    testimony.about_places = [session.scalar(select(Place).where(Place.key == "evin-prison"))]
    session.flush()
    exported = export_catalog(session, Viewer(role=Role.ARCHIVIST))
    entry = next(t for t in exported["testimonies"] if t["id"] == "T-0012")
    assert entry["about_places"] == ["evin-prison"]
    csv = ("testimony,title,speaker,account_kind,about_places,segment_kind,segment_text\r\n"
           "T-0990,Imported account,anonymous-survivor,survivor,evin-prison; khavaran,first_person,We waited.\r\n")
    run_import(session, csv.encode(), Actor("amina (archivist)"))
    imported = session.scalar(select(Testimony).where(Testimony.public_id == "T-0990"))
    assert sorted(p.key for p in imported.about_places) == ["evin-prison", "khavaran"]
