"""The web layer: request-scoped sessions, security headers, template helpers and blueprints."""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask_wtf import CSRFProtect

from .. import dates
from ..db import Database
from ..models import SegmentKind
from ..sanitize import safe_html
from ..viewer import Viewer

csrf = CSRFProtect()

#: Methods that may change state; everything else opens a read-only session.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def database(app: Flask | None = None) -> Database:
    from flask import current_app

    return (app or current_app).extensions["catalog_db"]


def db_session():
    """The request's session: one per request, closed at teardown; writers begin IMMEDIATE."""
    if "db_session" not in g:
        g.db_session = database().session(write=request.method in WRITE_METHODS)
    return g.db_session


def current_viewer() -> Viewer:
    """Who is looking at this request (anonymous readers unless someone signed in)."""
    return g.get("viewer") or Viewer.public()


def _security_headers(response):
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def init_app(app: Flask) -> None:
    app.extensions["catalog_db"] = Database(app.config["DATABASE_URL"])
    csrf.init_app(app)

    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    app.after_request(_security_headers)
    app.jinja_env.filters["safe_html"] = safe_html
    app.jinja_env.filters["edtf_words"] = dates.describe
    app.jinja_env.globals.update(
        SegmentKind=SegmentKind,
        csp_nonce=lambda: g.get("csp_nonce", ""),
        current_viewer=current_viewer,
    )

    from . import archive, auth, printing, public

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(archive.bp)
    app.register_blueprint(printing.bp)
