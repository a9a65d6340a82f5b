"""The job queue: jobs run by real consumers (embedded SQLite queue and Redis), imports that fail
say why and write nothing, progress is recorded, and a published testimony's transcript is
queued for rendering once its save commits."""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest
from sqlalchemy import func, select

from catalog.cli import main
from catalog.models import Job, JobKind, JobState, PublicationState, Segment, Testimony
from catalog.services import transcripts
from catalog.services.actors import Actor
from catalog.services.jobs.queue import JobQueue, make_huey
from catalog.services.write import workflow
from catalog.viewer import Viewer

REDIS_URL = os.environ.get("CATALOG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def catalog_file(*public_ids: str, broken: bool = False) -> bytes:
    """A JSON import file with one testimony per id (the last one broken when asked)."""
    testimonies = [{"id": public_id, "title": f"Account {public_id}", "roles": [{"agent": "witness", "role": "speaker"}],
                    "segments": [{"kind": "first_person", "text": "I saw it."}]} for public_id in public_ids]
    if broken:
        testimonies[-1]["segments"][0]["kind"] = "first_persn"
    return json.dumps({"format": "testimony-catalog/1", "agents": [{"key": "witness", "name": "A witness"}],
                       "testimonies": testimonies}).encode()


def counts(db) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Testimony)),
                session.scalar(select(func.count()).select_from(Segment)))


def job(db, token: str) -> Job:
    with db.session() as session:
        return session.scalar(select(Job).where(Job.token == token))


def submit_import(queue: JobQueue, content: bytes, dry_run: bool = False) -> str:
    params = {"upload": queue.save_upload(content), "filename": "batch.json", "dry_run": dry_run,
              "actor": "tester", "actor_id": None}
    return queue.submit(JobKind.IMPORT, params, None)


@pytest.fixture
def queue(app) -> JobQueue:
    return app.extensions["catalog_jobs"]


def test_an_import_job_writes_the_file_and_reports_what_it_created(queue, db):
    token = submit_import(queue, catalog_file("T-0701", "T-0702"))
    done = job(db, token)
    assert done.state is JobState.DONE, done.error
    assert done.result["created"] == {"agent": 1, "testimony": 2}
    assert ["testimony", "T-0701"] in done.result["records"]
    assert (done.progress_done, done.progress_total) == (3, 3)
    assert done.started_dt is not None and done.finished_dt is not None
    assert counts(db) == (2, 2)
    assert not list(queue.uploads_folder.iterdir()), "the upload is removed once imported"


def test_a_failed_import_job_says_why_and_writes_nothing(queue, db):
    token = submit_import(queue, catalog_file("T-0701", "T-0702", broken=True))
    failed = job(db, token)
    assert failed.state is JobState.FAILED
    assert failed.error == "1 problem in batch.json; nothing was imported."
    assert any(p.startswith("testimonies[1].segments[0].kind:") for p in failed.result["problems"])
    assert counts(db) == (0, 0)


def test_an_import_that_breaks_off_while_writing_leaves_nothing_half_done(queue, db, monkeypatch):
    from catalog.services.jobs import queue as queue_module

    class Interrupted(Exception):
        pass

    def progress_then_break(self, done, total, stage=None):
        if done >= 2:
            raise Interrupted("the disk is full")

    monkeypatch.setattr(queue_module.Progress, "__call__", progress_then_break)
    token = submit_import(queue, catalog_file("T-0701", "T-0702", "T-0703"))
    failed = job(db, token)
    assert failed.state is JobState.FAILED
    assert "Interrupted: the disk is full" in failed.error
    assert counts(db) == (0, 0), "the testimonies written before the break were kept"


def test_a_job_is_run_once_even_if_the_queue_delivers_it_twice(queue, db):
    token = submit_import(queue, catalog_file("T-0701"))
    queue.run(token)  # a second delivery of the same token
    assert job(db, token).state is JobState.DONE and counts(db) == (1, 1)


