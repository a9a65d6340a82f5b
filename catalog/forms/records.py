"""Forms for the catalog's records: testimonies with their segments, agents, places, occasions,
sources, claims, and the workflow actions on a testimony."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, FormField, HiddenField, SelectField, SelectMultipleField

from ..models import (
    AccessLevel,
    AccountKind,
    AgentKind,
    ClaimKind,
    ConsentStatus,
    CorroborationStatus,
    NameKind,
    OccasionKind,
    RoleKind,
    SegmentKind,
    SourceKind,
)
from ..services.write import (
    AgentInput,
    ClaimInput,
    CollectionInput,
    OccasionInput,
    PlaceInput,
    SourceInput,
    TestimonyInput,
)
from .base import BaseForm, CheckboxesField, SealedOverride, LongTextField, RichTextField, SubForm, TextField, choice


def vocabulary(enum_class, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [choice(member.value, member.label) for member in enum_class]
    return [choice("", blank), *choices] if blank is not None else choices


class VersionedForm(BaseForm):
    """A form that edits an existing record: it carries the version it was opened at."""

    version = HiddenField()

    @property
    def based_on_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


# --- testimony ------------------------------------------------------------------------------


class RedactionForm(SubForm):
    start = TextField("From character",
                         description="Offset of the first hidden character (0 is the first).")
    end = TextField("To character",
                       description="Offset just after the last hidden character.")
    access_level = SelectField("Who may read it", choices=vocabulary(AccessLevel), default="confidential",
                               description="Viewers below this level see a mark instead of the words.", validate_choice=False)
    reason = TextField("Reason",
                       description="Why these words are hidden (for archivists).")


class SegmentForm(SubForm):
    #: The saved segment this row edits (empty for a new one). Not `id`: a FormField has its own.
    record_id = HiddenField()
    number = HiddenField()
    kind = SelectField(
        "Kind", choices=vocabulary(SegmentKind), default="first_person",
        description="First-person: the speaker's own words. Editorial: framing. Question: an interviewer's "
        "prompt. Reported: a retelling, not the speaker's words.",
        validate_choice=False,
    )
    text = LongTextField(
        "Text",
        description="Plain text, stored exactly as typed. To split, put the cursor where the new segment "
        "starts (or leave an empty line there) and press Split.",
    )
    language = TextField("Language",
                         description="en, fa, ar…; empty: the testimony’s.")
    direction = SelectField(
        "Direction", choices=[choice("auto", "from the language"), choice("ltr", "left to right"), choice("rtl", "right to left")],
        default="auto",
        validate_choice=False,
    )
    translation = LongTextField("Translation",
                                description="A translation shown beside the original (plain text).")
    translation_language = TextField("Translation language")
    access_level = SelectField("Access", choices=vocabulary(AccessLevel), default="public",
                               description="Who may read this segment at all.", validate_choice=False)
    author_id = SelectField("Author of framing", choices=[], validate_choice=False,
                            description="Who wrote framing text (editorial, question, reported).")
    timecode_start = TextField("Starts at (seconds)")
    timecode_end = TextField("Ends at (seconds)")
    split_at = HiddenField()
    redactions = FieldList(FormField(RedactionForm), min_entries=0)


class RoleForm(SubForm):
    agent_id = SelectField("Agent", choices=[], validate_choice=False,
                           description="Pick a person or organisation already in the catalog…")
    new_agent_name = TextField("…or a new name",
                               description="Creates the agent; complete it later on its own page.")
    new_agent_kind = SelectField("Kind of new agent", choices=vocabulary(AgentKind), default="person", validate_choice=False)
    role = SelectField("Role", choices=vocabulary(RoleKind), default="speaker", validate_choice=False)
    named_by_source_id = SelectField("Named by source", choices=[], validate_choice=False,
                                     description="For an alleged perpetrator: the source that names them.")
    relation_to_events = TextField("Relation to the events",
                                   description="E.g. “former prisoner in Evin”.")


class TransmissionForm(SubForm):
    agent_id = SelectField("Passed on by", choices=[], validate_choice=False)
    new_agent_name = TextField("…or a new name")
    new_agent_kind = SelectField("Kind of new agent", choices=vocabulary(AgentKind), default="organisation", validate_choice=False)
    source_id = SelectField("In source", choices=[], validate_choice=False)
    note = TextField("How", description="“quoted in”, “cited from memoirs”…")


class TestimonyForm(SealedOverride, VersionedForm):
    public_id = TextField("Identifier",
                          description="Leave empty for the next free one (T-0014…). Never changes once given.")
    title = TextField("Title")
    language = TextField("Language", default="en",
                         description="BCP 47: en, fa, ar…")
    account_kind = SelectField("Kind of account", choices=vocabulary(AccountKind), validate_choice=False)
    events_date_edtf = TextField(
        "Date of the events",
        description="EDTF: 1988, 1988-07, 1988-07/1988-09, 1988~ (about), 2018-07-16? (uncertain), 198X.",
    )
    occasion_id = SelectField("Occasion", choices=[], validate_choice=False,
                              description="Where and when it was given; add a new occasion on its own page.")
    new_occasion_title = TextField("…or a new occasion",
                                   description="Creates it; complete it later on its own page.")
    new_occasion_kind = SelectField("Kind of new occasion", choices=vocabulary(OccasionKind), default="interview", validate_choice=False)
    new_occasion_date = TextField("Date of the new occasion")
    source_id = SelectField("Source", choices=[], validate_choice=False,
                            description="The document or recording the catalog took it from.")
    new_source_title = TextField("…or a new source",
                                 description="Creates it; complete it later on its own page.")
    new_source_kind = SelectField("Kind of new source", choices=vocabulary(SourceKind), default="recording", validate_choice=False)
    access_level = SelectField("Access", choices=vocabulary(AccessLevel), default="public", validate_choice=False)
    consent_status = SelectField(
        "Consent", choices=vocabulary(ConsentStatus), default="unknown", validate_choice=False,
        description="Its scope decides publication: researchers only needs restricted access, anonymous only "
        "needs every speaker sealed, withheld or withdrawn is never published (withdrawing takes it out of "
        "publication at once).")
    consent_note = TextField("Consent note")
    consent_given_by_id = SelectField("Consent given by", choices=[], validate_choice=False,
                                      description="Usually the speaker.")
    consent_given_by_name = TextField("…or by (name)", description="When the person is not in the catalog.")
    consent_given_on = TextField("Consent given on", description="EDTF: 2026-11-30, 2026-11.")
    embargo_until = TextField("Embargoed until",
                              description="For consent embargoed until a date: readers see it from this day "
                              "(2030-01-01), archivists always.")
    summary_html = RichTextField(
        "Archivist’s summary",
        description="Framing, never the witness's words. Paragraphs, emphasis, lists, quotations and "
        "http(s)/mailto links are kept; anything else is removed.",
    )
    roles = FieldList(FormField(RoleForm), min_entries=1)
    transmission = FieldList(FormField(TransmissionForm), min_entries=0)
    segments = FieldList(FormField(SegmentForm), min_entries=1)
    collections = CheckboxesField("Collections", choices=[],
                                  description="The collections it belongs to; readers see it listed in each.")
    about_places = SelectMultipleField(
        "Places it speaks of", choices=[], validate_choice=False,
        description="Where the events it tells of happened, apart from where it was given (several: hold Ctrl "
        "or ⌘). Readers filter by them under “Place spoken of”, with the places its claims are about.")
    note = TextField("What changed",
                     description="A few words for the history (optional).")



    FIELD_NAMES = {
        "id": "public_id", "events_date": "events_date_edtf", "summary": "summary_html", "occasion": "occasion_id",
        "source": "source_id", "agent": "agent_id", "named_by": "named_by_source_id",
        "relation": "relation_to_events", "author": "author_id", "consent_given_by": "consent_given_by_id",
    }

    def to_input(self) -> TestimonyInput:
        """The testimony as the write path takes it; empty rows of the form are left out."""
        ref = self.reference
        roles = [
            {"agent": ref(r.agent_id.data), "role": r.role.data, "named_by": ref(r.named_by_source_id.data),
             "relation": r.relation_to_events.data, "new_agent": _new_agent(r)}
            for r in (entry.form for entry in self.roles)
            if ref(r.agent_id.data) is not None or (r.new_agent_name.data or "").strip()
        ]
        transmission = [
            {"agent": ref(t.agent_id.data), "source": ref(t.source_id.data), "note": t.note.data,
             "new_agent": _new_agent(t)}
            for t in (entry.form for entry in self.transmission)
            if ref(t.agent_id.data) is not None or (t.new_agent_name.data or "").strip() or ref(t.source_id.data)
        ]
        return TestimonyInput(
            id=self.public_id.data, title=self.title.data, language=self.language.data,
            account_kind=self.account_kind.data, events_date=self.events_date_edtf.data,
            occasion=ref(self.occasion_id.data), source=ref(self.source_id.data),
            access_level=self.access_level.data, consent_status=self.consent_status.data,
            consent_note=self.consent_note.data, consent_given_by=ref(self.consent_given_by_id.data),
            consent_given_by_name=self.consent_given_by_name.data, consent_given_on=self.consent_given_on.data,
            embargo_until=self.embargo_until.data, summary=self.summary_html.data, roles=roles,
            transmission=transmission, segments=[_segment(entry.form, ref) for entry in self.segments],
            collections=list(self.collections.data or []),
            about_places=[ref(value) for value in self.about_places.data or [] if ref(value) is not None],
            new_occasion=OccasionInput(title=self.new_occasion_title.data, kind=self.new_occasion_kind.data,
                                       date=self.new_occasion_date.data)
            if (self.new_occasion_title.data or "").strip() else None,
            new_source=SourceInput(title=self.new_source_title.data, kind=self.new_source_kind.data)
            if (self.new_source_title.data or "").strip() else None,
        )


def _new_agent(row) -> AgentInput | None:
    name = (row.new_agent_name.data or "").strip()
    return AgentInput(name=row.new_agent_name.data, kind=row.new_agent_kind.data) if name else None


def _segment(row, ref) -> dict:
    return {
        "id": ref(row.record_id.data), "kind": row.kind.data, "text": row.text.data, "language": row.language.data,
        "direction": row.direction.data, "translation": row.translation.data,
        "translation_language": row.translation_language.data, "access_level": row.access_level.data,
        "author": ref(row.author_id.data), "timecode_start": row.timecode_start.data,
        "timecode_end": row.timecode_end.data,
        "redactions": [
            {"start": r.form.start.data, "end": r.form.end.data, "access_level": r.form.access_level.data,
             "reason": r.form.reason.data}
            for r in row.redactions
        ],
    }


def _names(entries, with_note: bool) -> list[dict]:
    return [
        {"name": n.form.name.data, "kind": n.form.kind.data, "language": n.form.language.data,
         **({"note": n.form.note.data} if with_note else {})}
        for n in entries
    ]


class CorroborationForm(VersionedForm):
    status = SelectField("Corroboration status", choices=vocabulary(CorroborationStatus), validate_choice=False)
    rationale = LongTextField("Rationale",
                              description="Why the status is what it is; kept in the history.")


class ReasonForm(VersionedForm):
    """Withdrawing or deleting: the reason is required (used with a prefix, one per action)."""

    reason = LongTextField("Reason",
                           description="Required; kept with the record and its history.")


class WithdrawForm(ReasonForm):
    reason = LongTextField("Reason",
                           description="Required; kept with the record and its history, and shown to readers "
                           "who follow the permalink of a testimony they could read.")


class WithdrawConsentForm(ReasonForm):
    reason = LongTextField("How consent was withdrawn",
                           description="Required: who withdrew it, when and how. A published testimony leaves "
                           "publication at once; readers of its permalink are shown this reason.")


class ReleaseFormUpload(VersionedForm):
    file = FileField("Release form", validators=[FileRequired("Choose the signed release form.")],
                     description="PDF, JPEG, PNG or TIFF; replaces the one attached before.")
    access_level = SelectField("Who may open it", choices=vocabulary(AccessLevel), default="confidential",
                               validate_choice=False)


class DeleteForm(ReasonForm):
    """Deleting: the reason stays among archivists; readers who follow the permalink of a testimony
    the public could read are told only what is typed here."""

    public_reason = LongTextField(
        "What readers are told",
        description="Optional. Shown on the permalink of a testimony readers could once read, beside "
        "“removed” and the date; the reason above is never shown to them.",
    )


class WorkflowForm(VersionedForm):
    """Publishing, returning to draft, undeleting, restoring: only the version travels."""


class ClaimForm(SealedOverride, BaseForm):
    segment_id = SelectField("Segment", choices=[], validate_choice=False)
    kind = SelectField("Kind of claim", choices=vocabulary(ClaimKind), validate_choice=False)
    statement = LongTextField("Statement",
                              description="The claim in neutral words, attributed to its speaker.")
    excerpt = LongTextField("Excerpt",
                            description="The segment's exact words the claim rests on.")
    quantity_low = TextField("Figure (low)")
    quantity_high = TextField("Figure (high)")
    scope_place_id = SelectField("Place it applies to", choices=[], validate_choice=False)
    scope_period_edtf = TextField("Period it applies to")
    scope_note = TextField("Scope note")



    FIELD_NAMES = {"segment": "segment_id", "scope_place": "scope_place_id", "scope_period": "scope_period_edtf"}

    def to_input(self) -> ClaimInput:
        ref = self.reference
        return ClaimInput(
            segment=ref(self.segment_id.data), kind=self.kind.data, statement=self.statement.data,
            excerpt=self.excerpt.data, quantity_low=self.quantity_low.data, quantity_high=self.quantity_high.data,
            scope={"place": ref(self.scope_place_id.data), "period": self.scope_period_edtf.data,
                   "note": self.scope_note.data},
        )


class DeleteClaimForm(BaseForm):
    claim_id = HiddenField()


# --- agents, places, occasions, sources ------------------------------------------------------


class AgentNameForm(SubForm):
    name = TextField("Name")
    kind = SelectField("Kind of name", choices=vocabulary(NameKind), validate_choice=False)
    language = TextField("Language or script")
    note = TextField("Note", description="Who uses the name, or why it is recorded.")


class AgentForm(VersionedForm):
    key = TextField("Key",
                    description="Stable key for links and imports; empty makes one from the name.")
    kind = SelectField("Kind", choices=vocabulary(AgentKind), validate_choice=False)
    preferred_name = TextField("Preferred name")
    description_html = RichTextField("Description",
                                     description="Editorial; cleaned to paragraphs, emphasis, lists and links.")
    is_protected = BooleanField("Protected person",
                                description="The public sees only the pseudonym, never the name, anywhere.")
    public_pseudonym = TextField("Public pseudonym")
    identity_access = SelectField("Who may see the real name", choices=vocabulary(AccessLevel), default="confidential", validate_choice=False)
    names = FieldList(FormField(AgentNameForm), min_entries=1)
    note = TextField("What changed")



    FIELD_NAMES = {"name": "preferred_name", "description": "description_html", "protected": "is_protected",
                   "pseudonym": "public_pseudonym"}

    def to_input(self) -> AgentInput:
        return AgentInput(
            key=self.key.data, kind=self.kind.data, name=self.preferred_name.data,
            description=self.description_html.data, protected=self.is_protected.data,
            pseudonym=self.public_pseudonym.data, identity_access=self.identity_access.data,
            names=_names(self.names, with_note=True),
        )


class PlaceNameForm(SubForm):
    name = TextField("Name")
    kind = SelectField("Kind of name", choices=vocabulary(NameKind), validate_choice=False)
    language = TextField("Language or script")


class PlaceForm(VersionedForm):
    name = TextField("Name")
    kind = TextField("Kind of place", description="country, city, prison, ward…")
    parent_id = SelectField("Lies within", choices=[], validate_choice=False)
    latitude = TextField("Latitude")
    longitude = TextField("Longitude")
    names = FieldList(FormField(PlaceNameForm), min_entries=1)
    note = TextField("What changed")



    FIELD_NAMES = {"parent": "parent_id"}

    def to_input(self) -> PlaceInput:
        return PlaceInput(name=self.name.data, kind=self.kind.data, parent=self.reference(self.parent_id.data),
                          latitude=self.latitude.data, longitude=self.longitude.data,
                          names=_names(self.names, with_note=False))


class OccasionForm(SealedOverride, VersionedForm):
    title = TextField("Title")
    kind = SelectField("Kind", choices=vocabulary(OccasionKind), validate_choice=False)
    place_id = SelectField("Place", choices=[], validate_choice=False)
    date_edtf = TextField("Date",
                          description="EDTF: 2018-07-16? is “16 July 2018 (uncertain)”.")
    date_note = LongTextField("Why the date reads so")
    note = TextField("What changed")



    FIELD_NAMES = {"place": "place_id", "date": "date_edtf"}

    def to_input(self) -> OccasionInput:
        return OccasionInput(title=self.title.data, kind=self.kind.data, place=self.reference(self.place_id.data),
                             date=self.date_edtf.data, date_note=self.date_note.data)


class SourceForm(SealedOverride, VersionedForm):
    title = TextField("Title")
    kind = SelectField("Kind", choices=vocabulary(SourceKind), validate_choice=False)
    publisher_id = SelectField("Publisher or author", choices=[], validate_choice=False)
    date_edtf = TextField("Date")
    language = TextField("Language")
    location = TextField("Where the original is",
                         description="An http(s) address or a shelf mark.")
    stance_note_html = RichTextField("Stance or affiliation",
                                     description="Neutral wording: “published by a site affiliated with …”.")
    citation = LongTextField("Citation")
    access_level = SelectField("Access", choices=vocabulary(AccessLevel), default="public", validate_choice=False)
    note = TextField("What changed")

    FIELD_NAMES = {"publisher": "publisher_id", "date": "date_edtf", "stance_note": "stance_note_html"}

    def to_input(self) -> SourceInput:
        return SourceInput(
            title=self.title.data, kind=self.kind.data, publisher=self.reference(self.publisher_id.data),
            date=self.date_edtf.data, language=self.language.data, location=self.location.data,
            stance_note=self.stance_note_html.data, citation=self.citation.data, access_level=self.access_level.data,
        )


class CollectionForm(VersionedForm):
    key = TextField("Key",
                    description="Its address (/collections/<key>) and its name for harvesters; empty makes one "
                    "from the title. Never changes once given.")
    title = TextField("Title")
    description_html = RichTextField(
        "Description",
        description="What it gathers and why (editorial; cleaned to paragraphs, emphasis, lists and links).",
    )
    note = TextField("What changed")

    FIELD_NAMES = {"description": "description_html"}

    def to_input(self) -> CollectionInput:
        return CollectionInput(key=self.key.data, title=self.title.data, description=self.description_html.data)
