"""The declarative base, shared column types and the catalog's vocabularies."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time as aware UTC: SQLite gives it back without an offset, PostgreSQL in the
    connection's zone."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def Timestamp() -> DateTime:
    return DateTime(timezone=True)


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """Enums stored by value as plain strings, portable across SQLite and PostgreSQL."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Vocabulary(str, enum.Enum):
    """A vocabulary term; its label is what readers see."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class AccessLevel(Vocabulary):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"

    @property
    def rank(self) -> int:
        return list(AccessLevel).index(self)


class PublicationState(Vocabulary):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class SegmentKind(Vocabulary):
    FIRST_PERSON = "first_person"
    EDITORIAL = "editorial"
    QUESTION = "question"
    REPORTED = "reported"

    @property
    def label(self) -> str:
        return {
            "first_person": "first-person words",
            "editorial": "editorial framing",
            "question": "question",
            "reported": "reported account",
        }[self.value]


class AccountKind(Vocabulary):
    EYEWITNESS = "eyewitness"
    SURVIVOR = "survivor"
    RELATIVE = "relative"
    OFFICIAL_INSIDER = "official_insider"
    EXPERT_STATEMENT = "expert_statement"
    ORGANISATIONAL_STATEMENT = "organisational_statement"
    PRESS_REPORT = "press_report"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return {"official_insider": "official / insider"}.get(self.value, super().label)


class ConsentStatus(Vocabulary):
    """The scope of a testimony's consent: how far it may be published (services/write/consent.py
    holds what each allows)."""

    GIVEN = "given"
    GIVEN_ANONYMOUS = "given_anonymous"
    RESEARCHERS_ONLY = "researchers_only"
    EMBARGOED = "embargoed"
    PUBLIC_RECORD = "public_record"
    NOT_SOUGHT = "not_sought"
    WITHHELD = "withheld"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "given": "consent given",
            "given_anonymous": "consent given for anonymous use",
            "researchers_only": "consent given for researchers only",
            "embargoed": "consent given, embargoed until a date",
            "public_record": "already public (published statement)",
            "not_sought": "consent not sought",
            "withheld": "consent withheld",
            "withdrawn": "consent withdrawn",
            "unknown": "consent unknown",
        }[self.value]


class CorroborationStatus(Vocabulary):
    UNVERIFIED = "unverified"
    PARTIALLY_CORROBORATED = "partially_corroborated"
    CORROBORATED = "corroborated"
    CONTESTED = "contested"
    RETRACTED = "retracted"


class CorroborationRelation(Vocabulary):
    SUPPORTS = "supports"
    PARTLY_SUPPORTS = "partly_supports"
    CONTRADICTS = "contradicts"
    QUALIFIES = "qualifies"
    SAME_AS = "same_as"

    @property
    def passive_label(self) -> str:
        """The relation seen from the record it points at: "A supports B" is "B is supported by A"."""
        return {
            "supports": "supported by",
            "partly_supports": "partly supported by",
            "contradicts": "contradicted by",
            "qualifies": "qualified by",
            "same_as": "the same as",
        }[self.value]


class AgentKind(Vocabulary):
    PERSON = "person"
    ORGANISATION = "organisation"


class NameKind(Vocabulary):
    TRANSLITERATION = "transliteration"
    SPELLING_VARIANT = "spelling_variant"
    PSEUDONYM = "pseudonym"
    ABBREVIATION = "abbreviation"
    PEJORATIVE = "pejorative"
    ORIGINAL_SCRIPT = "original_script"

    @property
    def label(self) -> str:
        return {"pejorative": "pejorative term used by others", "original_script": "in original script"}.get(
            self.value, super().label
        )


class RoleKind(Vocabulary):
    SPEAKER = "speaker"
    INTERVIEWER = "interviewer"
    MENTIONED = "mentioned"
    ALLEGED_PERPETRATOR = "alleged_perpetrator"
    VICTIM = "victim"

    @property
    def label(self) -> str:
        return {"alleged_perpetrator": "named as alleged perpetrator by"}.get(self.value, super().label)


class OccasionKind(Vocabulary):
    CONFERENCE = "conference"
    HEARING = "hearing"
    INTERVIEW = "interview"
    UN_SUBMISSION = "un_submission"
    MEMOIR_WRITING = "memoir_writing"
    PRESS_INTERVIEW = "press_interview"
    PUBLICATION = "publication"
    CORRESPONDENCE = "correspondence"
    DECREE = "decree"

    @property
    def label(self) -> str:
        return {"un_submission": "UN submission"}.get(self.value, super().label)


class SourceKind(Vocabulary):
    ARTICLE = "article"
    MEMOIR = "memoir"
    REPORT = "report"
    PRESS = "press"
    RECORDING = "recording"
    SUBMISSION = "submission"
    TRANSCRIPT = "transcript"
    DOCUMENT = "document"
    STATEMENT = "statement"


class ClaimKind(Vocabulary):
    COUNT = "count"
    EVENT = "event"
    IDENTIFICATION = "identification"
    LOCATION = "location"


class Role(Vocabulary):
    ADMIN = "admin"
    ARCHIVIST = "archivist"
    RESEARCHER = "researcher"
