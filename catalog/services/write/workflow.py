"""Moving a testimony through its workflow: publish, withdraw, back to draft, delete and undelete,
and changes of its corroboration status. Each is a revision of its own."""

from __future__ import annotations

from typing import Optional

from sqlalchemy.orm import Session

from ...models import (
    AccessLevel, CorroborationChange, CorroborationStatus, PublicationState, ReleaseForm, RoleKind, Testimony,
)
from ...models.base import utcnow
from ..actors import Actor
from . import consent, rules
from .context import WriteContext, check_version, commit_revision
from .problems import Problem, Problems, Rejected


def _reason(value: str, message: str, field: str = "reason") -> str:
    problems = Problems()
    reason = rules.text(problems, field, value, required=True)
    if problems:
        raise Rejected([p if p.message != rules.REQUIRED else type(p)(p.path, message) for p in problems])
    return reason


def publish(session: Session, testimony: Testimony, actor: Actor, expected_version: Optional[int] = None) -> None:
    """Make a draft (or withdrawn) testimony readable by its audience."""
    check_version(testimony, expected_version)
    if testimony.is_deleted:
        raise Rejected.one("publication_state", "A deleted testimony cannot be published; restore it first.")
    if not testimony.segments:
        raise Rejected.one("publication_state", "A testimony without text cannot be published.")
    speakers = [consent.speaker_of(r.agent) for r in testimony.roles if r.role is RoleKind.SPEAKER]
    refused = consent.publication_problems(testimony.consent_status, testimony.access_level, speakers)
    if refused:
        raise Rejected([Problem((field,), message) for field, message in refused])
    testimony.publication_state = PublicationState.PUBLISHED
    testimony.withdrawn_reason = ""
    testimony.withdrawn_dt = None
    testimony.published_dt = testimony.published_dt or utcnow()
    commit_revision(WriteContext(session, actor), testimony, "published")


def withdraw(session: Session, testimony: Testimony, reason: str, actor: Actor,
             expected_version: Optional[int] = None) -> None:
    """Take a published testimony away from readers, saying why."""
    check_version(testimony, expected_version)
    reason = _reason(reason, "Say why the testimony is withdrawn; readers and archivists will see it.")
    testimony.publication_state = PublicationState.WITHDRAWN
    testimony.withdrawn_reason = reason
    testimony.withdrawn_dt = utcnow()
    commit_revision(WriteContext(session, actor), testimony, f"withdrawn: {reason}")


def withdraw_consent(session: Session, testimony: Testimony, reason: str, actor: Actor,
                     expected_version: Optional[int] = None) -> None:
    """Record that consent was withdrawn: a published testimony leaves publication at once (as
    `withdraw` takes it, tombstone and all), in the same revision, with the reason."""
    check_version(testimony, expected_version)
    reason = _reason(reason, "Say how and when consent was withdrawn; it is kept with the testimony.")
    testimony.consent_status = consent.ConsentStatus.WITHDRAWN
    testimony.embargo_until = None
    testimony.consent_note = reason
    note = f"consent withdrawn: {reason}"
    if testimony.publication_state is PublicationState.PUBLISHED:
        testimony.publication_state = PublicationState.WITHDRAWN
        testimony.withdrawn_reason = reason
        testimony.withdrawn_dt = utcnow()
        note = f"withdrawn: consent withdrawn: {reason}"
    commit_revision(WriteContext(session, actor), testimony, note)


def return_to_draft(session: Session, testimony: Testimony, actor: Actor,
                    expected_version: Optional[int] = None) -> None:
    """Back to draft: out of readers' sight while it is reworked."""
    check_version(testimony, expected_version)
    testimony.publication_state = PublicationState.DRAFT
    commit_revision(WriteContext(session, actor), testimony, "returned to draft")


def soft_delete(session: Session, testimony: Testimony, reason: str, actor: Actor,
                expected_version: Optional[int] = None, public_reason: str = "") -> None:
    """Delete softly: the record stays, with who deleted it, when and why; readers never see it.

    `reason` stays among archivists; `public_reason`, if given, is what readers who follow a
    permalink handed out while the testimony was public are told."""
    check_version(testimony, expected_version)
    reason = _reason(reason, "Say why the testimony is deleted.")
    problems = Problems()
    public_reason = rules.text(problems, "public_reason", public_reason)
    problems.raise_any()
    testimony.deleted_public_reason = public_reason or ""
    testimony.is_deleted = True
    testimony.deleted_reason = reason
    testimony.deleted_by_id = actor.user_id
    testimony.deleted_dt = utcnow()
    commit_revision(WriteContext(session, actor), testimony, f"deleted: {reason}")


def undelete(session: Session, testimony: Testimony, actor: Actor, expected_version: Optional[int] = None) -> None:
    """Bring a deleted testimony back (as it was, in its publication state)."""
    check_version(testimony, expected_version)
    testimony.is_deleted = False
    testimony.deleted_reason = ""
    testimony.deleted_by_id = None
    testimony.deleted_dt = None
    testimony.deleted_public_reason = ""
    commit_revision(WriteContext(session, actor), testimony, "restored from deletion")


def change_corroboration(session: Session, testimony: Testimony, status, rationale: str, actor: Actor,
                         expected_version: Optional[int] = None) -> None:
    """Set the corroboration status; the rationale is required and the change kept as history."""
    check_version(testimony, expected_version)
    problems = Problems()
    status = rules.choice(problems, "status", status, CorroborationStatus, required=True)
    problems.raise_any()
    rationale = _reason(rationale, "A change of corroboration status needs its rationale.", "rationale")
    testimony.corroboration_status = status
    testimony.corroboration_rationale = rationale
    testimony.corroboration_history.append(
        CorroborationChange(status=status, rationale=rationale, changed_by_id=actor.user_id,
                            changed_by_label=actor.label)
    )
    commit_revision(WriteContext(session, actor), testimony, f"corroboration: {status.label}")


def attach_release_form(session: Session, testimony: Testimony, stored, filename: str, access_level, actor: Actor,
                        expected_version: Optional[int] = None) -> None:
    """Attach the signed release form (a file already in the store, services/files.py), replacing
    any before it, with the access level that may open it; a revision of the testimony."""
    check_version(testimony, expected_version)
    problems = Problems()
    filename = rules.name(problems, "filename", filename or "", max_length=300) or ""
    level = rules.choice(problems, "access_level", access_level, AccessLevel, AccessLevel.CONFIDENTIAL)
    problems.raise_any()
    form = testimony.release_form or ReleaseForm()
    form.sha256, form.size, form.media_type = stored.sha256, stored.size, stored.media_type
    form.filename, form.access_level, form.uploaded_by_label = filename, level, actor.label
    form.uploaded_dt = utcnow()
    testimony.release_form = form
    commit_revision(WriteContext(session, actor), testimony,
                    f"release form attached: {filename or stored.sha256[:12]} ({level.label})")
