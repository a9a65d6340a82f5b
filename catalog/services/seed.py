"""Loading the seed document's structured form."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Testimony
from ..paths import SEED_CATALOG
from .actors import SEED_LOADER
from .imports import LoadReport, load_catalog


def catalog_is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Testimony)) == 0


def load_seeds(session: Session, path: Path = SEED_CATALOG) -> LoadReport:
    """Load the seeds; records already present are left alone, so this is safe to repeat."""
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return load_catalog(session, data, SEED_LOADER)
