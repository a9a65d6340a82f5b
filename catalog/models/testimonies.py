"""Testimonies, the agents' roles in them, how they reached us, and their text as segments."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Column,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    AccessLevel,
    AccountKind,
    Base,
    ConsentStatus,
    CorroborationStatus,
    PublicationState,
    RoleKind,
    SegmentKind,
    Timestamp,
    enum_column,
    utcnow,
)

#: The places a testimony speaks of ("about"), as archivists set them; apart from the place it
#: was given at (its occasion's place).
testimony_places = Table(
    "testimony_places",
    Base.metadata,
    Column("testimony_id", ForeignKey("testimonies.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("places.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Testimony(Base):
    __tablename__ = "testimonies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable public identifier used in permalinks and citations ("T-0007").
    public_id: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    occasion_id: Mapped[Optional[int]] = mapped_column(ForeignKey("occasions.id"), index=True)
    #: The source the catalog took this testimony from (the article quoting it, the recording…).
    source_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sources.id"), index=True)
    #: BCP 47 tag of the language the testimony was given in.
    language: Mapped[str] = mapped_column(String(35), default="en")
    account_kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    #: When the events told of happened (EDTF), with bounds for filtering by year.
    events_date_edtf: Mapped[Optional[str]] = mapped_column(String(100))
    events_date_lower: Mapped[Optional[dt.date]] = mapped_column(Date)
    events_date_upper: Mapped[Optional[dt.date]] = mapped_column(Date)
    publication_state: Mapped[PublicationState] = mapped_column(
        enum_column(PublicationState), default=PublicationState.DRAFT, index=True
    )
    #: Why it was withdrawn, shown to readers on the withdrawn testimony's permalink.
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp())
    access_level: Mapped[AccessLevel] = mapped_column(
        enum_column(AccessLevel), default=AccessLevel.PUBLIC, index=True
    )
    consent_status: Mapped[ConsentStatus] = mapped_column(
        enum_column(ConsentStatus), default=ConsentStatus.UNKNOWN
    )
    consent_note: Mapped[str] = mapped_column(Text, default="")
    #: Who gave the consent: an agent (usually the speaker), or a name as free text.
    consent_given_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agents.id"))
    consent_given_by_name: Mapped[str] = mapped_column(String(300), default="")
    #: When it was given (EDTF).
    consent_given_edtf: Mapped[Optional[str]] = mapped_column(String(100))
    #: Under an embargo, readers other than archivists see it from this day on (UTC): the read
    #: layer compares it with the day (queries/visibility.py), no scheduled job lifts it.
    embargo_until: Mapped[Optional[dt.date]] = mapped_column(Date, index=True)
    corroboration_status: Mapped[CorroborationStatus] = mapped_column(
        enum_column(CorroborationStatus), default=CorroborationStatus.UNVERIFIED
    )
    corroboration_rationale: Mapped[str] = mapped_column(Text, default="")
    #: Archivist's summary (sanitized HTML): framing, never the witness's words.
    summary_html: Mapped[str] = mapped_column(Text, default="")
    #: Soft delete: the record stays, with who removed it and why.
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    deleted_reason: Mapped[str] = mapped_column(Text, default="")
    deleted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    deleted_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp())
    #: What readers are told on a deleted testimony's permalink (`deleted_reason` stays internal).
    deleted_public_reason: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow, onupdate=utcnow)
    published_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp())
    #: When the public could first read it (published, public, not deleted). Once set it stays: its
    #: permalink was handed out, so when it goes it leaves a tombstone (410) and harvesters get a
    #: deleted record, where a testimony the public never saw stays a plain 404.
    first_public_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp(), index=True)
    #: Its OAI-PMH datestamp: when what harvesters get of it last changed — its own saves, and saves
    #: of the records it shows (speaker, source, occasion, place…), while the public may read it; and
    #: the moment it stopped being readable (services/oai/datestamps.py keeps it).
    harvest_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    #: Whether harvesters were last given it whole (True) or as deleted: a record the public cannot
    #: read keeps its datestamp through later edits, which are none of the public's business.
    harvest_public: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Optimistic-locking counter: a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1)

    occasion: Mapped[Optional["Occasion"]] = relationship()  # noqa: F821
    source: Mapped[Optional["Source"]] = relationship()  # noqa: F821
    consent_given_by: Mapped[Optional["Agent"]] = relationship()  # noqa: F821
    roles: Mapped[list["AgentRole"]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", order_by="AgentRole.position"
    )
    transmission: Mapped[list["TransmissionLink"]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", order_by="TransmissionLink.position"
    )
    segments: Mapped[list["Segment"]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", order_by="Segment.position"
    )
    corroboration_history: Mapped[list["CorroborationChange"]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", order_by="CorroborationChange.id"
    )
    collections: Mapped[list["Collection"]] = relationship(  # noqa: F821
        secondary="testimony_collections", order_by="Collection.title"
    )
    about_places: Mapped[list["Place"]] = relationship(  # noqa: F821
        secondary=testimony_places, order_by="Place.name"
    )
    release_form: Mapped[Optional["ReleaseForm"]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # OAI-PMH lists page through testimonies by (datestamp, id).
        Index("ix_testimonies_harvest_dt_id", "harvest_dt", "id"),
    )

    @property
    def is_publicly_readable(self) -> bool:
        """Whether an anonymous reader may read it now (the SQL form is in queries/visibility.py)."""
        from ..dates import today

        return (self.publication_state is PublicationState.PUBLISHED and self.access_level is AccessLevel.PUBLIC
                and not self.is_deleted and (self.embargo_until is None or self.embargo_until <= today()))

    def __repr__(self) -> str:
        return f"<Testimony {self.public_id} {self.publication_state.value}/{self.access_level.value}>"


class ReleaseForm(Base):
    """The signed release form of a testimony's consent: a file kept by its content (SHA-256) in
    the instance folder, with an access level of its own."""

    __tablename__ = "release_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(
        ForeignKey("testimonies.id", ondelete="CASCADE"), unique=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    #: Sniffed from the file's first bytes, never taken from the upload's word.
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    #: The uploaded file's name, as given (plain text).
    filename: Mapped[str] = mapped_column(String(300), default="")
    #: Lowest access level that may open the file.
    access_level: Mapped[AccessLevel] = mapped_column(
        enum_column(AccessLevel), default=AccessLevel.CONFIDENTIAL
    )
    uploaded_by_label: Mapped[str] = mapped_column(String(200), default="")
    uploaded_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)

    testimony: Mapped[Testimony] = relationship(back_populates="release_form")

    def __repr__(self) -> str:
        return f"<ReleaseForm {self.sha256[:12]} {self.media_type}>"


class AgentRole(Base):
    """An agent's part in one testimony, or in a source's own text: speaker, interviewer,
    mentioned, victim, or named as an alleged perpetrator *by a given source* (the catalog itself
    accuses nobody)."""

    __tablename__ = "agent_roles"
    __table_args__ = (
        CheckConstraint(
            "role != 'alleged_perpetrator' OR named_by_source_id IS NOT NULL",
            name="alleged_perpetrator_needs_source",
        ),
        CheckConstraint("(testimony_id IS NULL) <> (source_id IS NULL)", name="one_context"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The testimony the role is in; None for a role in a source's own framing.
    testimony_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("testimonies.id", ondelete="CASCADE"), index=True
    )
    #: The source whose own text gives the role (the article accusing someone in its narrative).
    source_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sources.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    role: Mapped[RoleKind] = mapped_column(enum_column(RoleKind))
    #: The source that names the agent, for roles asserted by a source (alleged perpetrator).
    named_by_source_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sources.id"))
    #: The agent's relation to the events ("former employee of Evin prison").
    relation_to_events: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    testimony: Mapped[Optional[Testimony]] = relationship(back_populates="roles")
    source: Mapped[Optional["Source"]] = relationship(foreign_keys=[source_id])  # noqa: F821
    agent: Mapped["Agent"] = relationship()  # noqa: F821
    named_by: Mapped[Optional["Source"]] = relationship(foreign_keys=[named_by_source_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<AgentRole {self.role.value} agent={self.agent_id}>"


class TransmissionLink(Base):
    """One link of the chain by which words reached the catalog, in order from the speaker."""

    __tablename__ = "transmission_links"
    __table_args__ = (UniqueConstraint("testimony_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    agent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agents.id"))
    source_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sources.id"))
    #: How this link passed the words on ("quoted in", "cited from memoirs").
    note: Mapped[str] = mapped_column(Text, default="")

    testimony: Mapped[Testimony] = relationship(back_populates="transmission")
    agent: Mapped[Optional["Agent"]] = relationship()  # noqa: F821
    source: Mapped[Optional["Source"]] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<TransmissionLink {self.position} agent={self.agent_id} source={self.source_id}>"


class CorroborationChange(Base):
    """A change of a testimony's corroboration status, kept as history."""

    __tablename__ = "corroboration_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    status: Mapped[CorroborationStatus] = mapped_column(enum_column(CorroborationStatus))
    rationale: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    #: Who made the change when no user did (the seed loader, an import).
    changed_by_label: Mapped[str] = mapped_column(String(200), default="")
    changed_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)

    testimony: Mapped[Testimony] = relationship(back_populates="corroboration_history")

    def __repr__(self) -> str:
        return f"<CorroborationChange {self.status.value}>"


