"""Pages show a vocabulary term by the label its vocabulary defines (catalog/models/base.py),
never by a label a template makes up from the stored value."""

from __future__ import annotations

import re

import pytest

from catalog.models import AccountKind, ConsentStatus, CorroborationRelation, Role
from catalog.paths import TEMPLATES

#: `value.replace("_", " ")` or `value|replace('_', ' ')`: a label derived from a stored value.
DERIVED_LABEL = re.compile(r"""replace\(\s*['"]_['"]""")


def test_no_template_derives_a_label_from_a_stored_value():
    offending = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DERIVED_LABEL.search(line)
    ]
    assert offending == []


@pytest.mark.parametrize("status", list(ConsentStatus))
def test_the_testimony_page_shows_the_consent_label_of_the_vocabulary(client, session, make_testimony, auth, status):
    make_testimony(public_id="T-0850", consent_status=status)
    session.commit()
    auth.login(Role.RESEARCHER)
    page = client.get("/t/T-0850").get_data(as_text=True)
    assert f"<dt>Consent</dt><dd>{status.label}</dd>" in page


def test_consent_given_for_anonymous_use_is_not_shown_as_given_anonymous(client, session, make_testimony, auth):
    make_testimony(public_id="T-0851", consent_status=ConsentStatus.GIVEN_ANONYMOUS)
    session.commit()
    auth.login(Role.ARCHIVIST)
    page = client.get("/t/T-0851").get_data(as_text=True)
    assert "consent given for anonymous use" in page
    assert "given anonymous" not in page


def test_an_official_insiders_account_is_named_as_the_vocabulary_names_it(client, seeded):
    label = AccountKind.OFFICIAL_INSIDER.label
    assert label == "official / insider"
    # T-0002 is an official / insider account in the seeds: on its page, in the browse list and in search.
    assert f"<dd>{label}</dd>" in client.get("/t/T-0002").get_data(as_text=True)
    assert f"· {label}" in client.get("/testimonies?kind=official_insider").get_data(as_text=True)
    assert f"· {label}" in client.get("/search?q=Montazeri").get_data(as_text=True)
    for path in ("/t/T-0002", "/testimonies?kind=official_insider", "/search?q=Montazeri"):
        assert "official insider" not in client.get(path).get_data(as_text=True), path


def test_a_claims_corroboration_reads_both_ways_in_the_vocabularys_words(client, seeded):
    page = client.get("/claims/montazeri-2800-or-3800").get_data(as_text=True)
    supports, contradicts = CorroborationRelation.SUPPORTS, CorroborationRelation.CONTRADICTS
    assert f"is {supports.passive_label}" in page and "is supported by" in page
    assert f"this claim {contradicts.label}" in page
    partly = client.get("/claims/jokar-husband-executed-with-75").get_data(as_text=True)
    assert f"this claim {CorroborationRelation.PARTLY_SUPPORTS.label}" in partly
