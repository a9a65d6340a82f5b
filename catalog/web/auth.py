"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
