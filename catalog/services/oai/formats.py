"""The metadata formats harvesters may ask for: Dublin Core (`oai_dc`, which OAI-PMH requires) and
the catalog's own `testimony` format — the testimony as the public JSON export has it, in XML,
described by testimony.xsd (shipped beside this module, served at /oai/testimony.xsd).

Both are built from the record the read layer cut for the public: protected people by pseudonym,
no restricted passage, no redacted word. README's "OAI-PMH" section maps each field to Dublin Core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from lxml import etree, html

from ...models import ConsentStatus, RoleKind
from ...queries.records import TestimonyRecord
from ..export import testimony_json

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
TESTIMONY_NS = "urn:testimony-catalog:testimony:1"

#: The catalog's own format's schema, as shipped.
TESTIMONY_XSD = Path(__file__).with_name("testimony.xsd")

#: Characters XML 1.0 cannot carry (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """A value as XML text; what XML cannot carry becomes U+FFFD (the catalog's rules refuse such
    characters in what it stores, so this guards against what came in another way)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


@dataclass(frozen=True)
class RecordContext:
    """What a record's metadata needs beside the record: where the catalog is, and what its
    source's files are (for the Dublin Core type)."""

    #: The catalog's address, ending in "/" (permalinks are made from it).
    site_url: str
    media_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    namespace: str
    #: The schema's address: absolute, or relative to the catalog's address.
    schema: str
    render: Callable[[TestimonyRecord, RecordContext], etree._Element]

    def schema_url(self, site_url: str) -> str:
        return self.schema if "://" in self.schema else site_url + self.schema


# --- Dublin Core ------------------------------------------------------------------------------


def plain_text(fragment: str) -> str:
    """Editorial HTML (already sanitised) as plain text."""
    if not fragment.strip():
        return ""
    return " ".join(html.fragment_fromstring(fragment, create_parent="div").text_content().split())


def dc_type(record: TestimonyRecord, media_types: frozenset[str]) -> str:
    """Text, Sound or MovingImage (the DCMI Type Vocabulary): what the source is."""
    if any(media.startswith("video/") for media in media_types):
        return "MovingImage"
    if any(media.startswith("audio/") for media in media_types) or (
            record.source is not None and record.source.kind == "recording"):
        return "Sound"
    return "Text"


def rights_statement(record: TestimonyRecord) -> str:
    """Who may read it and what its speaker consented to: "Access: public. Consent unknown. <note>"."""
    consent = ConsentStatus(record.consent_status).label
    note = f" {record.consent_note}" if record.consent_note else ""
    return f"Access: {record.access_level.value}. {consent[:1].upper()}{consent[1:]}.{note}"


def dublin_core(record: TestimonyRecord, context: RecordContext) -> etree._Element:
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def add(name: str, value: Optional[str]) -> None:
        if value:
            etree.SubElement(root, f"{{{DC_NS}}}{name}").text = xml_text(value)

    add("title", record.title)
    for role in record.roles:
        if role.role is RoleKind.SPEAKER:
            add("creator", role.agent.name)
    for role in record.roles:
        if role.role is RoleKind.INTERVIEWER:
            add("contributor", role.agent.name)
    if record.source is not None and record.source.publisher is not None:
        add("contributor", record.source.publisher.name)
    add("description", plain_text(record.summary_html))
    if record.occasion is not None:
        add("date", record.occasion.date_edtf)
        if record.occasion.place is not None:
            add("coverage", record.occasion.place.full_name)
    add("coverage", record.events_date_edtf)
    add("type", dc_type(record, context.media_types))
    add("identifier", f"{context.site_url}t/{record.public_id}")
    add("language", record.language)
    if record.source is not None:
        add("relation", record.source.citation or record.source.title)
        add("relation", f"{context.site_url}sources/{record.source.key}")
    add("rights", rights_statement(record))
    return root


# --- the catalog's own format -------------------------------------------------------------------

#: The element each item of a list is written as, by the list's name.
_ITEM = {
    "history": "change",
    "roles": "role",
    "transmission": "link",
    "segments": "segment",
    "redactions": "redaction",
    "claims": "claim",
    "collections": "collection",
    "about_places": "place",
}


def _append(parent: etree._Element, name: str, value: Any) -> None:
    element = etree.SubElement(parent, f"{{{TESTIMONY_NS}}}{name}")
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, _ITEM[name], item)
    else:
        element.text = xml_text(value)


def testimony_xml(record: TestimonyRecord, context: RecordContext) -> etree._Element:
    """The testimony as the public JSON export writes it, element for key, in the same order."""
    root = etree.Element(f"{{{TESTIMONY_NS}}}testimony", nsmap={None: TESTIMONY_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{TESTIMONY_NS} {TESTIMONY.schema_url(context.site_url)}")
    root.set("permalink", f"{context.site_url}t/{record.public_id}")
    for key, value in testimony_json(record).items():
        _append(root, key, value)
    return root


OAI_DC = MetadataFormat("oai_dc", OAI_DC_NS, "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", dublin_core)
TESTIMONY = MetadataFormat("testimony", TESTIMONY_NS, "oai/testimony.xsd", testimony_xml)

#: Every format, by prefix, in the order ListMetadataFormats gives them.
FORMATS = {fmt.prefix: fmt for fmt in (OAI_DC, TESTIMONY)}
