"""Consent and publication: what each consent scope allows. The one place publication is checked
against consent — by a save that publishes (a form, an import) and by the workflow's publish.

What each scope allows, for a published testimony:
- consent given, public record, not sought, unknown: any audience (material already published,
  or held without a consent record, is the archivist's judgement, noted in the consent note);
- anonymous only: every speaker must be a protected person whose identity is sealed from the
  testimony's audience (readers see the pseudonym only);
- researchers only: the testimony's access must be restricted or confidential;
- embargoed until a date: any audience, from that day on (the read layer compares the day);
- withheld or withdrawn: never published. Withdrawing consent takes a published testimony out
  of publication at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ...models import AccessLevel, Agent, ConsentStatus, PublicationState
from .agents import AgentInput

#: Scopes under which a testimony is never published.
UNPUBLISHABLE = frozenset({ConsentStatus.WITHHELD, ConsentStatus.WITHDRAWN})

#: What the revision says, and readers of a withdrawn testimony are told, when the archivist
#: gives no reason of their own.
DEFAULT_WITHDRAWAL_REASON = "Consent to publish was withdrawn."


@dataclass(frozen=True)
class Speaker:
    """A speaker as the anonymity rule sees them."""

    name: str
    is_protected: bool
    identity_access: AccessLevel


def speaker_of(value: Any) -> Optional[Speaker]:
    if isinstance(value, Agent):
        return Speaker(value.preferred_name, bool(value.is_protected), value.identity_access)
    if isinstance(value, AgentInput):
        level = value.identity_access if isinstance(value.identity_access, AccessLevel) else AccessLevel.CONFIDENTIAL
        return Speaker(str(value.name or ""), bool(value.protected), level)
    return None


def is_sealed(speaker: Speaker, access_level: AccessLevel) -> bool:
    """Whether the testimony's audience sees this speaker only by pseudonym."""
    return speaker.is_protected and (
        speaker.identity_access is AccessLevel.CONFIDENTIAL or speaker.identity_access.rank > access_level.rank
    )


def publication_problems(scope: ConsentStatus, access_level: AccessLevel,
                         speakers: Iterable[Speaker]) -> list[tuple[str, str]]:
    """Why a testimony with this consent, access and speakers may not be published: (field, reason)
    pairs, none when it may."""
    if scope in UNPUBLISHABLE:
        return [("consent_status", f"It cannot be published: {scope.label}.")]
    if scope is ConsentStatus.RESEARCHERS_ONLY and access_level is AccessLevel.PUBLIC:
        return [("access_level", "Consent was given for researchers only: set its access to restricted or "
                                 "confidential before publishing it.")]
    if scope is ConsentStatus.GIVEN_ANONYMOUS:
        named = [s.name for s in speakers if not is_sealed(s, access_level)]
        if named:
            return [("consent_status", "Consent was given for anonymous use only, but these speakers would be "
                                       "named to its readers: " + ", ".join(named) + ". Make each a protected "
                                       "person whose identity is sealed, or do not publish it.")]
    return []


def embargo_problems(scope: ConsentStatus, embargo_until) -> list[tuple[str, str]]:
    """An embargo date goes with the embargoed scope, and that scope needs one."""
    if scope is ConsentStatus.EMBARGOED and embargo_until is None:
        return [("embargo_until", "Give the day the embargo ends.")]
    if scope is not ConsentStatus.EMBARGOED and embargo_until is not None:
        return [("embargo_until", "Only consent embargoed until a date has an embargo date.")]
    return []


def withdraws(scope: ConsentStatus, state: Optional[PublicationState]) -> bool:
    """Whether this consent takes a testimony in this state out of publication."""
    return scope in UNPUBLISHABLE and state is PublicationState.PUBLISHED
