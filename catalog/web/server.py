"""`catalog serve`: the production HTTP server (gunicorn), one or several processes.

Python threads share one interpreter lock, so a single process answers at most about
1000 / (CPU milliseconds per page) pages a second whatever its thread count; several worker
processes (`--workers`) use every core. The app and its in-memory browse index are built once,
before the workers are forked, so they start warm and share those pages of memory.
"""

from __future__ import annotations

import atexit
import gc
import os
import subprocess
import sys

from flask import Flask
from gunicorn.app.base import BaseApplication

from . import database


class CatalogServer(BaseApplication):
    def __init__(self, app: Flask, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _warm(app: Flask) -> None:
    """Build the browse index (and name index) before forking, so every worker starts with it."""
    from ..services.search import index_cache

    db = database(app)
    with db.session() as session:
        index_cache.current(session)
        index_cache.names(session)
    # Connections made here must not be shared by forked workers.
    db.engine.dispose()


def start_job_consumer(workers: int) -> subprocess.Popen:
    """Start `catalog jobs` as a child process (same environment, so the same database, instance
    folder and queue); it stops with this process. A child rather than threads here: the job's
    CPU work (PDF layout, imports) then never competes with gunicorn's master for its lock."""
    child = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli", "jobs", "--workers", str(workers), "--exit-with", str(os.getpid())],
    )
    owner = os.getpid()

    def stop() -> None:
        # gunicorn's forked workers inherit this hook: only the process that started the child stops it.
        if os.getpid() == owner and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()

    atexit.register(stop)
    return child


def serve(app: Flask, host: str, port: int, workers: int = 1, threads: int = 8) -> None:
    def post_fork(_server, _worker) -> None:
        # A forked worker opens connections of its own (none is inherited after _warm).
        database(app).engine.dispose(close=False)

    _warm(app)
    # The application's long-lived objects (modules, models, templates, the browse index) stay
    # for the process's lifetime: taking them out of the cyclic collector removes full-collection
    # pauses of tens of milliseconds, and keeps forked workers from touching (copying) them.
    gc.freeze()
    CatalogServer(app, {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "threads": max(1, threads),
        "worker_class": "gthread",
        "keepalive": 5,
        "timeout": 300,
        "graceful_timeout": 10,
        "proc_name": "testimony-catalog",
        "post_fork": post_fork,
        "errorlog": "-",
        "loglevel": "warning",
    }).run()
