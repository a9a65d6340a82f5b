"""Rate limits on the JSON API: readers who are not signed in get a 429 with Retry-After once over
CATALOG_API_RATE_LIMIT, counted in memory or, shared between processes, in Redis; signed-in readers
are not limited."""

from __future__ import annotations

import os
import uuid

import pytest

from catalog import create_app
from catalog.models import Role

REDIS_URL = os.environ.get("CATALOG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setenv("CATALOG_API_RATE_LIMIT", "3/minute")


@pytest.fixture
def limited(three_a_minute, app):
    """The test's app (and `client`), made after the limit was set to 3 a minute."""
    return app


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == 429 and body["type"].endswith("/api#problem-429")
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"


def test_anonymous_readers_are_limited_in_memory(limited, client, seeded):
    answers = [client.get("/api/testimonies/T-0012") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert_limited(client.get("/api/people"))
    # Reading pages are not the API, and are not limited.
    assert client.get("/t/T-0012").status_code == 200


def test_signed_in_readers_are_not_limited(limited, client, seeded, auth):
    auth.login(Role.RESEARCHER)
    assert {client.get("/api/testimonies").status_code for _ in range(6)} == {200}


def test_a_limit_that_is_not_a_rate_is_refused_at_start(monkeypatch, database_url):
    monkeypatch.setenv("CATALOG_API_RATE_LIMIT", "lots")
    with pytest.raises(ValueError, match="CATALOG_API_RATE_LIMIT must be a rate such as 60/minute"):
        create_app({"TESTING": True, "DATABASE_URL": database_url})


@pytest.fixture
def redis_server():
    import redis

    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    yield server
    server.close()


def test_processes_share_their_counts_in_redis(monkeypatch, database_url, tmp_path, redis_server, seeded):
    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CATALOG_API_RATE_LIMIT", "3/minute")
    monkeypatch.setenv("CATALOG_RATE_LIMIT_STORAGE", REDIS_URL)
    prefix = f"catalog-test-{uuid.uuid4().hex}"
    # Two apps stand for two server processes (or machines) sharing one Redis.
    apps = [create_app({"TESTING": True, "DATABASE_URL": database_url, "RATE_LIMIT_KEY_PREFIX": prefix})
            for _ in range(2)]
    try:
        first, second = (app.test_client() for app in apps)
        assert first.get("/api/testimonies").status_code == 200
        assert second.get("/api/testimonies").status_code == 200
        assert first.get("/api/sources").status_code == 200
        assert_limited(second.get("/api/places"))
        assert redis_server.keys(f"*{prefix}*")
    finally:
        for key in redis_server.scan_iter(f"*{prefix}*"):
            redis_server.delete(key)
        for app in apps:
            app.extensions["catalog_db"].dispose()
