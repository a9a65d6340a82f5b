"""Who performs an operation: a signed-in user, or a named process (seed loader, import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: Optional[int] = None

    @classmethod
    def system(cls, label: str) -> "Actor":
        return cls(label=label)


SEED_LOADER = Actor.system("seed loader")
