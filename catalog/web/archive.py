"""The archivist workspace: entering and correcting records."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("archive", __name__, url_prefix="/archive")
