"""The write path: versions checked, revisions written, segments numbered once, nothing lost."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from catalog.models import AgentKind, PublicationState, Revision, Segment, SegmentKind, Testimony
from catalog.forms.segment_operations import merge_segments, move_segment, split_segment
from catalog.services.actors import Actor
from catalog.services.revisions import verify_chains
from catalog.services.write import (
    AgentInput, OccasionInput, PlaceInput, Rejected, SourceInput, StaleEdit, TestimonyInput, save, workflow,
)
from catalog.services.write.restore import restore_revision

ACTOR = Actor("tester")


def data(agent_id, segments, **fields):
    return {
        "title": "An account", "language": "en", "account_kind": "eyewitness",
        "roles": [{"agent": agent_id, "role": "speaker"}],
        "segments": [{"kind": kind, "text": text} for kind, text in segments],
        **fields,
    }


def save_testimony(session, values, actor, existing=None, version=None):
    return save(session, TestimonyInput(**values), actor, existing=existing, expected_version=version)


def test_create_numbers_segments_and_records_revision(session, make_agent):
    agent = make_agent("Witness")
    testimony = save_testimony(session, data(agent.id, [("editorial", "Framing."), ("first_person", "Words.")]), ACTOR)
    assert testimony.public_id == "T-0001"
    assert [(s.position, s.number) for s in testimony.segments] == [(1, 1), (2, 2)]
    assert session.scalar(select(Revision.note).where(Revision.entity_id == testimony.id)) == "created"


def test_numbers_are_never_reused(session, make_agent):
    agent = make_agent()
    testimony = save_testimony(session, data(agent.id, [("first_person", "One."), ("first_person", "Two.")]), ACTOR)
    keep = testimony.segments[0]
    save_testimony(session, {**data(agent.id, []), "segments": [{"id": keep.id, "kind": "first_person", "text": "One."}]},
                           ACTOR, testimony, testimony.version)
    save_testimony(session, {**data(agent.id, []), "segments": [
        {"id": keep.id, "kind": "first_person", "text": "One."}, {"kind": "first_person", "text": "Three."}]},
        ACTOR, testimony, testimony.version)
    assert [s.number for s in testimony.segments] == [1, 3]


def test_stale_version_is_refused_and_changes_nothing(session, make_agent):
    agent = make_agent()
    testimony = save_testimony(session, data(agent.id, [("first_person", "Words.")]), ACTOR)
    stale = testimony.version
    save_testimony(session, data(agent.id, [("first_person", "Newer.")]) | {"segments": [
        {"id": testimony.segments[0].id, "kind": "first_person", "text": "Newer."}]}, ACTOR, testimony, stale)
    with pytest.raises(StaleEdit):
        save_testimony(session, data(agent.id, [("first_person", "Older.")]), ACTOR, testimony, stale)
    assert testimony.segments[0].text == "Newer."


def test_children_only_edit_still_moves_the_version(session, make_agent):
    agent = make_agent()
    testimony = save_testimony(session, data(agent.id, [("first_person", "Words.")]), ACTOR)
    before = testimony.version
    save_testimony(session, data(agent.id, []) | {"segments": [
        {"id": testimony.segments[0].id, "kind": "first_person", "text": "Words, corrected."}]}, ACTOR, testimony, before)
    assert testimony.version == before + 1


def test_concurrent_writers_cannot_both_win(db, make_agent, session):
    agent = make_agent()
    testimony = save_testimony(session, data(agent.id, [("first_person", "Base.")]), ACTOR)
    session.commit()
    testimony_id, version, segment_id = testimony.id, testimony.version, testimony.segments[0].id
    results = []
    barrier = threading.Barrier(2)

    def writer(text):
        with db.session(write=True) as own:
            barrier.wait()
            try:
                target = own.get(Testimony, testimony_id)
                save_testimony(own, data(agent.id, []) | {"segments": [
                    {"id": segment_id, "kind": "first_person", "text": text}]}, Actor(text), target, version)
                own.commit()
                results.append(("saved", text))
            except StaleEdit:
                own.rollback()
                results.append(("refused", text))

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("A wins.", "B wins.")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r[0] for r in results) == ["refused", "saved"]
    winner = next(text for outcome, text in results if outcome == "saved")
    with db.session() as fresh:
        assert fresh.get(Segment, segment_id).text == winner
        assert verify_chains(fresh) == []


class _SavedByAnotherDuringCheck(TestimonyInput):
    """A real input whose check ends while another writer saves the same testimony, as happens
    when a long transcript is still being checked."""

    db = None

    def check(self, ctx, problems, existing=None):
        super().check(ctx, problems, existing)
        with self.db.engine.connect() as other:
            # Fail at once rather than wait, should the save be holding the write lock.
            sqlite = other.dialect.name == "sqlite"
            other.exec_driver_sql("PRAGMA busy_timeout = 0" if sqlite else "SET lock_timeout = '1s'")
            try:
                other.execute(text("UPDATE testimonies SET title = 'Theirs', version = version + 1 WHERE id = :id"),
                              {"id": existing.id})
                other.commit()
            finally:
                other.exec_driver_sql("PRAGMA busy_timeout = 10000" if sqlite else "RESET lock_timeout")


def test_a_save_is_checked_without_holding_the_write_lock(db, make_agent, session):
    agent = make_agent()
    testimony = save_testimony(session, data(agent.id, [("first_person", "Base.")]), ACTOR)
    session.commit()
    version, segment_id = testimony.version, testimony.segments[0].id
    edit = _SavedByAnotherDuringCheck(**data(agent.id, []) | {"segments": [
        {"id": segment_id, "kind": "first_person", "text": "Mine."}]})
    edit.db = db
    # The other writer got in while this save was checked; the check under the lock sees it.
    with pytest.raises(StaleEdit):
        save(session, edit, ACTOR, existing=testimony, expected_version=version)
    session.rollback()
    with db.session() as fresh:
        assert fresh.get(Testimony, testimony.id).title == "Theirs"
        assert fresh.get(Segment, segment_id).text == "Base."


def test_rejections_name_the_field(session, make_agent):
    agent = make_agent()
    with pytest.raises(Rejected) as rejected:
        save_testimony(session, data(agent.id, [("first_person", "Words.")], events_date="1988-13",
                                     roles=[{"agent": agent.id, "role": "alleged_perpetrator"}]), ACTOR)
    problems = rejected.value.by_field()
    assert "1988-13 is not a valid month" in problems["events_date"][0]
    assert "roles" in problems and "roles[0].named_by" in problems


def test_split_merge_and_move_carry_redactions(session):
    segments = [{"kind": "first_person", "text": "Ali was there. Then Reza came.", "split_at": "15",
                 "redactions": [{"start": 0, "end": 3}, {"start": 20, "end": 24}]}]
    split_segment(segments, 0)
    assert [s["text"] for s in segments] == ["Ali was there.", "Then Reza came."]
    assert segments[0]["redactions"] == [{"start": 0, "end": 3}]
    assert segments[1]["redactions"] == [{"start": 5, "end": 9}]
    assert segments[1]["text"][5:9] == "Reza"
    merge_segments(segments, 0)
    assert segments[0]["text"] == "Ali was there. Then Reza came."
    assert [segments[0]["text"][r["start"]:r["end"]] for r in segments[0]["redactions"]] == ["Ali", "Reza"]
    more = [{"kind": "first_person", "text": "a"}, {"kind": "editorial", "text": "b"}]
    assert "never run into framing" in merge_segments(more, 0)
    move_segment(more, 1, -1)
    assert [s["text"] for s in more] == ["b", "a"]


def test_workflow_and_soft_delete(session, make_agent):
    agent = make_agent()
    actor = Actor("archivist")
    testimony = save_testimony(session, data(agent.id, [("first_person", "Words.")]), actor)
    workflow.publish(session, testimony, actor, testimony.version)
    assert testimony.publication_state is PublicationState.PUBLISHED and testimony.published_dt
    with pytest.raises(Rejected):
        workflow.withdraw(session, testimony, "  ", actor)
    workflow.withdraw(session, testimony, "Consent withdrawn.", actor)
    workflow.soft_delete(session, testimony, "Duplicate of T-0002.", actor)
    assert testimony.is_deleted and testimony.deleted_reason == "Duplicate of T-0002."
    with pytest.raises(Rejected):
        workflow.publish(session, testimony, actor)
    notes = session.scalars(select(Revision.note).where(Revision.entity_id == testimony.id).order_by(Revision.number)).all()
    assert notes == ["created", "published", "withdrawn: Consent withdrawn.", "deleted: Duplicate of T-0002."]


def test_restore_brings_back_text_but_not_workflow(session, make_agent):
    agent = make_agent()
    testimony = save_testimony(session, data(agent.id, [("first_person", "Original words.")]), ACTOR)
    segment_id = testimony.segments[0].id
    save_testimony(session, data(agent.id, []) | {"title": "Renamed", "segments": [
        {"id": segment_id, "kind": "first_person", "text": "Changed words."}]}, ACTOR, testimony)
    workflow.publish(session, testimony, ACTOR)
    revision = restore_revision(session, testimony, 1, ACTOR, testimony.version)
    assert revision.number == 4 and revision.note == "restored revision 1"
    assert (testimony.title, testimony.segments[0].text) == ("An account", "Original words.")
    assert testimony.segments[0].id == segment_id
    assert testimony.publication_state is PublicationState.PUBLISHED


def test_agents_places_occasions_sources_keep_versions_and_history(session):
    agent = save(session, AgentInput(kind="person", name="Amina", names=[
        {"name": "Ameneh", "kind": "spelling_variant"}]), ACTOR)
    assert agent.key == "amina" and [n.name for n in agent.names] == ["Ameneh"]
    with pytest.raises(Rejected):
        save(session, AgentInput(kind="person", name="X", protected=True), ACTOR)
    place = save(session, PlaceInput(name="Evin Prison", kind="prison"), ACTOR)
    version = place.version
    save(session, PlaceInput(name="Evin Prison", kind="prison", latitude=35.79, longitude=51.39), ACTOR, place, version)
    assert place.version == version + 1
    with pytest.raises(StaleEdit):
        save(session, PlaceInput(name="Evin", kind="prison"), ACTOR, place, version)
    occasion = save(session, OccasionInput(title="Conference", kind="conference", date="2018-07-16?"), ACTOR)
    assert occasion.date_lower.isoformat() == "2018-07-16"
    with pytest.raises(Rejected) as rejected:
        save(session, SourceInput(title="An article", kind="article", stance_note="<p onclick=x>Hi</p>"), ACTOR)
    assert "onclick=" in rejected.value.by_field()["stance_note"][0]
    source = save(session, SourceInput(title="An article", kind="article", stance_note="<p><em>Hi</em> <u>u</u></p>"), ACTOR)
    assert source.stance_note_html == "<p><em>Hi</em> u</p>"
    assert verify_chains(session) == []


def test_inline_agent_creation(session):
    testimony = save_testimony(session, {
        "title": "An account", "language": "en", "account_kind": "eyewitness",
        "roles": [{"new_agent": AgentInput(name="Kobra Jokar", kind=AgentKind.PERSON.value), "role": "speaker"}],
        "segments": [{"kind": SegmentKind.FIRST_PERSON.value, "text": "Words."}],
    }, ACTOR)
    assert testimony.roles[0].agent.key == "kobra-jokar"


def test_numbers_read_before_the_write_lock_are_read_again_when_a_save_came_in_between(
        db, session, make_agent, monkeypatch):
    from catalog.services.write import records

    agent = make_agent()
    testimony = save_testimony(session, data(agent.id, [("first_person", "One.")]), ACTOR)
    session.commit()
    keep = {"id": testimony.segments[0].id, "kind": "first_person", "text": "One."}
    take = records.take_write_lock

    def another_save_first(own):
        # Between this save's check and its write: ¶2 is given and taken away again.
        monkeypatch.setattr(records, "take_write_lock", take)
        with db.writing() as other:
            theirs = other.get(Testimony, testimony.id)
            save_testimony(other, {**data(agent.id, []), "segments": [keep, {"kind": "first_person", "text": "Theirs."}]},
                           Actor("other"), theirs, theirs.version)
            save_testimony(other, {**data(agent.id, []), "segments": [keep]}, Actor("other"), theirs, theirs.version)
        take(own)

    monkeypatch.setattr(records, "take_write_lock", another_save_first)
    save_testimony(session, {**data(agent.id, []), "segments": [keep, {"kind": "first_person", "text": "Mine."}]},
                   ACTOR, testimony)
    session.commit()
    assert [s.number for s in testimony.segments] == [1, 3]
    assert verify_chains(session) == []


def test_the_garbage_collector_rests_only_while_a_save_writes(session, make_agent, monkeypatch):
    import gc

    from catalog.services.write import records

    agent = make_agent()
    seen = []
    commit = records.commit_revision

    def watched(ctx, record, note):
        seen.append(gc.isenabled())
        return commit(ctx, record, note)

    monkeypatch.setattr(records, "commit_revision", watched)
    assert gc.isenabled()
    testimony = save_testimony(session, data(agent.id, [("first_person", "Words.")]), ACTOR)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(StaleEdit):
        save_testimony(session, data(agent.id, [("first_person", "Later.")]), ACTOR, testimony, testimony.version - 1)
    assert gc.isenabled()
    # Two saves writing at once: the collector comes back when the last one ends.
    with records._collector_paused():
        with records._collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
