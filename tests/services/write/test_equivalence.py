"""The three doors into the write path — the archivist's testimony form, the JSON import and the CSV
import — accept and refuse exactly the same testimonies, with the same messages, and store the
same thing when they accept.

Hypothesis generates testimonies, valid and invalid: titles with and without control characters,
bidi controls or markup; empty and blank text; segment kinds valid and invalid; first-person
segments given an author of framing; redactions inside and outside the text; EDTF dates and
language tags valid and invalid. Each is built three ways and the outcomes compared. Paths differ
per door (a form field, `testimonies[0].title`, "row 2, title"), so only the messages are compared.

One database per test: each example rolls its sessions back, so the examples never see each other.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from catalog.forms.records import TestimonyForm
from catalog.models import Agent, AgentKind, Testimony
from catalog.services.actors import Actor
from catalog.services.imports import load_catalog, run_import
from catalog.services.write import Rejected, save

ACTOR = Actor.system("equivalence test")
PUBLIC_ID = "T-0900"
SPEAKER, FRAMER = "equivalence-speaker", "equivalence-framer"
FORMAT = "testimony-catalog/1"

# --- what is generated ----------------------------------------------------------------------------
#
# A good testimony is drawn first; then none, one or two of its fields are spoiled. So about half
# the cases pass (and the doors' writes are compared), and each refused case says which rule it
# broke. Values the catalog would take are mixed into the "bad" pools on purpose: the property does
# not care which way a case goes, only that the doors agree on it.

#: Pieces of a good title.
TITLE_WORDS = ["Evin", "1988", " ", "Prison", "گواهی", "Évin", "e\u0301", ",", "a < b", "x>y", "“Gohardasht”"]
#: What a title must not carry: markup, bidi controls, control characters, a NUL, line breaks, a tab.
TITLE_HAZARDS = [
    "<b>Bold</b>", "<script>alert(1)</script>", "<i", "</p>",
    "\u202e", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069",
    "\x00", "\x07", "\x1b", "\x1c", "\x7f", "\x85", "\x9f", "\n", "\t",
]
#: Segment text. No carriage returns: a browser sends every line break of a textarea as CRLF and
#: the form door stores it as LF, so a CR cannot be told apart from a line break through the form.
TEXT_WORDS = ["I was there.", "من آنجا بودم.", " ", "\n", "\n\n", "\t", "<b>not markup in a witness's words</b>",
              "\u202e", "\u2066", "e\u0301", "“quoted”"]
TEXT_HAZARDS = ["\x00", "\x07", "\x1c"]
KINDS = ["first_person", "editorial", "question", "reported"]
BAD_KINDS = ["firstperson", "FIRST_PERSON", "narration", "", " "]
LANGUAGES = ["en", "fa", "fa-Latn", "pt-BR", "ar", "", " fa", "fa\x1c"]
BAD_LANGUAGES = ["e", "english", "xx-!!", "en_US", "12", "fa-", " e ", "<en>"]
DATES = ["", "1988", "1988-07", "1988-07-16", "1988-07/1988-09", "1988~", "2018-07-16?", "198X", "1988-22", " 1988 ",
         "1988\n"]
BAD_DATES = ["1988-13", "1988-02-30", "19888", "not a date", "1988-07-32", "<script>", "1988\u202e", "1988\x1c",
             "\x071988-07"]
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=12)
FLAWS = ["title", "language", "date", "kind", "text", "segment_language", "translation_language", "author",
         "redaction"]


@dataclass
class Segment:
    kind: str
    text: str
    language: str
    authored: bool
    translation: str = ""
    translation_language: str = ""
    #: (start, end) character offsets; the CSV door has no columns for them (see `csv_door`).
    redactions: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Case:
    title: str
    language: str
    events_date: str
    segments: list[Segment]

    @property
    def has_redactions(self) -> bool:
        return any(segment.redactions for segment in self.segments)


good_titles = st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=4).map("".join).filter(str.strip)
bad_titles = st.one_of(
    st.tuples(good_titles, st.sampled_from(TITLE_HAZARDS), good_titles).map("".join),
    st.sampled_from(["", "   ", "\t", "\x85"]),
    ANY_TEXT,
)
good_texts = st.lists(st.sampled_from(TEXT_WORDS), min_size=1, max_size=4).map("".join).filter(str.strip)
bad_texts = st.one_of(
    st.tuples(good_texts, st.sampled_from(TEXT_HAZARDS)).map("".join),
    st.sampled_from(["", " ", "\n\t"]),
    ANY_TEXT,
)


@st.composite
def redactions_in(draw, text: str, within: bool) -> list[tuple[int, int]]:
    length = len(unicodedata.normalize("NFC", text))
    if within and length:
        start = draw(st.integers(0, length - 1))
        return [(start, draw(st.integers(start + 1, length)))]
    start = draw(st.integers(-1, length + 2))
    end = draw(st.one_of(st.just(start), st.integers(length + 1, length + 5), st.integers(-2, start)))
    return [(start, end)]


@st.composite
def cases(draw) -> Case:
    flaws = draw(st.sets(st.sampled_from(FLAWS), max_size=2))
    redacted = "redaction" in flaws or draw(st.sampled_from([False, False, True]))
    count = draw(st.integers(1, 3))
    spoiled = draw(st.integers(0, count - 1))
    segments = []
    for index in range(count):
        flawed = flaws if index == spoiled else set()
        kind = draw(st.sampled_from(BAD_KINDS) if "kind" in flawed else st.sampled_from(KINDS))
        text = draw(bad_texts if "text" in flawed else good_texts)
        authored = "author" in flawed or (kind != "first_person" and draw(st.booleans()))
        if "author" in flawed:
            kind = "first_person"
        translation = draw(st.sampled_from(["", "", "", "A translation.", "  padded\n", "\x07"]))
        segments.append(Segment(
            kind=kind, text=text, authored=authored,
            language=draw(st.sampled_from(BAD_LANGUAGES if "segment_language" in flawed else LANGUAGES)),
            translation=translation,
            translation_language=draw(st.sampled_from(
                BAD_LANGUAGES if "translation_language" in flawed else LANGUAGES)) if translation else "",
            redactions=draw(redactions_in(text, within="redaction" not in flawed))
            if redacted and (index == spoiled or draw(st.booleans())) else [],
        ))
    return Case(
        title=draw(bad_titles if "title" in flaws else good_titles),
        language=draw(st.sampled_from(BAD_LANGUAGES if "language" in flaws else LANGUAGES)),
        events_date=draw(st.sampled_from(BAD_DATES if "date" in flaws else DATES)),
        segments=segments,
    )


# --- the three doors ------------------------------------------------------------------------------


@dataclass
class Outcome:
    door: str
    #: The problems' messages when refused (None when accepted).
    messages: frozenset[str] | None = None
    stored: tuple | None = None

    @property
    def accepted(self) -> bool:
        return self.messages is None


def stored(session) -> tuple:
    """What the catalog holds of the testimony, as the doors must agree on it."""
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == PUBLIC_ID))
    assert testimony is not None, "accepted, but no testimony was stored"
    return (
        testimony.title,
        testimony.language,
        testimony.events_date_edtf,
        testimony.events_date_lower,
        testimony.events_date_upper,
        tuple(
            (s.kind.value, s.text, s.language, s.direction, s.translation, s.translation_language,
             s.author.key if s.author else None, tuple((r.start, r.end) for r in s.redactions))
            for s in sorted(testimony.segments, key=lambda s: s.position)
        ),
    )


def form_door(app, session, case: Case, ids: dict[str, int]) -> Outcome:
    """As the archivist's form posts it (see tests/web/formdata.py for the shape of the fields)."""
    data = MultiDict({
        "public_id": PUBLIC_ID, "title": case.title, "language": case.language, "account_kind": "eyewitness",
        "events_date_edtf": case.events_date, "occasion_id": "", "new_occasion_title": "",
        "new_occasion_kind": "interview", "new_occasion_date": "", "source_id": "", "new_source_title": "",
        "new_source_kind": "recording", "access_level": "public", "consent_status": "unknown", "consent_note": "",
        "summary_html": "", "note": "",
        "roles-0-agent_id": str(ids[SPEAKER]), "roles-0-new_agent_name": "", "roles-0-new_agent_kind": "person",
        "roles-0-role": "speaker", "roles-0-named_by_source_id": "", "roles-0-relation_to_events": "",
    })
    for i, segment in enumerate(case.segments):
        prefix = f"segments-{i}-"
        data.update({
            f"{prefix}record_id": "", f"{prefix}number": "", f"{prefix}kind": segment.kind,
            f"{prefix}text": segment.text, f"{prefix}language": segment.language, f"{prefix}direction": "auto",
            f"{prefix}translation": segment.translation, f"{prefix}translation_language": segment.translation_language,
            f"{prefix}access_level": "public",
            f"{prefix}author_id": str(ids[FRAMER]) if segment.authored else "", f"{prefix}timecode_start": "",
            f"{prefix}timecode_end": "", f"{prefix}split_at": "",
        })
        for j, (start, end) in enumerate(segment.redactions):
            data.update({
                f"{prefix}redactions-{j}-start": str(start), f"{prefix}redactions-{j}-end": str(end),
                f"{prefix}redactions-{j}-access_level": "confidential", f"{prefix}redactions-{j}-reason": "",
            })
    with app.test_request_context("/archive/testimonies/new", method="POST"):
        form = TestimonyForm(formdata=data)
        record_input = form.to_input()
    try:
        save(session, record_input, ACTOR, note=form.note.data)
    except Rejected as rejected:
        return Outcome("form", messages=frozenset(p.message for p in rejected.problems))
    session.flush()
    return Outcome("form", stored=stored(session))


