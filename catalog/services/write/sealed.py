"""Sealed identities in free text: words that name a protected person whose identity is sealed.

A protected person is shown to whoever may not see their identity only by their pseudonym; the
read layer sees to that wherever the catalog names the person. Free text — a title, a summary, an
occasion, a segment, a claim, a file name — is shown as written, so the rule is kept where it is
written: saving text that names such a person (by their name or any other name of theirs but
the pseudonym) is refused, with the words named. Words inside a span redacted from whoever may
not see the identity are allowed (that is what redaction is for), and so is a text that only
those who may see the identity can read.

An archivist (or admin) may save anyway, giving the reason: the save is then recorded with who,
why and which names in its revision's note.

Matching is the catalog's own text folding (services/search/normalise.py): case, accents and the
Persian/Arabic letter variants do not matter, and a name matches on word boundaries only
("Ali" is not found in "Alibaba"). One matcher is compiled per write and reused for every field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import select

from ...models import AccessLevel, Agent, AgentName, NameKind
from ...sanitize import plain_text
from ..search.normalise import fold
from . import rules
from .problems import Problems

#: The kind of a problem a sealed name raises: the one refusal an archivist may override.
SEALED = "sealed"
#: How a revision's note says a refusal was overridden (restore reads it back).
_BY_OVERRIDE = "by override of"
#: A run of letters and digits, as the search's tokens.
_TOKEN = re.compile(r"[^\W_]+")

#: What each field is called in a refusal.
LABELS = {
    "title": "The title",
    "summary": "The summary",
    "date_note": "The occasion’s note",
    "text": "The segment",
    "translation": "The segment’s translation",
    "statement": "The claim’s statement",
    "excerpt": "The claim’s excerpt",
    "filename": "The file name",
    "relation": "The relation to the events",
    "note": "The note",
}


@dataclass(frozen=True)
class SealedName:
    #: The name as the catalog holds it (what a refusal quotes back).
    name: str
    pseudonym: str
    #: Lowest access level allowed to see the identity.
    identity_access: AccessLevel


@dataclass
class SealedMatcher:
    """Every sealed name of the catalog (and of the file being imported), compiled once."""

    by_tokens: dict[str, list[SealedName]] = field(default_factory=dict)
    pattern: Optional[re.Pattern] = None

    @classmethod
    def build(cls, names: Iterable[SealedName]) -> "SealedMatcher":
        matcher = cls()
        for sealed in names:
            tokens = _TOKEN.findall(fold(sealed.name))
            if not tokens or tokens == _TOKEN.findall(fold(sealed.pseudonym or "")):
                continue
            matcher.by_tokens.setdefault(" ".join(tokens), []).append(sealed)
        if matcher.by_tokens:
            # Longest first, so "Shirin Rahimi" is found whole rather than as "Shirin".
            alternatives = sorted(matcher.by_tokens, key=len, reverse=True)
            body = "|".join(r"[\W_]+".join(map(re.escape, key.split(" "))) for key in alternatives)
            matcher.pattern = re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])")
        return matcher

    def find(self, value: str, level: AccessLevel = AccessLevel.PUBLIC,
             hidden: Sequence[tuple[int, int, AccessLevel]] = ()) -> list[SealedName]:
        """The sealed names the text shows to someone who may not see them: `level` is who may
        read the text at all, `hidden` the spans (start, end, level) redacted from the rest."""
        if self.pattern is None or not value:
            return []
        found: list[SealedName] = []
        folded = fold(value)
        if self.pattern.search(folded) is None:
            return found
        if hidden:
            folded, origin = _fold_with_origin(value)
        for match in self.pattern.finditer(folded):
            for sealed in self.by_tokens.get(" ".join(_TOKEN.findall(match.group())), ()):
                if level.rank >= sealed.identity_access.rank:
                    continue  # only those who may see the identity read this text
                if hidden and _inside(origin[match.start()], origin[match.end() - 1] + 1, hidden,
                                      sealed.identity_access):
                    continue
                if sealed not in found:
                    found.append(sealed)
        return found


def _fold_with_origin(value: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the one it came from."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(value):
        piece = fold(char)
        pieces.append(piece)
        origin.extend([index] * len(piece))
    return "".join(pieces), origin


def _inside(start: int, end: int, hidden: Sequence[tuple[int, int, AccessLevel]], needed: AccessLevel) -> bool:
    """Whether the words lie within spans redacted from everyone who may not see the identity."""
    covered = sorted((s, e) for s, e, level in hidden if level.rank >= needed.rank)
    position = start
    for span_start, span_end in covered:
        if span_start > position:
            break
        position = max(position, span_end)
        if position >= end:
            return True
    return False


def sealed_names(ctx) -> SealedMatcher:
    """The write's matcher: the catalog's sealed names and those of agents the same file declares."""
    if ctx.sealed_matcher is not None:
        return ctx.sealed_matcher
    sealed = (Agent.is_protected.is_(True)) & (Agent.identity_access != AccessLevel.PUBLIC)
    agents = {row.id: row for row in ctx.session.execute(
        select(Agent.id, Agent.preferred_name, Agent.public_pseudonym, Agent.identity_access).where(sealed))}
    names = [SealedName(a.preferred_name, a.public_pseudonym or "", a.identity_access) for a in agents.values()]
    if agents:
        for agent_id, other in ctx.session.execute(
            select(AgentName.agent_id, AgentName.name).where(
                AgentName.agent_id.in_(agents), AgentName.kind != NameKind.PSEUDONYM)
        ):
            agent = agents[agent_id]
            names.append(SealedName(other, agent.public_pseudonym or "", agent.identity_access))
    for declared in ctx.declared[Agent].values():
        names.extend(_declared_names(declared))
    ctx.sealed_matcher = SealedMatcher.build(names)
    return ctx.sealed_matcher


def _declared_names(agent_input: Any) -> list[SealedName]:
    """The sealed names of an agent a file creates (read as the file gives them)."""
    protected = getattr(agent_input, "protected", False)
    if protected is not True and not (isinstance(protected, str) and protected.strip().lower() in ("y", "yes", "on",
                                                                                                   "1", "true")):
        return []
    try:
        level = AccessLevel(getattr(agent_input, "identity_access", None) or AccessLevel.CONFIDENTIAL.value)
    except ValueError:
        level = AccessLevel.CONFIDENTIAL
    if level is AccessLevel.PUBLIC:
        return []
    pseudonym = getattr(agent_input, "pseudonym", None) or ""
    pseudonym = pseudonym if isinstance(pseudonym, str) else ""
    candidates = [getattr(agent_input, "name", None)]
    others = getattr(agent_input, "names", None)
    others = getattr(others, "items", others)
    for item in others if isinstance(others, list) else []:
        if isinstance(item, dict) and str(item.get("kind") or "") not in ("pseudonym", NameKind.PSEUDONYM):
            candidates.append(item.get("name"))
    return [SealedName(name, pseudonym, level) for name in candidates if isinstance(name, str) and name.strip()]


@dataclass(frozen=True)
class Overridden:
    """A refusal an archivist overrode: where, and which names."""

    path: tuple
    names: tuple[str, ...]


def check_text(ctx, problems: Problems, where: rules.Where, value: Any, *, html: bool = False,
               level: AccessLevel = AccessLevel.PUBLIC,
               hidden: Sequence[tuple[int, int, AccessLevel]] = (), was: Any = None) -> None:
    """Refuse a text that names a sealed identity to someone who may not see it (see the module);
    with the write's override, record it instead. `was`: the text as saved — a text the save
    leaves as it was is not checked again (it passed, or was overridden, when it was saved)."""
    if not isinstance(value, str) or not value or value == was:
        return
    matcher = sealed_names(ctx)
    if matcher.pattern is None:
        return
    found = matcher.find(plain_text(value) if html else value, level, hidden)
    if not found:
        return
    path = (*problems.prefix, *((where,) if isinstance(where, str) else where))
    names = tuple(dict.fromkeys(s.name for s in found))
    if ctx.sealed_override is not None and ctx.actor.may_override_sealed:
        ctx.sealed_overridden.append(Overridden(path, names))
        return
    field_name = path[-1] if path and isinstance(path[-1], str) else ""
    label = LABELS.get(field_name, "The text")
    quoted = ", ".join(f"“{n}”" for n in names)
    pseudonyms = ", ".join(dict.fromkeys(f"“{s.pseudonym}”" for s in found if s.pseudonym))
    instead = f"Write the pseudonym ({pseudonyms}) instead" if pseudonyms else "Leave the name out"
    message = (f"{label} names {quoted}, whose identit{'ies are' if len(names) > 1 else 'y is'} sealed. "
               f"{instead}{' or redact the words' if field_name == 'text' else ''}. "
               + ("Only an archivist or admin may save it anyway." if ctx.sealed_override is not None
                  else "An archivist may save it anyway, giving the reason."))
    problems.add(where, message, kind=SEALED)


def check_override(ctx, problems: Problems) -> None:
    """An override needs its reason, and an actor who may give one."""
    if ctx.sealed_override is None:
        return
    reason = rules.note(problems, "sealed_override", ctx.sealed_override)
    if not reason.strip():
        problems.add("sealed_override", "Say why the words may name a sealed identity.")
    elif not ctx.actor.may_override_sealed:
        problems.add("sealed_override", "Only an archivist or admin may save words naming a sealed identity.")
    ctx.sealed_override = reason


def override_note(ctx) -> str:
    """What a revision records of the refusals overridden in its write: which names, who, why."""
    if not ctx.sealed_overridden:
        return ""
    named = list(dict.fromkeys(n for o in ctx.sealed_overridden for n in o.names))
    names = ", ".join(f"“{n}”" for n in named)
    what = "a sealed identity" if len(named) == 1 else "sealed identities"
    reason = " ".join((ctx.sealed_override or "").split())
    return f"saved naming {what} ({names}) {_BY_OVERRIDE} {ctx.actor.label}: {reason}"


def overridden_reason(note: str) -> Optional[str]:
    """The reason of the override a revision's note records, or None when it records none."""
    at = (note or "").find(_BY_OVERRIDE)
    if at < 0:
        return None
    after = note[at + len(_BY_OVERRIDE):]
    return after.split(": ", 1)[1] if ": " in after else after
