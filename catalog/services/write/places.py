"""Places and occasions (where and when testimony was given)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ...models import Occasion, OccasionKind, Place, PlaceName
from . import rules
from .agents import place_names
from .context import WriteContext, new_or, set_date
from .problems import Problems


@dataclass
class PlaceInput:
    key: Any = None
    name: Any = None
    kind: Any = ""
    parent: Any = None
    latitude: Any = None
    longitude: Any = None
    names: Any = field(default_factory=list)
    key_required: bool = False

    def check(self, ctx: WriteContext, problems: Problems, existing: Optional[Place] = None) -> None:
        self.key = rules.key(problems, "key", self.key, required=self.key_required)
        if self.key and existing is None and ctx.exists(Place, self.key):
            problems.add("key", f"“{self.key}” is already used by another place.")
        self.name = rules.name(problems, "name", self.name, required=True)
        self.kind = rules.name(problems, "kind", self.kind, max_length=60) or ""
        self.latitude = rules.number(problems, "latitude", self.latitude, minimum=-90, maximum=90)
        self.longitude = rules.number(problems, "longitude", self.longitude, minimum=-180, maximum=180)
        self.names = place_names(self.names)
        self.names.check(problems)
        parent = ctx.find(Place, self.parent, problems, "parent")
        if parent is not None and self._inside_itself(ctx, parent, existing):
            problems.add("parent", "A place cannot lie inside itself.")

    def _inside_itself(self, ctx: WriteContext, parent: Any, existing: Optional[Place]) -> bool:
        """Follow the parents up, through records and inputs alike, looking for this place."""
        me = existing if existing is not None else self
        seen: set[int] = set()
        while parent is not None and id(parent) not in seen:
            if parent is me or (existing is not None and getattr(parent, "id", None) == existing.id):
                return True
            seen.add(id(parent))
            if isinstance(parent, PlaceInput):
                parent = ctx.declared[Place].get(parent.parent) if isinstance(parent.parent, str) else None
            else:
                parent = parent.parent
        return parent is not None

    def apply(self, ctx: WriteContext, existing: Optional[Place] = None) -> Place:
        place = new_or(ctx, Place, existing, self.key, self.name, "place")
        place.name = self.name
        place.kind = self.kind
        place.parent = ctx.get(Place, self.parent)
        place.latitude = self.latitude
        place.longitude = self.longitude
        self.names.apply(place, PlaceName)
        ctx.created[Place][place.key] = place
        return place


@dataclass
class OccasionInput:
    key: Any = None
    kind: Any = OccasionKind.INTERVIEW.value
    title: Any = None
    place: Any = None
    date: Any = None
    date_note: Any = ""
    key_required: bool = False

    def check(self, ctx: WriteContext, problems: Problems, existing: Optional[Occasion] = None) -> None:
        self.key = rules.key(problems, "key", self.key, required=self.key_required)
        if self.key and existing is None and ctx.exists(Occasion, self.key):
            problems.add("key", f"“{self.key}” is already used by another occasion.")
        self.kind = rules.choice(problems, "kind", self.kind, OccasionKind, OccasionKind.INTERVIEW)
        self.title = rules.title(problems, "title", self.title)
        ctx.check_sealed(problems, "title", self.title, was=existing.title if existing else None)
        ctx.find(Place, self.place, problems, "place")
        self.date = rules.edtf(problems, "date", self.date)
        self.date_note = rules.text(problems, "date_note", self.date_note) or ""
        ctx.check_sealed(problems, "date_note", self.date_note, was=existing.date_note if existing else None)

    def apply(self, ctx: WriteContext, existing: Optional[Occasion] = None) -> Occasion:
        occasion = new_or(ctx, Occasion, existing, self.key, self.title, "occasion")
        occasion.kind = self.kind
        occasion.title = self.title
        occasion.place = ctx.get(Place, self.place)
        set_date(occasion, "date", self.date)
        occasion.date_note = self.date_note
        ctx.created[Occasion][occasion.key] = occasion
        return occasion
