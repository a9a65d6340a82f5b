"""Testimonies in the workspace: the start page, entering and correcting, workflow actions, claims."""

from __future__ import annotations

from typing import Optional

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ... import queries
from ...forms.base import choice
from ...forms.records import (
    ClaimForm,
    CorroborationForm,
    DeleteClaimForm,
    DeleteForm,
    ReleaseFormUpload,
    TestimonyForm,
    WithdrawConsentForm,
    WithdrawForm,
    WorkflowForm,
)
from ...db import release_write_lock
from ...models import Testimony
from ...forms.segment_operations import merge_segments, move_segment, split_segment
from ...services import files
from ...services.write import Rejected, StaleEdit, WriteContext, save, workflow
from ...services.write.claims import add_claim, remove_claim
from ...viewer import Viewer
from .. import current_viewer, db_session, reshow_on_csrf_failure
from . import PAGE_SIZE, PICKER_FULL_LIST_LIMIT, _latest, actor, bp, picker_choices, picker_options, picker_step


def _picker_fields(form: TestimonyForm) -> list[tuple[str, list]]:
    """The form's pickers by the kind of record they pick."""
    agent_fields = [role.agent_id for role in form.roles] + [link.agent_id for link in form.transmission] + [
        segment.author_id for segment in form.segments
    ] + [form.consent_given_by_id]
    source_fields = [form.source_id] + [role.named_by_source_id for role in form.roles] + [
        link.source_id for link in form.transmission
    ]
    return [("agents", agent_fields), ("sources", source_fields), ("occasions", [form.occasion_id])]


def _fill_testimony_choices(form: TestimonyForm) -> None:
    # One read per kind of record, whatever the number of pickers: every record in a small
    # catalog, or only the ones these pickers hold in a large one.
    for kind, fields in _picker_fields(form):
        picker = picker_options(kind, keep=[field.data for field in fields])
        for field in fields:
            field.choices = picker_choices(picker, field.data)
    places = picker_options("places", keep=list(form.about_places.data or ()))
    chosen = {str(value) for value in form.about_places.data or ()}
    form.about_places.choices = [choice(str(record_id), label) for record_id, label in places.options
                                 if places.complete or str(record_id) in chosen]
    form.collections.choices = [choice(key, title) for key, title in queries.staff_collection_choices(
        db_session(), current_viewer(), keep=form.collections.data or (), limit=PICKER_FULL_LIST_LIMIT)]


# --- the start page and lists -------------------------------------------------------------------


