"""Segments: how a piece of text is built, whoever enters it. A witness's words have a speaker and
no author of framing; framing names who wrote it; redactions lie within the text."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Optional

from ...models import AccessLevel, Agent, Redaction, Segment, SegmentKind, Source
from ...text import direction_of
from . import rules
from .context import WriteContext
from .problems import Problems

DIRECTIONS = ("ltr", "rtl")


@dataclass
class SegmentInput:
    #: The saved segment this entry edits (a form's row), if any.
    id: Any = None
    #: Its citation number (¶) within the testimony: kept by imports and restores, given otherwise.
    number: Any = None
    kind: Any = None
    text: Any = None
    language: Any = None
    direction: Any = None
    translation: Any = None
    translation_language: Any = None
    timecode_start: Any = None
    timecode_end: Any = None
    access_level: Any = AccessLevel.PUBLIC.value
    author: Any = None
    #: Where the segment stands in a source's own text, when it is also part of it.
    source: Any = None
    source_position: Any = None
    paragraph: Any = None
    redactions: Any = field(default_factory=list)

    @classmethod
    def from_entry(cls, entry: dict) -> "SegmentInput":
        """From a mapping in the JSON format's names (unknown names are left out)."""
        names = {f.name for f in fields(cls)}
        values = {name: value for name, value in entry.items() if name in names}
        if "position" in entry and "source_position" not in entry:
            values["source_position"] = entry["position"]
        return cls(**values)

    def check(self, ctx: WriteContext, problems: Problems, default_language: str = "en",
              saved: Optional[dict] = None) -> None:
        """Check the entry; `saved`: the owner's saved segments by id (a segment left as it was is
        not checked again for sealed names: it passed, or was overridden, when it was saved)."""
        problems_before = len(problems.found)
        self.id = rules.integer(problems, "id", self.id, minimum=1)
        self.number = rules.integer(problems, "number", self.number, minimum=1)
        self.kind = rules.choice(problems, "kind", self.kind, SegmentKind, required=True)
        raw_text = self.text
        self.text = rules.text(problems, "text", self.text, max_length=rules.MAX_SEGMENT)
        if self.text is not None and not self.text.strip():
            problems.add("text", "A segment needs text; remove the segment instead." if raw_text is not None
                         else rules.REQUIRED)
            self.text = None
        elif raw_text is None:
            problems.add("text", rules.REQUIRED)
        self.language = rules.language(problems, "language", self.language) or default_language
        direction = self.direction
        if rules.is_blank(direction) or direction == "auto":
            self.direction = direction_of(self.language)
        elif direction not in DIRECTIONS:
            problems.add("direction", f"“{rules.shown(direction)}” is not ltr or rtl.")
        self.translation = rules.text(problems, "translation", self.translation, max_length=rules.MAX_SEGMENT) or None
        self.translation_language = rules.language(problems, "translation_language", self.translation_language)
        if not self.translation:
            self.translation_language = None
        self.timecode_start = rules.seconds(problems, "timecode_start", self.timecode_start)
        self.timecode_end = rules.seconds(problems, "timecode_end", self.timecode_end)
        if self.timecode_start is not None and self.timecode_end is not None \
                and self.timecode_end < self.timecode_start:
            problems.add("timecode_end", "The end comes before the start.")
        self.access_level = rules.choice(problems, "access_level", self.access_level, AccessLevel, AccessLevel.PUBLIC)
        if self.kind is SegmentKind.FIRST_PERSON and not rules.is_blank(self.author):
            problems.add("author", "First-person words have a speaker, not an author of framing.")
        ctx.find(Agent, self.author, problems, "author")
        if not rules.is_blank(self.source):
            ctx.find(Source, self.source, problems, "source")
            self.source_position = rules.integer(problems, "source_position", self.source_position, minimum=1,
                                                 required=True)
        else:
            self.source_position = rules.integer(problems, "source_position", self.source_position, minimum=1)
        self.paragraph = rules.integer(problems, "paragraph", self.paragraph, minimum=1)
        self.redactions = self._check_redactions(problems)
        unchanged = saved is not None and self.id in saved and self.same_as(saved[self.id])
        if len(problems.found) == problems_before and not unchanged:  # its own problems first
            self._check_sealed(ctx, problems)

    def _check_sealed(self, ctx: WriteContext, problems: Problems) -> None:
        """No sealed identity named to someone who may not see it: words redacted from them may
        name one; a translation is withheld from whoever may not read all of its segment."""
        level = self.access_level if isinstance(self.access_level, AccessLevel) else AccessLevel.PUBLIC
        hidden = [(r["start"], r["end"], r["access_level"]) for r in self.redactions
                  if r["start"] is not None and r["end"] is not None and r["access_level"] is not None]
        ctx.check_sealed(problems, "text", self.text, level=level, hidden=hidden)
        withheld_from = max((level, *(r[2] for r in hidden)), key=lambda a: a.rank)
        ctx.check_sealed(problems, "translation", self.translation, level=withheld_from)

    def _check_redactions(self, problems: Problems) -> list[dict]:
        length = len(self.text or "")
        checked = []
        for index, item in rules.items(problems, "redactions", self.redactions):
            where = problems.under("redactions", index)
            if rules.is_blank(item.get("start")) and rules.is_blank(item.get("end")):
                continue  # an empty row of a form
            start = rules.integer(where, "start", item.get("start"))
            end = rules.integer(where, "end", item.get("end"))
            if start is not None and end is not None and not 0 <= start < end <= length:
                where.add("start", f"A redaction must lie within the text (0 to {length}) and not be empty.")
            elif (start is None) != (end is None) and not where.found:
                where.add("start", f"A redaction must lie within the text (0 to {length}) and not be empty.")
            checked.append({
                "start": start, "end": end,
                "access_level": rules.choice(where, "access_level", item.get("access_level"), AccessLevel,
                                             AccessLevel.CONFIDENTIAL),
                "reason": rules.note(where, "reason", item.get("reason")),
            })
        return checked

    def columns(self) -> dict[str, Any]:
        """The row's own content columns, as this checked input sets them (the author apart)."""
        return {
            "kind": self.kind, "text": self.text, "language": self.language, "direction": self.direction,
            "translation": self.translation, "translation_language": self.translation_language,
            "access_level": self.access_level, "timecode_start": self.timecode_start,
            "timecode_end": self.timecode_end,
        }

    def redaction_rows(self) -> list[dict[str, Any]]:
        return [{"start": r["start"], "end": r["end"], "access_level": r["access_level"], "reason": r["reason"]}
                for r in self.redactions]

    def write(self, ctx: WriteContext, segment: Segment) -> Segment:
        """Set a saved segment row's content from this checked input (new rows are inserted
        together, from `columns()`, by the testimony's write)."""
        for name, value in self.columns().items():
            setattr(segment, name, value)
        segment.author = ctx.get(Agent, self.author)
        wanted = [(r["start"], r["end"], r["access_level"], r["reason"]) for r in self.redactions]
        if segment.id is None or wanted != [(r.start, r.end, r.access_level, r.reason) for r in segment.redactions]:
            # Assigned whole, also on a new row: its collection is then known to the session and is
            # never loaded back one row at a time.
            segment.redactions = [Redaction(start=start, end=end, access_level=level, reason=reason)
                                  for start, end, level, reason in wanted]
        return segment

    def same_as(self, segment: Segment) -> bool:
        """Whether saving would change nothing in this row (so a long testimony's save writes only
        the rows that changed)."""
        return (
            segment.kind is self.kind and segment.text == self.text and segment.language == self.language
            and segment.direction == self.direction and segment.translation == self.translation
            and segment.translation_language == self.translation_language
            and segment.access_level is self.access_level
            and segment.timecode_start == self.timecode_start and segment.timecode_end == self.timecode_end
            and _author_matches(segment, self.author)
            and [(r.start, r.end, r.access_level, r.reason) for r in segment.redactions]
            == [(r["start"], r["end"], r["access_level"], r["reason"]) for r in self.redactions]
        )


def _author_matches(segment: Segment, ref: Any) -> bool:
    if rules.is_blank(ref):
        return segment.author_id is None
    if isinstance(ref, int):
        return segment.author_id == ref
    return segment.author is not None and segment.author.key == ref
