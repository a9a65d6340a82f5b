"""The web layer: request-scoped sessions, security headers, template helpers and blueprints."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import Flask, g, render_template, request, session
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from .. import dates
from ..db import Database
from ..models.base import Vocabulary
from ..sanitize import safe_html
from ..services.write import rules
from ..viewer import Viewer
from . import page_cache

csrf = CSRFProtect()

#: Methods that may change state; everything else opens a read-only session.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


_KEY = rules.KEY_SHAPE
_PUBLIC_ID = rules.PUBLIC_ID_SHAPE

#: The shape of every string a route takes, by the route's name for it (keys as records are given
#: them; a protected person's `protected-<n>` is a key too). A value of any other shape names no
#: record, so it is a plain 404 before any query runs: PostgreSQL answers a NUL in a parameter with
#: an error, not with "no such row". tests/web/test_routing.py fails when a route names a string
#: that is missing here.
URL_VALUE_SHAPES = {
    "public_id": re.compile(_PUBLIC_ID),
    "key": re.compile(_KEY),
    "ident": re.compile(f"{_PUBLIC_ID}|{_KEY}"),  # a testimony's public id, or another record's key
    "kind": re.compile(_KEY),  # a kind of record in the workspace: agents, places, …
    "token": re.compile(r"[A-Za-z0-9_-]{43}"),  # a job's token (services/jobs/status.py)
}


def _refuse_impossible_urls(_endpoint: str | None, values: dict | None) -> None:
    """Answer 404 for a record no URL value could name, and 400 for a NUL in the query string.

    Runs before every other hook of the request, so neither a page, nor the page cache, nor a
    blueprint's guard sends such a value to the database.
    """
    for name, value in (values or {}).items():
        shape = URL_VALUE_SHAPES.get(name)
        if shape is not None and not shape.fullmatch(value):
            raise NotFound()
    # No search, filter or record holds a NUL, and PostgreSQL refuses one in any text parameter.
    if any("\x00" in part for pair in request.args.items(multi=True) for part in pair):
        raise BadRequest("The address holds a NUL character (%00), which no search, filter or record can hold.")


def database(app: Flask | None = None) -> Database:
    from flask import current_app

    return (app or current_app).extensions["catalog_db"]


def db_session():
    """The request's session: one per request, closed at teardown; writers begin IMMEDIATE."""
    if "db_session" not in g:
        g.db_session = database().session(write=request.method in WRITE_METHODS)
        # Work queued after a commit (a published transcript's render) prints this address.
        g.db_session.info["base_url"] = request.url_root
    return g.db_session


def jobs_queue():
    """The catalog's job queue (services/jobs/queue.py)."""
    from flask import current_app

    return current_app.extensions["catalog_jobs"]


def current_viewer() -> Viewer:
    """Whom this request is read for: anonymous readers unless someone signed in, or the audience
    a signed-in archivist asked to see a reading page as (`?view_as=`, see `_view_as`)."""
    return g.get("reading_viewer") or g.get("viewer") or Viewer.public()


def signed_in_viewer() -> Viewer:
    """Who is signed in, whatever audience the page is read for (the account control, the banner)."""
    return g.get("viewer") or Viewer.public()


#: The audiences staff may see a reading page as, by the `view_as` value that asks for each.
VIEW_AS = {"public": Viewer.public(), "researcher": Viewer.for_level("researcher")}
#: The blueprints whose pages are read through `current_viewer()`, and so may be seen as another audience.
READING_BLUEPRINTS = frozenset({"public", "printing"})


def _view_as() -> None:
    """`?view_as=public` or `?view_as=researcher` on a reading page renders it for that audience,
    through the same read layer, for signed-in archivists and admins only. It can only lower a
    view: anyone else (and any other value) gets their own view. The signed-in viewer stays in
    `g.viewer`, so the page is still never cached nor kept by the browser."""
    asked = request.args.get("view_as")
    if not asked or request.blueprint not in READING_BLUEPRINTS or request.method in WRITE_METHODS:
        return
    viewer = g.get("viewer")
    if viewer is not None and viewer.is_staff and asked in VIEW_AS:
        g.reading_viewer = VIEW_AS[asked]
        g.view_as = asked


def view_as() -> str | None:
    """The audience this page is shown as (`public`, `researcher`), or None for the viewer's own."""
    return g.get("view_as")


def view_as_url(audience: str | None) -> str:
    """This page's address, seen as `audience` (None: as the signed-in viewer's own view)."""
    from urllib.parse import urlencode

    args = [(key, value) for key, value in request.args.items(multi=True) if key != "view_as"]
    if audience:
        args.append(("view_as", audience))
    return request.path + ("?" + urlencode(args) if args else "")


