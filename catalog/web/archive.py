"""The archivist workspace: entering and correcting records.

Every view follows one shape: load or 404 -> (the blueprint's guard checked access) -> validate the
form -> call a service -> commit -> flash -> redirect. A form that fails validation, a stale save
and an expired CSRF token all re-render the form with everything that was typed; nothing is written.
"""

from __future__ import annotations

from typing import Optional

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import dates, queries
from ..forms.base import choice
from ..forms.records import (
    AgentForm,
    ClaimForm,
    CorroborationForm,
    DeleteClaimForm,
    OccasionForm,
    PlaceForm,
    ReasonForm,
    SourceForm,
    TestimonyForm,
    WorkflowForm,
)
from ..models import (
    Agent,
    AgentName,
    Claim,
    CorroborationStatus,
    Occasion,
    Place,
    PublicationState,
    Revision,
    Segment,
    Source,
    Testimony,
    User,
)
from ..services import diffs, editing
from ..services.actors import Actor
from . import current_viewer, db_session, reshow_on_csrf_failure

bp = Blueprint("archive", __name__, url_prefix="/archive")

#: Rows in one page of a record list.
PAGE_SIZE = 100
#: Suggestions returned by one look-up.
LOOKUP_LIMIT = 20
#: Up to this many records, pickers list them all (usable without JavaScript); beyond it they list
#: only the current choice and rely on search-as-you-type (or typing a new name).
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
    return Actor(label=viewer.username, user_id=viewer.user_id)


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


def _narrowed(choices: list, selected) -> list:
    """In a large catalog, a picker lists only what is chosen (search-as-you-type finds the rest)."""
    if len(choices) <= PICKER_FULL_LIST_LIMIT:
        return choices
    keep = {str(selected or "")}
    return [c for c in choices if (c.value if hasattr(c, "value") else c[0]) in keep or not (c.value if hasattr(c, "value") else c[0])]


def _fill_testimony_choices(form: TestimonyForm, session) -> None:
    agents, sources = agent_choices(session), source_choices(session)
    form.occasion_id.choices = _narrowed(occasion_choices(session), form.occasion_id.data)
    form.source_id.choices = _narrowed(sources, form.source_id.data)
    for role in form.roles:
        role.agent_id.choices = _narrowed(agents, role.agent_id.data)
        role.named_by_source_id.choices = _narrowed(sources, role.named_by_source_id.data)
    for link in form.transmission:
        link.agent_id.choices = _narrowed(agents, link.agent_id.data)
        link.source_id.choices = _narrowed(sources, link.source_id.data)
    for segment in form.segments:
        segment.author_id.choices = _narrowed(agents, segment.author_id.data)


# --- the start page and lists -------------------------------------------------------------------

STATE_FILTERS = {
    "draft": Testimony.publication_state == PublicationState.DRAFT,
    "published": Testimony.publication_state == PublicationState.PUBLISHED,
    "withdrawn": Testimony.publication_state == PublicationState.WITHDRAWN,
}


