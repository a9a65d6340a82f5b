"""OAI-PMH 2.0: the six verbs, their arguments and every error the protocol defines, answered from
the harvest read layer (queries/harvest.py: what the public may read) as XML documents.

`respond()` takes the request's arguments (every value of every name, as given) and returns the
response document; it never raises for anything a harvester sends.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from lxml import etree
from sqlalchemy.orm import Session

from ... import queries
from ...queries import harvest
from ...services.write.rules import PUBLIC_ID_SHAPE
from . import tokens
from .formats import FORMATS, XSI_NS, MetadataFormat, RecordContext, xml_text

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

#: Each verb's arguments: required, optional, and the exclusive resumptionToken.
_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
#: Syntax of the protocol's own types (OAI-PMH.xsd: metadataPrefixType, setSpecType).
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
#: Any URI, as an identifier may be (another repository's): a scheme, then printable characters.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[!-~]+")


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Repository:
    """Where and what the repository is, from the catalog's settings and the request."""

    #: The catalog's address, ending in "/"; the base URL is its /oai.
    site_url: str
    repository_id: str
    admin_email: str
    page_size: int
    #: Signs resumption tokens.
    secret_key: str
    name: str = "Testimony Catalog"

    @property
    def base_url(self) -> str:
        return self.site_url + "oai"

    def identifier(self, public_id: str) -> str:
        return f"oai:{self.repository_id}:{public_id}"

    def public_id(self, identifier: str) -> Optional[str]:
        """The testimony an identifier of this repository names; None for any other identifier."""
        prefix = f"oai:{self.repository_id}:"
        if identifier.startswith(prefix) and re.fullmatch(PUBLIC_ID_SHAPE, identifier[len(prefix):]):
            return identifier[len(prefix):]
        return None


def datestamp(value: dt.datetime) -> str:
    """A time at the repository's granularity: UTC, to the second."""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(name: str, value: str) -> tuple[dt.datetime, bool]:
    """A from/until value as a UTC time, and whether it was given to the day only."""
    try:
        if _DAY.fullmatch(value):
            return dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc), True
        if _SECOND.fullmatch(value):
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc), False
    except ValueError:
        raise OAIError("badArgument", f"'{name}' is not a date: {value}.") from None
    raise OAIError("badArgument", f"'{name}' must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC), not {value}.")


def selection_of(arguments: Mapping[str, str]) -> harvest.Selection:
    """The datestamps and set a list request selects; badArgument for dates it cannot mean."""
    from_dt = before_dt = None
    from_day = until_day = None
    if "from" in arguments:
        from_dt, from_day = _parse_time("from", arguments["from"])
    if "until" in arguments:
        until_dt, until_day = _parse_time("until", arguments["until"])
        # `until` is inclusive at its granularity: the whole day, or the whole second.
        before_dt = until_dt + (dt.timedelta(days=1) if until_day else dt.timedelta(seconds=1))
        if from_dt is not None:
            if from_day != until_day:
                raise OAIError("badArgument", "'from' and 'until' must be given at the same granularity.")
            if from_dt > until_dt:
                raise OAIError("badArgument", "'from' is later than 'until'.")
    set_spec = arguments.get("set")
    if set_spec is not None and not _SET_SPEC.fullmatch(set_spec):
        raise OAIError("badArgument", f"'{xml_text(set_spec)}' is not a setSpec.")
    return harvest.Selection(from_dt=from_dt, before_dt=before_dt, set_spec=set_spec)


def _format(prefix: str) -> MetadataFormat:
    try:
        return FORMATS[prefix]
    except KeyError:
        raise OAIError("cannotDisseminateFormat",
                       f"No records in the format '{prefix}'; ListMetadataFormats names those there are.") from None


