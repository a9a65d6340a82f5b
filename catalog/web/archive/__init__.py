"""The archivist workspace: entering and correcting records.

Every view follows one shape: load or 404 -> (the blueprint's guard checked access) -> validate the
form -> call a service -> commit -> flash -> redirect. A form that fails validation, a stale save
and an expired CSRF token all re-render the form with everything that was typed; nothing is written.

The views live by record family: testimonies.py (testimonies, their workflow and claims), records.py
(agents, places, occasions, sources, collections, the pickers' look-ups), history.py (revisions, diffs, restore)
and imports.py (bulk import). This module holds the blueprint, its one guard and what they share.
Views hold no SQL: they read through the staff readers of `catalog.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from ... import queries
from ...forms.base import choice
from ...models import Testimony
from ...services.actors import Actor
from .. import current_viewer, db_session

bp = Blueprint("archive", __name__, url_prefix="/archive")

#: Rows in one page of a record list.
PAGE_SIZE = 100
#: Suggestions returned by one look-up.
LOOKUP_LIMIT = 20
#: While a picker's list (with its "none" entry) stays within this many, it lists every record
#: (usable without JavaScript); beyond it, only the current choice, and search-as-you-type (or
#: typing a new name) finds the rest.
PICKER_FULL_LIST_LIMIT = 500


@bp.before_request
def _staff_only():
    """One guard for the whole workspace: archivists and admins only."""
    viewer = current_viewer()
    if viewer.user_id is None:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if g.get("session_ended") and request.form:
            # The session ran out while they were typing: nothing is saved, but nothing typed is
            # lost either — it is handed back to copy, with a way to sign in again beside it.
            typed = [(name, value) for name, value in request.form.items(multi=True)
                     if value.strip() and name not in ("csrf_token", "op", "version") and not name.endswith(
                         ("-csrf_token", "-version", "record_id", "-number", "split_at"))]
            return render_template("archive/session_ended.html", typed=typed, back=request.path), 401
        abort(401)
    if not viewer.is_staff:
        abort(403)


def actor() -> Actor:
    viewer = current_viewer()
    return Actor(label=viewer.username, user_id=viewer.user_id, may_override_sealed=viewer.is_staff)


def picker_options(kind: str, keep=(), exclude: Optional[int] = None) -> queries.PickerOptions:
    """The records a picker of this kind offers; in a large catalog only those in `keep`."""
    return queries.picker_options(
        db_session(), current_viewer(), kind, full_list_limit=PICKER_FULL_LIST_LIMIT, keep=keep, exclude=exclude
    )


def picker_choices(picker: queries.PickerOptions, selected) -> list:
    """A select's choices: "none", then every record, or in a large catalog only the selected one."""
    options = picker.options if picker.complete else [o for o in picker.options if str(o[0]) == str(selected or "")]
    return [choice("", "— none —")] + [choice(str(record_id), label) for record_id, label in options]


@dataclass(frozen=True)
class Finder:
    """The plain look-up list beside a picker: a page of records matching what was typed, each a
    button that puts its record in the picker. It is part of the record's form, so finding and
    choosing post everything typed and nothing is lost (as the testimony form's segment buttons do)."""

    field: str
    label: str
    kind: str
    text: str
    page: int
    rows: list
    more: bool


def picker_step(pickers: list, op: str) -> tuple[Optional[Finder], str]:
    """`find:<field>[:<page>]` opens (or pages) the look-up list of one of the form's `pickers`
    ((kind, [fields]) or (kind, [fields], id never offered)); `choose:<field>:<id>` puts a record in it. Returns the list to show
    and a message; (None, "") for any other op."""
    name, _, rest = op.partition(":")
    if name not in ("find", "choose"):
        return None, ""
    target, _, arg = rest.partition(":")
    found = next(((picker, field) for picker in pickers for field in picker[1] if field.name == target), None)
    if found is None:
        return None, ""
    (kind, _fields, *never), field = found
    exclude = never[0] if never else None
    if name == "choose":
        chosen = dict(picker_options(kind, keep=[arg], exclude=exclude).options) if arg.isdigit() else {}
        if not arg.isdigit() or int(arg) not in chosen:
            return None, "That record is no longer there; find another."
        field.data = arg
        return None, f"{field.label.text}: {chosen[int(arg)]}."
    text = (request.form.get("find_q") or "").strip()[:100]
    page = min(max(int(arg), 1), 10_000) if arg.isdigit() else 1
    rows = [row for row in queries.picker_suggestions(db_session(), current_viewer(), kind, text,
                                                      limit=LOOKUP_LIMIT + 1, offset=(page - 1) * LOOKUP_LIMIT)
            if row[0] != exclude]
    return Finder(target, field.label.text, kind.rstrip("s"), text, page, rows[:LOOKUP_LIMIT],
                  len(rows) > LOOKUP_LIMIT), ""


def _latest(session, entity_type: str, entity_id: int) -> int:
    return queries.latest_revision_number(session, entity_type, entity_id) or 0




def _record_or_404(kind: str, ident: str):
    obj = queries.staff_record(db_session(), current_viewer(), kind, ident)
    if obj is None:
        abort(404)
    return obj


def record_title(obj) -> str:
    if isinstance(obj, Testimony):
        return f"{obj.public_id} {obj.title}"
    return getattr(obj, "preferred_name", None) or getattr(obj, "title", None) or getattr(obj, "name", "")


def record_ident(obj) -> str:
    return obj.public_id if isinstance(obj, Testimony) else obj.key


# The views register themselves on `bp` when their modules are imported.
from . import claims, history, imports, records, testimonies  # noqa: E402,F401
