"""The catalog's domain model, one module per area."""

from .agents import Agent, AgentName
from .base import (
    AccessLevel,
    AccountKind,
    AgentKind,
    Base,
    ClaimKind,
    ConsentStatus,
    CorroborationRelation,
    CorroborationStatus,
    NameKind,
    OccasionKind,
    PublicationState,
    Role,
    RoleKind,
    SegmentKind,
    SourceKind,
)
from .claims import Claim, CorroborationLink
from .collections import Collection, testimony_collections
from .jobs import Job, JobKind, JobState
from .places import Occasion, Place, PlaceName
from .revisions import Revision
from .search import IndexChange, RecordDocument, SearchDocument, SearchState
from .sessions import LoginAttempt, UserSession
from .sources import Source, SourceFile
from .testimonies import (
    CorroborationChange,
    Redaction,
    ReleaseForm,
    Segment,
    Testimony,
    AgentRole,
    TransmissionLink,
    testimony_places,
)
from .users import User

__all__ = [
    "AccessLevel", "AccountKind", "Agent", "AgentKind", "AgentName", "Base", "Claim", "ClaimKind", "Collection", "testimony_collections", "LoginAttempt",
    "ConsentStatus", "CorroborationChange", "CorroborationLink", "CorroborationRelation",
    "CorroborationStatus", "IndexChange", "Job", "JobKind", "JobState", "NameKind", "Occasion", "OccasionKind", "Place",
    "PlaceName", "PublicationState", "Redaction", "ReleaseForm", "Revision", "RecordDocument", "Role", "SearchDocument", "SearchState", "RoleKind", "Segment",
    "SegmentKind",
    "Source", "SourceFile", "SourceKind", "Testimony", "testimony_places", "AgentRole", "TransmissionLink", "User", "UserSession",
]
