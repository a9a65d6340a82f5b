"""Files kept by their content: release forms are written under <instance>/files/sha256/ab/<hash>,
streamed to disk a chunk at a time (never whole in memory) with a size limit, their SHA-256 taken
as they are written, and their media type read from their first bytes, never from the upload's
word for it."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Optional

CHUNK = 64 * 1024

#: Media types accepted, by the bytes a file of that type starts with.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
ACCEPTED = "PDF, JPEG, PNG or TIFF"


class FileRefused(ValueError):
    """The file cannot be kept; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str


def sniff(head: bytes) -> Optional[str]:
    """The media type these first bytes announce, among the accepted ones."""
    for signature, media_type in SIGNATURES:
        if head.startswith(signature):
            return media_type
    return None


def folder(instance_path: str | Path) -> Path:
    return Path(instance_path) / "files" / "sha256"


def path_of(instance_path: str | Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return folder(instance_path) / sha256[:2] / sha256


def store(instance_path: str | Path, stream: BinaryIO, max_bytes: int) -> StoredFile:
    """Write the stream to the store; refused (and nothing kept) when it is empty, larger than
    `max_bytes`, or not one of the accepted kinds."""
    root = folder(instance_path)
    root.mkdir(parents=True, exist_ok=True)
    digest, size, head = hashlib.sha256(), 0, b""
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileRefused(f"The file is larger than {max_bytes // (1024 * 1024)} MB, the limit set "
                                      "for release forms.")
                if len(head) < 16:
                    head += chunk[:16 - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise FileRefused("The file is empty.")
        media_type = sniff(head)
        if media_type is None:
            raise FileRefused(f"A release form must be a {ACCEPTED} file; this one is none of these.")
        sha256 = digest.hexdigest()
        target = path_of(instance_path, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
        return StoredFile(sha256, size, media_type)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def checksum_of(path: Path) -> Optional[str]:
    """The SHA-256 of a stored file, read a chunk at a time; None when it is missing."""
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_release_forms(session, instance_path: str | Path) -> list[str]:
    """Every attached release form read again from the store: what is missing or no longer has
    the checksum recorded for it (one line each; none when all check out)."""
    from sqlalchemy import select

    from ..models import ReleaseForm, Testimony

    problems = []
    rows = session.execute(
        select(Testimony.public_id, ReleaseForm.sha256).join(ReleaseForm, ReleaseForm.testimony_id == Testimony.id)
        .order_by(Testimony.public_id)
    )
    for public_id, sha256 in rows:
        found = checksum_of(path_of(instance_path, sha256))
        if found is None:
            problems.append(f"{public_id}: its release form ({sha256}) is missing from the file store.")
        elif found != sha256:
            problems.append(f"{public_id}: its release form no longer matches its checksum {sha256} (now {found}).")
    return problems