def _load_viewer() -> None:
    """Who is signed in, from the server-side session behind the cookie's token (if any)."""
    from ..services import accounts
    from .auth import SESSION_TOKEN_KEY

    if "viewer" in g:
        return
    g.viewer = None
    token = session.get(SESSION_TOKEN_KEY)
    if not token or request.endpoint == "static":
        return
    from flask import current_app

    limits = accounts.SessionLimits(
        idle=dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        absolute=dt.timedelta(hours=current_app.config["SESSION_MAX_HOURS"]),
    )
    db = database()

    def viewer_from(read_session):
        user = accounts.resume_session(read_session, token, limits)
        return Viewer(role=user.role, user_id=user.id, username=user.username) if user else None

    with db.session() as read_session:
        viewer = viewer_from(read_session)
        # Touching last_seen or ending a timed-out session is a write: redo it as a writer.
        needs_write = bool(read_session.dirty)
        read_session.rollback()
    if needs_write:
        with db.writing() as write_session:
            viewer = viewer_from(write_session)
    if viewer is None:
        session.pop(SESSION_TOKEN_KEY, None)
        g.session_ended = True
    g.viewer = viewer


def reshow_on_csrf_failure(view):
    """Mark a form view to be shown again, with everything typed, when its CSRF token failed
    (typically: it expired during a long transcription) instead of answering with an error page."""
    view.reshow_on_csrf_failure = True
    return view


def _csrf_failed(error: CSRFError):
    # The CSRF check runs before the app's other before_request hooks: set up what they would.
    g.setdefault("csp_nonce", secrets.token_urlsafe(16))
    _load_viewer()
    view = current_app_view()
    if view is not None and getattr(view, "reshow_on_csrf_failure", False):
        from flask import current_app

        # The blueprint's own guards (staff only, admins only) did not run yet: run them first.
        for guard in current_app.before_request_funcs.get(request.blueprint, []):
            try:
                refused = guard()
            except HTTPException as denied:
                return current_app.handle_http_exception(denied)
            if refused is not None:
                return refused
        g.csrf_failed = True  # BaseForm.validate then refuses, and the view re-renders
        return view(**(request.view_args or {}))
    return render_template("errors/csrf.html", reason=error.description), 400


def current_app_view():
    """The view function this request was routed to, if any."""
    from flask import current_app

    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def _security_headers(response):
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self'; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "media-src 'self'; "
        "object-src 'none'; "
        "frame-src 'none'; "
        "worker-src 'none'; "
        "manifest-src 'self'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if g.get("viewer") is not None or request.method in WRITE_METHODS:
        # Signed-in pages may hold restricted material: no shared or back-button caches keep them.
        response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    from ..services.jobs.queue import JobQueue, make_huey

    db = app.extensions["catalog_db"] = Database(app.config["DATABASE_URL"])
    huey = make_huey(app.config.get("JOBS_URL", ""), app.config["INSTANCE_PATH"],
                     name=app.config.get("JOBS_NAME") or "testimony-catalog",
                     immediate=bool(app.config.get("JOBS_IMMEDIATE")))
    db.jobs = app.extensions["catalog_jobs"] = JobQueue(
        huey, db, app.config["INSTANCE_PATH"], default_base_url=f"http://127.0.0.1:{app.config.get('PORT', 5000)}/",
        prerender=bool(app.config.get("RENDER_ON_PUBLISH", True)),
    )
    # Flask's defaults exist for these keys, so set them outright. Lax keeps top-level links
    # into the catalog signed in while no cross-site POST carries the cookie.
    app.config["SESSION_COOKIE_NAME"] = "catalog_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("SESSION_IDLE_MINUTES", 120)
    app.config.setdefault("SESSION_MAX_HOURS", 12)
    app.url_value_preprocessor(_refuse_impossible_urls)
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_failed)

    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    app.before_request(_load_viewer)
    app.before_request(_view_as)

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    app.after_request(_security_headers)
    page_cache.init_app(app, frozenset({"public"}))
    app.jinja_env.filters["safe_html"] = safe_html
    app.jinja_env.filters["edtf_words"] = dates.describe
    # Records hand templates a vocabulary term's stored value; `ConsentStatus(value).label` shows
    # the words the vocabulary defines for it, so no template derives a label of its own.
    app.jinja_env.globals.update(
        {vocabulary.__name__: vocabulary for vocabulary in Vocabulary.__subclasses__()},
        csp_nonce=lambda: g.get("csp_nonce", ""),
        current_viewer=current_viewer,
        signed_in_viewer=signed_in_viewer,
        view_as=view_as,
        view_as_url=view_as_url,
    )

    from . import admin, api, archive, auth, discovery, errors, jobs, limits, oai, printing, public

    errors.init_app(app)
    app.jinja_env.globals["json_alternate"] = api.json_alternate
    limits.init_app(app, api.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(archive.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(printing.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(oai.bp)
