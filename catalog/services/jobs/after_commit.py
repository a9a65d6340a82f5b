"""Work the write path asks for once its transaction has committed: a published testimony's
transcript rendered in the background, so readers find its PDF ready.

The write path (`services/write/context.commit_revision`) notes the testimony in the session;
when the session commits, the notes go to the queue of the catalog that owns the session
(`Database.jobs`); a rollback drops them. A session without a queue (a test's bare database)
asks for nothing.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

#: At most this many renders are asked for by one transaction: a bulk import of published
#: testimonies is not a reason to render thousands of PDFs (a first reader still gets theirs).
MAX_RENDERS_PER_COMMIT = 20

_PENDING = "catalog_renders_after_commit"


def render_after_commit(session: Session, public_id: str) -> None:
    """Ask for the public transcript of this testimony to be rendered once the session commits."""
    pending = session.info.setdefault(_PENDING, [])
    if public_id not in pending and len(pending) < MAX_RENDERS_PER_COMMIT:
        pending.append(public_id)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    database = session.info.get("catalog_database")
    queue = getattr(database, "jobs", None)
    if queue is not None:
        queue.prerender(pending, base_url=session.info.get("base_url"))


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


_installed = False


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True
