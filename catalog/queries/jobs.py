"""The jobs reader: a job's state, for whoever asked for it (and for staff).

A job asked for by a signed-in user is shown to that user and to archivists and admins; a job
asked for by a reader who was not signed in is shown to whoever holds its unguessable token (its
result is public-level by construction: see `JobRecord.serves`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Job, JobKind, JobState
from ..models.base import as_utc
from ..viewer import Viewer


@dataclass(frozen=True)
class JobRecord:
    token: str
    kind: JobKind
    state: JobState
    params: dict
    progress_done: int
    progress_total: int
    stage: str
    result: Optional[dict[str, Any]]
    error: str
    user_id: Optional[int]
    created_dt: dt.datetime
    started_dt: Optional[dt.datetime]
    finished_dt: Optional[dt.datetime]

    @property
    def is_over(self) -> bool:
        return self.state.is_over

    @property
    def access(self) -> Optional[str]:
        """The access level a print job renders for (None for other kinds)."""
        return self.params.get("access") if self.kind is JobKind.PDF else None

    def serves(self, viewer: Viewer) -> bool:
        """Whether this viewer may have the job's result file: only at the access level it was
        made for, never above or below it."""
        return self.access is not None and viewer.access.value == self.access


def get_job(session: Session, viewer: Viewer, token: str) -> Optional[JobRecord]:
    """The job with this token, or None when there is none or the viewer may not see it."""
    job = session.scalar(select(Job).where(Job.token == token))
    if job is None:
        return None
    if job.user_id is not None and job.user_id != viewer.user_id and not viewer.is_staff:
        return None
    return JobRecord(
        token=job.token, kind=job.kind, state=job.state, params=dict(job.params or {}),
        progress_done=job.progress_done, progress_total=job.progress_total, stage=job.stage,
        result=dict(job.result) if job.result is not None else None, error=job.error, user_id=job.user_id,
        created_dt=as_utc(job.created_dt), started_dt=as_utc(job.started_dt) if job.started_dt else None,
        finished_dt=as_utc(job.finished_dt) if job.finished_dt else None,
    )
