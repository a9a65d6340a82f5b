"""Agents (people and organisations) and the names they are known by."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import AccessLevel, AgentKind, Base, NameKind, Timestamp, enum_column, utcnow


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key used by imports, exports and URLs (e.g. "kobra-jokar").
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[AgentKind] = mapped_column(enum_column(AgentKind))
    #: The preferred (real) name; never shown to a viewer who may not see a protected identity.
    preferred_name: Mapped[str] = mapped_column(String(300))
    #: Editorial description (sanitized HTML).
    description_html: Mapped[str] = mapped_column(Text, default="")
    #: A protected person is shown to the public only by `public_pseudonym`.
    is_protected: Mapped[bool] = mapped_column(Boolean, default=False)
    public_pseudonym: Mapped[Optional[str]] = mapped_column(String(300))
    #: Lowest access level allowed to see a protected person's real name and other names.
    identity_access: Mapped[AccessLevel] = mapped_column(
        enum_column(AccessLevel), default=AccessLevel.CONFIDENTIAL
    )
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow, onupdate=utcnow)
    #: Optimistic-locking counter: a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1)

    names: Mapped[list["AgentName"]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", order_by="AgentName.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Agent {self.key!r} {self.kind.value}{' protected' if self.is_protected else ''}>"


class AgentName(Base):
    __tablename__ = "agent_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[NameKind] = mapped_column(enum_column(NameKind))
    #: BCP 47 tag of the name's language or script, when it matters ("fa", "fa-Latn").
    language: Mapped[Optional[str]] = mapped_column(String(35))
    #: Who uses the name, or why it is recorded (editorial, plain text).
    note: Mapped[str] = mapped_column(Text, default="")

    agent: Mapped[Agent] = relationship(back_populates="names")

    def __repr__(self) -> str:
        return f"<AgentName {self.name!r} ({self.kind.value})>"
