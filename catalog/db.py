"""Engines and sessions: SQLite tuned for evidence-grade durability, PostgreSQL as it comes.

Data functions take a session and never commit; the caller (a request, a CLI command) owns the
session's lifecycle.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

#: Milliseconds a SQLite connection waits for a lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers run beside a writer; synchronous=FULL makes an acknowledged save
        # survive a power cut (records may be evidence).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A write transaction takes the write lock up front: concurrent writers then wait on
        # busy_timeout instead of failing with "database is locked" when they upgrade later.
        if connection.get_execution_options().get("catalog_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            connection.info[_LOCK] = _HELD
        else:
            connection.exec_driver_sql("BEGIN")
            connection.info[_LOCK] = None

    @event.listens_for(engine, "before_cursor_execute")
    def on_statement(connection, _cursor, statement, _parameters, _context, _executemany):
        if connection.info.get(_LOCK) is _HELD and statement.lstrip()[:6].upper() in _WRITE_VERBS:
            connection.info[_LOCK] = _WRITTEN
        elif connection.info.get(_LOCK) is _RELEASED and statement.lstrip()[:6].upper() in _WRITE_VERBS:
            raise RuntimeError("A write after release_write_lock() and before take_write_lock().")


#: Where a SQLite connection keeps the state of its transaction's write lock.
_LOCK = "catalog_write_lock"
#: Held (BEGIN IMMEDIATE) and nothing written yet; held and written; given up until the writes.
_HELD, _WRITTEN, _RELEASED = "held", "written", "released"
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLAC"})


def release_write_lock(session: Session) -> bool:
    """Let other writers in while a save checks and prepares its writes.

    On SQLite a write transaction holds the database's one write lock from its BEGIN IMMEDIATE.
    When it has written nothing yet, it is swapped for a read transaction here, and
    `take_write_lock` takes the lock again just before the writes, so the lock is held only while
    writing. What was read before is then checked again under the lock (the record's version).
    True when the lock was given up; False on PostgreSQL (whose locks are per row, taken by the
    writes themselves) and when the transaction has already written."""
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.info.get(_LOCK) is not _HELD:
        return False
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("BEGIN")
    connection.info[_LOCK] = _RELEASED
    return True


def take_write_lock(session: Session) -> None:
    """Take back the write lock `release_write_lock` gave up (waiting up to the busy timeout)."""
    connection = session.connection()
    if connection.info.get(_LOCK) is not _RELEASED:
        return
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    connection.info[_LOCK] = _HELD


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for the URL; SQLite connections get the catalog's pragmas."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # JIT compilation pays off for long analytical queries only: on a search count it added tens
    # of milliseconds of compiling to every request.
    kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    return create_engine(url, **kwargs)


class Database:
    """One engine and the two kinds of session the catalog uses."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        from .services.jobs.after_commit import install as queue_work_after_commit
        from .services.oai.datestamps import install as keep_harvest_datestamps
        from .services.search.indexing import install as keep_search_in_step

        # Every ORM write keeps the search index and facet data in step (see services/search).
        keep_search_in_step()
        queue_work_after_commit()
        keep_harvest_datestamps()
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        #: The job queue work asked for by a committed write goes to (services/jobs); None: none.
        self.jobs = None
        info = {"catalog_database": self}
        self._read = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._write = sessionmaker(
            self.engine.execution_options(catalog_write=True), expire_on_commit=False, info=info
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, write: bool = False) -> Session:
        """A new session; `write=True` starts its transactions as writers."""
        return (self._write if write else self._read)()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write session that commits on success and rolls back on any error."""
        session = self.session(write=True)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
