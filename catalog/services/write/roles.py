"""Roles people play, in a testimony or in a source's own text. The catalog accuses nobody: an
alleged perpetrator is always named so by a source."""

from __future__ import annotations

from typing import Any

from ...models import Agent, RoleKind, Source
from . import rules
from .agents import AgentInput
from .context import WriteContext
from .problems import Problems


def check_role(ctx: WriteContext, where: Problems, item: dict) -> dict[str, Any]:
    """One role: its kind, the agent (or a new one named beside it), who names them, their relation."""
    role = rules.choice(where, "role", item.get("role"), RoleKind, required=True)
    new_agent = item.get("new_agent")
    if isinstance(new_agent, AgentInput):
        new_agent.check(ctx, where.under("new_agent"))
    elif rules.is_blank(item.get("agent")):
        where.add("agent", rules.REQUIRED)
    ctx.find(Agent, item.get("agent"), where, "agent")
    ctx.find(Source, item.get("named_by"), where, "named_by")
    if role is RoleKind.ALLEGED_PERPETRATOR and rules.is_blank(item.get("named_by")):
        where.add("named_by", "Name the source that names this person as an alleged perpetrator; "
                              "the catalog accuses nobody itself.")
    return {**item, "role": role, "relation": rules.note(where, "relation", item.get("relation"))}
