"""Long work on the job queue: imports, reindexing, PDFs and the background renders of published
transcripts. `status` writes a job's row (the one place that does); `queue` builds the queue
(Huey: embedded SQLite by default, Redis for several machines) and runs the jobs; `after_commit`
lets the write path ask for work once its transaction has committed."""

from .after_commit import render_after_commit
from .status import JobFailed

__all__ = ["JobFailed", "render_after_commit"]
