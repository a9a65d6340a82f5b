"""A long testimony through the write path: create one of N segments, correct one passage, add one
passage, each as one save (check, write, revision, search index), and time each.

    .venv/bin/python benchmarks/long_save.py --segments 10000 [--url sqlite:///...]

Without --url it works in a fresh SQLite file of its own. The figures are in benchmarks/README.md
("Long testimonies").
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from catalog.db import Database
from catalog.migrate import upgrade
from catalog.models import Testimony
from catalog.services.actors import Actor
from catalog.services.write import AgentInput, TestimonyInput, save

ACTOR = Actor.system("benchmark")


def _timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    print(f"{label:<28} {elapsed:7.2f} s")
    return elapsed


def run(url: str, count: int) -> None:
    db = Database(url)
    upgrade(db.engine)
    with db.writing() as session:
        speaker = save(session, AgentInput(name="A witness"), ACTOR).id
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

    _timed(f"create ({count:,} segments)", create)
    _timed("correct one passage", resave(lambda rows: rows[len(rows) // 2].update(text="Corrected words.")))
    _timed("add one passage", resave(lambda rows: rows.append({"kind": "first_person", "text": "One more."})))
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
