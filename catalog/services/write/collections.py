"""Collections: groups of testimonies that archivists define. A collection holds its key, title and
description; which testimonies are in it belongs to each testimony's own record (`TestimonyInput.collections`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ...models import Collection
from . import rules
from .context import WriteContext, new_or
from .problems import Problems


@dataclass
class CollectionInput:
    key: Any = None
    title: Any = None
    description: Any = ""
    key_required: bool = False

    def check(self, ctx: WriteContext, problems: Problems, existing: Optional[Collection] = None) -> None:
        self.key = rules.key(problems, "key", self.key, required=self.key_required)
        if existing is not None:
            # Its key names it in links, citations and harvesters' sets: it never changes.
            if self.key and self.key != existing.key:
                problems.add("key", f"A collection's key never changes once given; this one's is “{existing.key}”.")
            self.key = existing.key
        elif self.key and ctx.exists(Collection, self.key):
            problems.add("key", f"“{self.key}” is already used by another collection.")
        self.title = rules.title(problems, "title", self.title)
        self.description = rules.html(problems, "description", self.description)

    def apply(self, ctx: WriteContext, existing: Optional[Collection] = None) -> Collection:
        collection = new_or(ctx, Collection, existing, self.key, self.title, "collection")
        collection.title = self.title
        collection.description_html = self.description
        ctx.created[Collection][collection.key] = collection
        return collection
