"""The job queue: Huey, embedded by default, Redis when several machines share the work.

`JobQueue` owns a job from end to end: it writes the job's row (through `status`), puts the job's
token on the queue, and, in the worker, runs it: each step of the row (running, progress, done or
failed) is committed on its own so that every web process sees it at once, while the job's own
database work stays in one transaction of its own (an import writes all or nothing).

The queue carries only tokens and plain values; what a job is to do is in its row. With several
machines (Redis), they must share the database and the instance folder (uploads and the PDF
cache live there).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ...models import JobKind
from . import status
from .status import JobFailed

log = logging.getLogger(__name__)

#: The queue's name: the Redis key prefix, and the SQLite queue file's table namespace.
QUEUE_NAME = "testimony-catalog"
#: The embedded queue's file, in the instance folder.
SQLITE_QUEUE_FILE = "jobs.sqlite3"
#: Seconds between two progress writes of one job (the last one is always written).
PROGRESS_INTERVAL = 0.5
#: Milliseconds a progress write waits for SQLite's write lock before it is skipped: an import or
#: a reindex holds that lock for its whole transaction, and progress is not worth waiting for.
PROGRESS_LOCK_WAIT_MS = 50


def make_huey(url: str, instance_path: str | os.PathLike, *, name: str = QUEUE_NAME, immediate: bool = False) -> Huey:
    """The queue for a `CATALOG_JOBS_URL`: empty for the embedded SQLite queue in the instance
    folder, `redis://host:port/db` (or `rediss://`) for Redis."""
    url = (url or "").strip()
    if not url:
        huey = SqliteHuey(name, filename=str(Path(instance_path) / SQLITE_QUEUE_FILE), immediate=immediate)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=url, immediate=immediate)
    else:
        raise ValueError(
            f"CATALOG_JOBS_URL must be empty (the embedded queue) or a redis:// URL, not {url!r}"
        )
    return huey


class Progress:
    """A job's progress callback, `progress(done, total)`: written at most every half second, in
    a transaction of its own; skipped (never waited for) while the database's write lock is held
    by the job's own transaction on SQLite."""

    def __init__(self, queue: "JobQueue", token: str, unit: str) -> None:
        self.queue = queue
        self.token = token
        self.unit = unit
        self._last = 0.0

    def __call__(self, done: int, total: int, stage: Optional[str] = None) -> None:
        self.queue.last_progress[self.token] = (done, total)
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL and done < total:
            return
        self._last = now
        self.queue.write_progress(self.token, done, total, stage or f"{done:,} of {total:,} {self.unit}")


