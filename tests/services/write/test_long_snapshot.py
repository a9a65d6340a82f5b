"""A long testimony's revision: the snapshot made from the values written (its new rows are not
read back as objects) is the one the saved rows give, byte for byte, so its chain verifies."""

from __future__ import annotations

from sqlalchemy import select

from catalog.models import Revision, Testimony
from catalog.services.actors import Actor
from catalog.services.revisions import canonical, snapshot, verify_chains
from catalog.services.write import SourceInput, TestimonyInput, save

ACTOR = Actor("tester")


def passages(count, author_key, source_key):
    """Every kind of value a segment holds: framing by an author, translations, timecodes, access
    levels, a place in a source's text, and redactions given out of order."""
    rows = []
    for i in range(count):
        row = {"kind": "first_person", "text": f"Passage {i}: the words as spoken, with a name in them."}
        if i % 5 == 1:
            row = {"kind": "editorial", "text": f"Framing {i}: the archive's note on what follows.", "author": author_key}
        if i % 7 == 2:
            row |= {"translation": f"Passage {i} translated.", "translation_language": "fr"}
        if i % 4 == 3:
            row |= {"timecode_start": i * 2, "timecode_end": i * 2 + 1.5, "access_level": "restricted"}
        if i % 9 == 4:
            row["redactions"] = [{"start": 30, "end": 34, "access_level": "confidential", "reason": "a name"},
                                 {"start": 0, "end": 7, "access_level": "restricted"}]
        if i in (10, 11):
            row |= {"source": source_key, "source_position": i, "paragraph": 2}
        rows.append(row)
    return rows


def rebuilt(db, testimony_id):
    """The latest revision's snapshot, and the snapshot the saved rows give in a fresh session."""
    with db.session() as fresh:
        testimony = fresh.get(Testimony, testimony_id)
        stored = fresh.scalars(select(Revision.snapshot).where(
            Revision.entity_type == "testimony", Revision.entity_id == testimony_id).order_by(Revision.number.desc())
        ).first()
        return stored, canonical(snapshot(testimony)), verify_chains(fresh)


def test_a_long_create_snapshots_what_the_saved_rows_say(db, session, make_agent):
    speaker, author = make_agent("Witness"), make_agent("Archive")
    source = save(session, SourceInput(key="the-report", title="The report"), ACTOR)
    testimony = save(session, TestimonyInput(
        title="A long interview", roles=[{"agent": speaker.id, "role": "speaker"}],
        segments=passages(200, author.key, source.key)), ACTOR)
    session.commit()
    stored, from_rows, problems = rebuilt(db, testimony.id)
    assert stored == from_rows
    assert problems == []
    assert stored.count('"author_key":"%s"' % author.key) == 40
    assert stored.count('"source_key":"the-report"') == 2
    assert '"redactions":[{"access_level":"restricted","end":7,"reason":"","start":0},' in stored


def test_adding_a_passage_to_a_long_testimony_snapshots_the_saved_rows(db, session, make_agent):
    speaker, author = make_agent("Witness"), make_agent("Archive")
    source = save(session, SourceInput(key="the-report", title="The report"), ACTOR)
    testimony = save(session, TestimonyInput(
        title="A long interview", roles=[{"agent": speaker.id, "role": "speaker"}],
        segments=passages(200, author.key, source.key)), ACTOR)
    session.commit()
    rows = passages(200, author.key, source.key)
    for row, segment in zip(rows, testimony.segments):
        row["id"] = segment.id
        # As a form gives them back: in the order of the text.
        row.get("redactions", []).sort(key=lambda r: r["start"])
    rows.insert(50, {"kind": "editorial", "text": "A note added.", "author": author.key,
                     "redactions": [{"start": 2, "end": 6, "access_level": "restricted"}]})
    save(session, TestimonyInput(title="A long interview", roles=[{"agent": speaker.id, "role": "speaker"}],
                                 segments=rows), ACTOR, existing=testimony, expected_version=testimony.version)
    session.commit()
    stored, from_rows, problems = rebuilt(db, testimony.id)
    assert stored == from_rows
    assert problems == []
    assert '"number":201' in stored and '"text":"A note added."' in stored
