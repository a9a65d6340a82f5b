"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL runs when CATALOG_TEST_POSTGRES_URL names a server; each test process creates its own
database there and drops it at the end. With CATALOG_TEST_NO_SKIP=1 (as in CI) a skipped test
fails the run.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import sqlite3
import uuid
from functools import partial
from pathlib import Path

import pytest
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

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
from catalog.services import users
from catalog.services.write import users as user_rules
from catalog.services.actors import Actor
from catalog.services.revisions import record_revision
from catalog.services.seed import load_seeds

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


def _settle_sqlite(database: Database) -> None:
    """Fold the write-ahead log into the file and close, so copying the one file copies it all."""
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, empty SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "catalog.sqlite3"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    _settle_sqlite(database)
    return path


@pytest.fixture(scope="session")
def sqlite_seeded_template(sqlite_template, tmp_path_factory) -> Path:
    """The empty template with the seeds loaded, for tests that use `seeded`: loading the seeds
    takes most of a second, copying the file a few milliseconds."""
    path = tmp_path_factory.mktemp("seeded-template") / "catalog.sqlite3"
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    with database.writing() as session:
        load_seeds(session)
    _settle_sqlite(database)
    return path


#: The schema of the run's PostgreSQL database that keeps a copy of the seeded tables.
SEED_SNAPSHOT = "seed_snapshot"


class PostgresRun:
    """The test process's own database on the PostgreSQL server, which its PostgreSQL tests reuse.

    It is migrated once and the seeds loaded once; their rows are then kept in the schema
    `seed_snapshot`, so each test starts from a database emptied, or emptied and refilled from
    the snapshot, in one transaction of a few tens of milliseconds. (TRUNCATE takes half a
    second for the catalog's tables, CREATE DATABASE from a template a forced checkpoint at each
    DROP.)
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.tables = Base.metadata.sorted_tables
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {SEED_SNAPSHOT}")
            for table in self.tables:
                connection.exec_driver_sql(f'CREATE TABLE {SEED_SNAPSHOT}."{table.name}" AS TABLE "{table.name}"')
            #: Each sequence's last value in the seeded database (None: never used).
            self.seed_sequences = dict(connection.exec_driver_sql(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
            ).all())

    def reset(self, seeded: bool) -> None:
        """Empty every table, refill them from the snapshot when `seeded`, and set the sequences
        to where an empty (or freshly seeded) database has them."""
        with self.engine.begin() as connection:
            # Children before parents on the way out, parents first on the way in: foreign keys
            # hold at every statement, with no superuser needed to switch them off.
            for table in reversed(self.tables):
                connection.execute(table.delete())
            if seeded:
                for table in self.tables:
                    columns = ", ".join(f'"{column.name}"' for column in table.columns)
                    connection.exec_driver_sql(
                        f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM {SEED_SNAPSHOT}."{table.name}"'
                    )
                # Caches of browse data are kept per database URL and token, and every test
                # shares this URL: new tokens, as loading the seeds anew would give, keep one
                # test from being served what another test's catalog built.
                connection.exec_driver_sql("UPDATE search_state SET token = replace(gen_random_uuid()::text, '-', '')")
            for name, seed_last in self.seed_sequences.items():
                last = seed_last if seeded else None
                connection.execute(
                    text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                    {"name": name, "value": last or 1, "called": last is not None},
                )

    def dispose(self) -> None:
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres_run():
    """A database of this test process's own on the PostgreSQL server, migrated and seeded once,
    dropped at the end."""
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
    with database.writing() as session:
        load_seeds(session)
    database.dispose()
    run = PostgresRun(url)
    yield run
    run.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


#: Whether the test's database started with the seeds in it (see `database_url` and `seeded`).
STARTED_SEEDED = pytest.StashKey[bool]()


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    """A database for this test alone: empty, or holding the seeds when the test uses `seeded`
    (directly or through another fixture), since the app and its engine exist before `seeded`."""
    seeded = request.node.stash[STARTED_SEEDED] = "seeded" in request.fixturenames
    if backend == "sqlite":
        path = tmp_path / "catalog.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_seeded_template" if seeded else "sqlite_template"), path)
        return f"sqlite:///{path}"
    run = request.getfixturevalue("postgres_run")
    run.reset(seeded)
    return run.url


class RunTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run. Each test's app has a Jinja environment of its
    own, which would otherwise compile every template it renders anew (tens of milliseconds a
    page); a template whose source changes gets a new checksum and is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_template_code = RunTemplateCode()


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("CATALOG_SECRET_KEY", raising=False)
    monkeypatch.delenv("CATALOG_DATABASE_URL", raising=False)
    # Jobs run at once, inside the request that asks (tests/services/test_jobs.py runs real
    # consumers); published testimonies are not rendered in the background unless a test asks.
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "JOBS_IMMEDIATE": True,
                      "RENDER_ON_PUBLISH": False})
    app.jinja_env.bytecode_cache = _template_code
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
def seeded(db, request):
    """The seed catalog, committed: the test's database started as a copy of a seeded one (see
    `database_url`)."""
    assert request.node.stash[STARTED_SEEDED], (
        "name `seeded` among the arguments of the test or of its fixtures: asked for while the test "
        "runs, it comes after the database was made without the seeds"
    )
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


#: How test users' passwords are hashed unless a test asks for the catalog's own way: Werkzeug's
#: default (scrypt) spends about a tenth of a second on the hash and again on every sign-in.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1"


@pytest.fixture
def make_user(db):
    def make(
        role: Role = Role.ARCHIVIST,
        username: str | None = None,
        password: str = "correct horse battery",
        fast_hash: bool = True,
    ) -> dict:
        username = username or f"user{next(_counter)}"
        with pytest.MonkeyPatch.context() as patch, db.writing() as session:
            if fast_hash:
                patch.setattr(user_rules, "generate_password_hash", partial(generate_password_hash, method=FAST_PASSWORD_HASH))
            user = users.create_user(session, username, password, role)
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
