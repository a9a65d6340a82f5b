"""`catalog serve`: several worker processes answer on one port, each seeing every change."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.models import Testimony

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str, dict]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8"), dict(response.headers)


@pytest.fixture
def served(app, seeded, database_url, tmp_path):
    """`catalog serve --workers 2` on the test database; yields its base URL."""
    port = free_port()
    env = dict(os.environ, CATALOG_DATABASE_URL=database_url, CATALOG_INSTANCE_PATH=str(tmp_path / "served"))
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "catalog.cli", "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get(base + "/testimonies")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                pytest.fail("the server did not start:\n" + log.read_text())
            time.sleep(0.2)
    # gunicorn forks its workers a random fraction of a second apart, and the first may answer
    # before the second exists: give the second a moment to be forked before anyone counts.
    settle = time.monotonic() + 5
    while len(worker_pids(process.pid)) < 2 and time.monotonic() < settle:
        time.sleep(0.05)
    yield base, process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def child_pids(pid: int) -> list[int]:
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        children += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return children


def is_job_consumer(pid: int) -> bool:
    return b"\0jobs\0" in Path(f"/proc/{pid}/cmdline").read_bytes()


def worker_pids(pid: int) -> list[int]:
    """gunicorn's workers: the server's children other than its job consumer."""
    return [child for child in child_pids(pid) if not is_job_consumer(child)]


def test_serve_runs_worker_processes_that_all_see_a_change(served, db):
    base, process = served
    assert len(worker_pids(process.pid)) == 2
    status, page, headers = get(base + "/testimonies")
    assert status == 200 and "13 accounts you may read" in page
    assert headers["Server"].startswith("gunicorn")
    for _ in range(6):  # both workers cache the page
        get(base + "/t/T-0003")
    with db.writing() as session:
        session.scalar(select(Testimony).where(Testimony.public_id == "T-0003")).title = "Retitled while serving"
    # Whichever worker answers, it sees the change (the cached pages are of the old token).
    for _ in range(6):
        assert "Retitled while serving" in get(base + "/t/T-0003")[1]


def test_serve_starts_a_job_consumer_that_runs_queued_jobs(served, db, tmp_path):
    from catalog.models import Job, JobKind, JobState
    from catalog.services.jobs.queue import JobQueue, make_huey

    base, process = served
    consumers = [pid for pid in child_pids(process.pid) if is_job_consumer(pid)]
    assert len(consumers) == 1
    # A job put on the served catalog's embedded queue, as its web processes do.
    instance = tmp_path / "served"
    queue = JobQueue(make_huey("", instance), db, instance, default_base_url=base + "/")
    token = queue.submit(JobKind.REINDEX, {}, None)
    deadline = time.monotonic() + 60
    while True:
        with db.session() as session:
            job = session.scalar(select(Job).where(Job.token == token))
        if job.state.is_over or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job.state is JobState.DONE, (job.state, job.error)
    assert job.result["testimonies"] == 13
