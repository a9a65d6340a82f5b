"""OAI-PMH 2.0 at /oai, for harvesters: what the public may read, whoever asks.

It writes nothing, so POST (which the protocol allows, form-encoded) needs no CSRF token; every
request reads in a read-only session, POST included.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import BadRequest

from ..services.oai import protocol
from ..services.oai.formats import TESTIMONY_XSD
from . import csrf, database

bp = Blueprint("oai", __name__)
csrf.exempt(bp)

#: OAI-PMH responses are XML; the protocol asks for text/xml.
XML = "text/xml"


def repository() -> protocol.Repository:
    config = current_app.config
    return protocol.Repository(
        site_url=request.url_root,
        repository_id=config["OAI_REPOSITORY_ID"],
        admin_email=config["OAI_ADMIN_EMAIL"],
        page_size=config["OAI_PAGE_SIZE"],
        secret_key=config["SECRET_KEY"],
    )


def _answer(given: dict[str, list[str]]) -> Response:
    with database().session() as session:
        body = protocol.respond(session, repository(), given)
    return Response(body, mimetype=XML)


@bp.route("/oai", methods=["GET", "POST"])
def endpoint():
    """Answer an OAI-PMH request: arguments in the query string (GET) or the form body (POST)."""
    if request.method == "POST":
        if request.mimetype != "application/x-www-form-urlencoded":
            return Response(protocol.refuse(repository(), "badArgument",
                                            "A POST request sends its arguments as application/x-www-form-urlencoded."),
                            mimetype=XML)
        return _answer(request.form.to_dict(flat=False))
    return _answer(request.args.to_dict(flat=False))


@bp.route("/oai/testimony.xsd")
def testimony_schema():
    """The XML Schema of the catalog's own metadata format (metadataPrefix=testimony)."""
    return Response(TESTIMONY_XSD.read_bytes(), mimetype="application/xml")


@bp.errorhandler(BadRequest)
def bad_request(_error):
    """A request no argument could come from (a NUL in it): the protocol's badArgument."""
    return Response(protocol.refuse(repository(), "badArgument",
                                    "The request holds a character no argument can hold (a NUL)."), mimetype=XML)
