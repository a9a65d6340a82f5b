"""Forms for the catalog's records: testimonies with their segments, agents, places, occasions,
sources, claims, and the workflow actions on a testimony."""

from __future__ import annotations

from wtforms import BooleanField, FieldList, FloatField, FormField, HiddenField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional as OptionalValue

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
from .base import (
    EDTF,
    BaseForm,
    Language,
    LongTextField,
    NoMarkup,
    PlainText,
    RichTextField,
    SafeURL,
    SubForm,
    TextField,
    choice,
)

#: Longest text per kind of field (the same limits the importer applies).
MAX_NAME = 300
MAX_TITLE = 500
MAX_NOTE = 20_000
MAX_SEGMENT = 200_000
MAX_HTML = 100_000


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
    start = IntegerField("From character", validators=[OptionalValue(), NumberRange(min=0)],
                         description="Offset of the first hidden character (0 is the first).")
    end = IntegerField("To character", validators=[OptionalValue(), NumberRange(min=1)],
                       description="Offset just after the last hidden character.")
    access_level = SelectField("Who may read it", choices=vocabulary(AccessLevel), default="confidential",
                               description="Viewers below this level see a mark instead of the words.")
    reason = TextField("Reason", validators=[PlainText(MAX_NOTE)],
                       description="Why these words are hidden (for archivists).")


class SegmentForm(SubForm):
    #: The saved segment this row edits (empty for a new one). Not `id`: a FormField has its own.
    record_id = HiddenField()
    number = HiddenField()
    kind = SelectField(
        "Kind", choices=vocabulary(SegmentKind), default="first_person",
        description="First-person: the speaker's own words. Editorial: framing. Question: an interviewer's "
        "prompt. Reported: a retelling, not the speaker's words.",
    )
    text = LongTextField(
        "Text", validators=[PlainText(MAX_SEGMENT)],
        description="Plain text, stored exactly as typed. To split, put the cursor where the new segment "
        "starts (or leave an empty line there) and press Split.",
    )
    language = TextField("Language", validators=[Language(required=False), PlainText(35)],
                         description="en, fa, ar…; empty: the testimony’s.")
    direction = SelectField(
        "Direction", choices=[choice("auto", "from the language"), choice("ltr", "left to right"), choice("rtl", "right to left")],
        default="auto",
    )
    translation = LongTextField("Translation", validators=[PlainText(MAX_SEGMENT)],
                                description="A translation shown beside the original (plain text).")
    translation_language = TextField("Translation language", validators=[Language(required=False), PlainText(35)])
    access_level = SelectField("Access", choices=vocabulary(AccessLevel), default="public",
                               description="Who may read this segment at all.")
    author_id = SelectField("Author of framing", choices=[], validate_choice=False,
                            description="Who wrote framing text (editorial, question, reported).")
    timecode_start = FloatField("Starts at (seconds)", validators=[OptionalValue(), NumberRange(min=0)])
    timecode_end = FloatField("Ends at (seconds)", validators=[OptionalValue(), NumberRange(min=0)])
    split_at = HiddenField()
    redactions = FieldList(FormField(RedactionForm), min_entries=0)


class RoleForm(SubForm):
    agent_id = SelectField("Agent", choices=[], validate_choice=False,
                           description="Pick a person or organisation already in the catalog…")
    new_agent_name = TextField("…or a new name", validators=[PlainText(MAX_NAME, is_name=True), NoMarkup()],
                               description="Creates the agent; complete it later on its own page.")
    new_agent_kind = SelectField("Kind of new agent", choices=vocabulary(AgentKind), default="person")
    role = SelectField("Role", choices=vocabulary(RoleKind), default="speaker")
    named_by_source_id = SelectField("Named by source", choices=[], validate_choice=False,
                                     description="For an alleged perpetrator: the source that names them.")
    relation_to_events = TextField("Relation to the events", validators=[PlainText(MAX_NOTE), NoMarkup()],
                                   description="E.g. “former prisoner in Evin”.")


class TransmissionForm(SubForm):
    agent_id = SelectField("Passed on by", choices=[], validate_choice=False)
    new_agent_name = TextField("…or a new name", validators=[PlainText(MAX_NAME, is_name=True), NoMarkup()])
    new_agent_kind = SelectField("Kind of new agent", choices=vocabulary(AgentKind), default="organisation")
    source_id = SelectField("In source", choices=[], validate_choice=False)
    note = TextField("How", validators=[PlainText(MAX_NOTE), NoMarkup()], description="“quoted in”, “cited from memoirs”…")


