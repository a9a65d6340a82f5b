"""The one write: check the input against its rule book, write it, and record the revision — for
every kind of record and every door (forms, imports, restore, seeds, the command line)."""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from sqlalchemy.orm import Session

from ...models import Agent, Collection, Occasion, Place, Source, Testimony
from ...db import release_write_lock, take_write_lock
from ..actors import Actor
from . import rules
from .agents import AgentInput
from .collections import CollectionInput
from .context import WriteContext, check_version, commit_revision
from .places import OccasionInput, PlaceInput
from .problems import Problems
from .sealed import check_override, override_note
from .sources import SourceInput
from .testimonies import TestimonyInput

#: The kind of record each input writes.
MODELS: dict[type, type] = {
    AgentInput: Agent,
    PlaceInput: Place,
    OccasionInput: Occasion,
    SourceInput: Source,
    TestimonyInput: Testimony,
    CollectionInput: Collection,
}


#: Saves now writing in this process, and whether the cyclic garbage collector was on before the
#: first of them (see `_collector_paused`).
_writing = 0
_collector_was_on = False
_writing_guard = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a save holds the write lock: a long
    transcript's write makes tens of thousands of objects, and the collections they set off were
    a third of the time the lock was held. Nothing is lost: what is garbage is collected once
    the collector runs again. Counted, so that threads saving at once resume it only at the end
    of the last one."""
    global _writing, _collector_was_on
    with _writing_guard:
        if _writing == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _writing += 1
    try:
        yield
    finally:
        with _writing_guard:
            _writing -= 1
            if _writing == 0 and _collector_was_on:
                gc.enable()


def check(ctx: WriteContext, record_input: Any, existing: Any = None) -> None:
    """Check an input against every rule of its kind; raise `Rejected` naming each problem."""
    problems = Problems()
    record_input.check(ctx, problems, existing)
    problems.raise_any()


def save(session_or_ctx: Session | WriteContext, record_input: Any, actor: Optional[Actor] = None,
         existing: Any = None, expected_version: Optional[int] = None, note: str = "",
         sealed_override: Optional[str] = None) -> Any:
    """Create (`existing` None) or change a record from its input, as one revision.

    `sealed_override`: the reason an archivist gives to save words naming a sealed identity
    anyway (sealed.py); the revision's note records it with who and which names.

    A change based on an older version raises `StaleEdit`; an input that breaks a rule raises
    `Rejected`. Either way nothing is written. Never commits."""
    ctx = session_or_ctx if isinstance(session_or_ctx, WriteContext) else WriteContext(session_or_ctx, actor)
    if sealed_override is not None:
        ctx.sealed_override = sealed_override
    # Every check is made before the write lock is taken (a long transcript takes seconds to
    # check), so other writers wait only for the writes themselves.
    release_write_lock(ctx.session)
    if existing is not None:
        check_version(existing, expected_version, lock=False)
    problems = Problems()
    note = rules.note(problems, "note", note)
    check_override(ctx, problems)
    with ctx.session.no_autoflush:
        record_input.check(ctx, problems, existing)
    problems.raise_any()
    # Refusals overridden anywhere in the input (a new occasion named beside it too) are recorded
    # in the record's own revision.
    note = "; ".join(part for part in (note, override_note(ctx)) if part)
    ctx.sealed_overridden = []
    moved = getattr(record_input, "revision_note", "")
    if moved:
        note = f"{note}; {moved}" if note else moved
    take_write_lock(ctx.session)
    with _collector_paused():
        if existing is not None:
            # Under the lock: a save that came in while this one was being checked is seen here.
            check_version(existing, expected_version)
        with ctx.session.no_autoflush:
            record = record_input.apply(ctx, existing)
        commit_revision(ctx, record, note or ("created" if existing is None else "edited"))
    return record


def save_new(ctx: WriteContext, record_input: Any, note: str = "created") -> Any:
    """Write an input already checked (a record named beside another, an import's entry)."""
    record = record_input.apply(ctx, None)
    commit_revision(ctx, record, note)
    return record
