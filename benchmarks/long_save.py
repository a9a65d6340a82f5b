"""A long testimony through the write path: create one of N segments, correct one passage, add one
passage, each as one save (check, write, revision, search index), and time each, with the longest
time the save held the write lock: from its transaction's first write (BEGIN IMMEDIATE on SQLite,
the first INSERT, UPDATE, DELETE or SELECT … FOR UPDATE on PostgreSQL) to its commit.

    .venv/bin/python benchmarks/long_save.py --segments 10000 [--url sqlite:///...]

Without --url it works in a fresh SQLite file of its own. The figures are in benchmarks/README.md
("Long testimonies").
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, select

from catalog.db import Database
from catalog.migrate import upgrade
from catalog.models import Testimony
from catalog.services.actors import Actor
from catalog.services.write import AgentInput, TestimonyInput, save

ACTOR = Actor.system("benchmark")


_WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")


class LockClock:
    """Times every write transaction on the engine from its first write to its end."""

    def __init__(self, engine) -> None:
        self.since: float | None = None
        self.cpu_since = 0.0
        #: (wall seconds, this process's CPU seconds) of each hold: on a busy machine the CPU time
        #: says what the save itself cost.
        self.holds: list[tuple[float, float]] = []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _statement(self, conn, _cursor, statement, _params, _context, _many) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("COMMIT", "ROLLBACK")):
            # A transaction ended by hand (the write path gives the lock up while it checks).
            self._end(conn)
        elif self.since is None:
            if head.startswith(_WRITES) or "FOR UPDATE" in head:
                self.since, self.cpu_since = time.perf_counter(), time.process_time()

    def _end(self, _conn) -> None:
        if self.since is not None:
            self.holds.append((time.perf_counter() - self.since, time.process_time() - self.cpu_since))
            self.since = None

    def longest_since(self, start: int) -> tuple[float, float]:
        return max(self.holds[start:], default=(0.0, 0.0))


def _timed(label: str, action, clock: LockClock) -> float:
    first = len(clock.holds)
    started, cpu = time.perf_counter(), time.process_time()
    action()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    held, held_cpu = clock.longest_since(first)
    print(f"{label:<28} {elapsed:6.2f} s ({cpu:5.2f} s CPU)   write lock held at most {held:5.2f} s "
          f"({held_cpu:5.2f} s CPU)")
    return elapsed


def run(url: str, count: int) -> None:
    db = Database(url)
    upgrade(db.engine)
    clock = LockClock(db.engine)
    with db.writing() as session:
        speaker = save(session, AgentInput(name="A witness"), ACTOR).id
        # A protected person whose identity is sealed: every save checks each passage for their names.
        save(session, AgentInput(name="Shirin Rahimi", protected=True, pseudonym="Witness A",
                                 names=[{"name": "شیرین رحیمی", "kind": "transliteration"}]), ACTOR)
    passages = [{"kind": "first_person", "text": f"Passage {i} of a long interview, in the speaker's own words."}
                for i in range(count)]
    roles = [{"agent": speaker, "role": "speaker"}]

    def create():
        with db.writing() as session:
            save(session, TestimonyInput(title="A long interview", roles=roles, segments=passages), ACTOR)

    def saved():
        with db.session() as session:
            testimony = session.scalar(select(Testimony).order_by(Testimony.id.desc()))
            return testimony.id, testimony.version, [{"id": s.id, "kind": "first_person", "text": s.text}
                                                     for s in testimony.segments]

    def resave(change):
        testimony_id, version, rows = saved()
        change(rows)

        def write():
            with db.writing() as session:
                save(session, TestimonyInput(title="A long interview", roles=roles, segments=rows), ACTOR,
                     existing=session.get(Testimony, testimony_id), expected_version=version)
        return write

    _timed(f"create ({count:,} segments)", create, clock)
    _timed("correct one passage", resave(lambda rows: rows[len(rows) // 2].update(text="Corrected words.")), clock)
    _timed("add one passage", resave(lambda rows: rows.append({"kind": "first_person", "text": "One more."})), clock)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument("--url", default=None, help="Database URL (default: a fresh SQLite file).")
    args = parser.parse_args()
    if args.url:
        run(args.url, args.segments)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'long-save.sqlite3'}", args.segments)


if __name__ == "__main__":
    main()
