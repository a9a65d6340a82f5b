"""Every record kind's history: its revisions, a readable diff between two, and restoring one."""

from __future__ import annotations

import json
from typing import Optional

from flask import abort, flash, redirect, render_template, request, url_for

from ... import dates, queries
from ...forms.records import WorkflowForm
from ...models import (
    AccessLevel,
    AccountKind,
    AgentKind,
    ClaimKind,
    ConsentStatus,
    CorroborationRelation,
    CorroborationStatus,
    NameKind,
    OccasionKind,
    PublicationState,
    RoleKind,
    SegmentKind,
    SourceKind,
)
from ...services import diffs
from ...services.write import Rejected, StaleEdit
from ...services.write.restore import restore_revision, revisions_of
from .. import current_viewer, db_session
from . import _record_or_404, actor, bp, record_ident, record_title


#: Snapshot fields that hold another record's id, and that record's kind.
ID_FIELDS = {"agent_id": "agent", "author_id": "agent", "publisher_id": "agent", "source_id": "source",
             "named_by_source_id": "source", "occasion_id": "occasion", "place_id": "place", "parent_id": "place",
             "scope_place_id": "place", "deleted_by_id": "user", "consent_given_by_id": "agent"}


def _ids_in(value, found: dict[str, set[int]]) -> dict[str, set[int]]:
    """The ids of other records that a snapshot (or any part of it) mentions, by kind."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name in ID_FIELDS and isinstance(item, int) and not isinstance(item, bool):
                found.setdefault(ID_FIELDS[name], set()).add(item)
            else:
                _ids_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _ids_in(item, found)
    return found


def _names_for_diff(session, *snapshots: str) -> dict[str, dict]:
    """Readable names for the ids these snapshots hold (only those: never a whole table)."""
    wanted: dict[str, set[int]] = {}
    for snapshot in snapshots:
        _ids_in(json.loads(snapshot), wanted)
    return queries.staff_names(session, current_viewer(), wanted)


@bp.get("/<kind>/<ident>/history")
def history(kind: str, ident: str):
    """Every revision of a record, and a readable diff between any two of them."""
    session = db_session()
    obj = _record_or_404(kind, ident)
    revisions = revisions_of(session, obj)
    if not revisions:
        abort(404)
    newest = revisions[0].number
    b = request.args.get("b", newest, type=int)
    a = request.args.get("a", max(b - 1, 1) if b > 1 else b, type=int)
    by_number = {r.number: r for r in revisions}
    if a not in by_number or b not in by_number:
        abort(404)
    diff, names = None, {}
    if a != b:
        diff = diffs.diff_snapshots(by_number[a].snapshot, by_number[b].snapshot)
        names = _names_for_diff(session, by_number[a].snapshot, by_number[b].snapshot)
    return render_template(
        "archive/history.html", obj=obj, kind=kind, ident=ident, title=record_title(obj), revisions=revisions,
        a=a, b=b, diff=diff, names=names,
        restore_form=WorkflowForm(formdata=None, data={"version": obj.version}),
    )


@bp.post("/<kind>/<ident>/restore/<int:number>")
def restore(kind: str, ident: str, number: int):
    """Restore an older revision's content; this adds a new revision, nothing is erased."""
    session = db_session()
    obj = _record_or_404(kind, ident)
    form = WorkflowForm()
    target = url_for("archive.history", kind=kind, ident=ident)
    if not form.validate():
        flash("The form expired; nothing was restored. Try again.", "error")
        return redirect(target)
    try:
        revision = restore_revision(session, obj, number, actor(), form.based_on_version)
    except StaleEdit:
        session.rollback()
        flash("Someone else changed this record after you opened its history. Nothing was restored; look again.", "error")
        return redirect(target)
    except Rejected as rejected:
        session.rollback()
        for problem in rejected.problems:
            flash(f"Cannot restore revision {number}: {problem}", "error")
        return redirect(target)
    session.commit()
    flash(f"Revision {number} restored as revision {revision.number}.", "success")
    return redirect(url_for("archive.history", kind=kind, ident=record_ident(obj), a=number, b=revision.number))


@bp.app_template_filter("revision_value")
def revision_value(value, name: str = "", names: Optional[dict] = None):
    """A snapshot value in words for the history page."""
    names = names or {}
    if value is None or value == "":
        return "—"
    if name in ID_FIELDS:
        return names.get(ID_FIELDS[name], {}).get(value, f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_describe_item(item, names) for item in value) or "none"
    if name.endswith("_edtf"):
        return f"{value} ({dates.describe(value)})"
    return _label(name, value)


@bp.app_template_filter("revision_item")
def revision_item(item, names: Optional[dict] = None) -> str:
    """One item of a list field (a role, a claim, a redaction, a change of status) in words."""
    return _describe_item(item, names or {}) or "—"


#: The vocabularies a snapshot field may hold, by the field's name ("kind" depends on the record).
_VOCABULARIES = {
    "account_kind": (AccountKind,), "role": (RoleKind,), "access_level": (AccessLevel,),
    "identity_access": (AccessLevel,), "consent_status": (ConsentStatus,), "status": (CorroborationStatus,),
    "corroboration_status": (CorroborationStatus,), "publication_state": (PublicationState,),
    "relation": (CorroborationRelation,),
    "kind": (SegmentKind, AgentKind, SourceKind, OccasionKind, ClaimKind, NameKind),
    "claim_kind": (ClaimKind,),
}


def _label(name: str, value) -> str:
    """A stored vocabulary value as the vocabulary words it (never by replacing underscores)."""
    for vocabulary in _VOCABULARIES.get(name, ()):
        try:
            return vocabulary(value).label
        except ValueError:
            continue
    return str(value)


def _describe_item(item, names: dict) -> str:
    if not isinstance(item, dict):
        return str(item)
    parts = []
    if item.get("role"):
        parts.append(_label("role", item["role"]))
    if item.get("agent_id"):
        parts.append(names.get("agent", {}).get(item["agent_id"], f"agent #{item['agent_id']}"))
    if item.get("source_id") and "role" not in item:
        parts.append(names.get("source", {}).get(item["source_id"], f"source #{item['source_id']}"))
    if item.get("named_by_source_id"):
        parts.append("named by " + names.get("source", {}).get(item["named_by_source_id"], "?"))
    if item.get("changed_dt") and item.get("status"):
        parts.append(str(item["changed_dt"])[:10])  # a change of corroboration status, dated
    if item.get("statement"):
        parts.append(f"{_label('claim_kind', item.get('kind'))} claim “{item['statement']}”")
    for key in ("name", "status", "relation", "relation_to_events", "note", "rationale", "filename"):
        if item.get(key):
            parts.append(_label(key, item[key]))
    if item.get("corroborations"):
        parts.append("links: " + "; ".join(_describe_item(link, names) for link in item["corroborations"]))
    if "start" in item and "end" in item:
        parts.append(f"characters {item['start']}–{item['end']} ({_label('access_level', item.get('access_level'))})")
    return " — ".join(parts)
