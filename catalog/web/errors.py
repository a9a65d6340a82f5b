"""Error answers: a page in the site's layout for readers, RFC 9457 problem details under /api/.

Every HTTP error (a werkzeug `HTTPException`) and every unexpected exception comes here. A 500
says only that something went wrong: the traceback goes to the log, never to the client. The CSRF
failure keeps its own handler (catalog/web/__init__.py), which Flask prefers as the more specific.
"""

from __future__ import annotations

import json
import secrets

from flask import Flask, Response, current_app, g, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

#: The media type of problem details (RFC 9457).
PROBLEM_TYPE = "application/problem+json"

#: Statuses with a page of their own in templates/errors/; any other status uses error.html.
OWN_PAGES = frozenset({400, 403, 404, 410, 429, 500})

#: What a reader is told about an error, when the error itself says nothing more useful.
GENERIC_DETAIL = {
    404: "There is no such record, or it is not available to you.",
    410: "This record has been withdrawn and is no longer available.",
    429: "Too many requests in a short time. Wait a moment and try again.",
    500: "Something went wrong on our side while answering. It has been logged; please try again later.",
}


def wants_problem_json() -> bool:
    """Addresses under /api/ answer errors as problem details (the reference page /api is a page)."""
    return request.path.startswith("/api/")


def detail_of(error: HTTPException) -> str:
    """The error's own explanation when it was given one, else the catalog's words for its status.
    A 500 never passes on what it was given: that could name the inside of the catalog."""
    default = type(error).description
    if error.code != 500 and error.description and error.description != default:
        return error.description
    return GENERIC_DETAIL.get(error.code, default or "")


def problem_response(status: int, detail: str, *, title: str | None = None, headers=None, **members) -> Response:
    """An RFC 9457 problem: `type` names the section of the API reference about this status."""
    body = {
        "type": url_for("api.reference", _external=True, _anchor=f"problem-{status}"),
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **members,
    }
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _page(status: int, title: str, detail: str, headers=()) -> Response:
    template = f"errors/{status}.html" if status in OWN_PAGES else "errors/error.html"
    try:
        body = render_template(template, status=status, title=title, detail=detail)
    except Exception:  # noqa: BLE001 - the layout itself failed: answer with plain words instead
        current_app.logger.exception("The error page for %s could not be rendered", status)
        body = f"<!doctype html><title>{status} {title}</title><h1>{title}</h1><p>Please try again later.</p>"
    response = Response(body, status=status, mimetype="text/html")
    for name, value in headers:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_http_error(error: HTTPException) -> Response:
    """Any HTTP error: problem details under /api/, otherwise a page in the site's layout."""
    if error.response is not None:
        return error.response  # an answer made in full by whoever raised the error
    status = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_problem_json():
        return problem_response(status, detail_of(error), title=error.name, headers=headers,
                                **getattr(error, "problem_members", {}))
    # The error may have come before the request's own hooks ran (an impossible address is refused
    # first): set up what the layout needs, so the page is the same whenever it was refused.
    g.setdefault("csp_nonce", secrets.token_urlsafe(16))
    if status != 500:
        from . import _load_viewer

        _load_viewer()
    return _page(status, error.name, detail_of(error), headers)


def init_app(app: Flask) -> None:
    # Unhandled exceptions reach the 500 handler after Flask has logged them.
    app.register_error_handler(HTTPException, handle_http_error)
