"""Storage: durable SQLite settings, writers that wait, and one schema on both databases."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from catalog.db import Database
from catalog.migrate import downgrade, upgrade
from catalog.models import Base
from catalog.models.search import include_object


def test_sqlite_pragmas_are_set_on_every_connection(db, backend):
    if backend != "sqlite":
        return  # PostgreSQL has no pragmas; durability is its default (fsync on commit)
    with db.engine.connect() as connection:
        read = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert read("journal_mode") == "wal"
        assert read("synchronous") == 2  # FULL
        assert read("foreign_keys") == 1
        assert read("busy_timeout") >= 5000


def test_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, Base.metadata) == []


def test_every_model_table_exists(db):
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_go_down_and_up_again(db):
    downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} == set()
    upgrade(db.engine)
    assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.writing() as session:
            session.execute(text("INSERT INTO agent_names (agent_id, name, kind, note) VALUES (424242, 'x', 'pseudonym', '')"))


def test_write_transactions_take_the_write_lock_at_once(db, backend, tmp_path):
    """A write session holds the lock from its first statement, so a second writer waits for it
    instead of failing when it later tries to upgrade a read lock."""
    if backend != "sqlite":
        return  # PostgreSQL uses row locks; concurrent writers are covered below for both
    path = db.engine.url.database
    writer = db.session(write=True)
    writer.execute(text("SELECT 1"))
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    writer.rollback()
    writer.close()
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_concurrent_writers_wait_instead_of_failing(db):
    """Two threads each read then write in one transaction; both succeed."""
    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            with db.writing() as session:
                session.execute(text("SELECT count(*) FROM agents")).scalar()
                time.sleep(0.2)
                session.execute(
                    text("INSERT INTO agents (key, kind, preferred_name, description_html, is_protected, identity_access, created_dt, updated_dt, version) "
                         "VALUES (:key, 'person', 'x', '', false, 'confidential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"),
                    {"key": f"writer-{n}"},
                )
        except Exception as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM agents WHERE key LIKE 'writer-%'")).scalar() == 2


def test_read_sessions_do_not_block_each_other(db):
    first, second = db.session(), db.session()
    first.execute(text("SELECT 1"))
    second.execute(text("SELECT 1"))
    first.close()
    second.close()


def test_database_url_of_a_new_file_is_created(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    upgrade(database.engine)
    assert "testimonies" in inspect(database.engine).get_table_names()
    database.dispose()
