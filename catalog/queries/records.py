"""The immutable records the read layer returns: already cut to one viewer, and never ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, TypeVar

from .. import dates
from ..models import AccessLevel, AgentKind, NameKind, PublicationState, RoleKind, SegmentKind


@dataclass(frozen=True)
class AgentRef:
    key: str
    name: str
    kind: AgentKind
    #: True when `name` is a pseudonym standing for a protected person's real name.
    is_pseudonym: bool = False


@dataclass(frozen=True)
class PlaceRef:
    key: str
    name: str
    #: Parents from the nearest outwards, by name.
    ancestors: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return ", ".join((self.name, *self.ancestors))


@dataclass(frozen=True)
class SourceRef:
    key: str
    title: str
    kind: str
    citation: str
    date_edtf: Optional[str]
    publisher: Optional[AgentRef]

    @property
    def date_words(self) -> str:
        return dates.describe(self.date_edtf)


@dataclass(frozen=True)
class CollectionRef:
    key: str
    title: str


@dataclass(frozen=True)
class OccasionRecord:
    key: str
    kind: str
    title: str
    place: Optional[PlaceRef]
    date_edtf: Optional[str]
    date_note: str

    @property
    def date_words(self) -> str:
        return dates.describe(self.date_edtf)


@dataclass(frozen=True)
class RoleRecord:
    agent: AgentRef
    role: RoleKind
    relation_to_events: str
    named_by: Optional[SourceRef]


@dataclass(frozen=True)
class TransmissionRecord:
    position: int
    agent: Optional[AgentRef]
    source: Optional[SourceRef]
    note: str


@dataclass(frozen=True)
class TextPiece:
    text: str
    is_redacted: bool = False
    #: Words this (staff) viewer reads that readers below this access level see as a redaction
    #: mark: "restricted" or "confidential"; empty for words everyone who sees the passage reads.
    redacted_below: str = ""


@dataclass(frozen=True)
class SegmentRecord:
    id: int
    kind: SegmentKind
    #: The text as this viewer may read it: redacted spans replaced by REDACTION_MARK.
    text: str
    pieces: tuple[TextPiece, ...]
    language: str
    direction: str
    number: Optional[int]
    position: Optional[int]
    translation: Optional[str]
    translation_language: Optional[str]
    #: True when a translation exists but is withheld because the original is partly redacted.
    translation_withheld: bool
    timecode_start: Optional[float]
    timecode_end: Optional[float]
    access_level: AccessLevel
    author: Optional[AgentRef]
    testimony_id: Optional[str]
    source_key: Optional[str]
    source_position: Optional[int]
    source_paragraph: Optional[int]
    is_redacted: bool
    claim_keys: tuple[str, ...] = ()
    #: Redaction spans this viewer may see through (archivists); empty when they were applied.
    redactions: tuple[dict, ...] = ()


@dataclass(frozen=True)
class CorroborationRecord:
    relation: str
    rationale: str
    evidence: str
    other_claim_key: Optional[str]
    other_testimony_id: Optional[str]
    #: "outgoing" when this claim points at the other, "incoming" when the other points here.
    direction: str
    #: When the link was made.
    created_dt: Optional[dt.datetime] = None
    #: The linked claim: its words, and whose testimony it is in (as this viewer may see them).
    other_claim_statement: Optional[str] = None
    other_claim_testimony_id: Optional[str] = None
    other_claim_testimony_title: Optional[str] = None
    other_claim_speaker: Optional[AgentRef] = None
    other_claim_source_key: Optional[str] = None


@dataclass(frozen=True)
class ClaimRecord:
    key: str
    kind: str
    statement: str
    excerpt: str
    speaker: Optional[AgentRef]
    quantity_low: Optional[int]
    quantity_high: Optional[int]
    scope_place: Optional[PlaceRef]
    scope_period_edtf: Optional[str]
    scope_note: str
    testimony_id: Optional[str]
    segment_number: Optional[int]
    source_key: Optional[str]
    segment_source_position: Optional[int]
    corroborations: tuple[CorroborationRecord, ...] = ()

    @property
    def scope_period_words(self) -> str:
        return dates.describe(self.scope_period_edtf) if self.scope_period_edtf else ""


@dataclass(frozen=True)
class ReleaseFormRecord:
    """The release form's metadata, for a viewer whose level opens the file."""

    sha256: str
    media_type: str
    size: int
    filename: str
    access_level: AccessLevel


