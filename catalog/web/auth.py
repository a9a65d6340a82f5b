"""Signing in and out, with sessions kept on the server."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from ..forms import LoginForm
from ..services import accounts
from . import current_viewer, db_session, reshow_on_csrf_failure

bp = Blueprint("auth", __name__)

#: The key in Flask's signed cookie that holds the server-side session's token.
SESSION_TOKEN_KEY = "sid"


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, otherwise ""."""
    # Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/<tab>/evil"
    # and "/<backslash>evil" leave the site just as "//evil" does. A path here starts with one
    # slash and holds no backslash and no control character (which no Location header may carry).
    if not target or not target.startswith("/") or target.startswith("//"):
        return ""
    if "\\" in target or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target):
        return ""
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@reshow_on_csrf_failure
def login():
    """Sign in with a user name and password."""
    form = LoginForm()
    # Only a path on this site is carried by the form, and followed once signed in.
    next_url = local_path(request.values.get("next"))
    status = 200
    if form.validate_on_submit():
        db = db_session()
        remote = request.remote_addr or ""
        try:
            user = accounts.authenticate(db, form.username.data, form.password.data, remote)
        except accounts.SignInRefused as refusal:
            db.commit()  # the failed attempt counts towards throttling
            form.password.errors = [str(refusal)]
            status = 401
        else:
            old_token = session.get(SESSION_TOKEN_KEY)
            if old_token:
                accounts.end_session(db, old_token, "replaced")
            token = accounts.start_session(db, user, remote)
            db.commit()
            # A fresh cookie: nothing from before sign-in (CSRF secret included) carries over.
            session.clear()
            session[SESSION_TOKEN_KEY] = token
            flash(f"Signed in as {user.username}.", "success")
            return redirect(next_url or url_for("public.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/sign-out")
def logout():
    """Sign out: the session ends on the server, not only in this browser."""
    token = session.get(SESSION_TOKEN_KEY)
    if token:
        db = db_session()
        accounts.end_session(db, token)
        db.commit()
    session.clear()
    if current_viewer().user_id is not None:
        flash("Signed out.", "success")
    return redirect(url_for("public.index"))