@bp.get("/")
def index():
    """The workspace's start page: testimonies by state, newest changes first."""
    session = db_session()
    state = request.args.get("state", "")
    deleted = request.args.get("deleted") == "1"
    q = (request.args.get("q") or "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = select(Testimony).where(Testimony.is_deleted.is_(deleted))
    if state in STATE_FILTERS:
        query = query.where(STATE_FILTERS[state])
    if q:
        query = query.where(or_(Testimony.title.ilike(f"%{q}%"), Testimony.public_id.ilike(f"%{q}%")))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    testimonies = session.scalars(
        query.options(selectinload(Testimony.roles))
        .order_by(Testimony.updated_dt.desc(), Testimony.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    counts = {
        state_.value: n
        for state_, n in session.execute(
            select(Testimony.publication_state, func.count())
            .where(Testimony.is_deleted.is_(False))
            .group_by(Testimony.publication_state)
        ).all()
    }
    return render_template(
        "archive/index.html", testimonies=testimonies, total=total, page=page, page_size=PAGE_SIZE,
        state=state, deleted=deleted, q=q, counts=counts,
        deleted_count=session.scalar(select(func.count()).where(Testimony.is_deleted.is_(True))),
    )


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


# --- testimonies ------------------------------------------------------------------------------


def _testimony_or_404(public_id: str) -> Testimony:
    testimony = db_session().scalar(
        select(Testimony)
        .where(Testimony.public_id == public_id)
        .options(selectinload(Testimony.segments).selectinload(Segment.redactions), selectinload(Testimony.roles))
    )
    if testimony is None:
        abort(404)
    return testimony


def testimony_form_data(testimony: Testimony) -> dict:
    """A testimony as the form's initial data."""
    def opt(value):
        return "" if value is None else str(value)

    return {
        "version": testimony.version,
        "public_id": testimony.public_id,
        "title": testimony.title,
        "language": testimony.language,
        "account_kind": testimony.account_kind.value,
        "events_date_edtf": testimony.events_date_edtf or "",
        "occasion_id": opt(testimony.occasion_id),
        "source_id": opt(testimony.source_id),
        "access_level": testimony.access_level.value,
        "consent_status": testimony.consent_status.value,
        "consent_note": testimony.consent_note,
        "summary_html": testimony.summary_html,
        "roles": [
            {"agent_id": opt(r.agent_id), "role": r.role.value, "named_by_source_id": opt(r.named_by_source_id),
             "relation_to_events": r.relation_to_events, "new_agent_name": "", "new_agent_kind": "person"}
            for r in testimony.roles
        ] or [{"role": "speaker"}],
        "transmission": [
            {"agent_id": opt(t.agent_id), "source_id": opt(t.source_id), "note": t.note, "new_agent_name": ""}
            for t in testimony.transmission
        ],
        "segments": [
            {
                "record_id": str(s.id), "number": opt(s.number), "kind": s.kind.value, "text": s.text,
                "language": s.language, "direction": s.direction, "translation": s.translation or "",
                "translation_language": s.translation_language or "", "access_level": s.access_level.value,
                "author_id": opt(s.author_id), "timecode_start": s.timecode_start, "timecode_end": s.timecode_end,
                "split_at": "",
                "redactions": [
                    {"start": r.start, "end": r.end, "reason": r.reason, "access_level": r.access_level.value}
                    for r in s.redactions
                ],
            }
            for s in testimony.segments
        ],
        "note": "",
    }


def _blank_segment(language: str = "") -> dict:
    return {"kind": "first_person", "text": "", "language": language, "direction": "auto", "redactions": []}


def _apply_form_operation(form: TestimonyForm, op: str, source_linked: set[str]) -> tuple[dict, str]:
    """Apply an add/remove/split/merge/move button to the typed data; nothing is saved."""
    data = form.data
    data.pop("csrf_token", None)
    segments, roles, links = data["segments"], data["roles"], data["transmission"]
    name, _, arg = op.partition(":")
    index = int(arg) if arg.isdigit() else -1
    message = ""
    if name == "add-segment":
        position = index + 1 if 0 <= index < len(segments) else len(segments)
        previous = segments[position - 1] if position > 0 and segments else {}
        segments.insert(position, _blank_segment(previous.get("language") or ""))
        message = "New segment added; save to keep it."
    elif name == "remove-segment" and 0 <= index < len(segments):
        if str(segments[index].get("record_id") or "") in source_linked:
            message = "Removed from this testimony; the source keeps these words in its own text. Save to keep the change."
        else:
            message = "Segment removed; save to make it final."
        del segments[index]
    elif name == "split" and 0 <= index < len(segments):
        message = editing.split_segment(segments, index)
    elif name == "merge" and 0 <= index < len(segments):
        message = editing.merge_segments(segments, index, source_linked)
    elif name in ("up", "down") and 0 <= index < len(segments):
        message = editing.move_segment(segments, index, -1 if name == "up" else 1)
    elif name == "add-role":
        roles.append({"role": "mentioned", "new_agent_kind": "person"})
        message = "Role added."
    elif name == "remove-role" and 0 <= index < len(roles):
        del roles[index]
        message = "Role removed; save to make it final."
    elif name == "add-link":
        links.append({"new_agent_kind": "organisation"})
        message = "Link added to the chain."
    elif name == "remove-link" and 0 <= index < len(links):
        del links[index]
        message = "Link removed; save to make it final."
    return data, message


def _with_blank_redaction_rows(form: TestimonyForm) -> None:
    # One empty row per segment, so a redaction can be added without a round trip.
    for segment in form.segments:
        if not segment.redactions.entries or segment.redactions.entries[-1].start.data is not None:
            segment.redactions.append_entry()


def _render_testimony_form(form: TestimonyForm, testimony: Optional[Testimony], status: int = 200, **extra):
    session = db_session()
    _fill_testimony_choices(form, session)
    _with_blank_redaction_rows(form)
    source_linked = {str(s.id) for s in testimony.segments if s.source_id is not None} if testimony else set()
    return render_template(
        "archive/testimony_form.html", form=form, testimony=testimony, source_linked=source_linked, **extra
    ), status


def _rebuild(form_class, data: dict):
    return form_class(formdata=None, data=data)


@bp.route("/testimonies/new", methods=["GET", "POST"])
@reshow_on_csrf_failure
def testimony_new():
    """Enter a new testimony (it starts as a draft)."""
    session = db_session()
    if request.method == "GET":
        form = _rebuild(TestimonyForm, {"roles": [{"role": "speaker"}], "segments": [_blank_segment()], "language": "en"})
        return _render_testimony_form(form, None)
    form = TestimonyForm()
    op = request.form.get("op", "")
    if op:
        data, message = _apply_form_operation(form, op, set())
        form = _rebuild(TestimonyForm, data)
        if message:
            flash(message, "info")
        return _render_testimony_form(form, None)
    _fill_testimony_choices(form, session)
    if not form.validate():
        return _render_testimony_form(form, None, 400 if not form.csrf_expired else 200)
    try:
        testimony = editing.save_testimony(session, form.data, actor())
    except editing.EditRejected as rejected:
        session.rollback()
        _attach_problems(form, rejected.problems)
        return _render_testimony_form(form, None, 400)
    session.commit()
    flash(f"{testimony.public_id} saved as a draft (revision 1).", "success")
    return redirect(url_for("archive.testimony", public_id=testimony.public_id))


@bp.route("/testimonies/<public_id>/edit", methods=["GET", "POST"])
@reshow_on_csrf_failure
def testimony_edit(public_id: str):
    """Correct a testimony: its metadata, people, chain of transmission and segments."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    source_linked = {str(s.id) for s in testimony.segments if s.source_id is not None}
    if request.method == "GET":
        return _render_testimony_form(_rebuild(TestimonyForm, testimony_form_data(testimony)), testimony)
    form = TestimonyForm()
    op = request.form.get("op", "")
    if op:
        version = form.version.data
        data, message = _apply_form_operation(form, op, source_linked)
        form = _rebuild(TestimonyForm, {**data, "version": version, "public_id": testimony.public_id})
        if message:
            flash(message, "info")
        return _render_testimony_form(form, testimony)
    _fill_testimony_choices(form, session)
    if not form.validate():
        return _render_testimony_form(form, testimony, 400 if not form.csrf_expired else 200)
    try:
        editing.save_testimony(session, form.data, actor(), testimony, expected_version=form.based_on_version)
    except editing.StaleEdit:
        session.rollback()
        return _render_stale_testimony(form, public_id)
    except editing.EditRejected as rejected:
        session.rollback()
        _attach_problems(form, rejected.problems)
        return _render_testimony_form(form, testimony, 400)
    session.commit()
    flash(f"{testimony.public_id} saved (revision {_latest(session, 'testimony', testimony.id)}).", "success")
    return redirect(url_for("archive.testimony", public_id=testimony.public_id))


def _render_stale_testimony(form: TestimonyForm, public_id: str):
    """Their input beside the current version; saving again is a deliberate choice."""
    session = db_session()
    session.expire_all()
    testimony = _testimony_or_404(public_id)
    current = queries.testimony_record(session, current_viewer(), testimony)
    form.version.data = str(testimony.version)
    return _render_testimony_form(form, testimony, 409, stale=True, current=current)


def _latest(session, entity_type: str, entity_id: int) -> int:
    return queries.latest_revision_number(session, entity_type, entity_id) or 0


def _attach_problems(form, problems: dict[str, list[str]]) -> None:
    """Put a service's problems on the fields they name ("segments-2-text"), else on the form."""
    for where, messages in problems.items():
        field = _find_field(form, where)
        if field is not None:
            field.errors = list(field.errors or []) + messages
        else:
            form.form_errors.extend(messages)


def _find_field(form, where: str):
    try:
        return form[where]
    except KeyError:
        pass
    parts = where.split("-")
    node = form
    i = 0
    while i < len(parts):
        name = parts[i]
        try:
            node = node[name]
        except (KeyError, TypeError):
            return None
        if hasattr(node, "entries") and i + 1 < len(parts) and parts[i + 1].isdigit():
            index = int(parts[i + 1])
            if index >= len(node.entries):
                return None
            node = node.entries[index].form
            i += 2
            continue
        i += 1
    if node is form or hasattr(node, "entries"):
        return None  # a whole list (segments, roles): reported above the form
    return node


@bp.get("/testimonies/<public_id>")
def testimony(public_id: str):
    """A testimony's workspace page: state, actions, corroboration, claims and the text as readers see it."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    record = queries.testimony_record(session, current_viewer(), testimony)
    claim_form = ClaimForm()
    _fill_claim_choices(claim_form, session, testimony)
    corroboration_form = CorroborationForm(formdata=None, data={
        "version": testimony.version, "status": testimony.corroboration_status.value,
    })
    return render_template(
        "archive/testimony.html", testimony=testimony, t=record,
        workflow=WorkflowForm(formdata=None, data={"version": testimony.version}),
        withdraw_form=ReasonForm(formdata=None, data={"version": testimony.version}, prefix="withdraw"),
        delete_form=ReasonForm(formdata=None, data={"version": testimony.version}, prefix="delete"),
        corroboration_form=corroboration_form, claim_form=claim_form,
        claims=_claims_of(session, testimony), delete_claim=DeleteClaimForm(formdata=None),
        deleted_by=session.get(User, testimony.deleted_by_id) if testimony.deleted_by_id else None,
        revision_count=_latest(session, "testimony", testimony.id),
    )


def _claims_of(session, testimony: Testimony) -> list[Claim]:
    ids = [s.id for s in testimony.segments]
    if not ids:
        return []
    return list(session.scalars(select(Claim).where(Claim.segment_id.in_(ids)).order_by(Claim.id)))


def _fill_claim_choices(form: ClaimForm, session, testimony: Testimony) -> None:
    form.segment_id.choices = [
        choice(str(s.id), f"¶{s.number} ({s.kind.label}): {s.text[:70]}{'…' if len(s.text) > 70 else ''}")
        for s in testimony.segments
    ]
    form.scope_place_id.choices = place_choices(session)


def _workflow_action(public_id: str, action, form_class=WorkflowForm, success: str = "", prefix: str = ""):
    """Shared shape of the workflow buttons: version check, service, commit, flash, back to the page."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    form = form_class(prefix=prefix) if prefix else form_class()
    if not form.validate():
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{form[name].label.text if name in form else name}: {error}", "error")
        return redirect(url_for("archive.testimony", public_id=public_id))
    try:
        action(session, testimony, form)
    except editing.StaleEdit:
        session.rollback()
        flash("Someone else changed this testimony after you opened it. Nothing was changed; review it and try again.", "error")
        return redirect(url_for("archive.testimony", public_id=public_id))
    except editing.EditRejected as rejected:
        session.rollback()
        for messages in rejected.problems.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("archive.testimony", public_id=public_id))
    session.commit()
    flash(success, "success")
    return redirect(url_for("archive.testimony", public_id=public_id))


@bp.post("/testimonies/<public_id>/publish")
def testimony_publish(public_id: str):
    """Publish: readers of the testimony's access level can now find it."""
    return _workflow_action(
        public_id, lambda s, t, f: editing.publish(s, t, actor(), f.based_on_version), success=f"{public_id} is published."
    )


@bp.post("/testimonies/<public_id>/withdraw")
def testimony_withdraw(public_id: str):
    """Withdraw from readers, with a reason."""
    return _workflow_action(
        public_id, lambda s, t, f: editing.withdraw(s, t, f.reason.data, actor(), f.based_on_version),
        ReasonForm, f"{public_id} is withdrawn; readers no longer see it.", prefix="withdraw",
    )


@bp.post("/testimonies/<public_id>/draft")
def testimony_draft(public_id: str):
    """Return to draft."""
    return _workflow_action(
        public_id, lambda s, t, f: editing.return_to_draft(s, t, actor(), f.based_on_version),
        success=f"{public_id} is a draft again.",
    )


@bp.post("/testimonies/<public_id>/delete")
def testimony_delete(public_id: str):
    """Soft delete, with who and why; the record and its history stay."""
    return _workflow_action(
        public_id, lambda s, t, f: editing.soft_delete(s, t, f.reason.data, actor(), f.based_on_version),
        ReasonForm, f"{public_id} is deleted. It stays in the archive, with its history, and can be restored.",
        prefix="delete",
    )


@bp.post("/testimonies/<public_id>/undelete")
def testimony_undelete(public_id: str):
    """Bring a deleted testimony back."""
    return _workflow_action(
        public_id, lambda s, t, f: editing.undelete(s, t, actor(), f.based_on_version), success=f"{public_id} is restored.",
    )


@bp.post("/testimonies/<public_id>/corroboration")
def testimony_corroboration(public_id: str):
    """Change the corroboration status, with its rationale (kept as history)."""
    return _workflow_action(
        public_id,
        lambda s, t, f: editing.change_corroboration(
            s, t, CorroborationStatus(f.status.data), f.rationale.data, actor(), f.based_on_version
        ),
        CorroborationForm, "Corroboration status changed; the change is kept in its history.",
    )


@bp.post("/testimonies/<public_id>/claims")
def testimony_claim_add(public_id: str):
    """Attach a claim to one of the testimony's segments."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    form = ClaimForm()
    _fill_claim_choices(form, session, testimony)
    segment = next((s for s in testimony.segments if str(s.id) == form.segment_id.data), None)
    if segment is None:
        form.segment_id.errors = ["Pick a segment of this testimony."]
    if form.validate() and segment is not None:
        try:
            claim = editing.add_claim(session, segment, form.data, actor())
        except editing.EditRejected as rejected:
            session.rollback()
            _attach_problems(form, rejected.problems)
        else:
            session.commit()
            flash(f"Claim added to ¶{segment.number}.", "success")
            return redirect(url_for("archive.testimony", public_id=public_id, _anchor=f"claim-{claim.key}"))
    record = queries.testimony_record(session, current_viewer(), testimony)
    return render_template(
        "archive/testimony.html", testimony=testimony, t=record,
        workflow=WorkflowForm(formdata=None, data={"version": testimony.version}),
        withdraw_form=ReasonForm(formdata=None, data={"version": testimony.version}, prefix="withdraw"),
        delete_form=ReasonForm(formdata=None, data={"version": testimony.version}, prefix="delete"),
        corroboration_form=CorroborationForm(formdata=None, data={"version": testimony.version,
                                                                   "status": testimony.corroboration_status.value}),
        claim_form=form, claims=_claims_of(session, testimony), delete_claim=DeleteClaimForm(formdata=None),
        deleted_by=None, revision_count=_latest(session, "testimony", testimony.id),
    ), 400


@bp.post("/testimonies/<public_id>/claims/<key>/delete")
def testimony_claim_delete(public_id: str, key: str):
    """Remove a claim from the testimony."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    claim = session.scalar(select(Claim).where(Claim.key == key))
    if claim is None or claim.segment is None or claim.segment.testimony_id != testimony.id:
        abort(404)
    if DeleteClaimForm().validate():
        editing.remove_claim(session, claim, actor())
        session.commit()
        flash("Claim removed.", "success")
    return redirect(url_for("archive.testimony", public_id=public_id))


# --- history: every record kind ----------------------------------------------------------------

RECORD_KINDS = {
    "testimonies": (Testimony, "testimony"),
    "agents": (Agent, "agent"),
    "places": (Place, "place"),
    "occasions": (Occasion, "occasion"),
    "sources": (Source, "source"),
}


def _record_or_404(kind: str, ident: str):
    if kind not in RECORD_KINDS:
        abort(404)
    model, _ = RECORD_KINDS[kind]
    session = db_session()
    if model is Testimony:
        obj = session.scalar(select(Testimony).where(Testimony.public_id == ident))
    else:
        obj = session.scalar(select(model).where(model.key == ident))
    if obj is None:
        abort(404)
    return obj


def record_title(obj) -> str:
    if isinstance(obj, Testimony):
        return f"{obj.public_id} {obj.title}"
    return getattr(obj, "preferred_name", None) or getattr(obj, "title", None) or getattr(obj, "name", "")


def record_ident(obj) -> str:
    return obj.public_id if isinstance(obj, Testimony) else obj.key


def _names_for_diff(session) -> dict[str, dict]:
    """Readable names for the ids a snapshot holds."""
    return {
        "agent": {a.id: a.preferred_name for a in session.scalars(select(Agent))},
        "source": {s.id: s.title for s in session.scalars(select(Source))},
        "occasion": {o.id: o.title for o in session.scalars(select(Occasion))},
        "place": {p.id: p.name for p in session.scalars(select(Place))},
        "user": {u.id: u.username for u in session.scalars(select(User))},
    }


@bp.get("/<kind>/<ident>/history")
def history(kind: str, ident: str):
    """Every revision of a record, and a readable diff between any two of them."""
    session = db_session()
    obj = _record_or_404(kind, ident)
    revisions = editing.revisions_of(session, obj)
    if not revisions:
        abort(404)
    newest = revisions[0].number
    b = request.args.get("b", newest, type=int)
    a = request.args.get("a", max(b - 1, 1) if b > 1 else b, type=int)
    by_number = {r.number: r for r in revisions}
    if a not in by_number or b not in by_number:
        abort(404)
    diff = diffs.diff_snapshots(by_number[a].snapshot, by_number[b].snapshot) if a != b else None
    return render_template(
        "archive/history.html", obj=obj, kind=kind, ident=ident, title=record_title(obj), revisions=revisions,
        a=a, b=b, diff=diff, names=_names_for_diff(session),
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
        revision = editing.restore_revision(session, obj, number, actor(), form.based_on_version)
    except editing.StaleEdit:
        session.rollback()
        flash("Someone else changed this record after you opened its history. Nothing was restored; look again.", "error")
        return redirect(target)
    except editing.EditRejected as rejected:
        session.rollback()
        for messages in rejected.problems.values():
            for message in messages:
                flash(f"Cannot restore revision {number}: {message}", "error")
        return redirect(target)
    session.commit()
    flash(f"Revision {number} restored as revision {revision.number}.", "success")
    return redirect(url_for("archive.history", kind=kind, ident=record_ident(obj), a=number, b=revision.number))


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


@bp.app_template_filter("revision_value")
def revision_value(value, name: str = "", names: Optional[dict] = None):
    """A snapshot value in words for the history page."""
    names = names or {}
    if value is None or value == "":
        return "—"
    kinds = {"agent_id": "agent", "author_id": "agent", "publisher_id": "agent", "source_id": "source",
             "named_by_source_id": "source", "occasion_id": "occasion", "place_id": "place", "parent_id": "place",
             "scope_place_id": "place", "deleted_by_id": "user"}
    if name in kinds:
        return names.get(kinds[name], {}).get(value, f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_describe_item(item, names) for item in value) or "none"
    if name.endswith("_edtf"):
        return f"{value} ({dates.describe(value)})"
    return str(value).replace("_", " ") if name in ("kind", "account_kind", "role", "access_level") else str(value)


def _describe_item(item, names: dict) -> str:
    if not isinstance(item, dict):
        return str(item)
    parts = []
    if item.get("role"):
        parts.append(str(item["role"]).replace("_", " "))
    if item.get("agent_id"):
        parts.append(names.get("agent", {}).get(item["agent_id"], f"agent #{item['agent_id']}"))
    if item.get("source_id") and "role" not in item:
        parts.append(names.get("source", {}).get(item["source_id"], f"source #{item['source_id']}"))
    if item.get("named_by_source_id"):
        parts.append("named by " + names.get("source", {}).get(item["named_by_source_id"], "?"))
    for key in ("name", "status", "relation_to_events", "note", "rationale", "filename"):
        if item.get(key):
            parts.append(str(item[key]))
    if "start" in item and "end" in item:
        parts.append(f"characters {item['start']}–{item['end']} ({item.get('access_level', '')})")
    return " — ".join(parts)


# --- bulk import --------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_data():
    """Import a JSON or CSV file: a dry run reports every problem; the import is all-or-nothing."""
    import json as json_module

    from ..forms.imports import ImportForm
    from ..services import csv_import
    from ..services.ingest import ImportRejected, load_catalog

    form = ImportForm()
    result = None
    status = 200
    if request.method == "POST":
        if not form.validate():
            return render_template("archive/import.html", form=form, result=None, columns=csv_import.COLUMNS), 400
        upload = form.file.data
        filename = (upload.filename or "").lower()
        fmt = form.format.data if form.format.data != "auto" else ("csv" if filename.endswith(".csv") else "json")
        raw = upload.read(csv_import.MAX_BYTES + 1)
        session = db_session()
        problems: list[str] = []
        created: dict = {}
        skipped: dict = {}
        try:
            if fmt == "csv":
                report = csv_import.import_csv(session, raw, actor(), dry_run=form.dry_run.data)
                created, skipped = report.created, report.skipped
            else:
                try:
                    data = json_module.loads(raw.decode("utf-8-sig"))
                except (UnicodeDecodeError, ValueError) as error:
                    raise csv_import.CsvRejected([f"file: not valid JSON ({error})."]) from None
                loaded = load_catalog(session, data, actor())
                created, skipped = dict(loaded.created), dict(loaded.skipped)
        except csv_import.CsvRejected as rejected:
            problems = rejected.problems
        except ImportRejected as rejected:
            problems = [str(p) for p in rejected.problems]
        if problems or form.dry_run.data:
            session.rollback()
        else:
            session.commit()
        status = 400 if problems else 200
        result = {"format": fmt, "dry_run": form.dry_run.data, "problems": problems, "created": created,
                  "skipped": skipped, "filename": upload.filename}
    return render_template("archive/import.html", form=form, result=result, columns=csv_import.COLUMNS), status


@bp.get("/import/template.csv")
def import_template():
    """An empty CSV with the import's columns, to fill in a spreadsheet."""
    from ..services import csv_import

    return csv_import.template_header(), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": "attachment; filename=testimony-import-template.csv",
    }
