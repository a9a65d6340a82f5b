"""Claims (factual assertions made in a segment, attributed to whoever makes them) and the
corroboration links between them. The catalog itself asserts nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select

from ...models import (
    Agent,
    Claim,
    ClaimKind,
    CorroborationLink,
    CorroborationRelation,
    Place,
    RoleKind,
    Segment,
    SegmentKind,
    Source,
    Testimony,
)
from ...models.base import as_utc
from . import rules
from .context import WriteContext, set_date, unique_key
from .problems import Problems


@dataclass
class ClaimInput:
    key: Any = None
    #: The segment the claim is made in: its id (a form), {testimony, number} or {source, position}.
    segment: Any = None
    kind: Any = ClaimKind.EVENT.value
    statement: Any = None
    excerpt: Any = ""
    speaker: Any = None
    quantity_low: Any = None
    quantity_high: Any = None
    scope: Any = None
    key_required: bool = False

    def check(self, ctx: WriteContext, problems: Problems) -> None:
        self.key = rules.key(problems, "key", self.key, required=self.key_required)
        if self.key and ctx.exists(Claim, self.key):
            problems.add("key", f"“{self.key}” is already used by another claim.")
        text = self._segment_text(ctx, problems)
        self.kind = rules.choice(problems, "kind", self.kind, ClaimKind, ClaimKind.EVENT)
        self.statement = rules.text(problems, "statement", self.statement, required=True)
        self.excerpt = rules.text(problems, "excerpt", self.excerpt, max_length=rules.MAX_SEGMENT) or ""
        ctx.check_sealed(problems, "statement", self.statement)
        ctx.check_sealed(problems, "excerpt", self.excerpt)
        if text is not None and self.excerpt and self.excerpt not in text:
            problems.add("excerpt", "The excerpt must be words of the segment, exactly as they stand.")
        ctx.find(Agent, self.speaker, problems, "speaker")
        self.quantity_low = rules.integer(problems, "quantity_low", self.quantity_low)
        self.quantity_high = rules.integer(problems, "quantity_high", self.quantity_high)
        if self.quantity_low is not None and self.quantity_high is not None and self.quantity_high < self.quantity_low:
            problems.add("quantity_high", "The upper figure is smaller than the lower one.")
        scope = self.scope if self.scope is not None else {}
        if not isinstance(scope, dict):
            problems.add("scope", "Must be an object with place, period and note.")
            scope = {}
        where = problems.under("scope")
        ctx.find(Place, scope.get("place"), where, "place")
        self.scope = {
            "place": scope.get("place"),
            "period": rules.edtf(where, "period", scope.get("period")),
            "note": rules.note(where, "note", scope.get("note")),
        }

    def _segment_text(self, ctx: WriteContext, problems: Problems) -> Optional[str]:
        """The text of the segment the claim rests on, from the catalog or from the same file."""
        ref = self.segment
        if isinstance(ref, Segment):
            return ref.text
        if isinstance(ref, int) and not isinstance(ref, bool):
            segment = ctx.session.get(Segment, ref)
            if segment is None:
                problems.add("segment", "That segment does not exist.")
                return None
            self.segment = segment
            return segment.text
        if not isinstance(ref, dict) or not (("testimony" in ref) ^ ("source" in ref)):
            problems.add("segment", "Must name a segment: {testimony, number} or {source, position}.")
            return None
        where = problems.under("segment")
        if "testimony" in ref:
            owner = ctx.find(Testimony, ref.get("testimony"), where, "testimony")
            number = rules.integer(where, "number", ref.get("number"), minimum=1, required=True)
            found = _segment_in(owner, number, lambda s: s.number)
        else:
            owner = ctx.find(Source, ref.get("source"), where, "source")
            number = rules.integer(where, "position", ref.get("position"), minimum=1, required=True)
            found = _segment_in(owner, number, lambda s: s.source_position, ctx)
        if owner is not None and number is not None and found is None:
            problems.add("segment", "No segment of that record stands there.")
        return found.text if found is not None else None

    def apply(self, ctx: WriteContext) -> Claim:
        segment = self._resolve_segment(ctx)
        speaker = ctx.get(Agent, self.speaker) if not rules.is_blank(self.speaker) else _speaker_of(segment)
        claim = Claim(
            key=self.key or unique_key(ctx, Claim, self.statement[:60], "claim"),
            segment=segment, speaker=speaker, kind=self.kind, statement=self.statement, excerpt=self.excerpt,
            quantity_low=self.quantity_low, quantity_high=self.quantity_high,
            scope_place=ctx.get(Place, self.scope["place"]), scope_note=self.scope["note"],
        )
        set_date(claim, "scope_period", self.scope["period"])
        ctx.session.add(claim)
        ctx.created[Claim][claim.key] = claim
        return claim

    def _resolve_segment(self, ctx: WriteContext) -> Segment:
        ref = self.segment
        if isinstance(ref, Segment):
            return ref
        if "testimony" in ref:
            testimony = ctx.get(Testimony, ref["testimony"])
            return next(s for s in testimony.segments if s.number == int(ref["number"]))
        source = ctx.get(Source, ref["source"])
        ctx.session.flush()
        return ctx.session.scalar(
            select(Segment).where(Segment.source_id == source.id, Segment.source_position == int(ref["position"]))
        )


def _segment_in(owner: Any, number: Optional[int], numbered, ctx: Optional[WriteContext] = None):
    """A segment of a testimony or source, whether saved already or declared in the same file."""
    if owner is None or number is None:
        return None
    if isinstance(owner, Testimony):
        return next((s for s in owner.segments if s.number == number), None)
    if isinstance(owner, Source):
        return ctx.session.scalar(
            select(Segment).where(Segment.source_id == owner.id, Segment.source_position == number)
        ) or _declared_source_segment(ctx, owner.key, number)
    found = next((s for s in (owner.segments or []) if numbered(s) == number), None)
    if found is None and ctx is not None:
        found = _declared_source_segment(ctx, owner.key, number)
    return found


def _declared_source_segment(ctx: WriteContext, source_key: str, position: int):
    """A segment a file places at a position of a source, from whichever entry declares it."""
    for testimony in ctx.declared[Testimony].values():
        for segment in testimony.segments or []:
            if _key_of(segment.source) == source_key and segment.source_position == position:
                return segment
    source = ctx.declared[Source].get(source_key)
    for segment in (source.segments or []) if source is not None else []:
        if segment.source_position == position:
            return segment
    return None


def _key_of(ref: Any) -> Any:
    return getattr(ref, "key", ref)


def _speaker_of(segment: Segment) -> Optional[Agent]:
    """Who makes a claim by default: the testimony's speaker for their words and questions put to
    them, the author for framing."""
    if segment.kind in (SegmentKind.FIRST_PERSON, SegmentKind.QUESTION) and segment.testimony is not None:
        return next((r.agent for r in segment.testimony.roles if r.role is RoleKind.SPEAKER), None)
    return segment.author


@dataclass
class CorroborationInput:
    from_claim: Any = None
    to_claim: Any = None
    to_testimony: Any = None
    relation: Any = None
    rationale: Any = None
    evidence: Any = ""
    #: When the link was made: kept by imports of an export, now otherwise.
    created_at: Any = None

    def check(self, ctx: WriteContext, problems: Problems) -> None:
        source = ctx.find(Claim, self.from_claim, problems, "from_claim")
        if rules.is_blank(self.from_claim):
            problems.add("from_claim", rules.REQUIRED)
        if rules.is_blank(self.to_claim) == rules.is_blank(self.to_testimony):
            problems.add("to_claim", "Give exactly one of to_claim and to_testimony.")
        target = ctx.find(Claim, self.to_claim, problems, "to_claim")
        ctx.find(Testimony, self.to_testimony, problems, "to_testimony")
        if source is not None and source is target:
            problems.add("to_claim", "A claim cannot corroborate itself.")
        self.relation = rules.choice(problems, "relation", self.relation, CorroborationRelation, required=True)
        self.rationale = rules.text(problems, "rationale", self.rationale, required=True)
        self.evidence = rules.text(problems, "evidence", self.evidence) or ""
        self.created_at = timestamp(problems, "created_at", self.created_at)

    def exists(self, ctx: WriteContext) -> bool:
        """The same link is already in the catalog (loading a file twice changes nothing)."""
        source = ctx.get(Claim, self.from_claim)
        target = ctx.get(Claim, self.to_claim)
        testimony = ctx.get(Testimony, self.to_testimony)
        if source is None or source.id is None:
            return False
        return ctx.session.scalar(select(CorroborationLink.id).where(
            CorroborationLink.from_claim_id == source.id,
            CorroborationLink.to_claim_id == (target.id if target is not None else None),
            CorroborationLink.to_testimony_id == (testimony.id if testimony is not None else None),
            CorroborationLink.relation == self.relation,
        )) is not None

    def apply(self, ctx: WriteContext) -> CorroborationLink:
        link = CorroborationLink(
            from_claim=ctx.get(Claim, self.from_claim), to_claim=ctx.get(Claim, self.to_claim),
            to_testimony=ctx.get(Testimony, self.to_testimony), relation=self.relation,
            rationale=self.rationale, evidence=self.evidence,
        )
        if self.created_at is not None:
            link.created_dt = self.created_at
        ctx.session.add(link)
        return link


def timestamp(problems: Problems, where, value: Any) -> Optional[dt.datetime]:
    """An ISO 8601 date and time, as the export writes them, as an aware UTC time (one without an
    offset is read as UTC)."""
    if rules.is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return as_utc(value)
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        parsed = None
    if parsed is None:
        problems.add(where, "Must be a date and time such as 2026-12-03T14:05:00+00:00.")
        return None
    return as_utc(parsed)


def add_claim(ctx: WriteContext, claim_input: ClaimInput) -> Claim:
    """Attach a claim to a segment, as a revision of the testimony it is made in."""
    from .context import commit_revision

    from .sealed import check_override

    problems = Problems()
    check_override(ctx, problems)
    with ctx.session.no_autoflush:
        claim_input.check(ctx, problems)
    problems.raise_any()
    claim = claim_input.apply(ctx)
    ctx.session.flush()
    if claim.segment.testimony is not None:
        commit_revision(ctx, claim.segment.testimony, f"claim {claim.key} added to ¶{claim.segment.number}")
    return claim


def remove_claim(ctx: WriteContext, claim: Claim) -> None:
    """Remove a claim (and the corroboration links resting on it), as a revision of its testimony."""
    from .context import commit_revision

    testimony = claim.segment.testimony if claim.segment else None
    note = f"claim {claim.key} removed from ¶{claim.segment.number if claim.segment else '?'}"
    ctx.session.delete(claim)
    ctx.session.flush()
    if testimony is not None:
        commit_revision(ctx, testimony, note)


def _link_owner(claim: Claim) -> Any:
    """The record whose history a link belongs to: the testimony (or else the source) the claim
    making it is made in (its snapshot lists the claim's links)."""
    segment = claim.segment
    return segment.testimony if segment.testimony is not None else segment.source


def _describe_link(link_input_or_link: Any, from_key: str, to_key: str) -> str:
    relation = CorroborationRelation(link_input_or_link.relation)
    return f"claim {from_key} {relation.label} claim {to_key}"


def link_claims(ctx: WriteContext, link_input: CorroborationInput) -> CorroborationLink:
    """Link a claim to another claim (supports, contradicts, qualifies, same as…), with its
    rationale and evidence, as a revision of the record the linking claim is made in."""
    from .context import commit_revision

    problems = Problems()
    with ctx.session.no_autoflush:
        link_input.check(ctx, problems)
        if not problems and link_input.exists(ctx):
            problems.add("to_claim", "These claims are already linked so.")
    problems.raise_any()
    link = link_input.apply(ctx)
    ctx.session.flush()
    owner = _link_owner(link.from_claim)
    if owner is not None:
        note = _describe_link(link, link.from_claim.key, link.to_claim.key if link.to_claim else "?")
        commit_revision(ctx, owner, f"{note}: {link.rationale}"[:1000])
    return link


def unlink_claims(ctx: WriteContext, link: CorroborationLink, reason: Any) -> None:
    """Remove a link between claims, with the reason why, as a revision of the record the linking
    claim is made in."""
    from .context import commit_revision

    problems = Problems()
    reason = rules.text(problems, "reason", reason, required=True)
    problems.raise_any()
    source = link.from_claim
    note = _describe_link(link, source.key, link.to_claim.key if link.to_claim else (
        link.to_testimony.public_id if link.to_testimony else "?"))
    owner = _link_owner(source)
    ctx.session.delete(link)
    ctx.session.flush()
    if owner is not None:
        commit_revision(ctx, owner, f"link removed ({note}): {reason}"[:1000])
