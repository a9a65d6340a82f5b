"""Forms for linking claims to claims (supports, contradicts, qualifies, same as…) and removing a link."""

from __future__ import annotations

from wtforms import SelectField

from ..models import CorroborationRelation
from ..services.write import CorroborationInput
from .base import BaseForm, LongTextField, TextField, choice


class ClaimLinkForm(BaseForm):
    to_claim_id = SelectField("The other claim", choices=[], validate_choice=False,
                              description="The claim this one bears on; “Find…” looks it up by its words or key.")
    relation = SelectField("This claim…", choices=[choice(r.value, r.label) for r in CorroborationRelation],
                           validate_choice=False, description="How this claim bears on the other one.")
    rationale = LongTextField("Rationale", description="Why the two claims are linked so: required, shown to readers.")
    evidence = LongTextField("Evidence", description="What the link rests on (passages, documents), if anything.")

    FIELD_NAMES = {"to_claim": "to_claim_id"}

    def to_input(self, from_claim_id: int) -> CorroborationInput:
        return CorroborationInput(
            from_claim=from_claim_id, to_claim=self.reference(self.to_claim_id.data), relation=self.relation.data,
            rationale=self.rationale.data, evidence=self.evidence.data,
        )


class RemoveClaimLinkForm(BaseForm):
    reason = TextField("Why remove it", description="Kept in the history of the record the link belongs to.")
