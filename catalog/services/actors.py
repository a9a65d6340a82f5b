"""Who performs an operation: a signed-in user, or a named process (seed loader, import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: Optional[int] = None
    #: Whether they may save words naming a sealed identity, giving the reason (archivists and
    #: admins, and whoever runs the command line).
    may_override_sealed: bool = False

    @classmethod
    def system(cls, label: str) -> "Actor":
        return cls(label=label)


SEED_LOADER = Actor.system("seed loader")
