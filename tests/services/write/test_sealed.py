"""Sealed identities in free text: words naming a protected person whose identity is sealed are
refused in every free-text field, unless redacted from whoever may not see them or overridden by an
archivist with a reason (recorded in the revision)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.models import AccessLevel, AgentName, NameKind, Revision
from catalog.services.actors import Actor
from catalog.services.write import (
    ClaimInput, OccasionInput, Rejected, SourceInput, TestimonyInput, WriteContext, save,
)
from catalog.services.write.sealed import SealedMatcher, SealedName

ARCHIVIST = Actor("archivist", may_override_sealed=True)
NOBODY = Actor("researcher")


@pytest.fixture
def sealed(make_agent, session):
    """A protected witness known as “Shirin Rahimi” (and “Shirin R.”), shown as “Witness A”."""
    agent = make_agent("Shirin Rahimi", is_protected=True, public_pseudonym="Witness A",
                       identity_access=AccessLevel.CONFIDENTIAL)
    agent.names.append(AgentName(name="Shirin R.", kind=NameKind.SPELLING_VARIANT))
    agent.names.append(AgentName(name="Witness A", kind=NameKind.PSEUDONYM))
    session.flush()
    return agent


def values(agent, **fields):
    return {
        "title": "An account", "language": "en", "account_kind": "eyewitness",
        "roles": [{"agent": agent.id, "role": "speaker"}],
        "segments": [{"kind": "first_person", "text": "I was there."}],
        **fields,
    }


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(Rejected) as caught:
        call()
    assert caught.value.sealed
    return caught.value.by_field()


@pytest.mark.parametrize("fields, path", [
    ({"title": "What shirin r. saw"}, "title"),
    ({"summary": "<p>Told by <em>SHIRÍN Rahimi</em>.</p>"}, "summary"),
    ({"segments": [{"kind": "first_person", "text": "My name is Shirin R. and I saw it."}]}, "segments[0].text"),
    ({"segments": [{"kind": "first_person", "text": "I saw it.", "translation": "Ich, Shirin Rahimi, sah es.",
                    "translation_language": "de"}]}, "segments[0].translation"),
    ({"new_occasion": OccasionInput(title="Interview with Shirin R.")}, "new_occasion.title"),
    ({"new_occasion": OccasionInput(title="An interview", date_note="Recorded at shirin rahimi's home")},
     "new_occasion.date_note"),
])
def test_each_testimony_field_is_refused_with_the_name(session, make_agent, sealed, fields, path):
    speaker = make_agent("Speaker")
    problems = refusal(lambda: save(session, TestimonyInput(**values(speaker, **fields)), ARCHIVIST))
    assert list(problems) == [path]
    message = problems[path][0]
    assert "whose identity is sealed" in message and "“Witness A”" in message
    assert "“Shirin R.”" in message or "“Shirin Rahimi”" in message


def test_the_pseudonym_and_other_words_pass(session, make_agent, sealed):
    speaker = make_agent("Speaker")
    testimony = save(session, TestimonyInput(**values(
        speaker, title="What Witness A saw", summary="<p>Shirinbaf Rahimian street.</p>",
        segments=[{"kind": "first_person", "text": "Shirin came later; Rahimi too."}])), ARCHIVIST)
    assert testimony.title == "What Witness A saw"


def test_a_name_redacted_from_the_public_is_allowed(session, make_agent, sealed):
    speaker = make_agent("Speaker")
    text = "I am Shirin Rahimi and I saw it."
    start = text.index("Shirin")
    redacted = {"kind": "first_person", "text": text,
                "redactions": [{"start": start, "end": start + len("Shirin Rahimi"), "access_level": "confidential"}]}
    save(session, TestimonyInput(**values(speaker, segments=[redacted])), ARCHIVIST)
    # A redaction researchers may read does not hide a name only archivists may see, nor does half a name.
    for redaction in ({"start": start, "end": start + 13, "access_level": "restricted"},
                      {"start": start, "end": start + 6, "access_level": "confidential"}):
        problems = refusal(lambda: save(session, TestimonyInput(**values(
            speaker, segments=[{**redacted, "redactions": [redaction]}])), ARCHIVIST))
        assert list(problems) == ["segments[0].text"]


def test_a_segment_only_those_who_may_see_the_identity_read_may_name_it(session, make_agent, sealed):
    speaker = make_agent("Speaker")
    save(session, TestimonyInput(**values(speaker, segments=[
        {"kind": "first_person", "text": "I saw it."},
        {"kind": "first_person", "text": "Shirin Rahimi speaking.", "access_level": "confidential"}])), ARCHIVIST)


def test_a_public_identity_is_not_sealed(session, make_agent):
    make_agent("Open Person", is_protected=True, public_pseudonym="P", identity_access=AccessLevel.PUBLIC)
    make_agent("Plain Person")
    speaker = make_agent("Speaker")
    save(session, TestimonyInput(**values(speaker, title="Open Person and Plain Person")), ARCHIVIST)


def test_claim_statement_and_excerpt(session, make_testimony, sealed):
    testimony = make_testimony(("first_person", "Shirin R. was taken away."))
    ctx = WriteContext(session, ARCHIVIST)
    from catalog.services.write import Problems
    problems = Problems()
    claim = ClaimInput(segment=testimony.segments[0].id, statement="Shirin Rahimi was arrested.",
                       excerpt="Shirin R. was taken away")
    claim.check(ctx, problems)
    assert sorted(p.path[0] for p in problems) == ["excerpt", "statement"]


def test_source_file_name(session, sealed):
    files = [{"filename": "shirin_rahimi-release.pdf", "sha256": "a" * 64, "size": 3}]
    problems = refusal(lambda: save(session, SourceInput(title="Letters", files=files), ARCHIVIST))
    assert list(problems) == ["files[0].filename"]
    # A file only archivists may open may carry the name.
    save(session, SourceInput(title="Letters", files=[{**files[0], "access_level": "confidential"}]), ARCHIVIST)


def test_override_is_recorded_with_who_why_and_which_names(session, make_agent, sealed):
    speaker = make_agent("Speaker")
    testimony = save(session, TestimonyInput(**values(speaker, title="Shirin R. in her own words")), ARCHIVIST,
                     sealed_override="She asked to be named in the title.")
    note = session.scalar(select(Revision.note).where(Revision.entity_id == testimony.id,
                                                      Revision.entity_type == "testimony"))
    assert "“Shirin R.”" in note and "archivist" in note and "She asked to be named in the title." in note
    assert testimony.title == "Shirin R. in her own words"


def test_override_needs_a_reason_and_an_archivist(session, make_agent, sealed):
    speaker = make_agent("Speaker")
    entry = values(speaker, title="Shirin R. in her own words")
    problems = refusal(lambda: save(session, TestimonyInput(**entry), NOBODY, sealed_override="Because."))
    assert "Only an archivist or admin" in problems["sealed_override"][0]
    assert "Only an archivist or admin" in problems["title"][0]
    with pytest.raises(Rejected) as caught:
        save(session, TestimonyInput(**entry), ARCHIVIST, sealed_override="  ")
    assert "Say why" in caught.value.by_field()["sealed_override"][0]


def test_matcher_folds_case_accents_and_persian_letters():
    matcher = SealedMatcher.build([SealedName("Garcés López", "G.", AccessLevel.CONFIDENTIAL),
                                   SealedName("علي", "X", AccessLevel.RESTRICTED)])
    assert [s.name for s in matcher.find("told by GARCES-lopez.")] == ["Garcés López"]
    assert [s.name for s in matcher.find("گفت علی")] == ["علي"]
    assert matcher.find("garcesl lopez") == [] and matcher.find("علیرضا") == []
    assert matcher.find("Garcés López", level=AccessLevel.CONFIDENTIAL) == []


def test_words_saved_before_are_not_refused_again(session, make_agent, sealed):
    """An override holds for the words it let through: a later edit elsewhere needs none."""
    speaker = make_agent("Speaker")
    entry = values(speaker, title="Shirin R. in her own words",
                   segments=[{"kind": "first_person", "text": "I am Shirin Rahimi."},
                             {"kind": "first_person", "text": "I saw it."}])
    testimony = save(session, TestimonyInput(**entry), ARCHIVIST, sealed_override="She asked to be named.")
    rows = [{"id": s.id, "kind": "first_person", "text": s.text} for s in testimony.segments]
    rows[1]["text"] = "I saw it all."
    save(session, TestimonyInput(**{**entry, "segments": rows}), NOBODY, existing=testimony,
         expected_version=testimony.version)
    assert testimony.segments[1].text == "I saw it all."
    # A changed passage naming them is checked again.
    rows[1]["text"] = "Shirin R. saw it all."
    problems = refusal(lambda: save(session, TestimonyInput(**{**entry, "segments": rows}), NOBODY,
                                    existing=testimony, expected_version=testimony.version))
    assert list(problems) == ["segments[1].text"]


def test_role_relation_and_transmission_note(session, make_agent, sealed):
    speaker = make_agent("Speaker")
    entry = values(speaker, roles=[{"agent": speaker.id, "role": "speaker", "relation": "cellmate of Shirin R."}],
                   transmission=[{"agent": speaker.id, "note": "told to Shirin Rahimi"}])
    problems = refusal(lambda: save(session, TestimonyInput(**entry), ARCHIVIST))
    assert sorted(problems) == ["roles[0].relation", "transmission[0].note"]