class JobQueue:
    """The catalog's queue: submit jobs, run them in a worker, render after publication."""

    def __init__(self, huey: Huey, database, instance_path: str | os.PathLike, *, default_base_url: str,
                 prerender: bool = True) -> None:
        self.huey = huey
        self.database = database
        self.instance_path = Path(instance_path)
        self.default_base_url = default_base_url
        self.prerender_enabled = prerender
        #: The last (done, total) each running job reported, written with its end.
        self.last_progress: dict[str, tuple[int, int]] = {}
        self._run = huey.task(name="catalog.run_job")(self.run)
        self._render = huey.task(name="catalog.render_published")(self.render_published)

    # --- asking ------------------------------------------------------------------------------

    def submit(self, kind: JobKind, params: dict[str, Any], user_id: Optional[int]) -> str:
        """Record a job (committed, so any worker finds it) and queue it; its token."""
        with self.database.writing() as session:
            token = status.create(session, kind, params, user_id).token
        self._run(token)
        return token

    def save_upload(self, data: bytes) -> str:
        """Keep an uploaded file for an import job; its name in the uploads folder."""
        folder = self.uploads_folder
        folder.mkdir(parents=True, exist_ok=True)
        handle, path = tempfile.mkstemp(dir=folder, suffix=".upload")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return Path(path).name

    @property
    def uploads_folder(self) -> Path:
        return self.instance_path / "uploads"

    def prerender(self, public_ids: Iterable[str], base_url: Optional[str] = None) -> None:
        """Queue the public transcript of these testimonies (called after a commit)."""
        if not self.prerender_enabled:
            return
        for public_id in public_ids:
            try:
                self._render(public_id, base_url or self.default_base_url)
            except Exception:  # the save itself is committed: a queue outage must not undo it
                log.exception("could not queue the render of %s", public_id)

    # --- the worker's side -------------------------------------------------------------------

    def write_progress(self, token: str, done: int, total: int, stage: str) -> None:
        from ...db import SQLITE_BUSY_TIMEOUT_MS

        sqlite = self.database.is_sqlite
        try:
            with self.database.engine.connect() as connection:
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {PROGRESS_LOCK_WAIT_MS}")
                    connection.commit()
                try:
                    with Session(bind=connection) as session:
                        status.progress(session, token, done, total, stage)
                        session.commit()
                finally:
                    if sqlite:
                        connection.rollback()
                        connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
                        connection.commit()
        except OperationalError:
            log.debug("progress of job %s skipped: the database is busy", token)

    def run(self, token: str) -> None:
        """Run one job (in a worker; at once in immediate mode)."""
        with self.database.writing() as session:
            job = status.start(session, token)
            if job is None:
                return
            kind, params = job.kind, dict(job.params or {})
        handler: Callable[[str, dict], tuple[dict, str]] = {
            JobKind.IMPORT: self._import,
            JobKind.REINDEX: self._reindex,
            JobKind.PDF: self._pdf,
        }[kind]
        try:
            result, stage = handler(token, params)
        except JobFailed as failure:
            self._end(status.fail, token, failure.message, failure.result)
        except Exception as error:  # anything else: say so, and keep the trace for the log
            log.error("job %s (%s) failed:\n%s", token, kind.value, traceback.format_exc())
            self._end(status.fail, token, f"The job stopped on an unexpected error: {type(error).__name__}: {error}")
        else:
            self._end(status.finish, token, result, stage, self.last_progress.get(token))
        finally:
            self.last_progress.pop(token, None)

    def _end(self, write, token: str, *args) -> None:
        with self.database.writing() as session:
            write(session, token, *args)

    # --- the jobs ----------------------------------------------------------------------------

    def _import(self, token: str, params: dict) -> tuple[dict, str]:
        from ..actors import Actor
        from ..imports import run_import

        upload = self.uploads_folder / Path(params["upload"]).name
        filename = params.get("filename", "")
        try:
            raw = upload.read_bytes()
        except FileNotFoundError:
            raise JobFailed("The uploaded file is no longer there; send it again.") from None
        progress = Progress(self, token, "records written")
        self.write_progress(token, 0, 0, "Checking the file")
        actor = Actor(label=params.get("actor", "import"), user_id=params.get("actor_id"),
                      may_override_sealed=bool(params.get("may_override_sealed")))
        session = self.database.session(write=True)
        try:
            result = run_import(session, raw, actor, dry_run=bool(params.get("dry_run")),
                                filename=params.get("format_hint") or filename, progress=progress,
                                sealed_override=params.get("sealed_override"))
            # All or nothing: only a file without problems, and not a dry run, is committed.
            if result.ok and not result.dry_run:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
            upload.unlink(missing_ok=True)
        summary = {
            "filename": filename,
            "format": result.format,
            "dry_run": result.dry_run,
            "problems": list(result.problems),
            "created": dict(result.created),
            "skipped": dict(result.skipped),
            "records": [list(record) for record in result.records],
        }
        if not result.ok:
            count = len(result.problems)
            raise JobFailed(f"{count} problem{'s' if count != 1 else ''} in {filename or 'the file'}; "
                            "nothing was imported.", summary)
        created = sum(result.created.values())
        stage = ("The file checks out; nothing was imported yet" if result.dry_run
                 else f"Imported {created:,} record{'s' if created != 1 else ''}")
        return summary, stage

    def _reindex(self, token: str, params: dict) -> tuple[dict, str]:
        from ..search.indexing import reindex_all

        progress = Progress(self, token, "segments indexed")
        with self.database.engine.execution_options(catalog_write=True).begin() as connection:
            report = reindex_all(connection, progress=progress)
        summary = {"testimonies": report.testimonies, "segments": report.segments, "rows": report.rows,
                   "seconds": round(report.seconds, 1)}
        return summary, f"Reindexed {report.testimonies:,} testimonies and {report.segments:,} segments"

    def _pdf(self, token: str, params: dict) -> tuple[dict, str]:
        from ...viewer import Viewer
        from .. import transcripts

        # Exactly the access level of the request that asked: never more.
        viewer = Viewer.for_level(params["access"])
        options = transcripts.PrintOptions.from_token(params.get("options", ""))
        kind, key, title, base_url = params["kind"], params["key"], params.get("title", ""), params["base_url"]
        self.write_progress(token, 0, 0, "Laying out the PDF")
        with self.database.session() as session:
            try:
                pdf = transcripts.pdf_for(
                    self.instance_path, session, viewer, kind, key, options, base_url,
                    lambda: build_transcript(session, viewer, kind, key, options, base_url, title),
                    variant=title if kind == "selection" else "",
                )
            except transcripts.SelectionRefused as refusal:
                raise JobFailed(refusal.message) from None
            except transcripts.PdfUnavailable as error:
                raise JobFailed(str(error)) from None
        if pdf is None:
            raise JobFailed("This transcript cannot be printed: it is not there, or no longer readable at this "
                            "access level.")
        return ({"file": pdf.path.name, "filename": pdf.filename, "sha256": pdf.content_sha256},
                "The PDF is ready")

    def render_published(self, public_id: str, base_url: str) -> None:
        """Render a published testimony's public transcript into the PDF cache (a background task
        nobody waits for: a failure is logged, and the first reader renders it instead)."""
        from ...viewer import Viewer
        from .. import transcripts

        viewer = Viewer.public()
        options = transcripts.PrintOptions()
        try:
            with self.database.session() as session:
                transcripts.pdf_for(
                    self.instance_path, session, viewer, "testimony", public_id, options, base_url,
                    lambda: build_transcript(session, viewer, "testimony", public_id, options, base_url),
                )
        except Exception:
            log.exception("background render of %s failed", public_id)

    # --- running a worker --------------------------------------------------------------------

    def consumer(self, workers: int = 2):
        """A Huey consumer for this queue, running jobs in threads (a full reindex derives its
        index rows in processes of its own)."""
        return self.huey.create_consumer(workers=max(1, workers), worker_type="thread", periodic=False)


def build_transcript(session, viewer, kind: str, key: str, options, base_url: str, title: str = ""):
    """The transcript of a testimony, a source or a selection, for this viewer."""
    from .. import transcripts

    if kind == "testimony":
        return transcripts.testimony_transcript(session, viewer, key, options, base_url=base_url)
    if kind == "source":
        return transcripts.source_transcript(session, viewer, key, options, base_url=base_url)
    ids = transcripts.parse_selection_ids(key)
    return transcripts.selection_transcript(session, viewer, ids, options, title=title, base_url=base_url)
