"""Writes to the jobs table: create, start, report progress, finish or fail. Each takes a session
and never commits; the queue (the job's owner) commits each step on its own, so every process
sees it at once."""

from __future__ import annotations

import secrets
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Job, JobKind, JobState
from ...models.base import utcnow

#: Longest stage message kept (the column's width).
STAGE_LENGTH = 200


class JobFailed(Exception):
    """A job that cannot do what it was asked, with the reason in words (and details, such as an
    import's problems, kept as its result)."""

    def __init__(self, message: str, result: Optional[dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result


def create(session: Session, kind: JobKind, params: dict[str, Any], user_id: Optional[int]) -> Job:
    """A queued job with a fresh unguessable token."""
    job = Job(token=secrets.token_urlsafe(32), kind=kind, state=JobState.QUEUED, params=params, user_id=user_id,
              stage="Waiting for a worker")
    session.add(job)
    session.flush()
    return job


def _job(session: Session, token: str) -> Optional[Job]:
    return session.scalar(select(Job).where(Job.token == token))


def start(session: Session, token: str) -> Optional[Job]:
    """Mark a queued job running; None when there is no such job or it already ran (a queue may
    deliver a task twice)."""
    job = _job(session, token)
    if job is None or job.state is not JobState.QUEUED:
        return None
    job.state = JobState.RUNNING
    job.started_dt = utcnow()
    job.stage = "Started"
    session.flush()
    return job


def progress(session: Session, token: str, done: int, total: int, stage: Optional[str] = None) -> None:
    job = _job(session, token)
    if job is None or job.state is not JobState.RUNNING:
        return
    job.progress_done, job.progress_total = max(0, done), max(0, total)
    if stage is not None:
        job.stage = stage[:STAGE_LENGTH]
    session.flush()


def finish(session: Session, token: str, result: dict[str, Any], stage: str = "Done",
           last_progress: Optional[tuple[int, int]] = None) -> None:
    """Mark a job done with its result; `last_progress` is the last (done, total) it reported,
    which a busy database may have kept from being written while it ran."""
    job = _job(session, token)
    if job is None:
        return
    job.state = JobState.DONE
    job.result = result
    job.stage = stage[:STAGE_LENGTH]
    if last_progress is not None:
        job.progress_done, job.progress_total = last_progress
    if job.progress_total:
        job.progress_done = job.progress_total
    job.finished_dt = utcnow()
    session.flush()


def fail(session: Session, token: str, error: str, result: Optional[dict[str, Any]] = None) -> None:
    job = _job(session, token)
    if job is None:
        return
    job.state = JobState.FAILED
    job.error = error or "The job failed."
    job.result = result
    job.stage = "Failed"
    job.finished_dt = utcnow()
    session.flush()
