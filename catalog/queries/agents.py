"""People and organisations: a protected person answers only to their pseudonym and protected-N key."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Agent, AgentRole, Source, Testimony
from ..viewer import Viewer
from .records import AgentRecord, AgentRef, NameRecord
from .testimonies import SUMMARY_LOADING, testimony_summary
from .visibility import agent_ref, sees_identity, source_ref, testimony_visibility


def _find_agent(session: Session, viewer: Viewer, key: str) -> Optional[Agent]:
    if key.startswith("protected-") and key.removeprefix("protected-").isdigit():
        agent = session.get(Agent, int(key.removeprefix("protected-")))
        return agent if agent is not None and agent.is_protected else None
    agent = session.scalar(select(Agent).where(Agent.key == key))
    if agent is not None and not sees_identity(viewer, agent):
        # A protected person's real key is as telling as their name: answer only to protected-N.
        return None
    return agent


def get_agent(session: Session, viewer: Viewer, key: str) -> Optional[AgentRecord]:
    """An agent with the names and roles this viewer may see."""
    agent = _find_agent(session, viewer, key)
    if agent is None:
        return None
    identity = sees_identity(viewer, agent)
    names = tuple(
        NameRecord(n.name, n.kind, n.language, n.note) for n in agent.names if identity
    )
    role_rows = session.execute(
        select(AgentRole, Testimony)
        .join(Testimony, AgentRole.testimony_id == Testimony.id)
        .where(AgentRole.agent_id == agent.id, testimony_visibility(viewer))
        .options(*SUMMARY_LOADING)
        .order_by(AgentRole.role, Testimony.public_id)
    ).all()
    roles = tuple(
        (role.role, testimony_summary(viewer, testimony), source_ref(viewer, role.named_by) if role.named_by else None)
        for role, testimony in role_rows
    )
    source_role_rows = session.scalars(
        select(AgentRole)
        .join(Source, AgentRole.source_id == Source.id)
        .where(AgentRole.agent_id == agent.id, Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(AgentRole.source).selectinload(Source.publisher))
        .order_by(AgentRole.role, Source.title)
    ).all()
    source_roles = tuple(
        (role.role, source_ref(viewer, role.source), role.relation_to_events if identity else "")
        for role in source_role_rows
    )
    return AgentRecord(
        ref=agent_ref(viewer, agent),
        description_html=agent.description_html if identity else "",
        names=names,
        roles=roles,
        source_roles=source_roles,
        is_protected=agent.is_protected,
        pseudonym=agent.public_pseudonym,
        identity_access=agent.identity_access if identity and agent.is_protected else None,
    )


def list_agents(session: Session, viewer: Viewer) -> list[AgentRef]:
    refs = [agent_ref(viewer, agent) for agent in session.scalars(select(Agent))]
    return sorted(refs, key=lambda ref: ref.name.casefold())


def list_agent_records(session: Session, viewer: Viewer) -> list[AgentRecord]:
    keys = [agent_ref(viewer, agent).key for agent in session.scalars(select(Agent).order_by(Agent.id))]
    return [record for record in (get_agent(session, viewer, key) for key in keys) if record is not None]
