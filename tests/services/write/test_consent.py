"""Consent through the one write path: who gave it, when, its scope and embargo; publication refused
beyond the scope (by a save and by the workflow alike); withdrawn consent taking a testimony out of
publication at once, as a revision, with the reason."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from catalog.models import AccessLevel, Agent, ConsentStatus, PublicationState, Revision, Testimony
from catalog.services.actors import Actor
from catalog.services.write import Rejected, TestimonyInput, records, workflow

ARCHIVIST = Actor("amina (archivist)")


def an_input(**fields) -> TestimonyInput:
    values = dict(title="An account", roles=[{"agent": "witness-c", "role": "speaker"}],
                  segments=[{"kind": "first_person", "text": "I saw the trucks at dawn."}])
    values.update(fields)
    return TestimonyInput(**values)


@pytest.fixture
def witness(session, make_agent):
    agent = make_agent("Cyrus Witness", key="witness-c")
    session.flush()
    return agent


def problems_of(error: Rejected) -> dict[str, str]:
    return {".".join(map(str, p.path)): p.message for p in error.problems}


def test_structured_consent_is_saved_and_kept_in_the_revision(session, witness):
    saved = records.save(session, an_input(
        consent_status="given", consent_given_by="witness-c", consent_given_on="2026-11-30",
        consent_note="Signed at the interview."), ARCHIVIST)
    session.flush()
    assert saved.consent_given_by is witness and saved.consent_given_edtf == "2026-11-30"
    snapshot = session.scalars(select(Revision).where(Revision.entity_id == saved.id,
                                                      Revision.entity_type == "testimony")).one().snapshot
    snapshot = json.loads(snapshot)
    assert snapshot["consent_given_by_id"] == witness.id and snapshot["consent_given_edtf"] == "2026-11-30"


@pytest.mark.parametrize("fields, field, words", [
    ({"consent_status": "embargoed"}, "embargo_until", "Give the day the embargo ends."),
    ({"consent_status": "given", "embargo_until": "2030-01-01"}, "embargo_until", "Only consent embargoed"),
    ({"consent_status": "embargoed", "embargo_until": "2030-02-31"}, "embargo_until", "Must be a day"),
    ({"consent_given_on": "2026-13"}, "consent_given_on", "not a valid EDTF date"),
    ({"consent_given_by": "nobody-here"}, "consent_given_by", "nobody-here"),
    ({"consent_given_by": "witness-c", "consent_given_by_name": "Someone"}, "consent_given_by_name", "not both"),
])
def test_bad_consent_is_refused_with_a_clear_problem(session, witness, fields, field, words):
    with pytest.raises(Rejected) as refused:
        records.save(session, an_input(**fields), ARCHIVIST)
    assert words in problems_of(refused.value)[field]


@pytest.mark.parametrize("consent, access, field, words", [
    ("withdrawn", "public", "consent_status", "consent withdrawn"),
    ("withheld", "public", "consent_status", "consent withheld"),
    ("researchers_only", "public", "access_level", "researchers only"),
    ("given_anonymous", "public", "consent_status", "Cyrus Witness"),
])
def test_publishing_beyond_the_consent_is_refused_with_the_reason_by_save_and_by_workflow(
        session, witness, consent, access, field, words):
    with pytest.raises(Rejected) as refused:
        records.save(session, an_input(consent_status=consent, access_level=access,
                                              publication_state="published"), ARCHIVIST)
    assert words in problems_of(refused.value)[field]
    draft = records.save(session, an_input(consent_status=consent, access_level=access), ARCHIVIST)
    with pytest.raises(Rejected) as refused:
        workflow.publish(session, draft, ARCHIVIST)
    assert words in problems_of(refused.value)[field]
    assert draft.publication_state is PublicationState.DRAFT


@pytest.mark.parametrize("consent, access", [
    ("given", "public"), ("public_record", "public"), ("unknown", "public"),
    ("researchers_only", "restricted"), ("embargoed", "public"),
])
def test_publishing_within_the_consent_is_allowed(session, witness, consent, access):
    extra = {"embargo_until": "2030-01-01"} if consent == "embargoed" else {}
    draft = records.save(session, an_input(consent_status=consent, access_level=access, **extra), ARCHIVIST)
    workflow.publish(session, draft, ARCHIVIST)
    assert draft.publication_state is PublicationState.PUBLISHED


def test_anonymous_consent_is_publishable_once_every_speaker_is_sealed(session, witness):
    draft = records.save(session, an_input(consent_status="given_anonymous"), ARCHIVIST)
    witness.is_protected, witness.public_pseudonym, witness.identity_access = True, "Witness C", AccessLevel.RESTRICTED
    session.flush()
    workflow.publish(session, draft, ARCHIVIST)
    assert draft.publication_state is PublicationState.PUBLISHED


def test_withdrawing_consent_in_a_save_takes_the_testimony_out_of_publication_as_a_revision(session, witness):
    saved = records.save(session, an_input(consent_status="given"), ARCHIVIST)
    workflow.publish(session, saved, ARCHIVIST)
    records.save(session, an_input(consent_status="withdrawn", consent_note="By letter of 2 December."),
                 ARCHIVIST, existing=saved)
    assert saved.publication_state is PublicationState.WITHDRAWN
    assert saved.withdrawn_reason == "Consent to publish was withdrawn." and saved.withdrawn_dt is not None
    latest = session.scalars(select(Revision).where(Revision.entity_type == "testimony", Revision.entity_id == saved.id)
                             .order_by(Revision.number.desc())).first()
    assert "withdrawn: consent withdrawn" in latest.note
    # And it cannot be published again while consent stays withdrawn.
    with pytest.raises(Rejected):
        workflow.publish(session, saved, ARCHIVIST)


def test_the_withdraw_consent_action_records_the_reason_and_unpublishes(session, witness):
    saved = records.save(session, an_input(consent_status="embargoed", embargo_until="2030-01-01"), ARCHIVIST)
    workflow.publish(session, saved, ARCHIVIST)
    with pytest.raises(Rejected):
        workflow.withdraw_consent(session, saved, "  ", ARCHIVIST)
    workflow.withdraw_consent(session, saved, "The witness phoned on 2 December.", ARCHIVIST)
    assert saved.consent_status is ConsentStatus.WITHDRAWN and saved.embargo_until is None
    assert saved.publication_state is PublicationState.WITHDRAWN
    assert saved.withdrawn_reason == "The witness phoned on 2 December."


def test_every_seeded_testimony_stays_published_under_its_consent(seeded, session):
    published = session.scalars(select(Testimony).where(Testimony.publication_state == PublicationState.PUBLISHED)).all()
    assert len(published) >= 10
    for testimony in published:
        workflow.publish(session, testimony, ARCHIVIST)  # refused if its consent did not allow it
    session.rollback()
