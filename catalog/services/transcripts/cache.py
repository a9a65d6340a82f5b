"""A cache of rendered PDFs under the instance folder.

A PDF is keyed by what it prints: kind, record, revision(s), access level, options, the SHA-256 of
its content and the version of the templates and stylesheet that laid it out. A repeated request
for the same revision at the same access level is a file read; an edit anywhere in what is
printed (or in the print templates) makes a new key, so a stale PDF is never served.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from ... import paths
from .model import Transcript
from .pdf import render_pdf

#: Files kept before the least recently used ones are removed.
MAX_CACHED_FILES = 2000

_LAYOUT_FILES = ("templates/print/transcript.html", "templates/print/_print.html", "static/print.css")


@lru_cache(maxsize=1)
def layout_version() -> str:
    """A digest of the print templates and stylesheet: changing the layout invalidates the cache."""
    digest = hashlib.sha256()
    for name in _LAYOUT_FILES:
        folder, _, rest = name.partition("/")
        root = paths.TEMPLATES if folder == "templates" else paths.STATIC
        digest.update((root / rest).read_bytes())
    return digest.hexdigest()[:16]


def cache_key(document: Transcript) -> str:
    identity = [
        document.kind,
        document.key,
        document.revision,
        document.viewer_access,
        document.options.token,
        document.content_sha256,
        document.base_url,
        layout_version(),
    ]
    return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()


def cache_folder(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / "transcripts"


def cached_pdf(instance_path: str | os.PathLike, document: Transcript) -> Path:
    """The PDF for this transcript: from the cache, or rendered once and kept."""
    folder = cache_folder(instance_path)
    target = folder / f"{cache_key(document)}.pdf"
    if target.is_file():
        os.utime(target)
        return target
    data = render_pdf(document)
    folder.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)
    _prune(folder)
    return target


def _prune(folder: Path) -> None:
    files = [entry for entry in os.scandir(folder) if entry.name.endswith(".pdf")]
    if len(files) <= MAX_CACHED_FILES:
        return
    files.sort(key=lambda entry: entry.stat().st_mtime)
    for entry in files[: len(files) - MAX_CACHED_FILES]:
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            pass
