"""Building transcripts from the visibility-scoped records (never from ORM objects)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Iterable, Optional
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from ... import queries
from ...models import RoleKind, SegmentKind
from ...queries import ClaimRecord, SegmentRecord, SourceRecord, TestimonyRecord, TestimonySummary
from ...text import language_name
from ...viewer import Viewer
from .model import Block, Field, Note, Part, Piece, PrintOptions, Transcript

#: The most testimonies one selection may print: a page of results, with room to spare.
MAX_SELECTION = 100
#: Longest heading a selection may be given.
MAX_TITLE = 120

KIND_LABELS = {
    SegmentKind.FIRST_PERSON: "Own words",
    SegmentKind.EDITORIAL: "Framing",
    SegmentKind.QUESTION: "Question",
    SegmentKind.REPORTED: "Reported — not the speaker’s own words",
}

_ID_SPLIT = re.compile(r"[\s,;]+")
_ID_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SelectionRefused(Exception):
    """A selection that cannot be printed as asked; the message says why, in the reader's terms."""

    def __init__(self, message: str, unprintable: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.unprintable = unprintable


def _language(code: Optional[str]) -> str:
    return language_name(code) if code else "not recorded"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _join_url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _label(value: str) -> str:
    return value.replace("_", " ")


# --- pieces of a testimony -------------------------------------------------------------------


def _claim_note(number: int, claim: ClaimRecord) -> Note:
    scope = []
    if claim.scope_place:
        scope.append(claim.scope_place.full_name)
    if claim.scope_period_edtf:
        scope.append(claim.scope_period_words)
    if claim.scope_note:
        scope.append(claim.scope_note)
    who = claim.speaker.name if claim.speaker else "an unnamed speaker"
    text = f"Claim ({_label(claim.kind)}) made by {who}: {claim.statement}"
    if scope:
        text += f" Scope: {'; '.join(item.rstrip('.') for item in scope)}."
    corroboration = tuple(
        f"{'Supported' if c.relation == 'supports' else _label(c.relation).capitalize()}"
        f"{' by' if c.direction == 'incoming' and c.relation == 'supports' else ''}"
        f" — {c.other_claim_key or c.other_testimony_id or 'another record'}: {c.rationale}"
        for c in claim.corroborations
    ) or ("No corroboration recorded for this claim.",)
    return Note(number=number, claim_key=claim.key, text=text, corroboration=corroboration)


def _pieces(segment: SegmentRecord) -> tuple[Piece, ...]:
    return tuple(Piece(piece.text, piece.is_redacted, piece.redacted_below) for piece in segment.pieces)


def _translation(segment: SegmentRecord, options: PrintOptions) -> tuple[Optional[str], Optional[str], str]:
    if options.translation == "none":
        return None, None, ""
    if segment.translation:
        return segment.translation, segment.translation_language or "en", ""
    if segment.translation_withheld:
        return None, None, "Translation withheld: the original is partly redacted."
    return None, None, ""


def _attribution(segment: SegmentRecord, speakers: str, interviewers: str, framer: str) -> str:
    if segment.kind is SegmentKind.FIRST_PERSON:
        return speakers
    if segment.kind is SegmentKind.QUESTION:
        return f"asked by {segment.author.name if segment.author else interviewers or 'the interviewer'}"
    who = segment.author.name if segment.author else framer
    if segment.kind is SegmentKind.REPORTED:
        return f"as told by {who}"
    return f"by {who}"


def _framer(source_title: Optional[str]) -> str:
    return f"the source ({source_title})" if source_title else "the catalog"


def _names(refs: Iterable[str]) -> str:
    names = list(dict.fromkeys(refs))
    return " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]


def _testimony_fields(t: TestimonyRecord) -> tuple[Field, ...]:
    fields = [Field("Catalog id", t.public_id)]
    for role in t.speakers:
        fields.append(
            Field(
                "Speaker",
                role.agent.name + (" (pseudonym; identity protected)" if role.agent.is_pseudonym else ""),
                (f"Relation to the events: {role.relation_to_events}",) if role.relation_to_events else (),
            )
        )
    others = [role for role in t.roles if role.role is not RoleKind.SPEAKER]
    if others:
        fields.append(
            Field(
                "Others named",
                f"{len(others)} {'person or body' if len(others) == 1 else 'people or bodies'}",
                tuple(
                    f"{role.agent.name} — {role.role.label}"
                    + (f" {role.named_by.title}" if role.named_by else "")
                    + (f"; {role.relation_to_events}" if role.relation_to_events else "")
                    for role in others
                ),
            )
        )
    if t.occasion:
        occasion = t.occasion
        where = f", {occasion.place.full_name}" if occasion.place else ""
        fields.append(
            Field(
                "Occasion",
                f"{occasion.title} ({_label(occasion.kind)}){where}",
                (f"Date: {occasion.date_words}" + (f" — EDTF {occasion.date_edtf}" if occasion.date_edtf else ""),)
                + ((f"About the date: {occasion.date_note}",) if occasion.date_note else ()),
            )
        )
    if t.events_date_edtf:
        fields.append(Field("Events described", f"{t.events_date_words} — EDTF {t.events_date_edtf}"))
    fields.append(Field("Language", _language(t.language)))
    fields.append(Field("Kind of account", _label(t.account_kind)))
    if t.transmission:
        steps = []
        for link in t.transmission:
            step = ", ".join(
                part for part in (link.agent.name if link.agent else "", link.source.title if link.source else "") if part
            ) or "unrecorded step"
            steps.append(f"{link.position}. {step}" + (f" ({link.note})" if link.note else ""))
        fields.append(Field("Transmission", "relayed" if t.is_relayed else "direct", tuple(steps)))
    if t.source:
        fields.append(Field("Source", t.source.title, (t.source.citation,) if t.source.citation else ()))
    fields.append(
        Field(
            "Corroboration",
            _label(t.corroboration_status),
            ((f"Rationale: {t.corroboration_rationale}",) if t.corroboration_rationale else ())
            + _corroboration_history(t),
        )
    )
    fields.append(
        Field("Consent / release", _label(t.consent_status), (t.consent_note,) if t.consent_note else ())
    )
    fields.append(Field("Record access level", t.access_level.value))
    return tuple(fields)


def _corroboration_history(t: TestimonyRecord) -> tuple[str, ...]:
    """The dated changes of the status, oldest first, each with its rationale (never who made it)."""
    if not t.corroboration_history:
        return ()
    return ("History of this status:",) + tuple(
        f"{change.changed_dt[:10]}: {_label(change.status)} — {change.rationale}" for change in t.corroboration_history
    )


def _notices(t: TestimonyRecord) -> tuple[str, ...]:
    notices = []
    if t.publication_state.value != "published":
        notices.append(f"This account is {t.publication_state.value}: it is not published in the catalog.")
        if t.withdrawn_reason:
            notices.append(f"Reason given: {t.withdrawn_reason}")
    if any(piece.redacted_below for segment in t.segments for piece in segment.pieces):
        notices.append("Words underlined with a dashed rule are redacted for readers below confidential access "
                       "(restricted: for the public): only staff prints show them.")
    return tuple(notices)


def _testimony_part(t: TestimonyRecord, options: PrintOptions, base_url: str) -> Part:
    speakers = _names(role.agent.name for role in t.speakers) or "the speaker"
    interviewers = _names(role.agent.name for role in t.roles if role.role is RoleKind.INTERVIEWER)
    framer = _framer(t.source.title if t.source else None)
    claims = {claim.key: claim for claim in t.claims}
    blocks, note_number = [], 0
    for segment in t.segments:
        notes = []
        for key in segment.claim_keys:
            if key in claims:
                note_number += 1
                notes.append(_claim_note(note_number, claims[key]))
        translation, translation_language, translation_note = _translation(segment, options)
        blocks.append(
            Block(
                number=segment.number,
                cite=f"{t.public_id} ¶{segment.number}" if segment.number else t.public_id,
                kind=segment.kind.value,
                kind_label=KIND_LABELS[segment.kind],
                attribution=_attribution(segment, speakers, interviewers, framer),
                pieces=_pieces(segment),
                language=segment.language,
                direction=segment.direction,
                translation=translation,
                translation_language=translation_language,
                translation_note=translation_note,
                notes=tuple(notes),
            )
        )
    return Part(
        kind="testimony",
        catalog_id=t.public_id,
        title=t.title,
        short_title=_short(t.title),
        fields=_testimony_fields(t),
        summary_html=t.summary_html,
        blocks=tuple(blocks),
        permalink=_join_url(base_url, f"t/{quote(t.public_id)}"),
        revision=str(t.revision) if t.revision is not None else "unrecorded",
        notices=_notices(t),
    )


# --- public builders ---------------------------------------------------------------------------


def testimony_transcript(
    session: Session, viewer: Viewer, public_id: str, options: PrintOptions, *, base_url: str,
    printed: Optional[dt.datetime] = None,
) -> Optional[Transcript]:
    """One testimony as this viewer may read it, or None when it does not exist for them."""
    record = queries.get_testimony(session, viewer, public_id)
    if record is None:
        return None
    part = _testimony_part(record, options, base_url)
    return _one_part_transcript("testimony", record.public_id, record.title, part, viewer, options, printed, base_url)


def _source_fields(source: SourceRecord) -> tuple[Field, ...]:
    ref = source.ref
    fields = [
        Field("Catalog key", ref.key),
        Field("Kind of source", _label(ref.kind)),
        Field("Publisher / author", ref.publisher.name if ref.publisher else "not named in the source"),
        Field("Date", ref.date_words + (f" — EDTF {ref.date_edtf}" if ref.date_edtf else "")),
        Field("Language", _language(source.language)),
    ]
    if ref.citation:
        fields.append(Field("Citation", ref.citation))
    if source.location:
        fields.append(Field("Original location", source.location))
    for file in source.files:
        fields.append(Field("File", file["filename"], (f"SHA-256 {file['sha256']}", f"{file['size']:,} bytes")))
    if source.testimonies:
        fields.append(
            Field(
                "Testimonies quoted",
                str(len(source.testimonies)),
                tuple(f"{t.public_id} — {t.title} ({_names(s.name for s in t.speakers) or 'speaker not named'})" for t in source.testimonies),
            )
        )
    fields.append(Field("Record access level", source.access_level.value))
    return tuple(fields)


def source_transcript(
    session: Session, viewer: Viewer, key: str, options: PrintOptions, *, base_url: str,
    printed: Optional[dt.datetime] = None,
) -> Optional[Transcript]:
    """A source read as published, in its original order, cut to this viewer."""
    source = queries.get_source(session, viewer, key)
    if source is None:
        return None
    summaries: dict[str, TestimonySummary] = {t.public_id: t for t in source.testimonies}
    claims_by_position: dict[int, list[ClaimRecord]] = {}
    for claim in queries.source_claims(session, viewer, key):
        if claim.segment_source_position is not None:
            claims_by_position.setdefault(claim.segment_source_position, []).append(claim)
    framer = f"the source ({source.ref.publisher.name})" if source.ref.publisher else "the source"
    blocks, note_number, last_paragraph = [], 0, None
    for segment in source.segments:
        summary = summaries.get(segment.testimony_id or "")
        speakers = _names(s.name for s in summary.speakers) if summary else ""
        notes = []
        for claim in claims_by_position.get(segment.source_position or -1, []):
            note_number += 1
            notes.append(_claim_note(note_number, claim))
        translation, translation_language, translation_note = _translation(segment, options)
        paragraph = segment.source_paragraph
        cite = f"{key} ¶{paragraph}" if paragraph else key
        if segment.testimony_id and segment.number:
            cite += f" · {segment.testimony_id} ¶{segment.number}"
        attribution = _attribution(segment, speakers or "the speaker", "", framer)
        blocks.append(
            Block(
                number=paragraph,
                cite=cite,
                kind=segment.kind.value,
                kind_label=KIND_LABELS[segment.kind],
                attribution=attribution,
                pieces=_pieces(segment),
                language=segment.language,
                direction=segment.direction,
                translation=translation,
                translation_language=translation_language,
                translation_note=translation_note,
                notes=tuple(notes),
                source_paragraph=paragraph if paragraph != last_paragraph else None,
            )
        )
        last_paragraph = paragraph
    notices = ()
    if source.withheld_passages:
        notices = (
            f"{source.withheld_passages} passage{'s' if source.withheld_passages != 1 else ''} of this source "
            "belong to records not open at this access level and are left out.",
        )
    revision = queries.source_revision(session, viewer, key)
    part = Part(
        kind="source",
        catalog_id=key,
        title=source.ref.title,
        short_title=_short(source.ref.title),
        fields=_source_fields(source),
        summary_html=source.stance_note_html,
        blocks=tuple(blocks),
        permalink=_join_url(base_url, f"sources/{quote(key)}"),
        revision=str(revision) if revision is not None else "unrecorded",
        notices=notices,
    )
    return _one_part_transcript("source", key, source.ref.title, part, viewer, options, printed, base_url)


def _one_part_transcript(kind, key, title, part, viewer, options, printed, base_url) -> Transcript:
    """A transcript of one record (a testimony, or a source as published)."""
    return Transcript(
        kind=kind,
        key=key,
        title=title,
        short_title=part.short_title,
        viewer_access=viewer.access.value,
        viewer_label=viewer.label,
        options=options,
        parts=(part,),
        permalink=part.permalink,
        revision=part.revision,
        printed=printed or _now(),
        base_url=base_url,
    )


def parse_selection_ids(raw: str) -> tuple[str, ...]:
    """The ids of a selection, in the order given, each once; refuse what cannot be a list of ids."""
    ids = tuple(dict.fromkeys(item.strip() for item in _ID_SPLIT.split(raw or "") if item.strip()))
    if not ids:
        raise SelectionRefused("Choose at least one testimony to print: add ids=T-0001,T-0002 to the address.")
    if len(ids) > MAX_SELECTION:
        raise SelectionRefused(
            f"A selection prints at most {MAX_SELECTION} testimonies; this one has {len(ids)}. "
            "Narrow the search or print it in several parts."
        )
    malformed = tuple(i for i in ids if not _ID_SHAPE.match(i))
    if malformed:
        raise SelectionRefused(
            "These are not catalog ids: " + ", ".join(i[:64] for i in malformed[:10]) + ".", unprintable=malformed
        )
    return ids


def selection_title(raw: str, count: int) -> str:
    """The heading a reader gave the selection, made safe to print; a plain default otherwise."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == " ")
    text = " ".join(text.split())[:MAX_TITLE].strip()
    return text or f"Selection of {count} testimon{'y' if count == 1 else 'ies'}"


def selection_transcript(
    session: Session, viewer: Viewer, ids: tuple[str, ...], options: PrintOptions, *, title: str = "",
    base_url: str, printed: Optional[dt.datetime] = None,
) -> Transcript:
    """Several testimonies in the order asked; refuse, naming them, any this viewer cannot print.

    A testimony that is hidden from the viewer and one that does not exist are refused in the
    same words, so the refusal says nothing about what exists.
    """
    records = {public_id: queries.get_testimony(session, viewer, public_id) for public_id in ids}
    unprintable = tuple(public_id for public_id, record in records.items() if record is None)
    if unprintable:
        raise SelectionRefused(
            "These testimonies cannot be printed at your access level (or do not exist): "
            + ", ".join(unprintable) + ".",
            unprintable=unprintable,
        )
    parts = tuple(_testimony_part(records[public_id], options, base_url) for public_id in ids)
    heading = selection_title(title, len(parts))
    query = {"ids": ",".join(ids)}
    if title:
        query["title"] = heading
    return Transcript(
        kind="selection",
        key=",".join(ids),
        title=heading,
        short_title=_short(heading),
        viewer_access=viewer.access.value,
        viewer_label=viewer.label,
        options=options,
        parts=parts,
        permalink=_join_url(base_url, "print/selection?" + urlencode(query)),
        revision="; ".join(f"{part.catalog_id} r{part.revision}" for part in parts),
        printed=printed or _now(),
        base_url=base_url,
    )


def current_revision(session: Session, viewer: Viewer, kind: str, key: str) -> Optional[str]:
    """The revision label a transcript of this record would print, or None when the viewer may not
    print it. Cheap: no text is loaded (used to find a cached PDF before building anything)."""
    if kind == "testimony":
        revisions = queries.testimony_revisions(session, viewer, [key])
        if key not in revisions:
            return None
        return str(revisions[key]) if revisions[key] is not None else "unrecorded"
    if kind == "source":
        if queries.source_revision(session, viewer, key) is None and queries.get_source(session, viewer, key) is None:
            return None
        revision = queries.source_revision(session, viewer, key)
        return str(revision) if revision is not None else "unrecorded"
    ids = parse_selection_ids(key)
    revisions = queries.testimony_revisions(session, viewer, ids)
    if any(public_id not in revisions for public_id in ids):
        return None
    return "; ".join(f"{public_id} r{revisions[public_id] if revisions[public_id] is not None else 'unrecorded'}" for public_id in ids)