@dataclass(frozen=True)
class ConsentRecord:
    """Who gave consent and when (archivists only: the name may be a protected person's), and
    the embargo's end."""

    given_by: Optional[AgentRef] = None
    given_by_name: str = ""
    given_on: Optional[str] = None
    embargo_until: Optional[dt.date] = None

    @property
    def given_on_words(self) -> str:
        return dates.describe(self.given_on) if self.given_on else ""


@dataclass(frozen=True)
class CorroborationChangeRecord:
    status: str
    rationale: str
    changed_by: str
    changed_dt: str


@dataclass(frozen=True)
class TestimonySummary:
    public_id: str
    title: str
    account_kind: str
    language: str
    speakers: tuple[AgentRef, ...]
    occasion_title: Optional[str]
    date_edtf: Optional[str]
    corroboration_status: str
    access_level: AccessLevel
    publication_state: PublicationState

    @property
    def date_words(self) -> str:
        return dates.describe(self.date_edtf)


@dataclass(frozen=True)
class TestimonyRecord:
    public_id: str
    title: str
    account_kind: str
    language: str
    publication_state: PublicationState
    withdrawn_reason: str
    access_level: AccessLevel
    consent_status: str
    consent_note: str
    corroboration_status: str
    corroboration_rationale: str
    corroboration_history: tuple[CorroborationChangeRecord, ...]
    summary_html: str
    events_date_edtf: Optional[str]
    occasion: Optional[OccasionRecord]
    source: Optional[SourceRef]
    roles: tuple[RoleRecord, ...]
    transmission: tuple[TransmissionRecord, ...]
    segments: tuple[SegmentRecord, ...]
    claims: tuple[ClaimRecord, ...]
    revision: Optional[int]
    #: The viewer this record was cut for.
    viewer_label: str
    #: The collections it belongs to, by title.
    collections: tuple[CollectionRef, ...] = ()
    #: The places it speaks of, as archivists set them (apart from where it was given).
    about_places: tuple[PlaceRef, ...] = ()
    consent: ConsentRecord = ConsentRecord()
    release_form: Optional[ReleaseFormRecord] = None

    @property
    def speakers(self) -> tuple[RoleRecord, ...]:
        return tuple(role for role in self.roles if role.role is RoleKind.SPEAKER)

    @property
    def events_date_words(self) -> str:
        return dates.describe(self.events_date_edtf) if self.events_date_edtf else ""

    @property
    def is_relayed(self) -> bool:
        return len(self.transmission) > 1


@dataclass(frozen=True)
class CollectionSummary:
    ref: CollectionRef
    description_html: str
    #: Its testimonies this viewer may read.
    count: int


@dataclass(frozen=True)
class CollectionPage:
    """A collection and one page of the testimonies the viewer may read in it."""

    summary: CollectionSummary
    testimonies: tuple["TestimonySummary", ...]
    offset: int
    limit: int

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.summary.count // self.limit))


@dataclass(frozen=True)
class TombstoneRecord:
    """What a permalink says of a testimony the public could once read and may no longer: its
    identifier, whether it was withdrawn or removed, when, and what readers are told of it."""

    public_id: str
    #: Deleted (removed from the catalog) rather than withdrawn.
    removed: bool
    #: When it was withdrawn or removed (unknown for a withdrawal older than the catalog's record of it).
    gone_dt: Optional[dt.datetime]
    #: When the public could first read it.
    first_public_dt: dt.datetime
    #: The archivist's words for readers; empty when none were given.
    public_reason: str

    @property
    def state_word(self) -> str:
        return "removed" if self.removed else "withdrawn"


