"""The `catalog` command: set up, seed, serve, manage users, export and verify."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Iterator, Optional

import click
from flask import Flask
from flask.cli import FlaskGroup

from . import create_app
from .migrate import upgrade
from .models import Role
from .services import export as export_service
from .services.revisions import verify_chains
from .services.seed import catalog_is_empty, load_seeds
from .services.users import create_user
from .services.write import Rejected
from .viewer import Viewer
from .web import database


def _app(*_args) -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """Testimony Catalog: witness testimony kept apart from anyone's framing of it."""


@main.command()
@click.pass_context
def init(ctx) -> None:
    """Create the database, or upgrade it to the current schema."""
    db = database(ctx.obj.load_app())
    upgrade(db.engine)
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--if-empty", is_flag=True, help="Load only when the catalog holds no testimony yet.")
@click.pass_context
def seed(ctx, if_empty: bool) -> None:
    """Load the seed document's structured form (safe to repeat: nothing is loaded twice)."""
    db = database(ctx.obj.load_app())
    with db.writing() as session:
        if if_empty and not catalog_is_empty(session):
            click.echo("The catalog already holds testimonies; seeds not loaded.")
            return
        try:
            report = load_seeds(session)
        except Rejected as error:
            _echo_problems(map(str, error.problems))
            raise click.ClickException(f"{len(error.problems)} problem(s) in the seeds; nothing was loaded.") from None
    created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items())) or "nothing new"
    click.echo(f"Seeds loaded: {created}.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=None, type=int, help="Port (default: PORT or 5000).")
@click.option("--workers", default=1, show_default=True, help="Server processes (one per core serves the most readers).")
@click.option("--threads", default=8, show_default=True, help="Threads per process.")
@click.option("--job-workers", default=None, type=int,
              help="Threads of the job consumer started beside the server (default: CATALOG_JOB_WORKERS or 2; 0: none).")
@click.pass_context
def serve(ctx, host: str, port: int | None, workers: int, threads: int, job_workers: int | None) -> None:
    """Serve the catalog with a production WSGI server (gunicorn), and a job consumer beside it."""
    from .web.server import serve as run_server, start_job_consumer

    app = ctx.obj.load_app()
    port = port or app.config["PORT"]
    job_workers = app.config["JOB_WORKERS"] if job_workers is None else job_workers
    if job_workers > 0:
        start_job_consumer(job_workers)
        click.echo(f"Job consumer started ({job_workers} thread(s)).")
    click.echo(f"Serving the Testimony Catalog on http://{host}:{port}/ ({workers} process(es) × {threads} threads)")
    run_server(app, host, port, workers=workers, threads=threads)


@main.command()
@click.option("--workers", default=None, type=int, help="Worker threads (default: CATALOG_JOB_WORKERS or 2).")
@click.option("--exit-with", "parent", default=None, type=int, hidden=True,
              help="Stop when the process with this id ends (set by `catalog serve`).")
@click.pass_context
def jobs(ctx, workers: int | None, parent: int | None) -> None:
    """Run a job consumer alone: imports, reindexing and PDFs queued by the web processes."""
    import logging
    import threading

    from .services.transcripts.pdf import warm_up
    from .web import jobs_queue

    # The consumer reports started and failed jobs (with their traces) through logging.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")

    app = ctx.obj.load_app()
    with app.app_context():
        queue = jobs_queue()
    workers = workers or app.config["JOB_WORKERS"] or 2
    consumer = queue.consumer(workers)
    if parent:
        _stop_when_gone(parent)
    # PDFs are typeset here: load the compiler and its fonts before the first one is asked for.
    threading.Thread(target=warm_up, name="warm-pdf", daemon=True).start()
    click.echo(f"Job consumer running with {workers} thread(s) on {'Redis' if app.config['JOBS_URL'] else 'the embedded queue'}.")
    consumer.run()


def _stop_when_gone(parent: int) -> None:
    """End this process (as Ctrl-C would) once the process that started it is gone."""
    import os
    import signal
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="What the user may do.")
@click.option("--display-name", default="", help="Name shown in revision history.")
@click.pass_context
def user_create(ctx, username: str, role: str, display_name: str) -> None:
    """Create a user; the password is read from standard input when it is not a terminal."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    db = database(ctx.obj.load_app())
    try:
        with db.writing() as session:
            create_user(session, username, password, Role(role), display_name)
    except Rejected as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"User {username} created with role {role}.")


def _change_user(ctx, username: str, change) -> None:
    from sqlalchemy import select

    from .models import User

    db = database(ctx.obj.load_app())
    try:
        with db.writing() as session:
            found = session.scalar(select(User).where(User.username == username))
            if found is None:
                raise click.ClickException(f"There is no user {username!r}.")
            change(session, found)
    except Rejected as error:
        raise click.ClickException(str(error)) from None


@user.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.pass_context
def user_role(ctx, username: str, role: str) -> None:
    """Give a user another role; their open sessions end."""
    from .services.accounts import change_role

    _change_user(ctx, username, lambda session, found: change_role(session, found, Role(role)))
    click.echo(f"User {username} now has role {role}.")


@user.command("deactivate")
@click.argument("username")
@click.pass_context
def user_deactivate(ctx, username: str) -> None:
    """Deactivate a user: no more sign-ins, and every open session ends now."""
    from .services.accounts import set_active

    _change_user(ctx, username, lambda session, found: set_active(session, found, False))
    click.echo(f"User {username} deactivated.")


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="Check the file and report every problem; import nothing.")
@click.option("--override-sealed", "sealed_override", metavar="REASON", default=None,
              help="Import words naming a protected person whose identity is sealed anyway, for this reason "
                   "(recorded in each such record's history).")
@click.pass_context
def import_command(ctx, path: str, dry_run: bool, sealed_override: Optional[str]) -> None:
    """Import a JSON (export format) or CSV (one row per segment) file, all or nothing."""
    from pathlib import Path

    from .services.actors import Actor
    from .services.imports import run_import

    db = database(ctx.obj.load_app())
    session = db.session(write=True)
    try:
        with _progress("Importing", "records") as progress:
            # Whoever runs the command line runs the catalog: they may override, giving a reason.
            who = Actor(f"import of {Path(path).name}", may_override_sealed=True)
            result = run_import(session, Path(path).read_bytes(), who, dry_run=dry_run, filename=path,
                                progress=progress, sealed_override=sealed_override)
        if not result.ok or dry_run:
            session.rollback()
        else:
            session.commit()
    finally:
        session.close()
    if not result.ok:
        _echo_problems(result.problems)
        raise click.ClickException(f"{len(result.problems)} problem(s); nothing was imported.")
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(result.created.items())) or "nothing new"
    if dry_run:
        click.echo(f"The file checks out; it would create {summary}. Nothing was imported (dry run).")
    else:
        click.echo(f"Imported: {summary}.")


@contextmanager
def _progress(label: str, unit: str) -> Iterator:
    """A `progress(done, total)` callback for the terminal: a progress bar on standard error when
    it is a terminal, otherwise a line at each tenth of the way (for logs)."""
    if sys.stderr.isatty():
        state: dict = {"bar": None, "done": 0}

        def update(done: int, total: int) -> None:
            if state["bar"] is None:
                state["bar"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr,
                                                 show_pos=True, info_sep=f" {unit} · ")
                state["bar"].__enter__()
            state["bar"].length = max(total, done, 1)
            state["bar"].update(done - state["done"])
            state["done"] = done

        try:
            yield update
        finally:
            if state["bar"] is not None:
                state["bar"].__exit__(None, None, None)
        return

    shown = {"tenth": -1}

    def lines(done: int, total: int) -> None:
        tenth = 10 * done // total if total else 10
        if tenth > shown["tenth"]:
            shown["tenth"] = tenth
            click.echo(f"{label}: {done:,} of {total:,} {unit}", err=True)

    yield lines


def _echo_problems(problems) -> None:
    for problem in problems:
        click.echo(f"  {problem}", err=True)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option(
    "--viewer",
    type=click.Choice(["public", "researcher", "archivist"]),
    default="public",
    show_default=True,
    help="Export what this audience may see.",
)
@click.pass_context
def export_command(ctx, fmt: str, viewer: str) -> None:
    """Write the catalog to standard output, cut to what the viewer may see."""
    db = database(ctx.obj.load_app())
    with db.session() as session:
        data = export_service.export_catalog(session, Viewer.for_level(viewer))
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@main.command()
@click.pass_context
def reindex(ctx) -> None:
    """Rebuild all derived data (the search index, facet data) from the base tables."""
    from .services.search.indexing import reindex_all

    db = database(ctx.obj.load_app())
    with _progress("Reindexing", "segments") as progress, \
            db.engine.execution_options(catalog_write=True).begin() as connection:
        report = reindex_all(connection, progress=progress)
    click.echo(
        f"Reindexed {report.testimonies:,} testimonies and {report.segments:,} segments "
        f"({report.rows:,} index rows) in {report.seconds:.1f} s."
    )


@main.command()
@click.pass_context
def verify(ctx) -> None:
    """Recompute every record's revision chain, and every release form's checksum, and report any
    that does not check out."""
    from .services.files import verify_release_forms

    app = ctx.obj.load_app()
    db = database(app)
    with db.session() as session:
        problems = verify_chains(session)
        file_problems = verify_release_forms(session, app.config["INSTANCE_PATH"])
    for problem in [*problems, *file_problems]:
        click.echo(str(problem), err=True)
    if problems or file_problems:
        raise click.ClickException(f"{len(problems)} revision(s) and {len(file_problems)} release form(s) "
                                   "do not check out.")
    click.echo("Every revision chain and every release form checks out.")


@main.command("verify-transcript")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.pass_context
def verify_transcript(ctx, pdf: str) -> None:
    """Check a printed transcript (PDF) against the catalog: revision, content hash and every page's text."""
    from .services.transcripts import PdfUnavailable, verify_file

    db = database(ctx.obj.load_app())
    with db.session() as session:
        try:
            result = verify_file(session, pdf)
        except PdfUnavailable as error:
            raise click.ClickException(str(error)) from None
    subject = f" ({result.record})" if result.record else ""
    if result.matches:
        click.echo(f"MATCHES: {pdf}{subject} is what the catalog prints.")
        for finding in result.findings:
            click.echo(f"  {finding}")
        return
    click.echo(f"DOES NOT MATCH: {pdf}{subject}", err=True)
    for finding in result.findings:
        click.echo(f"  {finding}", err=True)
    ctx.exit(1)


if __name__ == "__main__":
    main()
