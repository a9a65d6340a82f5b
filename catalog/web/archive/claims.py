"""Claims in the workspace: linking a claim to other claims (supports, contradicts, qualifies,
same as…) and removing links, each as a revision of the record the linking claim is made in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ... import queries
from ...forms.claim_links import ClaimLinkForm, RemoveClaimLinkForm
from ...services.write import Rejected, WriteContext
from ...services.write.claims import link_claims, unlink_claims
from .. import current_viewer, db_session, reshow_on_csrf_failure
from . import actor, bp, picker_choices, picker_options, picker_step


def _claim_or_404(key: str):
    claim = queries.staff_claim(db_session(), current_viewer(), key)
    if claim is None:
        abort(404)
    return claim


def _fill_choices(form: ClaimLinkForm, claim) -> None:
    options = picker_options("claims", keep=[form.to_claim_id.data], exclude=claim.id)
    form.to_claim_id.choices = picker_choices(options, form.to_claim_id.data)


def _render(claim, form: ClaimLinkForm, status: int = 200, finder=None):
    session, viewer = db_session(), current_viewer()
    return render_template(
        "archive/claim_links.html", claim=claim, form=form, finder=finder,
        links=queries.staff_claim_links(session, viewer, [claim.id])[claim.id],
        remove_form=RemoveClaimLinkForm(formdata=None),
    ), status


@bp.route("/claims/<key>/links", methods=["GET", "POST"])
@reshow_on_csrf_failure
def claim_links(key: str):
    """A claim's links to other claims, both ways, and the form that links it to another."""
    session = db_session()
    claim = _claim_or_404(key)
    if request.method == "GET":
        form = ClaimLinkForm(formdata=None)
        _fill_choices(form, claim)
        return _render(claim, form)
    form = ClaimLinkForm()
    op = request.form.get("op", "")
    if op:
        finder, message = picker_step([("claims", [form.to_claim_id], claim.id)], op)
        if message:
            flash(message, "info")
        _fill_choices(form, claim)
        return _render(claim, form, finder=finder)
    _fill_choices(form, claim)
    if not form.validate():
        return _render(claim, form, 400 if not form.csrf_expired else 200)
    try:
        link = link_claims(WriteContext(session, actor()), form.to_input(claim.id))
    except Rejected as rejected:
        session.rollback()
        form.show_problems(rejected)
        return _render(claim, form, 400)
    session.commit()
    flash(f"Linked: this claim {link.relation.label} claim {link.to_claim.key}. The link is kept in the history.",
          "success")
    return redirect(url_for("archive.claim_links", key=key))


@bp.post("/claim-links/<int:link_id>/remove")
def claim_link_remove(link_id: int):
    """Remove a link between claims, with the reason why."""
    session = db_session()
    link = queries.staff_claim_link(session, current_viewer(), link_id)
    if link is None:
        abort(404)
    # Back to the page of the claim the link was removed from (either end).
    back = request.form.get("claim", "")
    back = back if back in {link.from_claim.key, link.to_claim.key if link.to_claim else None} else link.from_claim.key
    form = RemoveClaimLinkForm()
    if form.validate():
        try:
            unlink_claims(WriteContext(session, actor()), link, form.reason.data)
        except Rejected as rejected:
            session.rollback()
            for problem in rejected.problems:
                flash(f"The link was not removed: {problem.message}", "error")
        else:
            session.commit()
            flash("Link removed; the removal and its reason are kept in the history.", "success")
    else:
        flash("The link was not removed: the form had run out; try again.", "error")
    return redirect(url_for("archive.claim_links", key=back))
