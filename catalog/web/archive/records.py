"""Agents, places, occasions, sources and collections: their lists and forms, the pickers' look-ups, the EDTF preview."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from ... import dates, queries
from ...forms.records import AgentForm, CollectionForm, OccasionForm, PlaceForm, SourceForm
from ...models import Agent, Collection, Occasion, Place
from ...services.write import Rejected, StaleEdit, save
from .. import current_viewer, db_session, reshow_on_csrf_failure
from . import (
    LOOKUP_LIMIT,
    _record_or_404,
    actor,
    bp,
    picker_choices,
    picker_options,
    picker_step,
    record_ident,
    record_title,
)

#: Records shown in one list of agents, places, occasions or sources (narrow it with a search).
ENTITY_LIST_LIMIT = 1000


# --- look-ups for the pickers and the EDTF preview (JSON, read only) ---------------------------


@bp.get("/lookup/<kind>")
def lookup(kind: str):
    """Suggestions for a picker as the archivist types: [{id, label}]."""
    if kind not in queries.PICKER_KINDS:
        abort(404)
    text = (request.args.get("q") or "").strip()[:100]
    suggestions = queries.picker_suggestions(db_session(), current_viewer(), kind, text, limit=LOOKUP_LIMIT)
    return jsonify([{"id": record_id, "label": label} for record_id, label in suggestions])


@bp.get("/edtf")
def edtf_preview():
    """An EDTF value in words, or what is wrong with it (for the live preview beside date fields)."""
    value = (request.args.get("value") or "")[:100]
    try:
        parsed = dates.parse(value, "date")
    except dates.InvalidDate as error:
        return jsonify({"ok": False, "error": f"“{error.value}” is not a valid EDTF date: {error.problem}."})
    if parsed is None:
        return jsonify({"ok": True, "words": "date unknown", "lower": None, "upper": None})
    return jsonify({
        "ok": True, "words": parsed.words,
        "lower": parsed.lower.isoformat() if parsed.lower else None,
        "upper": parsed.upper.isoformat() if parsed.upper else None,
    })


# --- agents, places, occasions, sources ---------------------------------------------------------

ENTITY_FORMS = {
    "agents": (AgentForm, "agent"),
    "places": (PlaceForm, "place"),
    "occasions": (OccasionForm, "occasion"),
    "sources": (SourceForm, "source"),
    "collections": (CollectionForm, "collection"),
}


def _entity_form_data(obj) -> dict:
    def opt(value):
        return "" if value is None else str(value)

    if isinstance(obj, Agent):
        return {
            "version": obj.version, "key": obj.key, "kind": obj.kind.value, "preferred_name": obj.preferred_name,
            "description_html": obj.description_html, "is_protected": obj.is_protected,
            "public_pseudonym": obj.public_pseudonym or "", "identity_access": obj.identity_access.value,
            "names": [{"name": n.name, "kind": n.kind.value, "language": n.language or "", "note": n.note} for n in obj.names]
            or [{}],
        }
    if isinstance(obj, Place):
        return {
            "version": obj.version, "name": obj.name, "kind": obj.kind, "parent_id": opt(obj.parent_id),
            "latitude": obj.latitude, "longitude": obj.longitude,
            "names": [{"name": n.name, "kind": n.kind.value, "language": n.language or ""} for n in obj.names] or [{}],
        }
    if isinstance(obj, Collection):
        return {"version": obj.version, "key": obj.key, "title": obj.title, "description_html": obj.description_html}
    if isinstance(obj, Occasion):
        return {
            "version": obj.version, "title": obj.title, "kind": obj.kind.value, "place_id": opt(obj.place_id),
            "date_edtf": obj.date_edtf or "", "date_note": obj.date_note,
        }
    return {
        "version": obj.version, "title": obj.title, "kind": obj.kind.value, "publisher_id": opt(obj.publisher_id),
        "date_edtf": obj.date_edtf or "", "language": obj.language or "", "location": obj.location,
        "stance_note_html": obj.stance_note_html, "citation": obj.citation, "access_level": obj.access_level.value,
    }


def _entity_pickers(form, obj=None) -> list[tuple]:
    """The form's pickers: (kind, [fields], the id never offered)."""
    if isinstance(form, PlaceForm):
        # A place cannot lie within itself.
        return [("places", [form.parent_id], obj.id if obj is not None else None)]
    if isinstance(form, OccasionForm):
        return [("places", [form.place_id], None)]
    if isinstance(form, SourceForm):
        return [("agents", [form.publisher_id], None)]
    return []


