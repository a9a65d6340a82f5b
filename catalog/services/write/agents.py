"""People and organisations: one input, one rule book, one write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ...models import AccessLevel, Agent, AgentKind, AgentName, NameKind, PlaceName
from . import rules
from .context import WriteContext, new_or
from .problems import Problems


@dataclass
class NamesInput:
    """Alternate names of an agent or a place: each with its kind and language (and, for agents, a note)."""

    items: Any = field(default_factory=list)
    with_note: bool = True

    def check(self, problems: Problems) -> None:
        checked = []
        for index, item in rules.items(problems, "names", self.items):
            where = problems.under("names", index)
            if rules.is_blank(item.get("name")) and rules.is_blank(item.get("note")):
                continue  # an empty row of a form
            checked.append({
                "name": rules.name(where, "name", item.get("name"), required=True),
                "kind": rules.choice(where, "kind", item.get("kind"), NameKind, required=True),
                "language": rules.language(where, "language", item.get("language")),
                "note": rules.note(where, "note", item.get("note")) if self.with_note else "",
            })
        self.items = checked

    def apply(self, owner, name_class) -> None:
        owner.names.clear()
        for item in self.items:
            extra = {"note": item["note"]} if name_class is AgentName else {}
            owner.names.append(name_class(name=item["name"], kind=item["kind"], language=item["language"], **extra))


@dataclass
class AgentInput:
    """An agent as every door gives it, in the field names of the catalog's JSON format."""

    key: Any = None
    kind: Any = AgentKind.PERSON.value
    name: Any = None
    description: Any = ""
    protected: Any = False
    pseudonym: Any = None
    identity_access: Any = AccessLevel.CONFIDENTIAL.value
    names: Any = field(default_factory=list)
    #: Keys are given by imports; a form may leave it empty and get one made from the name.
    key_required: bool = False

    def check(self, ctx: WriteContext, problems: Problems, existing: Optional[Agent] = None) -> None:
        self.key = rules.key(problems, "key", self.key, required=self.key_required)
        if self.key and ctx.exists(Agent, self.key) and (existing is None or existing.key != self.key):
            problems.add("key", f"“{self.key}” is already used by another agent.")
        self.kind = rules.choice(problems, "kind", self.kind, AgentKind, AgentKind.PERSON)
        self.name = rules.name(problems, "name", self.name, required=True)
        self.description = rules.html(problems, "description", self.description)
        self.protected = rules.flag(problems, "protected", self.protected)
        self.pseudonym = rules.name(problems, "pseudonym", self.pseudonym) or None
        if self.protected and not self.pseudonym:
            problems.add("pseudonym", "A protected person needs the pseudonym the public will see.")
        self.identity_access = rules.choice(
            problems, "identity_access", self.identity_access, AccessLevel, AccessLevel.CONFIDENTIAL
        )
        self.names = _names(self.names, with_note=True)
        self.names.check(problems)

    def apply(self, ctx: WriteContext, existing: Optional[Agent] = None) -> Agent:
        agent = new_or(ctx, Agent, existing, self.key, self.name, "agent")
        if self.key:
            agent.key = self.key
        agent.kind = self.kind
        agent.preferred_name = self.name
        agent.description_html = self.description
        agent.is_protected = self.protected
        agent.public_pseudonym = self.pseudonym
        agent.identity_access = self.identity_access
        self.names.apply(agent, AgentName)
        ctx.created[Agent][agent.key] = agent
        return agent


def _names(value: Any, with_note: bool) -> NamesInput:
    return value if isinstance(value, NamesInput) else NamesInput(value, with_note=with_note)


def place_names(value: Any) -> NamesInput:
    return _names(value, with_note=False)


__all__ = ["AgentInput", "NamesInput", "place_names", "PlaceName"]