def json_entry(case: Case) -> dict:
    segments = []
    for segment in case.segments:
        entry = {"kind": segment.kind, "text": segment.text, "language": segment.language,
                 "translation": segment.translation, "translation_language": segment.translation_language}
        if segment.authored:
            entry["author"] = FRAMER
        if segment.redactions:
            entry["redactions"] = [{"start": start, "end": end, "access_level": "confidential"}
                                   for start, end in segment.redactions]
        segments.append(entry)
    return {
        "id": PUBLIC_ID, "title": case.title, "account_kind": "eyewitness", "language": case.language,
        "events_date": case.events_date, "roles": [{"agent": SPEAKER, "role": "speaker"}], "segments": segments,
    }


def json_door(session, case: Case) -> Outcome:
    """As a file in the catalog's JSON format, read back through the JSON parser first."""
    data = json.loads(json.dumps({"format": FORMAT, "testimonies": [json_entry(case)]}))
    try:
        load_catalog(session, data, ACTOR)
    except Rejected as rejected:
        return Outcome("json", messages=frozenset(p.message for p in rejected.problems))
    return Outcome("json", stored=stored(session))


CSV_COLUMNS = ["testimony", "title", "speaker", "account_kind", "language", "events_date", "segment_kind",
               "segment_text", "segment_language", "translation", "translation_language", "author"]


