"""Account management for admins: create users, change roles, deactivate, reset passwords."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..forms.accounts import UserActiveForm, UserCreateForm, UserPasswordForm, UserRoleForm
from ..models import JobKind, Role, User
from ..services import accounts
from ..services.users import create_user
from ..services.write import Rejected
from . import current_viewer, db_session, jobs_queue, reshow_on_csrf_failure

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    """One guard for the whole blueprint: admins only."""
    viewer = current_viewer()
    if viewer.user_id is None:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    if viewer.role is not Role.ADMIN:
        abort(403)


def _user_or_404(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _render_users(create_form: UserCreateForm, status: int = 200):
    session = db_session()
    users = accounts.list_users(session)
    return render_template(
        "admin/users.html", users=users, create_form=create_form,
        open_sessions={u.id: accounts.open_session_count(session, u.id) for u in users},
        role_form=UserRoleForm, active_form=UserActiveForm(formdata=None), password_form=UserPasswordForm,
    ), status


@bp.get("/users")
def users():
    """Every account, with its role, state and open sessions."""
    return _render_users(UserCreateForm(formdata=None))


@bp.post("/users")
@reshow_on_csrf_failure
def user_create():
    """Create an account."""
    form = UserCreateForm()
    if not form.validate():
        return _render_users(form, 400)
    session = db_session()
    try:
        user = create_user(session, form.username.data, form.password.data, Role(form.role.data), form.display_name.data)
    except Rejected as rejected:
        session.rollback()
        form.show_problems(rejected)
        return _render_users(form, 400)
    session.commit()
    flash(f"Account {user.username} created ({user.role.value}).", "success")
    return redirect(url_for("admin.users"))


def _account_action(user_id: int, form_class, action, done: str):
    session = db_session()
    user = _user_or_404(user_id)
    form = form_class()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("admin.users"))
    try:
        action(session, user, form)
    except Rejected as rejected:
        session.rollback()
        for problem in rejected.problems:
            flash(problem.message, "error")
        return redirect(url_for("admin.users"))
    session.commit()
    flash(done.format(user=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    """Change a user's role; their sessions end so it applies at once."""
    return _account_action(user_id, UserRoleForm, lambda s, u, f: accounts.change_role(s, u, Role(f.role.data)),
                           "Role of {user} changed; they sign in again to use it.")


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    """Deactivate an account: it can no longer sign in, and its sessions end now."""
    return _account_action(user_id, UserActiveForm, lambda s, u, f: accounts.set_active(s, u, False),
                           "{user} is deactivated; their sessions have ended.")


@bp.post("/users/<int:user_id>/activate")
def user_activate(user_id: int):
    """Reactivate an account."""
    return _account_action(user_id, UserActiveForm, lambda s, u, f: accounts.set_active(s, u, True),
                           "{user} may sign in again.")


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    """Set a new password; the user's sessions end."""
    return _account_action(user_id, UserPasswordForm, lambda s, u, f: accounts.set_password(s, u, f.password.data),
                           "Password of {user} replaced; their sessions have ended.")


@bp.post("/reindex")
def reindex():
    """Queue a rebuild of the search index and facet data; the admin follows it on the job's page."""
    form = UserActiveForm()  # only the CSRF token travels
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("admin.users"))
    token = jobs_queue().submit(JobKind.REINDEX, {}, current_viewer().user_id)
    return redirect(url_for("jobs.job", token=token), 303)