@dataclass(frozen=True)
class TestimonyRow:
    """A testimony as one line of a table (downloads): its metadata as this viewer may read it,
    its speakers as this viewer may name them, and, when asked for, the passages this viewer may
    read (redactions applied, segments above the viewer's level left out)."""

    public_id: str
    title: str
    account_kind: str
    language: str
    publication_state: PublicationState
    access_level: AccessLevel
    corroboration_status: str
    summary_html: str
    events_date_edtf: Optional[str]
    occasion: Optional[OccasionRecord]
    source: Optional[SourceRef]
    speakers: tuple[AgentRef, ...]
    revision: Optional[int]
    #: Passages this viewer may read.
    passage_count: int
    #: Those passages, in order; empty unless they were asked for.
    segments: tuple[SegmentRecord, ...] = ()
    #: Keys of the places it speaks of, as archivists set them.
    about_places: tuple[str, ...] = ()


_Passage = TypeVar("_Passage")


def paragraphs_of(
    passages: Iterable[_Passage], number_of: Callable[[_Passage], Optional[int]]
) -> list[tuple[Optional[int], list[_Passage]]]:
    """A source's passages, in the order given, as its paragraphs: consecutive passages with one
    paragraph number together. A passage with no number stands as a paragraph of its own: nothing
    says where the source's paragraph ran, so none is invented (and the order is never re-sorted)."""
    paragraphs: list[tuple[Optional[int], list[_Passage]]] = []
    for passage in passages:
        number = number_of(passage)
        if paragraphs and number is not None and paragraphs[-1][0] == number:
            paragraphs[-1][1].append(passage)
        else:
            paragraphs.append((number, [passage]))
    return paragraphs


@dataclass(frozen=True)
class SourceRecord:
    ref: SourceRef
    language: Optional[str]
    location: str
    stance_note_html: str
    access_level: AccessLevel
    files: tuple[dict, ...]
    #: The source as published, in its original order (framing and quoted testimony).
    segments: tuple[SegmentRecord, ...]
    #: Passages left out because they belong to testimonies this viewer may not see.
    withheld_passages: int
    testimonies: tuple[TestimonySummary, ...]

    @property
    def paragraphs(self) -> list[tuple[Optional[int], list[SegmentRecord]]]:
        """The passages as the source sets them: (paragraph number or None, its segments)."""
        return paragraphs_of(self.segments, lambda segment: segment.source_paragraph)


@dataclass(frozen=True)
class NameRecord:
    name: str
    kind: NameKind
    language: Optional[str]
    note: str


@dataclass(frozen=True)
class AgentRecord:
    ref: AgentRef
    description_html: str
    names: tuple[NameRecord, ...]
    #: Roles in testimonies: (role, testimony, the source naming them for source-asserted roles).
    roles: tuple[tuple[RoleKind, TestimonySummary, Optional[SourceRef]], ...]
    #: Roles in sources' own text: (role, source, relation as the source puts it).
    source_roles: tuple[tuple[RoleKind, SourceRef, str], ...]
    is_protected: bool
    pseudonym: Optional[str]
    #: Who may see a protected person's identity; given only to a viewer who may see it.
    identity_access: Optional[AccessLevel] = None


@dataclass(frozen=True)
class PlaceRecord:
    ref: PlaceRef
    parent_key: Optional[str]
    kind: str
    latitude: Optional[float]
    longitude: Optional[float]
    names: tuple[NameRecord, ...]
    children: tuple[PlaceRef, ...]
    testimonies: tuple[TestimonySummary, ...]


# The archive workspace's rows (from the staff readers): staff see every record whole.


@dataclass(frozen=True)
class ArchiveTestimonyRow:
    """One line of the workspace's testimony list."""

    public_id: str
    title: str
    publication_state: PublicationState
    is_deleted: bool
    access_level: AccessLevel
    updated_dt: dt.datetime


@dataclass(frozen=True)
class ArchiveTestimonyPage:
    rows: tuple[ArchiveTestimonyRow, ...]
    #: Testimonies matching the filter, over all pages.
    total: int
    #: Testimonies not deleted, by publication state (its value).
    counts_by_state: dict[str, int]
    deleted_count: int


@dataclass(frozen=True)
class ArchiveEntityRow:
    """One agent, place, occasion or source in the workspace's lists."""

    key: str
    title: str
    is_protected: bool = False


@dataclass(frozen=True)
class PickerOptions:
    """(id, label) pairs for a picker: every record of the kind (`complete`), or in a large catalog
    only the ones asked for (search-as-you-type finds the rest)."""

    options: tuple[tuple[int, str], ...]
    complete: bool
