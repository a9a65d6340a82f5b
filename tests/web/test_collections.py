"""Collections as readers see them (only what they may read is counted or listed) and as
archivists make them in the workspace."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.models import AccessLevel, Collection, PublicationState, Role, Testimony
from catalog.services.actors import Actor
from catalog.services.write import CollectionInput, save
from catalog.web import public
from tests.conftest import csrf_token_from
from tests.web.formdata import form_fields

ACTOR = Actor("amina (archivist)")
SEEDED = "1988-massacre-article"


@pytest.fixture
def mixed(session, make_testimony):
    """A collection holding a public testimony, a restricted one, a draft and a deleted one."""
    collection = save(session, CollectionInput(key="project", title="Interview project",
                                               description="<p>Interviews made in 2019.</p>"), ACTOR)
    members = {
        "public": make_testimony(title="Open account", public_id="T-0951"),
        "restricted": make_testimony(title="Restricted account of Witness R", public_id="T-0952",
                                     access=AccessLevel.RESTRICTED),
        "draft": make_testimony(title="Draft account", public_id="T-0953", state=PublicationState.DRAFT),
        "deleted": make_testimony(title="Deleted account", public_id="T-0954", is_deleted=True),
    }
    for testimony in members.values():
        testimony.collections.append(collection)
    session.commit()
    return members


def test_readers_count_and_list_only_the_testimonies_they_may_read(client, mixed):
    listing = client.get("/collections").get_data(as_text=True)
    assert "Interview project" in listing and "1 testimony<" in listing
    page = client.get("/collections/project").get_data(as_text=True)
    assert "Interviews made in 2019." in page and "1 testimony<" in page
    assert "Open account" in page
    for hidden in ("Restricted account", "Witness R", "Draft account", "Deleted account", "T-0952", "T-0953"):
        assert hidden not in page and hidden not in listing


def test_researchers_also_count_restricted_testimony_and_archivists_drafts(client, auth, mixed):
    auth.login(Role.RESEARCHER)
    page = client.get("/collections/project").get_data(as_text=True)
    assert "2 testimonies<" in page and "Restricted account of Witness R" in page and "Draft account" not in page
    auth.logout()
    auth.login(Role.ARCHIVIST)
    page = client.get("/collections/project").get_data(as_text=True)
    assert "3 testimonies<" in page and "Draft account" in page and "Deleted account" not in page


def test_a_collection_with_nothing_a_reader_may_read_is_absent_for_them(client, session, make_testimony):
    collection = save(session, CollectionInput(key="sealed", title="Sealed interviews with named guards"), ACTOR)
    make_testimony(public_id="T-0960", access=AccessLevel.CONFIDENTIAL).collections.append(collection)
    save(session, CollectionInput(key="empty", title="Not started"), ACTOR)
    session.commit()
    assert "Sealed interviews" not in client.get("/collections").get_data(as_text=True)
    absent = client.get("/collections/sealed")
    assert absent.status_code == 404 and absent.data == client.get("/collections/no-such-thing").data
    assert client.get("/collections/empty").status_code == 404


def test_a_collection_is_paged(client, session, make_testimony, monkeypatch):
    monkeypatch.setattr(public, "COLLECTION_PAGE_SIZE", 2)
    collection = save(session, CollectionInput(key="paged", title="Paged"), ACTOR)
    for number in range(5):
        make_testimony(public_id=f"T-097{number}", title=f"Account number {number}").collections.append(collection)
    session.commit()
    first = client.get("/collections/paged").get_data(as_text=True)
    assert "Account number 0" in first and "Account number 1" in first and "Account number 2" not in first
    assert "Page 1 of 3" in first and 'href="/collections/paged?page=2"' in first
    last = client.get("/collections/paged?page=3").get_data(as_text=True)
    assert "Account number 4" in last and "Account number 3" not in last
    beyond = client.get("/collections/paged?page=9")
    assert beyond.status_code == 200 and "No testimonies on this page" in beyond.get_data(as_text=True)


def test_the_seeded_collection_and_a_testimony_page_link_to_each_other(client, seeded):
    listing = client.get("/collections").get_data(as_text=True)
    assert f'href="/collections/{SEEDED}"' in listing and "13 testimonies<" in listing
    testimony = client.get("/t/T-0012").get_data(as_text=True)
    assert f'<a href="/collections/{SEEDED}">Voices quoted in the article on the 1988 massacre</a>' in testimony
    collection = client.get(f"/collections/{SEEDED}").get_data(as_text=True)
    assert 'href="/t/T-0012"' in collection


# --- the workspace ------------------------------------------------------------------------------


@pytest.fixture
def archivist(auth):
    return auth.login(Role.ARCHIVIST)


def test_archivists_make_and_correct_a_collection_and_see_its_history(client, archivist, db):
    page = client.get("/archive/collections/new").get_data(as_text=True)
    response = client.post("/archive/collections/new", data={
        "csrf_token": csrf_token_from(page), "key": "", "title": "Donation of the Ardekani family",
        "description_html": "<p>Given in 2021.</p>", "note": "",
    })
    assert response.status_code == 302
    assert "Donation of the Ardekani family" in client.get("/archive/collections").get_data(as_text=True)
    key = "donation-of-the-ardekani-family"
    edit = client.get(f"/archive/collections/{key}/edit").get_data(as_text=True)
    with db.session() as session:
        version = session.scalar(select(Collection.version).where(Collection.key == key))
    refused = client.post(f"/archive/collections/{key}/edit", data={
        "csrf_token": csrf_token_from(edit), "version": version, "key": key, "title": "",
        "description_html": "<p>Given in 2021, with <script>x</script></p>", "note": "",
    })
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "the &lt;script&gt; element" in body and "Given in 2021, with" in body  # typed, kept
    client.post(f"/archive/collections/{key}/edit", data={
        "csrf_token": csrf_token_from(edit), "version": version, "key": key, "title": "Ardekani family donation",
        "description_html": "<p>Given in 2021.</p>", "note": "shorter title",
    })
    history = client.get(f"/archive/collections/{key}/history").get_data(as_text=True)
    assert "shorter title" in history and "Ardekani family donation" in history


def test_the_testimony_form_puts_a_testimony_in_collections(client, archivist, seeded, db):
    url = "/archive/testimonies/T-0012/edit"
    page = client.get(url).get_data(as_text=True)
    assert f'type="checkbox" value="{SEEDED}"' in page and "checked" in page[page.index(f'value="{SEEDED}"') - 80:
                                                                               page.index(f'value="{SEEDED}"') + 40]
    with db.session() as session:
        save(session, CollectionInput(key="project", title="Interview project"), ACTOR)
        session.commit()
    data = form_fields(client.get(url).data, url)
    data["collections"] = ["project", SEEDED]
    assert client.post(url, data=data).status_code == 302
    with db.session() as session:
        testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0012"))
        assert sorted(c.key for c in testimony.collections) == [SEEDED, "project"]
    # The change of membership is a revision of the testimony, and its diff says so.
    history = client.get("/archive/testimonies/T-0012/history").get_data(as_text=True)
    change = history[history.index('<th scope="row">Collections</th>'):]
    change = change[:change.index("</tr>")]
    # Only what changed: the collection it joined, not the one it stayed in, removed and added again.
    assert "Added:</span> <ins>project</ins>" in change and SEEDED not in change and "Removed:" not in change
    data = form_fields(client.get(url).data, url)
    data["collections"] = ["no-such-one"]
    refused = client.post(url, data=data)
    assert refused.status_code == 400 and "There is no collection “no-such-one”." in refused.get_data(as_text=True)
