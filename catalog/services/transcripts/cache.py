"""A cache of rendered PDFs under the instance folder.

A PDF is keyed by kind, record, revision(s), access level, options, the permalink base, the
catalog's newest revision id (any saved change anywhere moves it, so a renamed person or place
cannot leave a stale print behind) and the version of the PDF's layout (template, fonts, typesetter). The key
is computed from two small queries, without loading the record's text, so a repeated request is
a file read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ... import paths
from .model import Transcript
from .pdf import engine_version, render_pdf

#: Files kept before the least recently used ones are removed.
MAX_CACHED_FILES = 2000


def _layout_files() -> tuple[Path, ...]:
    """What the PDF is made from: changing any of it (what a print says included) invalidates every cached PDF."""
    fonts = paths.STATIC / "fonts"
    here = Path(__file__)
    return (paths.TEMPLATES / "print" / "transcript.typ", here.with_name("typeset.py"), here.with_name("build.py"),
            *sorted(fonts.glob("*.ttf")))


@lru_cache(maxsize=1)
def layout_version() -> str:
    """A digest of the PDF's template, its data and fonts, and the typesetter's version."""
    digest = hashlib.sha256(engine_version().encode("ascii"))
    for path in _layout_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def request_key(kind: str, key: str, revision: str, watermark: int | str, access: str, options_token: str, base_url: str) -> str:
    """What a cached PDF stands for, computable without loading the record's text."""
    identity = [kind, key, revision, watermark, access, options_token, base_url, layout_version()]
    return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()


def cache_folder(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / "transcripts"


@dataclass(frozen=True)
class CachedPdf:
    path: Path
    content_sha256: str
    filename: str


def lookup(instance_path: str | os.PathLike, key: str) -> CachedPdf | None:
    target = cache_folder(instance_path) / f"{key}.pdf"
    sidecar = target.with_suffix(".json")
    try:
        about = json.loads(sidecar.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not target.is_file():
        return None
    os.utime(target)
    return CachedPdf(target, about["sha256"], about["filename"])


def _write(target: Path, data: bytes) -> None:
    # Written beside the target and renamed, so a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)


def store(instance_path: str | os.PathLike, key: str, document: Transcript) -> CachedPdf:
    """Render the transcript's PDF and keep it under `key`."""
    data = render_pdf(document)
    folder = cache_folder(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key}.pdf"
    _write(target, data)
    about = {"sha256": document.content_sha256, "filename": document.filename}
    _write(target.with_suffix(".json"), json.dumps(about).encode("utf-8"))
    _prune(folder)
    return CachedPdf(target, document.content_sha256, document.filename)


def _prune(folder: Path) -> None:
    files = [entry for entry in os.scandir(folder) if entry.name.endswith(".pdf")]
    if len(files) <= MAX_CACHED_FILES:
        return
    files.sort(key=lambda entry: entry.stat().st_mtime)
    for entry in files[: len(files) - MAX_CACHED_FILES]:
        for path in (entry.path, entry.path[:-4] + ".json"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def pdf_for(
    instance_path: str | os.PathLike,
    session,
    viewer,
    kind: str,
    key: str,
    options,
    base_url: str,
    build: Callable[[], Transcript | None],
    *,
    variant: str = "",
) -> CachedPdf | None:
    """The PDF of a transcript for this viewer: from the cache when the same revision was printed
    for the same access level and options, otherwise built with `build()`, rendered and kept.
    None when the viewer may not print it."""
    request = _key_for(session, viewer, kind, key, options, base_url, variant)
    if request is None:
        # Let the builder say why (a selection names what cannot be printed); usually None.
        document = build()
        return None if document is None else store(instance_path, "uncached-" + document.content_sha256, document)
    hit = lookup(instance_path, request)
    if hit is not None:
        return hit
    document = build()
    return None if document is None else store(instance_path, request, document)


def _key_for(session, viewer, kind: str, key: str, options, base_url: str, variant: str) -> str | None:
    """The cache key of this print for this viewer, or None when the viewer may not print it."""
    from ... import queries
    from .build import current_revision

    revision = current_revision(session, viewer, kind, key)
    if revision is None:
        return None
    # The embargoes not yet over: when one ends, a print of a list (a collection, a source) may
    # hold one more testimony, with no save to move the watermark.
    embargoes = ",".join(day.isoformat() for day in queries.embargo_days(session))
    return request_key(
        kind, f"{key}|{variant}", revision, f"{queries.catalog_watermark(session)}|{embargoes}", viewer.access.value,
        options.token, base_url
    )


def cached_pdf(
    instance_path: str | os.PathLike, session, viewer, kind: str, key: str, options, base_url: str, *, variant: str = ""
) -> tuple[bool, CachedPdf | None]:
    """Whether the viewer may print this at all, and its PDF when one is cached for exactly their
    access level and options; nothing is built or rendered (a request that finds nothing queues
    the render as a job)."""
    request = _key_for(session, viewer, kind, key, options, base_url, variant)
    if request is None:
        return False, None
    return True, lookup(instance_path, request)
