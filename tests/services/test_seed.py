"""The seed document as data: fidelity to the text, attribution, and idempotent loading."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from catalog.models import (
    Agent,
    AgentName,
    AgentRole,
    Base,
    Claim,
    NameKind,
    Occasion,
    RoleKind,
    Segment,
    SegmentKind,
    Source,
    Testimony,
)
from catalog.paths import SEED_CATALOG, SEED_DOCUMENT
from catalog.services.seed import load_seeds

DOCUMENT = SEED_DOCUMENT.read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    return "".join(text.split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+(?:[’'.,-]\w+)*", text)


def article_segments(session) -> list[Segment]:
    article = session.scalar(select(Source).where(Source.key == "article"))
    return list(
        session.scalars(select(Segment).where(Segment.source_id == article.id).order_by(Segment.source_position))
    )


def test_seed_document_is_the_shared_one():
    data = json.loads(SEED_CATALOG.read_text(encoding="utf-8"))
    article = next(s for s in data["sources"] if s["key"] == "article")
    import hashlib

    assert article["files"][0]["sha256"] == hashlib.sha256(SEED_DOCUMENT.read_bytes()).hexdigest()


def test_article_segments_reproduce_the_document(seeded):
    with seeded.session() as session:
        segments = article_segments(session)
    assert squeeze("".join(s.text for s in segments)) == squeeze(DOCUMENT)


def test_every_word_is_covered_by_exactly_one_segment(seeded):
    with seeded.session() as session:
        segments = article_segments(session)
    document_words = words(DOCUMENT)
    segment_words = [w for s in segments for w in words(s.text)]
    assert segment_words == document_words
    # Exactly one: no two segments of the article share a position or overlap in the text.
    positions = [s.source_position for s in segments]
    assert len(positions) == len(set(positions))
    cursor = 0
    flat = squeeze(DOCUMENT)
    for segment in segments:
        piece = squeeze(segment.text)
        assert flat.startswith(piece, cursor), f"segment {segment.source_position} is not verbatim at its place"
        cursor += len(piece)
    assert cursor == len(flat)


def test_paragraphs_follow_the_document(seeded):
    paragraphs = [p for p in DOCUMENT.split("\n") if p.strip()]
    with seeded.session() as session:
        segments = article_segments(session)
    for number, paragraph in enumerate(paragraphs, 1):
        pieces = [s.text for s in segments if s.source_paragraph == number]
        assert squeeze("".join(pieces)) == squeeze(paragraph)


def test_framing_sentence_splits_at_the_quote(seeded):
    with seeded.session() as session:
        jokar = session.scalar(select(Testimony).where(Testimony.public_id == "T-0012"))
        kinds = [(s.kind, s.text) for s in jokar.segments]
    assert kinds[0] == (SegmentKind.EDITORIAL, "Kobra Jokar, MEK member, said:")
    assert kinds[1][0] is SegmentKind.FIRST_PERSON
    assert kinds[1][1].startswith("I was in the regime’s prisons for six years.")
    assert kinds[1][1].endswith("because we had relations with the MEK")
    assert (SegmentKind.EDITORIAL, "said Ms. Kobra Jokar.") in kinds


def test_first_person_segments_hold_only_the_speakers_words(seeded):
    attribution = re.compile(r"\b(said|added|continued|wrote|writes)\s+(Ms\.|Mr\.|Montazeri)|\b(he|she) (said|added)\b")
    with seeded.session() as session:
        segments = article_segments(session)
    first_person = [s for s in segments if s.kind is SegmentKind.FIRST_PERSON]
    framing = [s.text for s in segments if s.kind is SegmentKind.EDITORIAL and len(s.text) > 3]
    assert len(first_person) >= 25
    for segment in first_person:
        assert segment.testimony_id is not None
        assert segment.text[0] not in "“”" and segment.text[-1] not in "“”", segment.text
        assert not attribution.search(segment.text), segment.text
        assert not any(frame in segment.text for frame in framing), segment.text


def test_article_narrative_is_attributed_to_the_article_not_a_witness(seeded):
    with seeded.session() as session:
        segments = article_segments(session)
        narrative = [s for s in segments if s.testimony_id is None]
        assert narrative[0].text.startswith("The summer of 1988 was witness")
        assert all(s.kind is SegmentKind.EDITORIAL for s in narrative)
        roles = session.scalars(select(AgentRole).where(AgentRole.source_id.is_not(None))).all()
        assert all(r.testimony_id is None for r in roles)


EXPECTED_SPEAKERS = {
    "kamal-afkhami-ardekani": "official_insider",
    "kobra-jokar": "survivor",
    "juan-garces": "expert_statement",
    "tahar-boumedra": "expert_statement",
    "anonymous-survivor": "survivor",
    "hossein-ali-montazeri": "official_insider",
    "le-monde": "press_report",
    "amnesty-international": "organisational_statement",
    "ruhollah-khomeini": "document",
}


@pytest.mark.parametrize("agent_key,account_kind", EXPECTED_SPEAKERS.items())
def test_every_quoted_speaker_has_a_testimony(seeded, agent_key, account_kind):
    with seeded.session() as session:
        kinds = session.scalars(
            select(Testimony.account_kind)
            .join(AgentRole, AgentRole.testimony_id == Testimony.id)
            .join(Agent, AgentRole.agent_id == Agent.id)
            .where(Agent.key == agent_key, AgentRole.role == RoleKind.SPEAKER)
        ).all()
    assert account_kind in {kind.value for kind in kinds}


def test_khomeini_decree_and_letter_are_documents(seeded):
    with seeded.session() as session:
        titles = session.scalars(
            select(Testimony.title).where(Testimony.account_kind == "document").order_by(Testimony.public_id)
        ).all()
    assert any("decree" in t for t in titles) and any("letter" in t for t in titles)


def test_jokar_conference_date_is_uncertain_with_its_reasoning(seeded):
    with seeded.session() as session:
        occasion = session.scalar(
            select(Occasion).join(Testimony, Testimony.occasion_id == Occasion.id).where(Testimony.public_id == "T-0012")
        )
        assert occasion.date_edtf == "2018-07-16?"
        assert "Monday" in occasion.date_note and "2018" in occasion.date_note
        assert occasion.place.name == "MEK headquarters in Albania"


def test_montazeri_memoir_words_reached_us_through_hrw(seeded):
    with seeded.session() as session:
        testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0008"))
        chain = [(link.agent.key if link.agent else None, link.source.key) for link in testimony.transmission]
    assert chain == [
        ("hossein-ali-montazeri", "montazeri-memoirs"),
        ("human-rights-watch", "hrw-report"),
        (None, "article"),
    ]


def test_hospital_survivor_is_reported_not_first_person(seeded):
    with seeded.session() as session:
        segment = session.scalar(select(Segment).where(Segment.text.startswith("One was in the prison hospital")))
        assert segment.kind is SegmentKind.REPORTED
        assert segment.testimony.public_id == "T-0013"


def test_anonymous_survivor_is_protected(seeded):
    with seeded.session() as session:
        agent = session.scalar(select(Agent).where(Agent.key == "anonymous-survivor"))
    assert agent.is_protected and agent.public_pseudonym


@pytest.mark.parametrize(
    "agent_key,name,kind",
    [
        ("mostafa-pour-mohammadi", "Mostafa Pour-mohammadi", NameKind.SPELLING_VARIANT),
        ("mostafa-pour-mohammadi", "Mustafa Pour-Mohammadi", NameKind.SPELLING_VARIANT),
        ("ebrahim-raisi", "Ebrahim Raissi", NameKind.SPELLING_VARIANT),
        ("mek", "Monafeqin", NameKind.PEJORATIVE),
    ],
)
def test_agents_carry_their_spellings(seeded, agent_key, name, kind):
    with seeded.session() as session:
        found = session.scalar(
            select(AgentName).join(Agent).where(Agent.key == agent_key, AgentName.name == name)
        )
    assert found is not None and found.kind is kind


def test_accused_people_are_named_by_a_source_not_by_the_catalog(seeded):
    with seeded.session() as session:
        roles = session.scalars(select(AgentRole).where(AgentRole.role == RoleKind.ALLEGED_PERPETRATOR)).all()
        named = {(r.agent.key, r.named_by.key) for r in roles}
    assert ("ebrahim-raisi", "article") in named
    assert ("mostafa-pour-mohammadi", "article") in named
    assert ("mostafa-pour-mohammadi", "montazeri-memoirs") in named
    assert all(r.named_by is not None for r in roles)


@pytest.mark.parametrize(
    "low,high,speaker",
    [
        (30000, None, None),
        (8000, None, None),
        (2800, 3800, "hossein-ali-montazeri"),
        (70, 70, "tahar-boumedra"),
        (50, 50, "kobra-jokar"),
        (75, 75, "kobra-jokar"),
    ],
)
def test_claims_for_the_documents_figures(seeded, low, high, speaker):
    with seeded.session() as session:
        claims = session.scalars(select(Claim).where(Claim.quantity_low == low)).all()
        matching = [c for c in claims if c.quantity_high == high and (c.speaker.key if c.speaker else None) == speaker]
        assert matching, f"no claim of {low}-{high} by {speaker}"
        claim = matching[0]
        assert claim.excerpt in claim.segment.text
        assert claim.scope_note or claim.scope_place or claim.scope_period_edtf


def _row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def test_loading_twice_changes_nothing(seeded):
    with seeded.session() as session:
        before = _row_counts(session)
    with seeded.writing() as session:
        report = load_seeds(session)
    assert not report.created
    with seeded.session() as session:
        after = _row_counts(session)
    assert before == after
    assert before["testimonies"] == 13
