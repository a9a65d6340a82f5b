"""Agents, places, occasions and sources: their lists and forms, and the pickers' choices and look-ups."""

from __future__ import annotations

from typing import Optional

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from ... import dates
from ...forms.base import choice
from ...forms.records import AgentForm, OccasionForm, PlaceForm, SourceForm
from ...models import Agent, AgentName, Occasion, Place, Source
from ...services import editing
from .. import db_session, reshow_on_csrf_failure
from . import LOOKUP_LIMIT, _attach_problems, _record_or_404, actor, bp, record_ident, record_title


# --- choices for pickers ----------------------------------------------------------------------


def _agent_label(agent: Agent) -> str:
    label = agent.preferred_name
    if agent.is_protected:
        label += f" (protected; public: {agent.public_pseudonym or 'pseudonym'})"
    return label


def agent_choices(session) -> list[tuple[str, str]]:
    agents = session.scalars(select(Agent).order_by(func.lower(Agent.preferred_name)))
    return [choice("", "— none —")] + [choice(str(a.id), _agent_label(a)) for a in agents]


def source_choices(session) -> list[tuple[str, str]]:
    sources = session.scalars(select(Source).order_by(func.lower(Source.title)))
    return [choice("", "— none —")] + [choice(str(s.id), s.title) for s in sources]


def occasion_choices(session) -> list[tuple[str, str]]:
    occasions = session.scalars(select(Occasion).order_by(Occasion.date_lower, Occasion.title))
    return [choice("", "— none —")] + [
        choice(str(o.id), f"{o.title} — {dates.describe(o.date_edtf)}") for o in occasions
    ]


def place_choices(session, exclude: Optional[int] = None) -> list[tuple[str, str]]:
    places = session.scalars(select(Place).order_by(func.lower(Place.name)))
    return [choice("", "— none —")] + [
        choice(str(p.id), ", ".join([p.name, *(a.name for a in p.ancestors())])) for p in places if p.id != exclude
    ]


# --- look-ups for the pickers and the EDTF preview (JSON, read only) ---------------------------


@bp.get("/lookup/<kind>")
def lookup(kind: str):
    """Suggestions for a picker as the archivist types: [{id, label}]."""
    session = db_session()
    q = (request.args.get("q") or "").strip()[:100]
    pattern = f"%{q}%"
    if kind == "agents":
        matching_names = select(AgentName.agent_id).where(AgentName.name.ilike(pattern))
        rows = session.scalars(
            select(Agent)
            .where(or_(Agent.preferred_name.ilike(pattern), Agent.key.ilike(pattern), Agent.id.in_(matching_names)))
            .order_by(func.lower(Agent.preferred_name))
            .limit(LOOKUP_LIMIT)
        )
        items = [{"id": a.id, "label": _agent_label(a)} for a in rows]
    elif kind == "sources":
        rows = session.scalars(select(Source).where(Source.title.ilike(pattern)).order_by(Source.title).limit(LOOKUP_LIMIT))
        items = [{"id": s.id, "label": s.title} for s in rows]
    elif kind == "occasions":
        rows = session.scalars(
            select(Occasion).where(Occasion.title.ilike(pattern)).order_by(Occasion.title).limit(LOOKUP_LIMIT)
        )
        items = [{"id": o.id, "label": f"{o.title} — {dates.describe(o.date_edtf)}"} for o in rows]
    elif kind == "places":
        rows = session.scalars(select(Place).where(Place.name.ilike(pattern)).order_by(Place.name).limit(LOOKUP_LIMIT))
        items = [{"id": p.id, "label": ", ".join([p.name, *(a.name for a in p.ancestors())])} for p in rows]
    else:
        abort(404)
    return jsonify(items)


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
    "agents": (Agent, AgentForm, editing.save_agent, "agent"),
    "places": (Place, PlaceForm, editing.save_place, "place"),
    "occasions": (Occasion, OccasionForm, editing.save_occasion, "occasion"),
    "sources": (Source, SourceForm, editing.save_source, "source"),
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


def _fill_entity_choices(form, session, obj=None) -> None:
    if isinstance(form, PlaceForm):
        form.parent_id.choices = place_choices(session, exclude=obj.id if obj is not None else None)
    elif isinstance(form, OccasionForm):
        form.place_id.choices = place_choices(session)
    elif isinstance(form, SourceForm):
        form.publisher_id.choices = agent_choices(session)


@bp.get("/<kind>")
def entity_list(kind: str):
    """All agents, places, occasions or sources, with links to correct them."""
    if kind not in ENTITY_FORMS:
        abort(404)
    model = ENTITY_FORMS[kind][0]
    order = {Agent: Agent.preferred_name, Place: Place.name, Occasion: Occasion.title, Source: Source.title}[model]
    q = (request.args.get("q") or "").strip()
    query = select(model)
    if q:
        query = query.where(order.ilike(f"%{q}%"))
    rows = db_session().scalars(query.order_by(func.lower(order)).limit(1000)).all()
    return render_template("archive/entity_list.html", kind=kind, rows=rows, q=q, title_of=record_title)


@bp.route("/<kind>/new", methods=["GET", "POST"])
@reshow_on_csrf_failure
def entity_new(kind: str):
    """Add an agent, place, occasion or source."""
    return _entity_form(kind, None)


@bp.route("/<kind>/<ident>/edit", methods=["GET", "POST"])
@reshow_on_csrf_failure
def entity_edit(kind: str, ident: str):
    """Correct an agent, place, occasion or source."""
    if kind not in ENTITY_FORMS:
        abort(404)
    return _entity_form(kind, _record_or_404(kind, ident))


def _entity_form(kind: str, obj):
    if kind not in ENTITY_FORMS:
        abort(404)
    model, form_class, save, label = ENTITY_FORMS[kind]
    session = db_session()
    if request.method == "GET":
        form = form_class(formdata=None, data=_entity_form_data(obj) if obj is not None else {})
        return _render_entity_form(form, kind, obj, label)
    form = form_class()
    op = request.form.get("op", "")
    if op in ("add-name",) and hasattr(form, "names"):
        form.names.append_entry()
        return _render_entity_form(form, kind, obj, label)
    _fill_entity_choices(form, session, obj)
    if not form.validate():
        return _render_entity_form(form, kind, obj, label, status=400 if not form.csrf_expired else 200)
    try:
        saved = save(session, form.data, actor(), obj, expected_version=form.based_on_version if obj else None)
    except editing.StaleEdit:
        session.rollback()
        session.expire_all()
        current = _record_or_404(kind, record_ident(obj))
        form.version.data = str(current.version)
        return _render_entity_form(form, kind, current, label, status=409, stale=True,
                                   current_data=_entity_form_data(current))
    except editing.EditRejected as rejected:
        session.rollback()
        _attach_problems(form, rejected.problems)
        return _render_entity_form(form, kind, obj, label, status=400)
    session.commit()
    flash(f"{label.capitalize()} “{record_title(saved)}” saved.", "success")
    return redirect(url_for("archive.entity_list", kind=kind))


def _render_entity_form(form, kind: str, obj, label: str, status: int = 200, **extra):
    _fill_entity_choices(form, db_session(), obj)
    return render_template(
        "archive/entity_form.html", form=form, kind=kind, obj=obj, label=label,
        title=record_title(obj) if obj is not None else f"New {label}", ident=record_ident(obj) if obj is not None else None,
        **extra,
    ), status
