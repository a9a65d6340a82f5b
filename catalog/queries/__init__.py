"""The visibility-scoped read layer: the only way pages, search, API and exports read the catalog.

Every function takes the viewer and returns plain, immutable records already cut to what that
viewer may see: unpublished or restricted testimonies are absent, confidential segments are left
out, redacted spans are replaced by a mark, and protected people appear only by their pseudonym.
Templates and exports never touch ORM objects, so nothing can reach a reader through a side door.
The staff readers (staff.py) are the archive workspace's, and refuse every other viewer.

The modules: records (the records), visibility (the rules), one reader module per kind
(testimonies, claims, sources, agents, places, collections, jobs), tombstones (what the permalink of a testimony
the public could once read says once it is gone), batches (browse and search), downloads
(testimonies a batch at a time, for downloads), sitemap (public records for search engines),
freshness (tokens for caches) and staff. What the rest of the catalog uses is re-exported here.
"""

from .agents import get_agent, list_agent_records, list_agents
from .batches import passages_by_ids, source_refs_by_ids, summaries_by_id, summaries_by_ids
from .downloads import testimony_rows
from .claims import get_claim, list_claims, source_claims
from .claim_index import CLAIM_FACETS, ClaimIndexPage, ClaimQuery, ClaimSummary, claim_index
from .collections import get_collection, list_collections
from .jobs import JobRecord, get_job
from .freshness import catalog_watermark, content_token, latest_revision_number, source_revision, testimony_revisions
from .places import get_place, list_occasions, list_place_records, list_places
from .records import (
    AgentRecord,
    AgentRef,
    ArchiveEntityRow,
    ArchiveTestimonyPage,
    ArchiveTestimonyRow,
    ClaimRecord,
    CollectionPage,
    CollectionRef,
    CollectionSummary,
    CorroborationChangeRecord,
    CorroborationRecord,
    NameRecord,
    OccasionRecord,
    PickerOptions,
    PlaceRecord,
    PlaceRef,
    RoleRecord,
    SegmentRecord,
    SourceRecord,
    SourceRef,
    TestimonyRecord,
    TestimonyRow,
    TestimonySummary,
    TextPiece,
    TombstoneRecord,
    TransmissionRecord,
)
from .sitemap import sitemap_count, sitemap_entries
from .sources import get_source, list_source_roles, list_sources
from .staff import (
    PICKER_KINDS,
    STAFF_RECORD_MODELS,
    StaffOnly,
    picker_options,
    picker_suggestions,
    staff_claim,
    staff_claim_link,
    staff_claim_links,
    staff_claims_of,
    staff_collection_choices,
    staff_entity_list,
    staff_names,
    staff_record,
    staff_testimony,
    staff_publication_times,
    staff_testimony_page,
    staff_username,
)
from .tombstones import get_tombstone
from .testimonies import count_testimonies, get_testimony, list_testimonies, testimony_record, visible_public_ids
from .visibility import (
    REDACTION_MARK,
    agent_ref,
    embargo_days,
    gone_from_public,
    marked_pieces,
    place_ref,
    sees_identity,
    segment_record,
    segment_visibility,
    source_ref,
    testimony_visibility,
    visible_claims_condition,
    visible_testimonies,
)

__all__ = [
    "embargo_days",
    "AgentRecord", "AgentRef", "ArchiveEntityRow", "ArchiveTestimonyPage", "ArchiveTestimonyRow", "ClaimRecord",
    "CollectionPage", "CollectionRef", "CollectionSummary", "get_collection", "list_collections",
    "CorroborationChangeRecord", "CorroborationRecord", "NameRecord", "OccasionRecord", "PICKER_KINDS", "PickerOptions",
    "PlaceRecord", "PlaceRef", "REDACTION_MARK", "RoleRecord", "STAFF_RECORD_MODELS", "SegmentRecord", "SourceRecord",
    "SourceRef", "StaffOnly", "TestimonyRecord", "TestimonyRow", "TestimonySummary", "TextPiece", "TombstoneRecord", "TransmissionRecord", "agent_ref",
    "catalog_watermark", "content_token", "count_testimonies", "get_agent", "get_claim", "get_place", "get_source",
    "get_job", "get_testimony", "get_tombstone", "JobRecord", "latest_revision_number", "list_agent_records", "list_agents", "list_claims", "list_occasions",
    "list_place_records", "list_places", "marked_pieces", "list_source_roles", "list_sources", "list_testimonies", "passages_by_ids",
    "picker_options", "picker_suggestions", "place_ref", "sees_identity", "segment_record", "segment_visibility",
    "CLAIM_FACETS", "ClaimIndexPage", "ClaimQuery", "ClaimSummary", "claim_index",
    "source_claims", "source_ref", "source_refs_by_ids", "source_revision", "staff_claim", "staff_claim_link", "staff_claim_links", "staff_claims_of", "staff_collection_choices",
    "staff_entity_list", "staff_names", "staff_publication_times", "staff_record", "staff_testimony", "staff_testimony_page", "staff_username",
    "sitemap_count", "sitemap_entries",
    "summaries_by_id", "summaries_by_ids", "testimony_record", "testimony_revisions", "testimony_rows", "testimony_visibility",
    "gone_from_public", "visible_claims_condition", "visible_public_ids", "visible_testimonies",
]