def _fill_entity_choices(form, obj=None) -> None:
    for kind, fields, exclude in _entity_pickers(form, obj):
        for field in fields:
            field.choices = picker_choices(picker_options(kind, keep=[field.data], exclude=exclude), field.data)


@bp.get("/<kind>")
def entity_list(kind: str):
    """All agents, places, occasions, sources or collections, with links to correct them."""
    if kind not in ENTITY_FORMS:
        abort(404)
    q = (request.args.get("q") or "").strip()
    rows = queries.staff_entity_list(db_session(), current_viewer(), kind, text=q, limit=ENTITY_LIST_LIMIT)
    return render_template("archive/entity_list.html", kind=kind, rows=rows, q=q)


@bp.route("/<kind>/new", methods=["GET", "POST"])
@reshow_on_csrf_failure
def entity_new(kind: str):
    """Add an agent, place, occasion, source or collection."""
    return _entity_form(kind, None)


@bp.route("/<kind>/<ident>/edit", methods=["GET", "POST"])
@reshow_on_csrf_failure
def entity_edit(kind: str, ident: str):
    """Correct an agent, place, occasion, source or collection."""
    if kind not in ENTITY_FORMS:
        abort(404)
    return _entity_form(kind, _record_or_404(kind, ident))


def _entity_form(kind: str, obj):
    if kind not in ENTITY_FORMS:
        abort(404)
    form_class, label = ENTITY_FORMS[kind]
    session = db_session()
    if request.method == "GET":
        form = form_class(formdata=None, data=_entity_form_data(obj) if obj is not None else {})
        return _render_entity_form(form, kind, obj, label)
    form = form_class()
    op = request.form.get("op", "")
    if op in ("add-name",) and hasattr(form, "names"):
        form.names.append_entry()
        return _render_entity_form(form, kind, obj, label)
    if op:
        # A picker's look-up list: open, page, choose or close it; nothing is saved.
        finder, message = picker_step(_entity_pickers(form, obj), op)
        if message:
            flash(message, "info")
        return _render_entity_form(form, kind, obj, label, finder=finder)
    _fill_entity_choices(form, obj)
    if not form.validate():
        return _render_entity_form(form, kind, obj, label, status=400 if not form.csrf_expired else 200)
    try:
        saved = save(session, form.to_input(), actor(), existing=obj,
                     expected_version=form.based_on_version if obj else None, note=form.note.data,
                     sealed_override=form.sealed_reason() if hasattr(form, "sealed_reason") else None)
    except StaleEdit:
        session.rollback()
        session.expire_all()
        current = _record_or_404(kind, record_ident(obj))
        form.version.data = str(current.version)
        return _render_entity_form(form, kind, current, label, status=409, stale=True,
                                   current_data=_entity_form_data(current))
    except Rejected as rejected:
        session.rollback()
        form.show_problems(rejected)
        return _render_entity_form(form, kind, obj, label, status=400)
    session.commit()
    flash(f"{label.capitalize()} “{record_title(saved)}” saved.", "success")
    return redirect(url_for("archive.entity_list", kind=kind))


def _render_entity_form(form, kind: str, obj, label: str, status: int = 200, **extra):
    _fill_entity_choices(form, obj)
    return render_template(
        "archive/entity_form.html", form=form, kind=kind, obj=obj, label=label,
        title=record_title(obj) if obj is not None else f"New {label}", ident=record_ident(obj) if obj is not None else None,
        **extra,
    ), status