class _Response:
    """The response document under construction."""

    def __init__(self, repository: Repository, now: dt.datetime) -> None:
        self.root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
        self.root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        self.add(self.root, "responseDate", datestamp(now))
        self.request = self.add(self.root, "request", repository.base_url)

    @staticmethod
    def add(parent: etree._Element, name: str, text: Optional[str] = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{OAI_NS}}}{name}", {k: xml_text(v) for k, v in attributes.items()})
        if text is not None:
            element.text = xml_text(text)
        return element

    def echo(self, verb: str, arguments: Mapping[str, str]) -> None:
        self.request.set("verb", verb)
        for name, value in arguments.items():
            self.request.set(name, xml_text(value))

    def errors(self, errors: Sequence[OAIError]) -> None:
        for error in errors:
            self.add(self.root, "error", error.message, code=error.code)

    def document(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")


def respond(session: Session, repository: Repository, given: Mapping[str, Sequence[str]],
            now: Optional[dt.datetime] = None) -> bytes:
    """The response to a request with these arguments (every value of each name, as given)."""
    response = _Response(repository, now or dt.datetime.now(dt.timezone.utc))
    verbs = given.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in _ARGUMENTS:
        message = ("The verb is repeated." if len(verbs) > 1 else "No verb was given." if not verbs
                   else f"'{verbs[0]}' is not an OAI-PMH verb.")
        response.errors([OAIError("badVerb", message)])
        return response.document()
    verb = verbs[0]
    try:
        arguments = _arguments(verb, given)
        _check_syntax(arguments)
    except OAIError as error:
        response.errors([error])
        return response.document()
    response.echo(verb, arguments)
    try:
        _VERBS[verb](session, repository, response, arguments)
    except _Errors as failed:
        response.errors(failed.errors)
    except OAIError as error:
        response.errors([error])
    return response.document()


def refuse(repository: Repository, code: str, message: str, now: Optional[dt.datetime] = None) -> bytes:
    """A response that is only this error (for a request that never reached the verbs)."""
    response = _Response(repository, now or dt.datetime.now(dt.timezone.utc))
    response.errors([OAIError(code, message)])
    return response.document()


class _Errors(Exception):
    def __init__(self, errors: list[OAIError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _arguments(verb: str, given: Mapping[str, Sequence[str]]) -> dict[str, str]:
    required, optional, resumable = _ARGUMENTS[verb]
    allowed = required | optional | ({"resumptionToken"} if resumable else set())
    arguments = {}
    for name, values in given.items():
        if name == "verb":
            continue
        if name not in allowed:
            raise OAIError("badArgument", f"{verb} takes no argument '{xml_text(name)}'.")
        if len(values) != 1:
            raise OAIError("badArgument", f"The argument '{name}' is repeated.")
        arguments[name] = values[0]
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument: give it alone, with the verb.")
        return arguments
    missing = sorted(required - set(arguments))
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument{'s' if len(missing) > 1 else ''} "
                                      f"{', '.join(missing)}.")
    return arguments


def _check_syntax(arguments: Mapping[str, str]) -> None:
    """badArgument for a value of the wrong shape, before the request is echoed in the response
    (whose schema gives each argument a type)."""
    if "identifier" in arguments and not _URI.fullmatch(arguments["identifier"]):
        raise OAIError("badArgument", "The identifier is not a URI.")
    if "metadataPrefix" in arguments and not _PREFIX.fullmatch(arguments["metadataPrefix"]):
        raise OAIError("badArgument", "metadataPrefix holds characters a prefix cannot have.")
    selection_of(arguments)


# --- the verbs --------------------------------------------------------------------------------------


def _identify(session: Session, repository: Repository, response: _Response, _arguments) -> None:
    body = response.add(response.root, "Identify")
    response.add(body, "repositoryName", repository.name)
    response.add(body, "baseURL", repository.base_url)
    response.add(body, "protocolVersion", "2.0")
    response.add(body, "adminEmail", repository.admin_email)
    earliest = harvest.earliest_datestamp(session) or dt.datetime.now(dt.timezone.utc)
    response.add(body, "earliestDatestamp", datestamp(earliest))
    response.add(body, "deletedRecord", "persistent")
    response.add(body, "granularity", GRANULARITY)
    description = response.add(body, "description")
    scheme = etree.SubElement(description, f"{{{OAI_IDENTIFIER_NS}}}oai-identifier",
                              nsmap={None: OAI_IDENTIFIER_NS})
    scheme.set(f"{{{XSI_NS}}}schemaLocation",
               f"{OAI_IDENTIFIER_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
    for name, text in (("scheme", "oai"), ("repositoryIdentifier", repository.repository_id),
                       ("delimiter", ":"), ("sampleIdentifier", repository.identifier("T-0001"))):
        etree.SubElement(scheme, f"{{{OAI_IDENTIFIER_NS}}}{name}").text = text


def _public_id(repository: Repository, identifier: str) -> str:
    public_id = repository.public_id(identifier)
    if public_id is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {identifier}.")
    return public_id


def _list_metadata_formats(session: Session, repository: Repository, response: _Response, arguments) -> None:
    if "identifier" in arguments:
        public_id = _public_id(repository, arguments["identifier"])
        if harvest.get_header(session, public_id) is None:
            raise OAIError("idDoesNotExist", f"No record has the identifier {arguments['identifier']}.")
    body = response.add(response.root, "ListMetadataFormats")
    for fmt in FORMATS.values():
        entry = response.add(body, "metadataFormat")
        response.add(entry, "metadataPrefix", fmt.prefix)
        response.add(entry, "schema", fmt.schema_url(repository.site_url))
        response.add(entry, "metadataNamespace", fmt.namespace)


def _list_sets(session: Session, repository: Repository, response: _Response, arguments) -> None:
    if "resumptionToken" in arguments:
        raise OAIError("badResumptionToken", "The list of sets is given whole: it has no resumption tokens.")
    body = response.add(response.root, "ListSets")
    for found in harvest.list_sets(session):
        entry = response.add(body, "set")
        response.add(entry, "setSpec", found.spec)
        response.add(entry, "setName", found.name)
        if found.description:
            description = response.add(entry, "setDescription")
            dc = FORMATS["oai_dc"]
            wrapper = etree.SubElement(description, f"{{{dc.namespace}}}dc",
                                       nsmap={"oai_dc": dc.namespace, "dc": "http://purl.org/dc/elements/1.1/"})
            etree.SubElement(wrapper, "{http://purl.org/dc/elements/1.1/}description").text = xml_text(
                found.description)


def _header(response: _Response, repository: Repository, parent: etree._Element,
            header: harvest.HarvestHeader) -> None:
    element = response.add(parent, "header", **({"status": "deleted"} if header.is_deleted else {}))
    response.add(element, "identifier", repository.identifier(header.public_id))
    response.add(element, "datestamp", datestamp(header.datestamp))
    for spec in header.set_specs:
        response.add(element, "setSpec", spec)


def _records(session: Session, repository: Repository, response: _Response, parent: etree._Element,
             headers: list[harvest.HarvestHeader], fmt: MetadataFormat) -> None:
    """Each header as a record: with its metadata when the public may read it."""
    records = {}
    for header in headers:
        if not header.is_deleted:
            # Read through the read layer for the public: what it cuts is what harvesters get.
            records[header.public_id] = queries.get_testimony(session, harvest.PUBLIC, header.public_id)
    source_keys = {record.source.key for record in records.values() if record is not None and record.source}
    media_types = harvest.source_media_types(session, source_keys) if source_keys else {}
    for header in headers:
        record = records.get(header.public_id)
        if record is None and not header.is_deleted:
            # It stopped being readable between the two reads: it is deleted now, and no more.
            header = harvest.HarvestHeader(header.public_id, header.datestamp, True)
        entry = response.add(parent, "record")
        _header(response, repository, entry, header)
        if record is not None:
            context = RecordContext(repository.site_url,
                                    frozenset(media_types.get(record.source.key, ()) if record.source else ()))
            response.add(entry, "metadata").append(fmt.render(record, context))


def _get_record(session: Session, repository: Repository, response: _Response, arguments) -> None:
    errors = []
    header = fmt = None
    try:
        public_id = _public_id(repository, arguments["identifier"])
        header = harvest.get_header(session, public_id)
        if header is None:
            errors.append(OAIError("idDoesNotExist", f"No record has the identifier {arguments['identifier']}."))
    except OAIError as error:
        errors.append(error)
    try:
        fmt = _format(arguments["metadataPrefix"])
    except OAIError as error:
        errors.append(error)
    if errors:
        raise _Errors(errors)
    body = response.add(response.root, "GetRecord")
    _records(session, repository, response, body, [header], fmt)


def _list(session: Session, repository: Repository, response: _Response, arguments, verb: str) -> None:
    if "resumptionToken" in arguments:
        try:
            state = tokens.decode(repository.secret_key, arguments["resumptionToken"])
        except tokens.BadToken:
            raise OAIError("badResumptionToken", "The resumption token is not one this repository gave.") from None
        if state.verb != verb or state.metadata_prefix not in FORMATS:
            raise OAIError("badResumptionToken", f"The resumption token is not one for {verb}.")
        fmt = FORMATS[state.metadata_prefix]
        selection = harvest.Selection(state.from_dt, state.before_dt, state.set_spec)
        after, cursor = state.after, state.cursor
    else:
        fmt = _format(arguments["metadataPrefix"])
        selection = selection_of(arguments)
        if selection.set_spec and not harvest.set_exists(session, selection.set_spec):
            raise OAIError("noRecordsMatch", f"There is no set '{selection.set_spec}'; ListSets names those there are.")
        after, cursor = None, 0
    found = harvest.list_headers(session, selection, after, limit=repository.page_size + 1)
    if not found:
        raise OAIError("noRecordsMatch", "No record matches these arguments.")
    page, more = found[:repository.page_size], len(found) > repository.page_size
    body = response.add(response.root, verb)
    headers = [header for header, _ in page]
    if verb == "ListRecords":
        _records(session, repository, response, body, headers, fmt)
    else:
        for header in headers:
            _header(response, repository, body, header)
    if more or cursor:
        # The list's size as it stands: what was given before, and what is left from here.
        size = cursor + harvest.count_headers(session, selection, after)
        token = ""
        if more:
            token = tokens.encode(repository.secret_key, tokens.ListState(
                verb, fmt.prefix, selection.from_dt, selection.before_dt, selection.set_spec,
                page[-1][1], cursor + len(page)))
        response.add(body, "resumptionToken", token, completeListSize=str(max(size, cursor + len(page))),
                     cursor=str(cursor))


def _list_identifiers(session, repository, response, arguments) -> None:
    _list(session, repository, response, arguments, "ListIdentifiers")


def _list_records(session, repository, response, arguments) -> None:
    _list(session, repository, response, arguments, "ListRecords")


_VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
}
