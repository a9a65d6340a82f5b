"""Who is looking: the one notion every read path uses to decide what may be shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .models import AccessLevel, Role

_ROLE_ACCESS = {
    None: AccessLevel.PUBLIC,
    Role.RESEARCHER: AccessLevel.RESTRICTED,
    Role.ARCHIVIST: AccessLevel.CONFIDENTIAL,
    Role.ADMIN: AccessLevel.CONFIDENTIAL,
}


@dataclass(frozen=True)
class Viewer:
    """A reader (anonymous), a researcher, or an archivist/admin."""

    role: Optional[Role] = None
    user_id: Optional[int] = None
    username: str = ""

    @classmethod
    def public(cls) -> "Viewer":
        return cls()

    @classmethod
    def for_level(cls, level: str) -> "Viewer":
        """A viewer standing for an access level: public, researcher (restricted) or archivist."""
        roles = {
            "public": None,
            "restricted": Role.RESEARCHER,
            "researcher": Role.RESEARCHER,
            "confidential": Role.ARCHIVIST,
            "archivist": Role.ARCHIVIST,
        }
        if level not in roles:
            raise ValueError(f"unknown viewer level {level!r}: use public, researcher or archivist")
        return cls(role=roles[level])

    @property
    def access(self) -> AccessLevel:
        """The highest access level this viewer may read."""
        return _ROLE_ACCESS[self.role]

    @property
    def allowed_levels(self) -> list[AccessLevel]:
        return [level for level in AccessLevel if level.rank <= self.access.rank]

    @property
    def is_staff(self) -> bool:
        """Archivists and admins: they also see drafts, withdrawn and deleted records' state."""
        return self.role in (Role.ARCHIVIST, Role.ADMIN)

    @property
    def label(self) -> str:
        """The audience a page or print was produced for."""
        return {
            AccessLevel.PUBLIC: "public",
            AccessLevel.RESTRICTED: "researcher (restricted)",
            AccessLevel.CONFIDENTIAL: "archivist (confidential)",
        }[self.access]

    def may_read(self, level: AccessLevel) -> bool:
        return level.rank <= self.access.rank
