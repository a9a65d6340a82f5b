"""Testimonies: one input holding a testimony with its roles, transmission, segments, redactions and
claims; one rule book (`check`) and one write (`apply`), whichever door the testimony came through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import func, select

from ...models import (
    AccessLevel,
    AccountKind,
    Agent,
    AgentRole,
    Claim,
    Collection,
    ConsentStatus,
    CorroborationChange,
    CorroborationStatus,
    Occasion,
    Place,
    PublicationState,
    RoleKind,
    Source,
    Testimony,
    TransmissionLink,
)
from ...models.base import utcnow
from . import consent, rules
from .agents import AgentInput
from .claims import ClaimInput, timestamp
from .context import WriteContext, next_public_id, set_date
from .places import OccasionInput
from .problems import Problems
from .roles import check_role
from .sources import SourceInput
from .testimony_segments import apply_segments, check_segment_set


@dataclass
class TestimonyInput:
    id: Any = None
    title: Any = None
    account_kind: Any = AccountKind.EYEWITNESS.value
    occasion: Any = None
    source: Any = None
    language: Any = "en"
    events_date: Any = None
    #: None leaves the publication state as it is (the workflow moves it); a file may set it.
    publication_state: Any = None
    withdrawn_reason: Any = ""
    #: When it was withdrawn, and when the public could first read it (a file's, as an archivist's
    #: export gives them); None: the write sets them as it does for any save.
    withdrawn_at: Any = None
    first_public_at: Any = None
    access_level: Any = AccessLevel.PUBLIC.value
    consent_status: Any = ConsentStatus.UNKNOWN.value
    consent_note: Any = ""
    #: Who gave the consent: an agent's key (usually the speaker's), or a name as free text.
    consent_given_by: Any = None
    consent_given_by_name: Any = ""
    #: When it was given (EDTF).
    consent_given_on: Any = None
    #: The day an embargoed testimony becomes readable (consent "embargoed until a date").
    embargo_until: Any = None
    #: {status, rationale, history}: set by a file; a form changes it through its own action.
    corroboration: Any = None
    summary: Any = ""
    roles: Any = field(default_factory=list)
    transmission: Any = field(default_factory=list)
    segments: Any = field(default_factory=list)
    #: Claims made in its segments (a file's); None leaves the claims as they are.
    claims: Any = None
    #: Keys of the collections it belongs to; None leaves its membership as it is.
    collections: Any = None
    #: Keys (or ids) of the places it speaks of, apart from where it was given; None leaves them.
    about_places: Any = None
    #: Records named for the first time beside the testimony (a form's "…or a new one").
    new_occasion: Optional[OccasionInput] = None
    new_source: Optional[SourceInput] = None
    #: What the revision adds to its note when the rules moved the testimony on (set by check).
    revision_note: str = field(default="", compare=False)

    def check(self, ctx: WriteContext, problems: Problems, existing: Optional[Testimony] = None) -> None:
        self._check_identity(ctx, problems, existing)
        self.title = rules.title(problems, "title", self.title)
        ctx.check_sealed(problems, "title", self.title, was=existing.title if existing else None)
        self.account_kind = rules.choice(problems, "account_kind", self.account_kind, AccountKind, required=True)
        self.language = rules.language(problems, "language", self.language) or "en"
        self.events_date = rules.edtf(problems, "events_date", self.events_date)
        self.access_level = rules.choice(problems, "access_level", self.access_level, AccessLevel, AccessLevel.PUBLIC)
        self.consent_status = rules.choice(problems, "consent_status", self.consent_status, ConsentStatus,
                                           ConsentStatus.UNKNOWN)
        self.consent_note = rules.note(problems, "consent_note", self.consent_note)
        self.summary = rules.html(problems, "summary", self.summary)
        ctx.check_sealed(problems, "summary", self.summary, html=True, was=existing.summary_html if existing else None)
        self._check_publication(problems)
        self._check_inline_records(ctx, problems)
        self._check_roles(ctx, problems)
        self._check_consent(ctx, problems, existing)
        self._check_transmission(ctx, problems)
        self._check_sealed_notes(ctx, problems, existing)
        self.segments = check_segment_set(ctx, problems, self.segments, existing, self.language)
        self._check_corroboration(problems)
        if self.claims is not None:
            self._check_claims(ctx, problems)
        if self.collections is not None:
            self._check_collections(ctx, problems)
        if self.about_places is not None:
            self._check_about_places(ctx, problems)

    def _check_identity(self, ctx: WriteContext, problems: Problems, existing: Optional[Testimony]) -> None:
        if existing is not None:
            self.id = existing.public_id
            return
        if rules.is_blank(self.id):
            self.id = None  # the next free identifier is given when it is written
            return
        self.id = rules.public_id(problems, "id", self.id)
        if self.id and ctx.exists(Testimony, self.id):
            problems.add("id", f"{self.id} is already used.")

    def _check_publication(self, problems: Problems) -> None:
        self.publication_state = rules.choice(problems, "publication_state", self.publication_state,
                                              PublicationState)
        self.withdrawn_reason = rules.text(problems, "withdrawn_reason", self.withdrawn_reason) or ""
        if self.publication_state is PublicationState.WITHDRAWN and not self.withdrawn_reason.strip():
            problems.add("withdrawn_reason", "A withdrawn testimony needs the reason it was withdrawn.")
        self.withdrawn_at = timestamp(problems, "withdrawn_at", self.withdrawn_at)
        if self.withdrawn_at is not None and self.publication_state is not PublicationState.WITHDRAWN:
            problems.add("withdrawn_at", "Only a withdrawn testimony has a time it was withdrawn.")
        self.first_public_at = timestamp(problems, "first_public_at", self.first_public_at)

    def _check_consent(self, ctx: WriteContext, problems: Problems, existing: Optional[Testimony]) -> None:
        """Who gave consent, when, its scope and embargo; and publication as the consent allows it
        (services/write/consent.py): withdrawn consent takes a published testimony out of
        publication, as this save's revision, with the reason."""
        ctx.find(Agent, self.consent_given_by, problems, "consent_given_by")
        self.consent_given_by_name = rules.name(problems, "consent_given_by_name", self.consent_given_by_name) or ""
        if not rules.is_blank(self.consent_given_by) and self.consent_given_by_name:
            problems.add("consent_given_by_name", "Pick the agent who gave consent or type a name, not both.")
        self.consent_given_on = rules.edtf(problems, "consent_given_on", self.consent_given_on)
        given_embargo = self.embargo_until
        self.embargo_until = rules.day(problems, "embargo_until", self.embargo_until)
        if not isinstance(self.consent_status, ConsentStatus) or not isinstance(self.access_level, AccessLevel):
            return
        if self.embargo_until is not None or rules.is_blank(given_embargo):
            for where, message in consent.embargo_problems(self.consent_status, self.embargo_until):
                problems.add(where, message)
        self.revision_note = ""
        state = self.publication_state
        if state is None and existing is not None:
            if consent.withdraws(self.consent_status, existing.publication_state):
                self.publication_state = PublicationState.WITHDRAWN
                self.withdrawn_reason = (self.withdrawn_reason or "").strip() or consent.DEFAULT_WITHDRAWAL_REASON
                self.revision_note = f"withdrawn: {self.consent_status.label}: {self.withdrawn_reason}"
                return
            state = existing.publication_state
        if state is not PublicationState.PUBLISHED:
            return
        speakers = []
        for item in self.roles:
            if item.get("role") is RoleKind.SPEAKER:
                agent = item.get("new_agent") or ctx.find(Agent, item.get("agent"), Problems(), "agent")
                found = consent.speaker_of(agent)
                if found is not None:
                    speakers.append(found)
        for where, message in consent.publication_problems(self.consent_status, self.access_level, speakers):
            problems.add(where, message)

    def _check_inline_records(self, ctx: WriteContext, problems: Problems) -> None:
        ctx.find(Occasion, self.occasion, problems, "occasion")
        ctx.find(Source, self.source, problems, "source")
        if self.new_occasion is not None:
            if not rules.is_blank(self.occasion):
                problems.add(("new_occasion", "title"), "Pick an occasion or name a new one, not both.")
            self.new_occasion.check(ctx, problems.under("new_occasion"))
        if self.new_source is not None:
            if not rules.is_blank(self.source):
                problems.add(("new_source", "title"), "Pick a source or name a new one, not both.")
            self.new_source.check(ctx, problems.under("new_source"))

    def _check_roles(self, ctx: WriteContext, problems: Problems) -> None:
        checked = []
        for index, item in rules.items(problems, "roles", self.roles):
            checked.append(check_role(ctx, problems.under("roles", index), item))
        self.roles = checked
        if not any(r["role"] is RoleKind.SPEAKER for r in checked):
            problems.add("roles", "Name the speaker (pick an agent, or type a new name).")

    def _check_transmission(self, ctx: WriteContext, problems: Problems) -> None:
        checked = []
        for index, item in rules.items(problems, "transmission", self.transmission):
            where = problems.under("transmission", index)
            new_agent = item.get("new_agent")
            if isinstance(new_agent, AgentInput):
                new_agent.check(ctx, where.under("new_agent"))
            ctx.find(Agent, item.get("agent"), where, "agent")
            ctx.find(Source, item.get("source"), where, "source")
            if rules.is_blank(item.get("agent")) and rules.is_blank(item.get("source")) and new_agent is None:
                where.add("agent", "A link of the chain needs an agent, a source or both.")
            checked.append({**item, "note": rules.note(where, "note", item.get("note"))})
        self.transmission = checked

    def _check_sealed_notes(self, ctx: WriteContext, problems: Problems, existing: Optional[Testimony]) -> None:
        """A role's relation to the events and a link's note are shown to readers as written."""
        relations = {r.relation_to_events for r in existing.roles} if existing is not None else set()
        notes = {t.note for t in existing.transmission} if existing is not None else set()
        for index, role in enumerate(self.roles):
            relation = role.get("relation")
            ctx.check_sealed(problems.under("roles", index), "relation", relation,
                             was=relation if relation in relations else None)
        for index, link in enumerate(self.transmission):
            ctx.check_sealed(problems.under("transmission", index), "note", link["note"],
                             was=link["note"] if link["note"] in notes else None)

    def _check_corroboration(self, problems: Problems) -> None:
        if self.corroboration is None:
            return
        entry = self.corroboration
        if not isinstance(entry, dict):
            problems.add("corroboration", "Must be an object with status, rationale and history.")
            self.corroboration = None
            return
        where = problems.under("corroboration")
        status = rules.choice(where, "status", entry.get("status"), CorroborationStatus,
                              CorroborationStatus.UNVERIFIED)
        rationale = rules.text(where, "rationale", entry.get("rationale")) or ""
        history = []
        for index, change in rules.items(where, "history", entry.get("history")):
            at = where.under("history", index)
            history.append({
                "status": rules.choice(at, "status", change.get("status"), CorroborationStatus, status),
                "rationale": rules.text(at, "rationale", change.get("rationale"), required=True) or "",
                "changed_by": rules.name(at, "changed_by", change.get("changed_by"), max_length=200) or "",
                "changed_at": timestamp(at, "changed_at", change.get("changed_at")),
            })
        if not history and rationale:
            history.append({"status": status, "rationale": rationale, "changed_by": "", "changed_at": None})
        self.corroboration = {"status": status, "rationale": rationale, "history": history}

    def _check_collections(self, ctx: WriteContext, problems: Problems) -> None:
        if not isinstance(self.collections, list):
            problems.add("collections", "Must be a list of collection keys.")
            self.collections = None
            return
        # Problems are the list's (a form shows the list as one field); each names its key.
        keys: list[str] = []
        for key in self.collections:
            if rules.is_blank(key):
                continue
            if not isinstance(key, str):
                problems.add("collections", "Must name a collection by its key.")
                continue
            if ctx.find(Collection, key, problems, "collections") is not None and key.strip() not in keys:
                keys.append(key.strip())
        self.collections = keys

    def _check_about_places(self, ctx: WriteContext, problems: Problems) -> None:
        if not isinstance(self.about_places, list):
            problems.add("about_places", "Must be a list of place keys.")
            self.about_places = None
            return
        keys: list[str] = []
        for ref in self.about_places:
            if rules.is_blank(ref):
                continue
            found = ctx.find(Place, ref, problems, "about_places")
            if found is None:
                continue
            key = found.key if isinstance(found, Place) else str(ref).strip()
            if key not in keys:
                keys.append(key)
        self.about_places = keys

    def _check_claims(self, ctx: WriteContext, problems: Problems) -> None:
        checked = []
        for index, item in rules.items(problems, "claims", self.claims):
            claim = item if isinstance(item, ClaimInput) else ClaimInput(**_claim_fields(item), key_required=True)
            claim.check(ctx, problems.under("claims", index))
            checked.append(claim)
        self.claims = checked

    # --- writing ------------------------------------------------------------------------------

    def apply(self, ctx: WriteContext, existing: Optional[Testimony] = None) -> Testimony:
        from .records import save_new

        if self.new_occasion is not None:
            self.occasion = save_new(ctx, self.new_occasion, note="created beside a testimony").id
        if self.new_source is not None:
            self.source = save_new(ctx, self.new_source, note="created beside a testimony").id
        testimony = existing
        if testimony is None:
            testimony = Testimony(public_id=self.id or next_public_id(ctx.session),
                                  publication_state=PublicationState.DRAFT)
            ctx.session.add(testimony)
        self._write_columns(ctx, testimony)
        self._write_roles(ctx, testimony)
        apply_segments(ctx, testimony, self.segments)
        if self.corroboration is not None:
            self._write_corroboration(ctx, testimony)
        if self.collections is not None:
            wanted = [ctx.get(Collection, key) for key in self.collections]
            if {c.key for c in wanted} != {c.key for c in testimony.collections}:
                testimony.collections = wanted
        if self.about_places is not None:
            wanted_places = [ctx.get(Place, key) for key in self.about_places]
            if {p.key for p in wanted_places} != {p.key for p in testimony.about_places}:
                testimony.about_places = wanted_places
        ctx.created[Testimony][testimony.public_id] = testimony
        if self.claims:
            ctx.session.flush()
            for claim in self.claims:
                claim.apply(ctx)
        return testimony

    def _write_columns(self, ctx: WriteContext, testimony: Testimony) -> None:
        testimony.title = self.title
        testimony.language = self.language
        testimony.account_kind = self.account_kind
        set_date(testimony, "events_date", self.events_date)
        testimony.access_level = self.access_level
        testimony.consent_status = self.consent_status
        testimony.consent_note = self.consent_note
        testimony.consent_given_by = ctx.get(Agent, self.consent_given_by)
        testimony.consent_given_by_name = self.consent_given_by_name
        testimony.consent_given_edtf = self.consent_given_on.text if self.consent_given_on else None
        testimony.embargo_until = self.embargo_until
        testimony.summary_html = self.summary
        testimony.occasion = ctx.get(Occasion, self.occasion)
        testimony.source = ctx.get(Source, self.source)
        if self.publication_state is not None:
            withdrawn = self.publication_state is PublicationState.WITHDRAWN
            if not withdrawn:
                testimony.withdrawn_dt = None
            elif testimony.publication_state is not PublicationState.WITHDRAWN or testimony.withdrawn_dt is None:
                testimony.withdrawn_dt = utcnow()
            testimony.publication_state = self.publication_state
            testimony.withdrawn_reason = self.withdrawn_reason
            if self.withdrawn_at is not None:
                testimony.withdrawn_dt = self.withdrawn_at
        if self.first_public_at is not None and testimony.first_public_dt is None:
            testimony.first_public_dt = self.first_public_at

    def _write_roles(self, ctx: WriteContext, testimony: Testimony) -> None:
        """Roles and transmission are short ordered lists: written as given, replacing what was —
        unless nothing changed, so an ordinary save leaves them (and the index) alone."""
        from .records import save_new

        def agent_of(item: dict) -> Optional[Agent]:
            if isinstance(item.get("new_agent"), AgentInput):
                return save_new(ctx, item["new_agent"], note="created beside a testimony")
            return ctx.get(Agent, item.get("agent"))

        def ident(record) -> Optional[int]:
            return record.id if record is not None else None

        if testimony.id is not None and not any(isinstance(i.get("new_agent"), AgentInput)
                                                for i in (*self.roles, *self.transmission)):
            wanted_roles = [(ident(ctx.get(Agent, i.get("agent"))), i["role"], ident(ctx.get(Source, i.get("named_by"))),
                             i["relation"]) for i in self.roles]
            wanted_links = [(ident(ctx.get(Agent, i.get("agent"))), ident(ctx.get(Source, i.get("source"))), i["note"])
                            for i in self.transmission]
            if wanted_roles == [(r.agent_id, r.role, r.named_by_source_id, r.relation_to_events)
                                for r in testimony.roles] and \
                    wanted_links == [(t.agent_id, t.source_id, t.note) for t in testimony.transmission]:
                return
        testimony.roles.clear()
        testimony.transmission.clear()
        ctx.session.flush()
        for position, item in enumerate(self.roles):
            testimony.roles.append(AgentRole(
                agent=agent_of(item), role=item["role"], named_by=ctx.get(Source, item.get("named_by")),
                relation_to_events=item["relation"], position=position,
            ))
        for position, item in enumerate(self.transmission, 1):
            testimony.transmission.append(TransmissionLink(
                position=position, agent=agent_of(item), source=ctx.get(Source, item.get("source")),
                note=item["note"],
            ))

    def _write_corroboration(self, ctx: WriteContext, testimony: Testimony) -> None:
        testimony.corroboration_status = self.corroboration["status"]
        testimony.corroboration_rationale = self.corroboration["rationale"]
        for change in self.corroboration["history"]:
            row = CorroborationChange(status=change["status"], rationale=change["rationale"],
                                      changed_by_label=change["changed_by"] or ctx.actor.label)
            if change["changed_at"] is not None:
                row.changed_dt = change["changed_at"]
            testimony.corroboration_history.append(row)


def _claim_fields(item: dict) -> dict:
    names = ("key", "segment", "kind", "statement", "excerpt", "speaker", "quantity_low", "quantity_high", "scope")
    return {name: item.get(name) for name in names if name in item}


def claims_on(ctx: WriteContext, segment_id: int) -> int:
    return ctx.session.scalar(select(func.count()).select_from(Claim).where(Claim.segment_id == segment_id))
