"""Long work run on the job queue: what was asked, by whom, and how far it got.

The row lives in the catalog's own database, so every web process and every worker (on any
machine) sees the same state; the queue itself carries only the job's token.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamp, Vocabulary, enum_column, utcnow


class JobState(Vocabulary):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def is_over(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


class JobKind(Vocabulary):
    IMPORT = "import"
    REINDEX = "reindex"
    PDF = "pdf"


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The public, unguessable name of the job (its page is /jobs/<token>).
    token: Mapped[str] = mapped_column(String(43), unique=True)
    kind: Mapped[JobKind] = mapped_column(enum_column(JobKind))
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.QUEUED)
    #: What the job is to do (a file to import, a transcript to print and for which access level).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Progress: units done of `progress_total` (0 total: not known yet).
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    #: What the job is doing now, in words ("Checking 120 testimonies").
    stage: Mapped[str] = mapped_column(String(200), default="")
    #: What it produced (an import's summary, a PDF's cache file), once done.
    result: Mapped[Optional[dict]] = mapped_column(JSON)
    #: Why it failed, in words a reader can act on.
    error: Mapped[str] = mapped_column(Text, default="")
    #: Who asked (None: a reader who is not signed in, or the catalog itself).
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    started_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp())
    finished_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp())

    def __repr__(self) -> str:
        return f"<Job {self.kind.value} {self.state.value} {self.token[:8]}…>"
