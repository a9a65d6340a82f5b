"""Collections through the one write path: their own rules, revisions and restore; membership as
part of each testimony's record."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from catalog.models import Revision
from catalog.services import diffs
from catalog.services.actors import Actor
from catalog.services.revisions import verify_chains
from catalog.services.write import CollectionInput, Rejected, StaleEdit, TestimonyInput, save
from catalog.services.write.restore import restore_revision, revisions_of

ACTOR = Actor("amina (archivist)")


def make_collection(session, key="oral-history-project", title="Oral history project", description=""):
    return save(session, CollectionInput(key=key, title=title, description=description), ACTOR)


def account_input(agent_id, **fields) -> TestimonyInput:
    values = {"title": "An account", "account_kind": "eyewitness", "roles": [{"agent": agent_id, "role": "speaker"}],
              "segments": [{"kind": "first_person", "text": "I was there."}], **fields}
    return TestimonyInput(**values)


def test_a_collection_is_saved_with_its_revision_and_cleaned_description(session):
    collection = make_collection(session, description='<p>Gathered in <a href="https://example.org">2019</a>.</p>'
                                                      "<blockquote>kept</blockquote>")
    assert collection.key == "oral-history-project"
    assert 'rel="nofollow noopener"' in collection.description_html
    [revision] = revisions_of(session, collection)
    assert revision.entity_type == "collection" and revision.note == "created"
    assert json.loads(revision.snapshot)["title"] == "Oral history project"
    assert verify_chains(session) == []


def test_a_key_is_made_from_the_title_when_none_is_given(session):
    assert save(session, CollectionInput(title="Donation of the Ardekani family"), ACTOR).key == \
        "donation-of-the-ardekani-family"


@pytest.mark.parametrize("values, path, words", [
    ({"title": ""}, "title", "Required."),
    ({"title": "A <b>bold</b> title"}, "title", "Plain text only"),
    ({"title": "x" * 501}, "title", "500"),
    ({"title": "Fine", "key": "Not A Key"}, "key", "lower-case letters"),
    ({"title": "Fine", "description": "<script>alert(1)</script>"}, "description", "the <script> element"),
    ({"title": "Fine", "description": '<a href="javascript:alert(1)">x</a>'}, "description", "javascript: link"),
])
def test_bad_input_is_refused_by_field(session, values, path, words):
    with pytest.raises(Rejected) as refused:
        save(session, CollectionInput(**values), ACTOR)
    assert [problem.path for problem in refused.value.problems] == [(path,)]
    assert words in refused.value.problems[0].message


def test_a_key_is_used_once_and_never_changes(session):
    collection = make_collection(session)
    with pytest.raises(Rejected, match="already used by another collection"):
        make_collection(session, title="Another")
    with pytest.raises(Rejected, match="never changes once given"):
        save(session, CollectionInput(key="renamed", title="Oral history project"), ACTOR, existing=collection,
             expected_version=collection.version)
    edited = save(session, CollectionInput(key="", title="Oral history project, 2019–2021"), ACTOR,
                  existing=collection, expected_version=collection.version, note="years")
    assert edited.key == "oral-history-project" and edited.title == "Oral history project, 2019–2021"


def test_a_stale_edit_is_refused(session):
    collection = make_collection(session)
    stale = collection.version
    save(session, CollectionInput(title="First edit"), ACTOR, existing=collection, expected_version=stale)
    with pytest.raises(StaleEdit):
        save(session, CollectionInput(title="Second edit"), ACTOR, existing=collection, expected_version=stale)


def test_restore_brings_a_collection_back_as_a_new_revision(session):
    collection = make_collection(session, description="<p>First words.</p>")
    save(session, CollectionInput(title="Renamed", description="<p>Other words.</p>"), ACTOR, existing=collection)
    restore_revision(session, collection, 1, ACTOR)
    assert collection.title == "Oral history project" and collection.description_html == "<p>First words.</p>"
    assert [r.number for r in revisions_of(session, collection)] == [3, 2, 1]


def test_membership_is_the_testimonys_and_a_change_of_it_is_a_revision_with_a_diff(session, make_agent):
    agent = make_agent()
    project, donation = make_collection(session), make_collection(session, key="donation", title="A donation")
    testimony = save(session, account_input(agent.id, collections=["oral-history-project"]), ACTOR)
    assert [c.key for c in testimony.collections] == ["oral-history-project"]
    save(session, account_input(agent.id, collections=["donation", "oral-history-project", "donation"]), ACTOR,
         existing=testimony, expected_version=testimony.version)
    assert sorted(c.key for c in testimony.collections) == ["donation", "oral-history-project"]
    # A door that says nothing of collections leaves the membership as it is.
    save(session, account_input(agent.id, title="Retitled"), ACTOR, existing=testimony)
    assert len(testimony.collections) == 2
    save(session, account_input(agent.id, title="Retitled", collections=[]), ACTOR, existing=testimony)
    assert testimony.collections == []

    snapshots = [json.loads(r.snapshot) for r in reversed(revisions_of(session, testimony))]
    assert [s.get("collections") for s in snapshots] == [
        ["oral-history-project"], ["donation", "oral-history-project"], ["donation", "oral-history-project"], None]
    changes = diffs.diff_snapshots(revisions_of(session, testimony)[-2].snapshot,
                                   revisions_of(session, testimony)[-1].snapshot)
    assert "collections" in json.dumps(changes, default=str)
    # The collections themselves are not changed by their testimonies joining them.
    assert [r.number for r in revisions_of(session, project)] == [1]
    assert [r.number for r in revisions_of(session, donation)] == [1]


def test_restoring_a_testimony_revision_restores_its_membership(session, make_agent):
    agent = make_agent()
    make_collection(session)
    testimony = save(session, account_input(agent.id), ACTOR)
    save(session, account_input(agent.id, collections=["oral-history-project"]), ACTOR, existing=testimony)
    restore_revision(session, testimony, 1, ACTOR)
    assert testimony.collections == []
    restore_revision(session, testimony, 2, ACTOR)
    assert [c.key for c in testimony.collections] == ["oral-history-project"]


@pytest.mark.parametrize("collections, message", [
    (["no-such-collection"], "There is no collection “no-such-collection”."),
    ([7], "Must name a collection by its key."),
    ("oral-history-project", "Must be a list of collection keys."),
])
def test_an_unknown_collection_is_refused_and_nothing_written(session, make_agent, collections, message):
    agent = make_agent()
    make_collection(session)
    before = session.scalar(select(Revision.id).order_by(Revision.id.desc()).limit(1))
    with pytest.raises(Rejected) as refused:
        save(session, account_input(agent.id, collections=collections), ACTOR)
    assert [str(p) for p in refused.value.problems] == [f"collections: {message}"]
    assert session.scalar(select(Revision.id).order_by(Revision.id.desc()).limit(1)) == before
