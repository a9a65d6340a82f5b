"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL runs when CATALOG_TEST_POSTGRES_URL names a server; the run creates its own database
and drops it at the end. With CATALOG_TEST_NO_SKIP=1 (as in CI) a skipped test fails the run.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from catalog import create_app
from catalog.db import Database
from catalog.migrate import upgrade
from catalog.models import (
    AccessLevel,
    AccountKind,
    Agent,
    AgentKind,
    AgentRole,
    Base,
    PublicationState,
    Role,
    RoleKind,
    Segment,
    SegmentKind,
    Testimony,
)
from catalog.services.actors import Actor
from catalog.services.revisions import record_revision
from catalog.services.seed import load_seeds
from catalog.services.users import create_user

POSTGRES_URL = os.environ.get("CATALOG_TEST_POSTGRES_URL")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and os.environ.get("CATALOG_TEST_NO_SKIP"):
        terminalreporter.write_line(f"{len(skipped)} test(s) skipped, and skipping is not allowed here.", red=True)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and os.environ.get("CATALOG_TEST_NO_SKIP"):
        session.exitstatus = 1


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, empty SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "catalog.sqlite3"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_server_url():
    """A database of this run's own on the PostgreSQL server, migrated, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("CATALOG_TEST_POSTGRES_URL is not set")
    admin_url = make_url(POSTGRES_URL)
    name = f"catalog_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        path = tmp_path / "catalog.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_server_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("CATALOG_SECRET_KEY", raising=False)
    monkeypatch.delenv("CATALOG_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    yield app
    app.extensions["catalog_db"].dispose()


@pytest.fixture
def db(app) -> Database:
    return app.extensions["catalog_db"]


@pytest.fixture
def sql_log(db):
    """`with sql_log() as statements:` records the SQL the catalog runs inside the block."""

    @contextlib.contextmanager
    def record():
        statements: list[str] = []

        def before_execute(connection, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before_execute)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before_execute)

    return record


def whole_table_reads(statements: list[str], *tables: str) -> list[str]:
    """The statements that read rows of one of these tables with no condition at all (counting
    them is not reading them)."""
    names = "|".join(tables)
    return [
        statement for statement in statements
        if re.search(rf"\bFROM ({names})\b", statement)
        and " WHERE " not in statement.replace("\n", " ")
        and not re.match(r"SELECT count\(", statement, re.IGNORECASE)
    ]


@pytest.fixture
def session(db):
    session = db.session(write=True)
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def seeded(db):
    """The seed catalog, committed."""
    with db.writing() as session:
        load_seeds(session)
    return db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -------------------------------------------------------------------------------

_counter = itertools.count(1)


@pytest.fixture
def make_agent(session):
    def make(name: str | None = None, **fields) -> Agent:
        number = next(_counter)
        agent = Agent(
            key=fields.pop("key", f"agent-{number}"),
            kind=fields.pop("kind", AgentKind.PERSON),
            preferred_name=name or f"Agent {number}",
            **fields,
        )
        session.add(agent)
        session.flush()
        return agent

    return make


@pytest.fixture
def make_testimony(session, make_agent):
    """A testimony with one speaker and the given segments ((kind, text) pairs or dicts)."""

    def make(
        *segments,
        speaker: Agent | None = None,
        public_id: str | None = None,
        state: PublicationState = PublicationState.PUBLISHED,
        access: AccessLevel = AccessLevel.PUBLIC,
        title: str = "A testimony",
        **fields,
    ) -> Testimony:
        number = next(_counter)
        testimony = Testimony(
            public_id=public_id or f"T-{9000 + number:04d}",
            title=title,
            account_kind=fields.pop("account_kind", AccountKind.EYEWITNESS),
            publication_state=state,
            access_level=access,
            **fields,
        )
        testimony.roles.append(AgentRole(agent=speaker or make_agent(), role=RoleKind.SPEAKER))
        for position, spec in enumerate(segments or [(SegmentKind.FIRST_PERSON, "I saw it.")], 1):
            if isinstance(spec, tuple):
                spec = {"kind": spec[0], "text": spec[1]}
            testimony.segments.append(Segment(position=position, number=position, **spec))
        session.add(testimony)
        session.flush()
        record_revision(session, testimony, Actor.system("test"))
        return testimony

    return make


@pytest.fixture
def make_user(db):
    def make(role: Role = Role.ARCHIVIST, username: str | None = None, password: str = "correct horse battery") -> dict:
        username = username or f"user{next(_counter)}"
        with db.writing() as session:
            user = create_user(session, username, password, role)
            user_id = user.id
        return {"id": user_id, "username": username, "password": password, "role": role}

    return make


_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str | bytes) -> str:
    """The CSRF token of the (first) form in a page; tests post forms with CSRF on."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    match = _CSRF_INPUT.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real sign-in form, CSRF token and all."""

    def __init__(self, client, make_user) -> None:
        self._client = client
        self._make_user = make_user
        self.user: dict | None = None

    def csrf_token(self, path: str = "/sign-in") -> str:
        """A CSRF token for this client's session, read from the form at `path`."""
        response = self._client.get(path)
        assert response.status_code == 200, f"GET {path} answered {response.status_code}"
        return csrf_token_from(response.data)

    def sign_in(self, username: str, password: str):
        """Post the sign-in form; returns the response (not followed)."""
        token = self.csrf_token("/sign-in")
        return self._client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token})

    def login(self, role: Role = Role.ARCHIVIST, **user_fields) -> dict:
        """Create a user with `role` (make_user) and sign in as them; returns the user dict."""
        user = self._make_user(role=role, **user_fields)
        response = self.sign_in(user["username"], user["password"])
        assert response.status_code == 302, f"sign-in failed: {response.status_code}"
        self.user = user
        return user

    def logout(self):
        token = self.csrf_token("/sign-in")
        response = self._client.post("/sign-out", data={"csrf_token": token})
        self.user = None
        return response


@pytest.fixture
def auth(client, make_user) -> AuthActions:
    """`auth.login(Role.RESEARCHER)` signs the `client` in as a new user; `auth.logout()`."""
    return AuthActions(client, make_user)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def sqlite_pragma(path: str, pragma: str):
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"PRAGMA {pragma}").fetchone()[0]
    finally:
        connection.close()
