"""XML Schema validators for OAI-PMH responses and the records in them, from the schemas in this
folder only: every import is mapped to a local file, and nothing is fetched."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema
from lxml import etree

from catalog.services.oai.formats import DC_NS, OAI_DC_NS, TESTIMONY_NS, TESTIMONY_XSD

HERE = Path(__file__).resolve().parent
OAI_NS = "http://www.openarchives.org/OAI/2.0/"

#: Where the published schemas import each other from, and the copy kept here.
_LOCAL = {
    "http://www.w3.org/2001/03/xml.xsd": HERE / "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": HERE / "xml.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": HERE / "simpledc20021212.xsd",
}


def _local(uri: str) -> str:
    return str(_LOCAL.get(uri, uri))


def _schema(path: Path) -> xmlschema.XMLSchema:
    # `allow="local"`: a schema location that is not mapped here fails instead of being fetched.
    return xmlschema.XMLSchema(str(path), uri_mapper=_local, allow="local")


@cache
def oai_pmh() -> xmlschema.XMLSchema:
    return _schema(HERE / "OAI-PMH.xsd")


@cache
def oai_dc() -> xmlschema.XMLSchema:
    return _schema(HERE / "oai_dc.xsd")


@cache
def testimony() -> xmlschema.XMLSchema:
    return _schema(TESTIMONY_XSD)


#: The schema of each metadata format, by the namespace of its root element.
METADATA_SCHEMAS = {OAI_DC_NS: oai_dc, TESTIMONY_NS: testimony}


def validate_response(body: bytes) -> etree._Element:
    """Check a response against OAI-PMH.xsd, and every record's metadata (and set description)
    against its format's schema (OAI-PMH.xsd skips their content); the parsed document."""
    oai_pmh().validate(body)
    root = etree.fromstring(body)
    for container in root.iter(f"{{{OAI_NS}}}metadata", f"{{{OAI_NS}}}setDescription"):
        (content,) = list(container)
        namespace = etree.QName(content).namespace
        METADATA_SCHEMAS[namespace]().validate(etree.tostring(content))
    return root


__all__ = ["DC_NS", "OAI_NS", "OAI_DC_NS", "TESTIMONY_NS", "oai_dc", "oai_pmh", "testimony", "validate_response"]