def wait_for(db, token: str, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = job(db, token)
        if found.state.is_over:
            return found
        time.sleep(0.1)
    pytest.fail(f"job {token} did not end within {seconds} s: {found.state.value}, {found.stage}")


def running_consumer(queue: JobQueue, monkeypatch):
    consumer = queue.consumer(workers=1)
    # In a test the consumer runs in threads of the test process: the test runner keeps its signals.
    monkeypatch.setattr(consumer, "_set_signal_handlers", lambda: None)
    consumer.start()
    return consumer


def test_a_real_consumer_runs_a_reindex_over_the_embedded_queue(app, seeded, monkeypatch):
    queue = app.extensions["catalog_jobs"]
    queue.huey.immediate = False  # the SQLite queue file in the instance folder
    assert queue.huey.storage.filename.endswith("jobs.sqlite3")
    consumer = running_consumer(queue, monkeypatch)
    try:
        token = queue.submit(JobKind.REINDEX, {}, None)
        done = wait_for(seeded, token)
    finally:
        consumer.stop(graceful=True)
        queue.huey.storage.flush_all()
    assert done.state is JobState.DONE, done.error
    segments = counts(seeded)[1]
    assert done.result["segments"] == segments and done.progress_total == done.progress_done == segments
    assert done.stage == f"Reindexed 13 testimonies and {segments} segments"


@pytest.fixture
def redis_server():
    """The Redis server the test queues on (skipped without one; CI starts one, and allows no skip)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    return REDIS_URL


def test_a_real_consumer_runs_an_import_over_redis(app, db, monkeypatch, redis_server):
    # A queue of the test's own on the Redis server, removed at the end.
    huey = make_huey(REDIS_URL, app.config["INSTANCE_PATH"], name=f"catalog-test-{uuid.uuid4().hex}")
    queue = JobQueue(huey, db, app.config["INSTANCE_PATH"], default_base_url="http://localhost/")
    consumer = running_consumer(queue, monkeypatch)
    try:
        good = submit_import(queue, catalog_file("T-0701"))
        bad = submit_import(queue, catalog_file("T-0702", broken=True))
        assert wait_for(db, good).state is JobState.DONE
        failed = wait_for(db, bad)
    finally:
        consumer.stop(graceful=True)
        huey.storage.flush_all()
    assert failed.state is JobState.FAILED and "nothing was imported" in failed.error
    assert counts(db) == (1, 1)
    assert huey.storage.conn.keys(f"huey.*.{huey.storage.name}") == [], "the test's keys are left behind"


# --- rendering after publication ------------------------------------------------------------


@pytest.fixture
def render_queue(app) -> JobQueue:
    """The app's queue holding tasks instead of running them, with renders after publication on."""
    queue = app.extensions["catalog_jobs"]
    queue.huey.immediate = False
    queue.prerender_enabled = True
    yield queue
    queue.huey.storage.flush_all()


def queued_renders(queue: JobQueue) -> list[tuple]:
    return [task.args for task in queue.huey.pending() if task.name == "catalog.render_published"]


def test_publishing_queues_the_public_transcript_once_committed(render_queue, db, make_testimony, session, app):
    draft = make_testimony((("first_person", "Words of a draft.")), state=PublicationState.DRAFT, public_id="T-0801")
    session.commit()
    assert queued_renders(render_queue) == [], "a draft is not rendered"
    session.info["base_url"] = "http://catalog.example/"
    workflow.publish(session, draft, Actor.system("test"))
    assert queued_renders(render_queue) == [], "nothing is queued before the commit"
    session.commit()
    assert queued_renders(render_queue) == [("T-0801", "http://catalog.example/")]

    # The queued task renders the PDF a public reader will ask for: it is then a cache hit.
    render_queue.huey.execute(render_queue.huey.pending()[0])
    with db.session() as reader:
        printable, pdf = transcripts.cached_pdf(app.config["INSTANCE_PATH"], reader, Viewer.public(), "testimony",
                                                "T-0801", transcripts.PrintOptions(), "http://catalog.example/")
    assert printable and pdf is not None and pdf.path.is_file()


def test_a_rolled_back_publication_queues_nothing(render_queue, make_testimony, session):
    draft = make_testimony(state=PublicationState.DRAFT, public_id="T-0802")
    session.commit()
    workflow.publish(session, draft, Actor.system("test"))
    session.rollback()
    session.commit()
    assert queued_renders(render_queue) == []


def test_saving_through_the_workspace_queues_with_the_requests_address(render_queue, client, auth, seeded):
    from tests.web.formdata import form_fields

    auth.login()
    url = "/archive/testimonies/T-0012/edit"
    data = form_fields(client.get(url).data, url)
    data["title"] = "Kobra Jokar, retitled"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.status_code
    assert queued_renders(render_queue) == [("T-0012", "http://localhost/")]


# --- the terminal ---------------------------------------------------------------------------


def test_catalog_import_and_reindex_show_progress(runner, db, tmp_path):
    path = tmp_path / "batch.json"
    path.write_bytes(catalog_file("T-0701", "T-0702", "T-0703"))
    result = runner.invoke(main, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Importing: 0 of 4 records" in result.stderr and "Importing: 4 of 4 records" in result.stderr
    assert "Imported: 1 agent, 3 testimony." in result.stdout
    result = runner.invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "Reindexing: 3 of 3 segments" in result.stderr
