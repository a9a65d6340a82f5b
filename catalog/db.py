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
        else:
            connection.exec_driver_sql("BEGIN")


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
        from .services.search.indexing import install as keep_search_in_step

        # Every ORM write keeps the search index and facet data in step (see services/search).
        keep_search_in_step()
        queue_work_after_commit()
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