class Segment(Base):
    """An ordered piece of text. It belongs to a testimony, to a source's own framing, or to both
    (a testimony's words as a source carries them, with their place in that source)."""

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("testimony_id", "position"),
        UniqueConstraint("testimony_id", "number"),
        UniqueConstraint("source_id", "source_position"),
        CheckConstraint("testimony_id IS NOT NULL OR source_id IS NOT NULL", name="has_owner"),
        CheckConstraint(
            "source_id IS NULL OR source_position IS NOT NULL", name="source_segment_has_position"
        ),
        CheckConstraint("direction IN ('ltr', 'rtl')", name="direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("testimonies.id", ondelete="CASCADE"), index=True
    )
    #: Order within the testimony.
    position: Mapped[Optional[int]] = mapped_column(Integer)
    #: Citation number within the testimony (¶12): assigned once, never reused or renumbered.
    number: Mapped[Optional[int]] = mapped_column(Integer)
    source_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sources.id"), index=True)
    #: Order within the source as published, and the source paragraph it stands in.
    source_position: Mapped[Optional[int]] = mapped_column(Integer)
    source_paragraph: Mapped[Optional[int]] = mapped_column(Integer)
    kind: Mapped[SegmentKind] = mapped_column(enum_column(SegmentKind))
    #: The text exactly as given (NFC). First-person text is plain text, never markup.
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(35), default="en")
    direction: Mapped[str] = mapped_column(String(3), default="ltr")
    translation: Mapped[Optional[str]] = mapped_column(Text)
    translation_language: Mapped[Optional[str]] = mapped_column(String(35))
    #: Seconds into the source recording.
    timecode_start: Mapped[Optional[float]] = mapped_column(Float)
    timecode_end: Mapped[Optional[float]] = mapped_column(Float)
    access_level: Mapped[AccessLevel] = mapped_column(enum_column(AccessLevel), default=AccessLevel.PUBLIC)
    #: Who wrote framing text (the source's publisher, an archivist's organisation).
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agents.id"))

    testimony: Mapped[Optional[Testimony]] = relationship(back_populates="segments")
    source: Mapped[Optional["Source"]] = relationship()  # noqa: F821
    author: Mapped[Optional["Agent"]] = relationship()  # noqa: F821
    redactions: Mapped[list["Redaction"]] = relationship(
        back_populates="segment", cascade="all, delete-orphan", order_by="Redaction.start"
    )

    def __repr__(self) -> str:
        return f"<Segment {self.kind.value} {self.text[:30]!r}>"


class Redaction(Base):
    """A span of a segment's text hidden from viewers below `access_level`."""

    __tablename__ = "redactions"
    __table_args__ = (CheckConstraint("start >= 0 AND \"end\" > start", name="span"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    #: Character offsets into the segment's text, end exclusive.
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Lowest access level that may read the redacted words.
    access_level: Mapped[AccessLevel] = mapped_column(
        enum_column(AccessLevel), default=AccessLevel.CONFIDENTIAL
    )

    segment: Mapped[Segment] = relationship(back_populates="redactions")

    def __repr__(self) -> str:
        return f"<Redaction {self.start}:{self.end}>"