def csv_door(session, case: Case) -> Outcome:
    """As a spreadsheet saved as CSV: one row per segment, the testimony's columns on its first row.
    Redactions have no CSV columns, so cases with redactions are not put through this door."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for i, segment in enumerate(case.segments):
        first = i == 0
        writer.writerow([
            PUBLIC_ID, case.title if first else "", SPEAKER if first else "", "eyewitness" if first else "",
            case.language if first else "", case.events_date if first else "", segment.kind, segment.text,
            segment.language, segment.translation, segment.translation_language, FRAMER if segment.authored else "",
        ])
    result = run_import(session, out.getvalue().encode("utf-8"), ACTOR, filename="batch.csv")
    if not result.ok:
        # "row 2, title: Required." -> "Required."
        return Outcome("csv", messages=frozenset(problem.split(": ", 1)[1] for problem in result.problems))
    return Outcome("csv", stored=stored(session))


def explain(case: Case, outcomes: list[Outcome]) -> str:
    lines = [f"{case!r}"]
    for outcome in outcomes:
        lines.append(f"  {outcome.door}: " + (f"accepted {outcome.stored!r}" if outcome.accepted
                                                else f"refused {sorted(outcome.messages)!r}"))
    return "\n".join(lines)


# --- the property ---------------------------------------------------------------------------------


@pytest.fixture
def through_every_door(app, db):
    """`through_every_door(case)`: the outcome at each door, each in a session rolled back after."""
    with db.writing() as session:
        session.add_all([Agent(key=SPEAKER, kind=AgentKind.PERSON, preferred_name="A witness"),
                         Agent(key=FRAMER, kind=AgentKind.ORGANISATION, preferred_name="A newspaper")])
    with db.session() as session:
        ids = {key: id_ for key, id_ in session.execute(select(Agent.key, Agent.id))}

    def through(case: Case) -> list[Outcome]:
        doors = [lambda s: form_door(app, s, case, ids), lambda s: json_door(s, case)]
        if not case.has_redactions:  # the CSV format has no columns for redactions
            doors.append(lambda s: csv_door(s, case))
        found = []
        for door in doors:
            session = db.session(write=True)
            try:
                found.append(door(session))
            finally:
                session.rollback()
                session.close()
        return found

    return through


def assert_doors_agree(case: Case, outcomes: list[Outcome]) -> None:
    first = outcomes[0]
    assert all(o.accepted == first.accepted for o in outcomes), "the doors disagree:\n" + explain(case, outcomes)
    if first.accepted:
        assert all(o.stored == first.stored for o in outcomes), (
            "the doors store different things:\n" + explain(case, outcomes))
    else:
        assert all(o.messages == first.messages for o in outcomes), (
            "the doors refuse with different messages:\n" + explain(case, outcomes))


def test_form_json_and_csv_doors_agree(through_every_door):
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=cases())
    # Disagreements Hypothesis found, kept so that every run tries them: the CSV door trimmed a
    # title's line break or a date's control character away before the rules saw them, trimmed the
    # spaces and line breaks a translation was typed with, and refused an empty segment kind with a
    # message of its own.
    @example(Case("Evin\n", "en", "", [Segment("first_person", "I was there.", "en", False)]))
    @example(Case("Evin\x1c", "en", "", [Segment("first_person", "I was there.", "en", False)]))
    @example(Case("", "en", "", [Segment("", "", "en", False)]))
    @example(Case("Evin", "en", "1988\x1c", [Segment("first_person", "I was there.", "en", False)]))
    @example(Case("Evin", "en", "", [Segment("editorial", "Framing.", "en", False, translation="  padded\n",
                                             translation_language="en")]))
    def doors_agree(case: Case) -> None:
        assert_doors_agree(case, through_every_door(case))

    doors_agree()


def test_examples_that_must_hold(through_every_door):
    """A few cases the generator may or may not reach, fixed so that they always run."""
    fine = Segment("first_person", "I was there.", "", False)
    refused = {
        "markup title": Case("<b>Bold</b>", "en", "", [fine]),
        "bidi title": Case("Evin\u2067 1988", "en", "", [fine]),
        "control title": Case("Evin\x07", "en", "", [fine]),
        "blank title": Case("   ", "en", "", [fine]),
        "blank text": Case("Evin", "en", "", [Segment("first_person", "   ", "", False)]),
        "bad kind": Case("Evin", "en", "", [Segment("firstperson", "Words.", "", False)]),
        "first person with an author": Case("Evin", "en", "", [Segment("first_person", "Words.", "", True)]),
        "redaction past the end": Case("Evin", "en", "", [
            Segment("first_person", "Words.", "", False, redactions=[(2, 9)])]),
        "empty redaction": Case("Evin", "en", "", [
            Segment("first_person", "Words.", "", False, redactions=[(3, 3)])]),
        "bad date": Case("Evin", "en", "1988-13", [fine]),
        "bad language": Case("Evin", "english", "", [fine]),
        "bad segment language": Case("Evin", "en", "", [Segment("first_person", "Words.", "xx-!!", False)]),
    }
    for name, case in refused.items():
        found = through_every_door(case)
        assert not any(o.accepted for o in found), f"{name}:\n" + explain(case, found)
        assert len({o.messages for o in found}) == 1, f"{name}:\n" + explain(case, found)
    accepted = Case("  Evin, 1988  ", "fa", "1988-07/1988-09", [
        Segment("editorial", "Framing.", "en", True),
        Segment("first_person", "من آنجا بودم.", "", False, redactions=[(0, 2)]),
    ])
    found = through_every_door(accepted)
    assert all(o.accepted for o in found), explain(accepted, found)
    assert len({o.stored for o in found}) == 1, explain(accepted, found)
    title, language, date, *_, stored_segments = found[0].stored
    assert (title, language, date) == ("Evin, 1988", "fa", "1988-07/1988-09")
    assert stored_segments[1][3] == "rtl" and stored_segments[1][7] == ((0, 2),)
    by_csv_too = Case("Gohardasht, 1988", "en", "1988~", [
        Segment("question", "Where were you?", "", True),
        Segment("first_person", "من آنجا بودم.", "fa", False, translation="I was there.", translation_language="en"),
    ])
    found = through_every_door(by_csv_too)
    assert [o.door for o in found] == ["form", "json", "csv"]
    assert all(o.accepted for o in found), explain(by_csv_too, found)
    assert len({o.stored for o in found}) == 1, explain(by_csv_too, found)
