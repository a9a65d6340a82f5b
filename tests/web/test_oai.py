"""OAI-PMH at /oai: every verb and error, valid against the protocol's schemas; only what the public
may read; deleted records; sets; resumption tokens that survive edits; a whole harvest by an
independent client compared with the public export."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlencode

import pytest
from lxml import etree
from oaipmh_scythe import Scythe
from oaipmh_scythe.config import HTTPConfig
from sqlalchemy import select
from werkzeug.serving import make_server

from catalog.models import (
    AccessLevel,
    AccountKind,
    Agent,
    Collection,
    PublicationState,
    Redaction,
    RoleKind,
    SegmentKind,
    Testimony,
    testimony_collections,
)
from catalog.models.base import utcnow
from catalog.services.actors import Actor
from catalog.services.export import export_catalog
from catalog.services.write import workflow
from catalog.viewer import Viewer
from tests.schemas import DC_NS, OAI_DC_NS, OAI_NS, TESTIMONY_NS, testimony as own_schema, validate_response

NS = {"oai": OAI_NS, "dc": DC_NS, "oai_dc": OAI_DC_NS, "t": TESTIMONY_NS}
REPOSITORY = "testimony-catalog.example"
ACTOR = Actor("tester")


def oai(client, **arguments):
    """GET /oai with these arguments; the response, checked against the schemas, parsed."""
    response = client.get("/oai?" + urlencode(arguments))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return validate_response(response.data)


def error_codes(root) -> list[str]:
    return [error.get("code") for error in root.findall("oai:error", NS)]


def identifiers(root) -> list[str]:
    return [element.text for element in root.iterfind(".//oai:header/oai:identifier", NS)]


def ident(public_id: str) -> str:
    return f"oai:{REPOSITORY}:{public_id}"


def header_of(root, public_id: str):
    for header in root.iterfind(".//oai:header", NS):
        if header.findtext("oai:identifier", namespaces=NS) == ident(public_id):
            return header
    return None


def row_of(session, public_id: str) -> Testimony:
    return session.scalar(select(Testimony).where(Testimony.public_id == public_id))


def make_public(session, testimony: Testimony) -> Testimony:
    """What the write path does when a save leaves a testimony readable by the public."""
    testimony.first_public_dt = utcnow()
    session.commit()
    return testimony


# --- the protocol -------------------------------------------------------------------------------


def test_identify(client, seeded):
    root = oai(client, verb="Identify")
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://localhost/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == f"archive@{REPOSITORY}"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", identify.findtext("oai:earliestDatestamp", namespaces=NS))
    sample = identify.find(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}sampleIdentifier")
    assert sample.text == ident("T-0001")


def test_repository_identifier_and_admin_email_come_from_the_settings(app, client, seeded):
    app.config.update(OAI_REPOSITORY_ID="archive.example.org", OAI_ADMIN_EMAIL="oai@example.org")
    root = oai(client, verb="Identify")
    assert root.findtext(".//oai:adminEmail", namespaces=NS) == "oai@example.org"
    root = oai(client, verb="GetRecord", identifier="oai:archive.example.org:T-0002", metadataPrefix="oai_dc")
    assert identifiers(root) == ["oai:archive.example.org:T-0002"]
    assert error_codes(oai(client, verb="GetRecord", identifier=ident("T-0002"), metadataPrefix="oai_dc")) == [
        "idDoesNotExist"]


#: Requests that must fail, and the errors they get.
BAD_REQUESTS = [
    ({}, ["badVerb"]),
    ({"verb": "Frobnicate"}, ["badVerb"]),
    ({"verb": ["Identify", "Identify"]}, ["badVerb"]),
    ({"verb": "Identify", "metadataPrefix": "oai_dc"}, ["badArgument"]),
    ({"verb": "ListRecords"}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "red"}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-01"}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2020-01-01T00:00:00.5Z"}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2021-01-01T00:00:00Z"},
     ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-02", "until": "2021-01-01"},
     ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "kind::survivor"}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, ["badArgument"]),
    ({"verb": "ListRecords", "resumptionToken": "garbled"}, ["badResumptionToken"]),
    ({"verb": "ListIdentifiers", "resumptionToken": ""}, ["badResumptionToken"]),
    ({"verb": "ListSets", "resumptionToken": "anything"}, ["badResumptionToken"]),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, ["cannotDisseminateFormat"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, ["badArgument"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "1900-01-01"}, ["noRecordsMatch"]),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "source:no-such-source"}, ["noRecordsMatch"]),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "colour"}, ["noRecordsMatch"]),
    ({"verb": "GetRecord", "identifier": ident("T-0002")}, ["badArgument"]),
    ({"verb": "GetRecord", "identifier": ident("T-9999"), "metadataPrefix": "oai_dc"}, ["idDoesNotExist"]),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:T-0002", "metadataPrefix": "oai_dc"}, ["idDoesNotExist"]),
    ({"verb": "GetRecord", "identifier": "not a uri", "metadataPrefix": "oai_dc"}, ["badArgument"]),
    ({"verb": "GetRecord", "identifier": ident("T-9999"), "metadataPrefix": "marc21"},
     ["idDoesNotExist", "cannotDisseminateFormat"]),
    ({"verb": "GetRecord", "identifier": ident("T-0002"), "metadataPrefix": "marc21"}, ["cannotDisseminateFormat"]),
    ({"verb": "ListMetadataFormats", "identifier": ident("T-9999")}, ["idDoesNotExist"]),
]


def test_every_error_the_protocol_defines_is_answered_validly(client, seeded):
    for arguments, expected in BAD_REQUESTS:
        root = oai(client, **arguments) if not any(isinstance(v, list) for v in arguments.values()) else (
            validate_response(client.get("/oai?" + urlencode(arguments, doseq=True)).data))
        assert error_codes(root) == expected, arguments
        request = root.find("oai:request", NS)
        if {"badVerb", "badArgument"} & set(expected):
            # The request is echoed only when its arguments are the protocol's.
            assert request.attrib == {}, arguments
        assert not root.findall("oai:ListRecords", NS) and not root.findall("oai:GetRecord", NS)


def test_a_nul_in_the_query_is_a_bad_argument(client, seeded):
    response = client.get("/oai?verb=Identify&x=%00")
    assert response.status_code == 200
    assert error_codes(validate_response(response.data)) == ["badArgument"]


def test_post_needs_no_csrf_token_and_answers_as_get(app, client, seeded):
    app.config["WTF_CSRF_ENABLED"] = True
    arguments = {"verb": "GetRecord", "identifier": ident("T-0002"), "metadataPrefix": "oai_dc"}
    posted = client.post("/oai", data=arguments)
    assert posted.status_code == 200
    root = validate_response(posted.data)
    assert identifiers(root) == [ident("T-0002")]
    assert root.find("oai:request", NS).attrib == arguments
    as_json = client.post("/oai", json=arguments)
    assert error_codes(validate_response(as_json.data)) == ["badArgument"]


def test_list_metadata_formats(client, seeded):
    root = oai(client, verb="ListMetadataFormats", identifier=ident("T-0006"))
    formats = {f.findtext("oai:metadataPrefix", namespaces=NS): f for f in root.iterfind(".//oai:metadataFormat", NS)}
    assert set(formats) == {"oai_dc", "testimony"}
    assert formats["testimony"].findtext("oai:schema", namespaces=NS) == "http://localhost/oai/testimony.xsd"
    assert formats["testimony"].findtext("oai:metadataNamespace", namespaces=NS) == TESTIMONY_NS


def test_the_testimony_schema_is_served_and_names_every_kind_of_segment(client):
    response = client.get("/oai/testimony.xsd")
    assert response.status_code == 200
    schema = etree.fromstring(response.data)
    kinds = schema.xpath("//xs:simpleType[@name='segmentKind']//xs:enumeration/@value",
                         namespaces={"xs": "http://www.w3.org/2001/XMLSchema"})
    assert set(kinds) == {kind.value for kind in SegmentKind}
    accounts = schema.xpath("//xs:simpleType[@name='accountKind']//xs:enumeration/@value",
                            namespaces={"xs": "http://www.w3.org/2001/XMLSchema"})
    assert set(accounts) == {kind.value for kind in AccountKind}
    roles = schema.xpath("//xs:simpleType[@name='roleKind']//xs:enumeration/@value",
                         namespaces={"xs": "http://www.w3.org/2001/XMLSchema"})
    assert set(roles) == {kind.value for kind in RoleKind}


# --- what harvesters get ------------------------------------------------------------------------


def test_dublin_core_of_a_protected_speaker_names_the_pseudonym_only(client, seeded, session):
    root = oai(client, verb="GetRecord", identifier=ident("T-0006"), metadataPrefix="oai_dc")
    dc = root.find(".//oai_dc:dc", NS)
    values = {}
    for element in dc:
        values.setdefault(etree.QName(element).localname, []).append(element.text)
    assert values["creator"] == ["Anonymous survivor of the 1988 massacre"]
    assert values["identifier"] == ["http://localhost/t/T-0006"]
    assert values["type"] == ["Text"]
    assert values["language"] == ["en"]
    assert values["coverage"] == ["1988/2018"]
    assert values["relation"][1] == "http://localhost/sources/article"
    assert values["rights"] == ["Access: public. Consent unknown. Published anonymously by the article; the catalog "
                                "holds no consent record, and keeps the identity protected."]
    protected = session.scalars(select(Agent).where(Agent.is_protected.is_(True))).all()
    assert protected
    body = etree.tostring(root, encoding="unicode")
    for agent in protected:
        assert agent.preferred_name not in body
        assert agent.key not in body


def test_dublin_core_fields_of_a_testimony_with_an_interviewer_and_an_occasion(client, seeded):
    root = oai(client, verb="GetRecord", identifier=ident("T-0011"), metadataPrefix="oai_dc")
    values = {}
    for element in root.find(".//oai_dc:dc", NS):
        values.setdefault(etree.QName(element).localname, []).append(element.text)
    assert values["title"] and values["creator"]
    assert values["date"] == ["2018-07-16?"]
    assert values["description"]
    assert "<" not in values["description"][0]


def test_restricted_passages_redacted_words_and_unpublished_testimonies_never_reach_harvesters(
        client, seeded, session, make_testimony):
    testimony = make_testimony(
        (SegmentKind.FIRST_PERSON, "Open words about the courtyard."),
        {"kind": SegmentKind.FIRST_PERSON, "text": "Words only researchers read.", "access_level": AccessLevel.RESTRICTED},
        (SegmentKind.FIRST_PERSON, "The guard was called Hossein Nasiri."),
        title="A testimony with hidden parts",
    )
    testimony.segments[2].redactions.append(Redaction(start=21, end=35, access_level=AccessLevel.RESTRICTED))
    make_public(session, testimony)
    restricted = make_testimony((SegmentKind.FIRST_PERSON, "Restricted testimony words."),
                                access=AccessLevel.RESTRICTED, title="Restricted title")
    draft = make_testimony((SegmentKind.FIRST_PERSON, "Draft words."), state=PublicationState.DRAFT,
                           title="Draft title")
    session.commit()
    for prefix in ("oai_dc", "testimony"):
        body = b""
        arguments = {"verb": "ListRecords", "metadataPrefix": prefix}
        while True:
            root = oai(client, **arguments)
            body += etree.tostring(root)
            token = root.findtext(".//oai:resumptionToken", namespaces=NS)
            if not token:
                break
            arguments = {"verb": "ListRecords", "resumptionToken": token}
        text = body.decode()
        assert ident(testimony.public_id) in text
        for hidden in ("Words only researchers read", "Hossein Nasiri", "Restricted testimony words",
                       "Restricted title", "Draft title", ident(restricted.public_id), ident(draft.public_id)):
            assert hidden not in text, (prefix, hidden)
        if prefix == "testimony":
            assert "The guard was called [redacted]." in text
    assert error_codes(oai(client, verb="GetRecord", identifier=ident(draft.public_id), metadataPrefix="oai_dc")) == [
        "idDoesNotExist"]


def test_the_testimony_format_keeps_the_kinds_of_text_apart_and_validates(client, seeded):
    root = oai(client, verb="GetRecord", identifier=ident("T-0006"), metadataPrefix="testimony")
    record = root.find(".//t:testimony", NS)
    own_schema().validate(etree.tostring(record))
    kinds = [segment.findtext("t:kind", namespaces=NS) for segment in record.iterfind(".//t:segment", NS)]
    assert "first_person" in kinds and "editorial" in kinds
    assert record.get("permalink") == "http://localhost/t/T-0006"
    assert record.findtext("t:roles/t:role/t:agent", namespaces=NS).startswith("protected-")


def test_a_signed_in_archivist_harvests_what_the_public_does(client, seeded, auth, session):
    row_of(session, "T-0003").access_level = AccessLevel.RESTRICTED
    session.commit()
    auth.login()
    root = oai(client, verb="GetRecord", identifier=ident("T-0003"), metadataPrefix="testimony")
    assert root.find(".//oai:header", NS).get("status") == "deleted"
    assert root.find(".//oai:metadata", NS) is None


# --- deleted records ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["withdraw", "delete", "draft", "restrict"])
def test_a_testimony_the_public_could_read_stays_a_deleted_header(client, seeded, session, how):
    testimony = row_of(session, "T-0002")
    before = oai(client, verb="GetRecord", identifier=ident("T-0002"), metadataPrefix="oai_dc")
    before_datestamp = header_of(before, "T-0002").findtext("oai:datestamp", namespaces=NS)
    if how == "withdraw":
        workflow.withdraw(session, testimony, "Consent withdrawn.", ACTOR)
    elif how == "delete":
        workflow.soft_delete(session, testimony, "Duplicate.", ACTOR)
    elif how == "draft":
        workflow.return_to_draft(session, testimony, ACTOR)
    else:
        testimony.access_level = AccessLevel.RESTRICTED
    session.commit()
    for prefix in ("oai_dc", "testimony"):
        root = oai(client, verb="GetRecord", identifier=ident("T-0002"), metadataPrefix=prefix)
        header = header_of(root, "T-0002")
        assert header.get("status") == "deleted"
        assert [child.tag for child in header] == [f"{{{OAI_NS}}}identifier", f"{{{OAI_NS}}}datestamp"]
        assert root.find(".//oai:metadata", NS) is None
        assert "Kamal" not in etree.tostring(root, encoding="unicode")
    deleted_datestamp = header.findtext("oai:datestamp", namespaces=NS)
    assert deleted_datestamp >= before_datestamp
    # Listed as deleted, in every set (a set's harvester learns it is gone; nobody learns its sets).
    for selection in ({}, {"set": "kind:survivor"}, {"set": "collection"}):
        root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **selection)
        assert header_of(root, "T-0002").get("status") == "deleted", selection
    assert [f.findtext("oai:metadataPrefix", namespaces=NS) for f in oai(
        client, verb="ListMetadataFormats", identifier=ident("T-0002")).iterfind(".//oai:metadataFormat", NS)]


def test_a_deleted_record_keeps_its_datestamp_through_later_edits(client, seeded, session):
    testimony = row_of(session, "T-0002")
    workflow.withdraw(session, testimony, "Consent withdrawn.", ACTOR)
    session.commit()
    stamped = oai(client, verb="GetRecord", identifier=ident("T-0002"), metadataPrefix="oai_dc")
    testimony.title = "Reworked while withdrawn"
    session.commit()
    again = oai(client, verb="GetRecord", identifier=ident("T-0002"), metadataPrefix="oai_dc")
    assert etree.tostring(header_of(again, "T-0002")) == etree.tostring(header_of(stamped, "T-0002"))
    workflow.publish(session, testimony, ACTOR)
    session.commit()
    back = oai(client, verb="GetRecord", identifier=ident("T-0002"), metadataPrefix="oai_dc")
    assert header_of(back, "T-0002").get("status") is None
    assert back.findtext(".//dc:title", namespaces=NS) == "Reworked while withdrawn"


# --- sets -----------------------------------------------------------------------------------------


def test_sets_by_source_kind_and_collection(client, seeded, session):
    collection = Collection(key="conference-2018", title="The 2018 conference",
                            description_html="<p>Words given at the <em>conference</em>.</p>")
    session.add(collection)
    session.flush()
    for public_id in ("T-0009", "T-0010"):
        session.execute(testimony_collections.insert().values(
            testimony_id=row_of(session, public_id).id, collection_id=collection.id))
    session.commit()
    root = oai(client, verb="ListSets")
    sets = {s.findtext("oai:setSpec", namespaces=NS): s for s in root.iterfind(".//oai:set", NS)}
    assert {"source", "kind", "collection", "source:article", "kind:survivor", "collection:conference-2018"} <= set(sets)
    assert sets["collection:conference-2018"].findtext(".//dc:description", namespaces=NS) == \
        "Words given at the conference."
    members = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="collection:conference-2018"))
    assert sorted(members) == [ident("T-0009"), ident("T-0010")]
    # The parent set holds every testimony in any collection: the seeds gather all theirs in one.
    in_any = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="collection"))
    assert set(members) < set(in_any) and ident("T-0001") in in_any
    survivors = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="kind:survivor")
    for header in survivors.iterfind(".//oai:header", NS):
        assert "kind:survivor" in [spec.text for spec in header.iterfind("oai:setSpec", NS)]
    everything = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert sorted(identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind"))) == \
        sorted(everything)
    header = header_of(oai(client, verb="GetRecord", identifier=ident("T-0009"), metadataPrefix="oai_dc"), "T-0009")
    assert "collection:conference-2018" in [spec.text for spec in header.iterfind("oai:setSpec", NS)]


def test_a_restricted_source_is_no_set(client, seeded, session):
    from catalog.models import Source

    session.scalar(select(Source).where(Source.key == "hrw-report")).access_level = AccessLevel.RESTRICTED
    session.commit()
    sets = [s.text for s in oai(client, verb="ListSets").iterfind(".//oai:setSpec", NS)]
    assert "source:hrw-report" not in sets and "source:article" in sets
    assert error_codes(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="source:hrw-report")) == [
        "noRecordsMatch"]


# --- datestamps, from and until -------------------------------------------------------------------


def test_from_and_until_select_by_datestamp(client, seeded, session):
    everything = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    stamps = sorted({d.text for d in everything.iterfind(".//oai:datestamp", NS)})
    testimony = row_of(session, "T-0004")
    testimony.title = "Le Monde, March 1989 (title corrected)"
    session.commit()
    latest = header_of(oai(client, verb="GetRecord", identifier=ident("T-0004"), metadataPrefix="oai_dc"), "T-0004")
    changed_at = latest.findtext("oai:datestamp", namespaces=NS)
    assert changed_at >= stamps[-1]
    since = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": changed_at}))
    assert ident("T-0004") in since
    day = changed_at[:10]
    assert ident("T-0004") in identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
                                               **{"from": day, "until": day}))
    assert ident("T-0004") in identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
                                               until=changed_at))
    assert error_codes(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2000-01-01T00:00:00Z")) == [
        "noRecordsMatch"]
    assert error_codes(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2999-01-01"})) == [
        "noRecordsMatch"]


# --- resumption tokens ----------------------------------------------------------------------------


def harvest_pages(client, verb="ListIdentifiers", **arguments):
    """Every page of a list, following its tokens."""
    pages = [oai(client, verb=verb, **arguments)]
    while pages[-1].findtext(".//oai:resumptionToken", namespaces=NS):
        pages.append(oai(client, verb=verb, resumptionToken=pages[-1].findtext(".//oai:resumptionToken", namespaces=NS)))
    return pages


def test_resumption_tokens_page_through_the_list_with_size_and_cursor(app, client, seeded):
    app.config["OAI_PAGE_SIZE"] = 4
    pages = harvest_pages(client, metadataPrefix="oai_dc")
    assert len(pages) == 4  # 13 testimonies
    seen = [i for page in pages for i in identifiers(page)]
    assert len(seen) == len(set(seen)) == 13
    tokens = [page.find(".//oai:resumptionToken", NS) for page in pages]
    assert [t.get("cursor") for t in tokens] == ["0", "4", "8", "12"]
    assert {t.get("completeListSize") for t in tokens} == {"13"}
    assert tokens[-1].text is None
    # A token is for its own verb, and any change to it is refused.
    token = tokens[0].text
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=token)) == ["badResumptionToken"]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert error_codes(oai(client, verb="ListIdentifiers", resumptionToken=tampered)) == ["badResumptionToken"]
    app.config["SECRET_KEY"] = "another catalog's key"
    assert error_codes(oai(client, verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]


def test_a_record_edited_during_a_harvest_is_not_lost_and_nothing_is_skipped(app, client, seeded, session):
    app.config["OAI_PAGE_SIZE"] = 4
    first = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    given = identifiers(first)
    # Between two pages: a record already given is edited, and so is one not given yet.
    row_of(session, given[0].rsplit(":", 1)[1]).title = "Edited during the harvest"
    later = row_of(session, "T-0012")
    later.title = "Also edited during the harvest"
    session.commit()
    token = first.findtext(".//oai:resumptionToken", namespaces=NS)
    rest = harvest_pages(client, verb="ListRecords", resumptionToken=token)
    seen = given + [i for page in rest for i in identifiers(page)]
    assert set(seen) == {ident(f"T-{n:04d}") for n in range(1, 14)}
    titles = [t.text for page in rest for t in page.iterfind(".//dc:title", NS)]
    assert "Edited during the harvest" in titles
    assert titles.count("Also edited during the harvest") == 1


# --- a whole harvest by an independent client ---------------------------------------------------------


@pytest.fixture
def live_server(app):
    """The catalog served over HTTP on a free port of 127.0.0.1, for a real client."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_a_harvester_gets_what_the_public_export_holds(app, live_server, seeded, db, session, make_testimony):

    hidden = make_testimony((SegmentKind.FIRST_PERSON, "Words nobody outside may read."),
                            access=AccessLevel.RESTRICTED, title="Hidden from harvesters")
    withdrawn = row_of(session, "T-0008")
    workflow.withdraw(session, withdrawn, "Consent withdrawn.", ACTOR)
    session.commit()
    app.config["OAI_PAGE_SIZE"] = 3

    with db.session() as reader:
        export = export_catalog(reader, Viewer.public())
    expected = {t["id"]: t for t in export["testimonies"]}
    names = {a["key"]: a["name"] for a in export["agents"]}

    harvested, deleted = {}, set()
    with Scythe(f"{live_server}/oai") as scythe:
        for record in scythe.list_records(metadata_prefix="oai_dc", ignore_deleted=False):
            public_id = record.header.identifier.rsplit(":", 1)[1]
            if record.header.deleted:
                deleted.add(public_id)
            else:
                harvested[public_id] = record.metadata
    # The catalog's own format, harvested by POST.
    with Scythe(f"{live_server}/oai", http_config=HTTPConfig(http_method="POST")) as scythe:
        own_format = {r.header.identifier.rsplit(":", 1)[1]: r
                      for r in scythe.list_records(metadata_prefix="testimony", ignore_deleted=True)}
    assert set(harvested) == set(expected)
    assert deleted == {"T-0008"}
    assert hidden.public_id not in set(harvested) | deleted
    assert set(own_format) == set(expected)
    for public_id, testimony in expected.items():
        metadata = harvested[public_id]
        assert metadata["title"] == [testimony["title"]]
        speakers = [role["agent_name"] for role in testimony["roles"] if role["role"] == "speaker"]
        assert metadata["creator"] == speakers
        assert all(names.get(role["agent"]) == role["agent_name"] for role in testimony["roles"]
                   if role["agent"] in names)
        # The own format carries the export's words passage for passage.
        texts = [s.text for s in own_format[public_id].xml.iterfind(".//t:segment/t:text", NS)]
        assert texts == [segment["text"] for segment in testimony["segments"]]