@bp.get("/")
def index():
    """The workspace's start page: testimonies by state, newest changes first."""
    state = request.args.get("state", "")
    deleted = request.args.get("deleted") == "1"
    q = (request.args.get("q") or "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = queries.staff_testimony_page(
        db_session(), current_viewer(), state=state, deleted=deleted, text=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render_template(
        "archive/index.html", testimonies=found.rows, total=found.total, page=page, page_size=PAGE_SIZE,
        state=state, deleted=deleted, q=q, counts=found.counts_by_state, deleted_count=found.deleted_count,
    )


# --- testimonies ------------------------------------------------------------------------------


def _testimony_or_404(public_id: str) -> Testimony:
    testimony = queries.staff_testimony(db_session(), current_viewer(), public_id)
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
        "consent_given_by_id": opt(testimony.consent_given_by_id),
        "consent_given_by_name": testimony.consent_given_by_name,
        "consent_given_on": testimony.consent_given_edtf or "",
        "embargo_until": testimony.embargo_until.isoformat() if testimony.embargo_until else "",
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
        "collections": [collection.key for collection in testimony.collections],
        "about_places": [str(place.id) for place in testimony.about_places],
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
        message = split_segment(segments, index)
    elif name == "merge" and 0 <= index < len(segments):
        message = merge_segments(segments, index, source_linked)
    elif name in ("up", "down") and 0 <= index < len(segments):
        message = move_segment(segments, index, -1 if name == "up" else 1)
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
        if not segment.redactions.entries or segment.redactions.entries[-1].start.data not in (None, ""):
            segment.redactions.append_entry()


def _render_testimony_form(form: TestimonyForm, testimony: Optional[Testimony], status: int = 200, **extra):
    _fill_testimony_choices(form)
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
    release_write_lock(session)
    form = TestimonyForm()
    op = request.form.get("op", "")
    if op:
        finder, message = picker_step(_picker_fields(form), op)
        data, operation_message = _apply_form_operation(form, op, set())
        form = _rebuild(TestimonyForm, data)
        if message or operation_message:
            flash(message or operation_message, "info")
        return _render_testimony_form(form, None, finder=finder)
    _fill_testimony_choices(form)
    if not form.validate():
        return _render_testimony_form(form, None, 400 if not form.csrf_expired else 200)
    try:
        testimony = save(session, form.to_input(), actor(), note=form.note.data,
                         sealed_override=form.sealed_reason())
    except Rejected as rejected:
        session.rollback()
        form.show_problems(rejected)
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
    # Reading a long transcript's form takes a while: other writers need not wait for it (the
    # save takes the write lock back for its writes).
    release_write_lock(session)
    form = TestimonyForm()
    op = request.form.get("op", "")
    if op:
        version = form.version.data
        finder, message = picker_step(_picker_fields(form), op)
        data, operation_message = _apply_form_operation(form, op, source_linked)
        form = _rebuild(TestimonyForm, {**data, "version": version, "public_id": testimony.public_id})
        if message or operation_message:
            flash(message or operation_message, "info")
        return _render_testimony_form(form, testimony, finder=finder)
    _fill_testimony_choices(form)
    if not form.validate():
        return _render_testimony_form(form, testimony, 400 if not form.csrf_expired else 200)
    try:
        save(session, form.to_input(), actor(), existing=testimony, expected_version=form.based_on_version,
             note=form.note.data, sealed_override=form.sealed_reason())
    except StaleEdit:
        session.rollback()
        return _render_stale_testimony(form, public_id)
    except Rejected as rejected:
        session.rollback()
        form.show_problems(rejected)
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


@bp.get("/testimonies/<public_id>")
def testimony(public_id: str):
    """A testimony's workspace page: state, actions, corroboration, claims and the text as readers see it."""
    return _render_testimony_page(_testimony_or_404(public_id))


def _render_testimony_page(testimony: Testimony, status: int = 200, **forms):
    """The workspace page, with the forms given (a refused one, as typed) and fresh ones for the rest."""
    session, viewer = db_session(), current_viewer()
    version = {"version": testimony.version}
    claim_form = forms.pop("claim_form", None)
    if claim_form is None:
        claim_form = ClaimForm()
        _fill_claim_choices(claim_form, testimony)
    return render_template(
        "archive/testimony.html", testimony=testimony, t=queries.testimony_record(session, viewer, testimony),
        workflow=WorkflowForm(formdata=None, data=version),
        withdraw_form=forms.pop("withdraw_form", None) or WithdrawForm(formdata=None, data=version, prefix="withdraw"),
        delete_form=forms.pop("delete_form", None) or DeleteForm(formdata=None, data=version, prefix="delete"),
        consent_form=forms.pop("consent_form", None) or WithdrawConsentForm(formdata=None, data=version, prefix="consent"),
        release_form_upload=forms.pop("release_form", None)
        or ReleaseFormUpload(formdata=None, data=version, prefix="release"),
        corroboration_form=CorroborationForm(formdata=None, data={**version,
                                                                  "status": testimony.corroboration_status.value}),
        claim_form=claim_form, claims=(claims := queries.staff_claims_of(session, viewer, testimony)),
        claim_links=queries.staff_claim_links(session, viewer, [claim.id for claim in claims]),
        delete_claim=DeleteClaimForm(formdata=None),
        deleted_by=queries.staff_username(session, viewer, testimony.deleted_by_id),
        revision_count=_latest(session, "testimony", testimony.id),
        # What a reader following the permalink is shown now, word for word.
        tombstone=queries.get_tombstone(session, Viewer.public(), testimony.public_id),
        once_public=testimony.first_public_dt is not None,
    ), status


def _fill_claim_choices(form: ClaimForm, testimony: Testimony) -> None:
    form.segment_id.choices = [
        choice(str(s.id), f"¶{s.number} ({s.kind.label}): {s.text[:70]}{'…' if len(s.text) > 70 else ''}")
        for s in testimony.segments
    ]
    places = picker_options("places", keep=[form.scope_place_id.data])
    form.scope_place_id.choices = picker_choices(places, form.scope_place_id.data)


def _workflow_action(public_id: str, action, form_class=WorkflowForm, success: str = "", prefix: str = ""):
    """Shared shape of the workflow buttons: version check, service, commit, flash, back to the page."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    form = form_class(prefix=prefix) if prefix else form_class()
    # A refused withdrawal or deletion comes back with what was typed, under its fields.
    typed = {f"{prefix}_form": form} if prefix else {}
    if not form.validate():
        if typed and not form.csrf_expired:
            return _render_testimony_page(testimony, 400, **typed)
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{form[name].label.text if name in form else name}: {error}", "error")
        # An expired token: said above, and the reason typed is still in its field.
        return _render_testimony_page(testimony, 200, **typed) if typed else \
            redirect(url_for("archive.testimony", public_id=public_id))
    try:
        action(session, testimony, form)
    except StaleEdit:
        session.rollback()
        flash("Someone else changed this testimony after you opened it. Nothing was changed; review it and try again.", "error")
        return redirect(url_for("archive.testimony", public_id=public_id))
    except Rejected as rejected:
        session.rollback()
        if typed:
            form.show_problems(rejected)
            return _render_testimony_page(testimony, 400, **typed)
        for problem in rejected.problems:
            flash(problem.message, "error")
        return redirect(url_for("archive.testimony", public_id=public_id))
    session.commit()
    flash(success, "success")
    return redirect(url_for("archive.testimony", public_id=public_id))


@bp.post("/testimonies/<public_id>/publish")
def testimony_publish(public_id: str):
    """Publish: readers of the testimony's access level can now find it."""
    return _workflow_action(
        public_id, lambda s, t, f: workflow.publish(s, t, actor(), f.based_on_version), success=f"{public_id} is published."
    )


@bp.post("/testimonies/<public_id>/withdraw")
def testimony_withdraw(public_id: str):
    """Withdraw from readers, with a reason."""
    return _workflow_action(
        public_id, lambda s, t, f: workflow.withdraw(s, t, f.reason.data, actor(), f.based_on_version),
        WithdrawForm, f"{public_id} is withdrawn; readers no longer see it.", prefix="withdraw",
    )


@bp.post("/testimonies/<public_id>/withdraw-consent")
def testimony_withdraw_consent(public_id: str):
    """Record that consent was withdrawn: a published testimony leaves publication at once."""
    return _workflow_action(
        public_id, lambda s, t, f: workflow.withdraw_consent(s, t, f.reason.data, actor(), f.based_on_version),
        WithdrawConsentForm, f"Consent to {public_id} is recorded as withdrawn; readers no longer see it.",
        prefix="consent",
    )


@bp.post("/testimonies/<public_id>/release-form")
def testimony_release_form(public_id: str):
    """Attach the signed release form: streamed into the file store, then recorded as a revision."""
    def attach(session, testimony, form):
        upload = form.file.data
        try:
            stored = files.store(current_app.config["INSTANCE_PATH"], upload.stream,
                                 int(current_app.config["RELEASE_FORM_MAX_MB"]) * 1024 * 1024)
        except files.FileRefused as refused:
            raise Rejected.one("file", str(refused)) from None
        workflow.attach_release_form(session, testimony, stored, upload.filename or "", form.access_level.data,
                                     actor(), form.based_on_version)

    return _workflow_action(public_id, attach, ReleaseFormUpload,
                            f"The release form of {public_id} is attached.", prefix="release")


@bp.post("/testimonies/<public_id>/draft")
def testimony_draft(public_id: str):
    """Return to draft."""
    return _workflow_action(
        public_id, lambda s, t, f: workflow.return_to_draft(s, t, actor(), f.based_on_version),
        success=f"{public_id} is a draft again.",
    )


@bp.post("/testimonies/<public_id>/delete")
def testimony_delete(public_id: str):
    """Soft delete, with who and why; the record and its history stay."""
    return _workflow_action(
        public_id, lambda s, t, f: workflow.soft_delete(s, t, f.reason.data, actor(), f.based_on_version,
                                                        public_reason=f.public_reason.data),
        DeleteForm, f"{public_id} is deleted. It stays in the archive, with its history, and can be restored.",
        prefix="delete",
    )


@bp.post("/testimonies/<public_id>/undelete")
def testimony_undelete(public_id: str):
    """Bring a deleted testimony back."""
    return _workflow_action(
        public_id, lambda s, t, f: workflow.undelete(s, t, actor(), f.based_on_version), success=f"{public_id} is restored.",
    )


@bp.post("/testimonies/<public_id>/corroboration")
def testimony_corroboration(public_id: str):
    """Change the corroboration status, with its rationale (kept as history)."""
    return _workflow_action(
        public_id,
        lambda s, t, f: workflow.change_corroboration(s, t, f.status.data, f.rationale.data, actor(),
                                                      f.based_on_version),
        CorroborationForm, "Corroboration status changed; the change is kept in its history.",
    )


@bp.post("/testimonies/<public_id>/claims")
def testimony_claim_add(public_id: str):
    """Attach a claim to one of the testimony's segments."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    form = ClaimForm()
    _fill_claim_choices(form, testimony)
    segment = next((s for s in testimony.segments if str(s.id) == form.segment_id.data), None)
    if segment is None:
        form.segment_id.errors = ["Pick a segment of this testimony."]
    if form.validate() and segment is not None:
        try:
            claim = add_claim(WriteContext(session, actor(), form.sealed_reason()), form.to_input())
        except Rejected as rejected:
            session.rollback()
            form.show_problems(rejected)
        else:
            session.commit()
            flash(f"Claim added to ¶{segment.number}.", "success")
            return redirect(url_for("archive.testimony", public_id=public_id, _anchor=f"claim-{claim.key}"))
    return _render_testimony_page(testimony, 400, claim_form=form)


@bp.post("/testimonies/<public_id>/claims/<key>/delete")
def testimony_claim_delete(public_id: str, key: str):
    """Remove a claim from the testimony."""
    session = db_session()
    testimony = _testimony_or_404(public_id)
    claim = queries.staff_claim(session, current_viewer(), key)
    if claim is None or claim.segment is None or claim.segment.testimony_id != testimony.id:
        abort(404)
    if DeleteClaimForm().validate():
        remove_claim(WriteContext(session, actor()), claim)
        session.commit()
        flash("Claim removed.", "success")
    return redirect(url_for("archive.testimony", public_id=public_id))


@bp.app_template_global("redaction_marks")
def redaction_marks(text: Optional[str], redactions) -> tuple:
    """A segment's text as typed in the editor, cut at the redactions typed beside it (those whose
    offsets and level make sense), for the editor to show which words readers below a level lose."""
    spans = []
    for entry in redactions:
        start, end, level = entry.start.data, entry.end.data, entry.access_level.data
        if str(start).isdigit() and str(end).isdigit() and level in ("restricted", "confidential"):
            spans.append((int(start), int(end), level))
    return queries.marked_pieces(text or "", spans) if spans else ()
