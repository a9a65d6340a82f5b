"""Claims made in segments, and corroboration links between claims and testimonies."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, ClaimKind, CorroborationRelation, Timestamp, enum_column, utcnow


class Claim(Base):
    """A specific assertion made in a segment, attributed to its speaker; the catalog asserts
    nothing itself."""

    __tablename__ = "claims"
    #: The claims index filters and counts by kind, place and period (see queries/claim_index.py).
    __table_args__ = (Index("ix_claims_scope_period", "scope_period_lower", "scope_period_upper"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    #: Who makes the claim (the segment's speaker, or the source for framing).
    speaker_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agents.id"), index=True)
    kind: Mapped[ClaimKind] = mapped_column(enum_column(ClaimKind), index=True)
    #: The claim in neutral words ("More than 30,000 political prisoners were executed").
    statement: Mapped[str] = mapped_column(Text)
    #: The exact words of the segment the claim rests on.
    excerpt: Mapped[str] = mapped_column(Text, default="")
    #: For counts: the figure or range as claimed.
    quantity_low: Mapped[Optional[int]] = mapped_column(BigInteger)
    quantity_high: Mapped[Optional[int]] = mapped_column(BigInteger)
    #: Scope: where and when the claim applies.
    scope_place_id: Mapped[Optional[int]] = mapped_column(ForeignKey("places.id"), index=True)
    scope_period_edtf: Mapped[Optional[str]] = mapped_column(String(100))
    scope_period_lower: Mapped[Optional[dt.date]] = mapped_column(Date)
    scope_period_upper: Mapped[Optional[dt.date]] = mapped_column(Date)
    scope_note: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)

    segment: Mapped["Segment"] = relationship()  # noqa: F821
    speaker: Mapped[Optional["Agent"]] = relationship()  # noqa: F821
    scope_place: Mapped[Optional["Place"]] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Claim {self.key!r} {self.kind.value}>"


class CorroborationLink(Base):
    """Evidence that one claim supports, partly supports or contradicts another claim or a
    whole testimony."""

    __tablename__ = "corroboration_links"
    __table_args__ = (
        CheckConstraint(
            "(to_claim_id IS NOT NULL) <> (to_testimony_id IS NOT NULL)", name="one_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    to_claim_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    to_testimony_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("testimonies.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[CorroborationRelation] = mapped_column(enum_column(CorroborationRelation))
    rationale: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)

    from_claim: Mapped[Claim] = relationship(foreign_keys=[from_claim_id])
    to_claim: Mapped[Optional[Claim]] = relationship(foreign_keys=[to_claim_id])
    to_testimony: Mapped[Optional["Testimony"]] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<CorroborationLink {self.relation.value}>"