class TestimonyForm(VersionedForm):
    public_id = TextField("Identifier", validators=[PlainText(20), NoMarkup()],
                          description="Leave empty for the next free one (T-0014…). Never changes once given.")
    title = TextField("Title", validators=[PlainText(MAX_TITLE, required=True), NoMarkup()])
    language = TextField("Language", default="en", validators=[Language(), PlainText(35)],
                         description="BCP 47: en, fa, ar…")
    account_kind = SelectField("Kind of account", choices=vocabulary(AccountKind))
    events_date_edtf = TextField(
        "Date of the events", validators=[PlainText(100), EDTF()],
        description="EDTF: 1988, 1988-07, 1988-07/1988-09, 1988~ (about), 2018-07-16? (uncertain), 198X.",
    )
    occasion_id = SelectField("Occasion", choices=[], validate_choice=False,
                              description="Where and when it was given; add a new occasion on its own page.")
    new_occasion_title = TextField("…or a new occasion", validators=[PlainText(MAX_TITLE), NoMarkup()],
                                   description="Creates it; complete it later on its own page.")
    new_occasion_kind = SelectField("Kind of new occasion", choices=vocabulary(OccasionKind), default="interview")
    new_occasion_date = TextField("Date of the new occasion", validators=[PlainText(100), EDTF()])
    source_id = SelectField("Source", choices=[], validate_choice=False,
                            description="The document or recording the catalog took it from.")
    new_source_title = TextField("…or a new source", validators=[PlainText(MAX_TITLE), NoMarkup()],
                                 description="Creates it; complete it later on its own page.")
    new_source_kind = SelectField("Kind of new source", choices=vocabulary(SourceKind), default="recording")
    access_level = SelectField("Access", choices=vocabulary(AccessLevel), default="public")
    consent_status = SelectField("Consent", choices=vocabulary(ConsentStatus), default="unknown")
    consent_note = TextField("Consent note", validators=[PlainText(MAX_NOTE), NoMarkup()])
    summary_html = RichTextField(
        "Archivist’s summary", validators=[PlainText(MAX_HTML)],
        description="Framing, never the witness's words. Paragraphs, emphasis, lists, quotations and "
        "http(s)/mailto links are kept; anything else is removed.",
    )
    roles = FieldList(FormField(RoleForm), min_entries=1)
    transmission = FieldList(FormField(TransmissionForm), min_entries=0)
    segments = FieldList(FormField(SegmentForm), min_entries=1)
    note = TextField("What changed", validators=[PlainText(MAX_NOTE), NoMarkup()],
                     description="A few words for the history (optional).")


class CorroborationForm(VersionedForm):
    status = SelectField("Corroboration status", choices=vocabulary(CorroborationStatus))
    rationale = LongTextField("Rationale", validators=[PlainText(MAX_NOTE, required=True)],
                              description="Why the status is what it is; kept in the history.")


class ReasonForm(VersionedForm):
    """Withdrawing or deleting: the reason is required (used with a prefix, one per action)."""

    reason = LongTextField("Reason", validators=[PlainText(MAX_NOTE, required=True)],
                           description="Required; kept with the record and its history.")


class WorkflowForm(VersionedForm):
    """Publishing, returning to draft, undeleting, restoring: only the version travels."""


class ClaimForm(BaseForm):
    segment_id = SelectField("Segment", choices=[], validate_choice=False)
    kind = SelectField("Kind of claim", choices=vocabulary(ClaimKind))
    statement = LongTextField("Statement", validators=[PlainText(MAX_NOTE, required=True)],
                              description="The claim in neutral words, attributed to its speaker.")
    excerpt = LongTextField("Excerpt", validators=[PlainText(MAX_NOTE)],
                            description="The segment's exact words the claim rests on.")
    quantity_low = IntegerField("Figure (low)", validators=[OptionalValue(), NumberRange(min=0)])
    quantity_high = IntegerField("Figure (high)", validators=[OptionalValue(), NumberRange(min=0)])
    scope_place_id = SelectField("Place it applies to", choices=[], validate_choice=False)
    scope_period_edtf = TextField("Period it applies to", validators=[PlainText(100), EDTF()])
    scope_note = TextField("Scope note", validators=[PlainText(MAX_NOTE), NoMarkup()])


