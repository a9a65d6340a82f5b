"""What is left to say of a testimony that readers could once read and no longer may: the
tombstone its permalink shows (410 Gone) instead of the record."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Testimony
from ..models.base import as_utc
from ..viewer import Viewer
from .records import TombstoneRecord
from .visibility import gone_from_public, testimony_visibility


def get_tombstone(session: Session, viewer: Viewer, public_id: str) -> Optional[TombstoneRecord]:
    """The tombstone of a testimony this viewer may not read but the public once could (withdrawn
    or deleted since, public by its access level now); None for any other testimony, which stays
    as absent as one that never existed.

    A tombstone holds no title, text or names: a testimony is often withdrawn for its witness's
    safety, and its title may name them."""
    row = session.execute(
        select(Testimony.public_id, Testimony.is_deleted, Testimony.withdrawn_dt, Testimony.withdrawn_reason,
               Testimony.deleted_dt, Testimony.deleted_public_reason, Testimony.first_public_dt)
        .where(Testimony.public_id == public_id, gone_from_public(), ~testimony_visibility(viewer))
    ).first()
    if row is None:
        return None
    removed = row.is_deleted
    gone_dt = row.deleted_dt if removed else row.withdrawn_dt
    return TombstoneRecord(
        public_id=row.public_id,
        removed=removed,
        gone_dt=as_utc(gone_dt) if gone_dt is not None else None,
        first_public_dt=as_utc(row.first_public_dt),
        public_reason=(row.deleted_public_reason if removed else row.withdrawn_reason) or "",
    )
