"""Where the templates, static files and seeds are: beside the package in a checkout, inside it
when installed from a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    packaged = _PACKAGE / f"_{name}"
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


TEMPLATES = _find("templates")
STATIC = _find("static")
SEEDS = _find("seeds")
SEED_CATALOG = SEEDS / "catalog.json"
SEED_DOCUMENT = SEEDS / "seed-document.txt"