class DeleteClaimForm(BaseForm):
    claim_id = HiddenField()


# --- agents, places, occasions, sources ------------------------------------------------------


class AgentNameForm(SubForm):
    name = TextField("Name", validators=[PlainText(MAX_NAME, is_name=True), NoMarkup()])
    kind = SelectField("Kind of name", choices=vocabulary(NameKind))
    language = TextField("Language or script", validators=[Language(required=False), PlainText(35)])
    note = TextField("Note", validators=[PlainText(MAX_NOTE), NoMarkup()], description="Who uses the name, or why it is recorded.")


class AgentForm(VersionedForm):
    key = TextField("Key", validators=[PlainText(120), NoMarkup()],
                    description="Stable key for links and imports; empty makes one from the name.")
    kind = SelectField("Kind", choices=vocabulary(AgentKind))
    preferred_name = TextField("Preferred name", validators=[PlainText(MAX_NAME, is_name=True, required=True), NoMarkup()])
    description_html = RichTextField("Description", validators=[PlainText(MAX_HTML)],
                                     description="Editorial; cleaned to paragraphs, emphasis, lists and links.")
    is_protected = BooleanField("Protected person",
                                description="The public sees only the pseudonym, never the name, anywhere.")
    public_pseudonym = TextField("Public pseudonym", validators=[PlainText(MAX_NAME, is_name=True), NoMarkup()])
    identity_access = SelectField("Who may see the real name", choices=vocabulary(AccessLevel), default="confidential")
    names = FieldList(FormField(AgentNameForm), min_entries=1)
    note = TextField("What changed", validators=[PlainText(MAX_NOTE), NoMarkup()])


class PlaceNameForm(SubForm):
    name = TextField("Name", validators=[PlainText(MAX_NAME, is_name=True), NoMarkup()])
    kind = SelectField("Kind of name", choices=vocabulary(NameKind))
    language = TextField("Language or script", validators=[Language(required=False), PlainText(35)])


class PlaceForm(VersionedForm):
    name = TextField("Name", validators=[PlainText(MAX_NAME, is_name=True, required=True), NoMarkup()])
    kind = TextField("Kind of place", validators=[PlainText(60), NoMarkup()], description="country, city, prison, ward…")
    parent_id = SelectField("Lies within", choices=[], validate_choice=False)
    latitude = FloatField("Latitude", validators=[OptionalValue(), NumberRange(min=-90, max=90)])
    longitude = FloatField("Longitude", validators=[OptionalValue(), NumberRange(min=-180, max=180)])
    names = FieldList(FormField(PlaceNameForm), min_entries=1)
    note = TextField("What changed", validators=[PlainText(MAX_NOTE), NoMarkup()])


class OccasionForm(VersionedForm):
    title = TextField("Title", validators=[PlainText(MAX_TITLE, required=True), NoMarkup()])
    kind = SelectField("Kind", choices=vocabulary(OccasionKind))
    place_id = SelectField("Place", choices=[], validate_choice=False)
    date_edtf = TextField("Date", validators=[PlainText(100), EDTF()],
                          description="EDTF: 2018-07-16? is “16 July 2018 (uncertain)”.")
    date_note = LongTextField("Why the date reads so", validators=[PlainText(MAX_NOTE)])
    note = TextField("What changed", validators=[PlainText(MAX_NOTE), NoMarkup()])


class SourceForm(VersionedForm):
    title = TextField("Title", validators=[PlainText(MAX_TITLE, required=True), NoMarkup()])
    kind = SelectField("Kind", choices=vocabulary(SourceKind))
    publisher_id = SelectField("Publisher or author", choices=[], validate_choice=False)
    date_edtf = TextField("Date", validators=[PlainText(100), EDTF()])
    language = TextField("Language", validators=[Language(required=False), PlainText(35)])
    location = TextField("Where the original is", validators=[PlainText(2000), NoMarkup(), SafeURL()],
                         description="An http(s) address or a shelf mark.")
    stance_note_html = RichTextField("Stance or affiliation", validators=[PlainText(MAX_HTML)],
                                     description="Neutral wording: “published by a site affiliated with …”.")
    citation = LongTextField("Citation", validators=[PlainText(MAX_NOTE)])
    access_level = SelectField("Access", choices=vocabulary(AccessLevel), default="public")
    note = TextField("What changed", validators=[PlainText(MAX_NOTE), NoMarkup()])
