"""A testimony's OAI-PMH datestamp moves when what harvesters get of it changes: its own saves, and
saves of the records it shows; never for a record harvesters get as deleted."""

from __future__ import annotations

from sqlalchemy import select

from catalog.models import Agent, Collection, Occasion, Source, SourceFile, Testimony, testimony_collections
from catalog.services.actors import Actor
from catalog.services.write import workflow


def stamps(session) -> dict[str, object]:
    session.expire_all()
    return dict(session.execute(select(Testimony.public_id, Testimony.harvest_dt)).all())


def moved(before: dict, after: dict) -> set[str]:
    return {public_id for public_id in after if after[public_id] != before.get(public_id)}


def test_a_shared_record_re_dates_every_testimony_that_shows_it(seeded, session):
    before = stamps(session)
    # The speaker of T-0002 alone.
    session.scalar(select(Agent).where(Agent.key == "kamal-afkhami-ardekani")).preferred_name = "Kamal Afkhami"
    session.commit()
    assert moved(before, after := stamps(session)) == {"T-0002"}
    # A source: the testimonies taken from it, passed on by it or naming someone through it.
    source = session.scalar(select(Source).where(Source.key == "hrw-report"))
    source.title = "Human Rights Watch report (retitled)"
    session.commit()
    hrw = moved(after, third := stamps(session))
    assert hrw and hrw < set(after)
    # A file of a source: its type in Dublin Core may change.
    session.add(SourceFile(source=source, filename="talk.mp3", media_type="audio/mpeg", sha256="0" * 64))
    session.commit()
    assert moved(third, stamps(session)) == hrw


def test_a_place_re_dates_the_testimonies_given_beneath_it(seeded, session):
    occasions = session.scalars(select(Occasion).where(Occasion.place_id.isnot(None))).all()
    place = occasions[0].place
    while place.parent is not None:
        place = place.parent
    before = stamps(session)
    place.name = place.name + " (renamed)"
    session.commit()
    changed = moved(before, stamps(session))
    under = set()
    for occasion in occasions:
        node = occasion.place
        while node is not None and node.id != place.id:
            node = node.parent
        if node is not None:
            under |= set(session.scalars(select(Testimony.public_id).where(Testimony.occasion_id == occasion.id)))
    assert changed == under and under


def test_collection_membership_and_key_re_date_its_members(seeded, session):
    collection = Collection(key="evidence", title="Evidence")
    session.add(collection)
    session.commit()
    before = stamps(session)
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0005"))
    testimony.collections.append(collection)
    session.commit()
    assert moved(before, after := stamps(session)) == {"T-0005"}
    collection.key = "evidence-2"
    session.commit()
    assert moved(after, later := stamps(session)) == {"T-0005"}
    collection_id = collection.id
    session.delete(collection)
    session.commit()
    assert moved(later, stamps(session)) == {"T-0005"}
    assert not session.execute(
        select(testimony_collections).where(testimony_collections.c.collection_id == collection_id)).all()


def test_a_record_the_public_cannot_read_keeps_its_datestamp(seeded, session):
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0004"))
    before = stamps(session)
    workflow.withdraw(session, testimony, "Consent withdrawn.", Actor("tester"))
    session.commit()
    withdrawn = stamps(session)
    assert moved(before, withdrawn) == {"T-0004"}
    assert testimony.harvest_public is False
    testimony.title = "Reworked in private"
    session.commit()
    assert moved(withdrawn, stamps(session)) == set()
    workflow.publish(session, testimony, Actor("tester"))
    session.commit()
    assert moved(withdrawn, stamps(session)) == {"T-0004"}
    assert testimony.harvest_public is True


def test_a_draft_never_public_is_not_stamped_and_a_rollback_stamps_nothing(seeded, session, make_testimony):
    draft = make_testimony(title="A draft")
    draft.publication_state = draft.publication_state.DRAFT
    session.commit()
    before = stamps(session)
    draft.title = "Still a draft"
    session.commit()
    assert moved(before, stamps(session)) == set()
    session.scalar(select(Testimony).where(Testimony.public_id == "T-0003")).title = "Never saved"
    session.flush()
    session.rollback()
    assert moved(before, stamps(session)) == set()
