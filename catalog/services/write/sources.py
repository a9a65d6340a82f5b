"""Sources: the documents and recordings the catalog took material from, with their attached files
and the framing that is theirs alone (segments of a source that belong to no testimony)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select

from ...models import AccessLevel, Agent, AgentRole, RoleKind, Segment, Source, SourceFile, SourceKind
from . import rules
from .context import WriteContext, new_or, set_date
from .problems import Problems
from .roles import check_role
from .segments import SegmentInput


@dataclass
class SourceInput:
    key: Any = None
    title: Any = None
    kind: Any = SourceKind.DOCUMENT.value
    publisher: Any = None
    date: Any = None
    language: Any = None
    location: Any = ""
    stance_note: Any = ""
    citation: Any = ""
    access_level: Any = AccessLevel.PUBLIC.value
    files: Any = None
    #: The source's own framing, in its order (None: leave it as it is).
    segments: Any = None
    key_required: bool = False

    def check(self, ctx: WriteContext, problems: Problems, existing: Optional[Source] = None) -> None:
        self.key = rules.key(problems, "key", self.key, required=self.key_required)
        if self.key and existing is None and ctx.exists(Source, self.key):
            problems.add("key", f"“{self.key}” is already used by another source.")
        self.title = rules.title(problems, "title", self.title)
        self.kind = rules.choice(problems, "kind", self.kind, SourceKind, SourceKind.DOCUMENT)
        ctx.find(Agent, self.publisher, problems, "publisher")
        self.date = rules.edtf(problems, "date", self.date)
        self.language = rules.language(problems, "language", self.language)
        self.location = rules.url(problems, "location", self.location)
        self.stance_note = rules.html(problems, "stance_note", self.stance_note)
        self.citation = rules.text(problems, "citation", self.citation) or ""
        self.access_level = rules.choice(problems, "access_level", self.access_level, AccessLevel, AccessLevel.PUBLIC)
        ctx.check_sealed(problems, "title", self.title, level=self.access_level,
                         was=existing.title if existing else None)
        if self.files is not None:
            self.files = [self._file(problems.under("files", i), item)
                          for i, item in rules.items(problems, "files", self.files)]
            saved_names = {f.filename for f in existing.files} if existing is not None else set()
            for index, item in enumerate(self.files):
                ctx.check_sealed(problems.under("files", index), "filename", item["filename"],
                                 level=max(item["access_level"], self.access_level, key=lambda a: a.rank),
                                 was=item["filename"] if item["filename"] in saved_names else None)
        if self.segments is not None:
            self._check_segments(ctx, problems)

    @staticmethod
    def _file(problems: Problems, item: dict) -> dict:
        return {
            "filename": rules.name(problems, "filename", item.get("filename"), required=True),
            "media_type": rules.name(problems, "media_type", item.get("media_type"), max_length=120)
            or "application/octet-stream",
            "size": rules.integer(problems, "size", item.get("size"), maximum=2**62),
            "sha256": rules.sha256(problems, "sha256", item.get("sha256")),
            "access_level": rules.choice(problems, "access_level", item.get("access_level"), AccessLevel,
                                         AccessLevel.PUBLIC),
        }

    def _check_segments(self, ctx: WriteContext, problems: Problems) -> None:
        checked = []
        for index, item in rules.items(problems, "segments", self.segments):
            segment = item if isinstance(item, SegmentInput) else SegmentInput.from_entry(item)
            segment.check(ctx, problems.under("segments", index), default_language=self.language or "en")
            if segment.source_position is None:
                segment.source_position = index + 1
            ctx.take_source_position(problems.under("segments", index), "position", self, segment.source_position)
            checked.append(segment)
        self.segments = checked

    def apply(self, ctx: WriteContext, existing: Optional[Source] = None) -> Source:
        source = new_or(ctx, Source, existing, self.key, self.title, "source")
        source.title = self.title
        source.kind = self.kind
        source.publisher = ctx.get(Agent, self.publisher)
        set_date(source, "date", self.date)
        source.language = self.language
        source.location = self.location
        source.stance_note_html = self.stance_note
        source.citation = self.citation
        source.access_level = self.access_level
        if self.files is not None:
            source.files = [SourceFile(**item) for item in self.files]
        ctx.created[Source][source.key] = source
        if self.segments:
            for segment in self.segments:
                row = Segment(source=source, source_position=segment.source_position,
                              source_paragraph=segment.paragraph)
                segment.write(ctx, row)
                ctx.session.add(row)
        return source


@dataclass
class SourceRoleInput:
    """A role in a source's own text: the article naming someone as an alleged perpetrator."""

    source: Any = None
    agent: Any = None
    role: Any = None
    relation: Any = ""
    named_by: Any = None

    def check(self, ctx: WriteContext, problems: Problems) -> None:
        if rules.is_blank(self.source):
            problems.add("source", rules.REQUIRED)
        ctx.find(Source, self.source, problems, "source")
        checked = check_role(ctx, problems, {"agent": self.agent, "role": self.role, "relation": self.relation,
                                             "named_by": self.named_by if self.named_by else self.source})
        self.role, self.relation = checked["role"], checked["relation"]

    def exists(self, ctx: WriteContext) -> bool:
        source, agent = ctx.get(Source, self.source), ctx.get(Agent, self.agent)
        if source is None or agent is None or source.id is None or agent.id is None:
            return False
        return ctx.session.scalar(select(AgentRole.id).where(
            AgentRole.source_id == source.id, AgentRole.agent_id == agent.id, AgentRole.role == self.role
        )) is not None

    def apply(self, ctx: WriteContext) -> AgentRole:
        named_by = self.named_by if self.named_by else self.source
        role = AgentRole(
            source=ctx.get(Source, self.source), agent=ctx.get(Agent, self.agent), role=self.role,
            relation_to_events=self.relation,
            named_by=ctx.get(Source, named_by) if self.role is RoleKind.ALLEGED_PERPETRATOR else None,
        )
        ctx.session.add(role)
        return role
