"""The `catalog` command: init, seed, users, export and verify."""

from __future__ import annotations

import json

from sqlalchemy import select
from werkzeug.security import check_password_hash

from catalog.cli import main
from catalog.models import Revision, Role, User


def run(runner, *args, input=None):
    """Run `catalog ARGS` against the test app."""
    return runner.invoke(main, list(args), input=input)


def test_seed_if_empty_then_again(runner, db):
    first = run(runner, "seed", "--if-empty")
    assert "Seeds loaded: " in first.output and "13 testimony" in first.output
    again = run(runner, "seed", "--if-empty")
    assert "already holds testimonies" in again.output
    forced = run(runner, "seed")
    assert "nothing new" in forced.output


def test_init_is_idempotent(runner):
    assert run(runner, "init").exit_code == 0
    assert run(runner, "init").exit_code == 0


def test_user_create_reads_password_from_stdin(runner, db):
    result = run(runner, "user", "create", "amina", "--role", "archivist", input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == "amina"))
    assert user.role is Role.ARCHIVIST
    assert user.password_hash != "a long enough secret"
    assert check_password_hash(user.password_hash, "a long enough secret")


def test_user_create_refuses_short_password_and_duplicates(runner, db):
    short = run(runner, "user", "create", "bob", "--role", "researcher", input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    run(runner, "user", "create", "bob", "--role", "researcher", input="long enough password\n")
    again = run(runner, "user", "create", "bob", "--role", "researcher", input="long enough password\n")
    assert again.exit_code != 0 and "already taken" in again.output


def test_export_shows_every_seed_testimony_with_speaker_occasion_transmission_and_kinds(runner, seeded):
    result = run(runner, "export", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["viewer"] == "public"
    testimonies = {t["id"]: t for t in data["testimonies"]}
    assert len(testimonies) == 13
    for testimony in testimonies.values():
        assert any(role["role"] == "speaker" for role in testimony["roles"])
        assert testimony["transmission"]
        assert all({"kind", "text"} <= set(segment) for segment in testimony["segments"])
    jokar = testimonies["T-0012"]
    assert jokar["occasion"] == "albania-conference-2018"
    assert {s["kind"] for s in jokar["segments"]} == {"first_person", "editorial"}
    assert testimonies["T-0013"]["segments"][0]["kind"] == "reported"
    assert "Unidentified survivor quoted by the article" not in result.output


def test_export_for_archivist_includes_protected_name(runner, seeded):
    result = run(runner, "export", "--viewer", "archivist")
    assert "Unidentified survivor quoted by the article" in result.output


def test_verify_reports_tampering(runner, seeded):
    assert "checks out" in run(runner, "verify").output
    with seeded.writing() as session:
        revision = session.scalar(select(Revision).order_by(Revision.id).limit(1))
        revision.snapshot = revision.snapshot.replace("Mojahedin", "Mujahedin")
    result = run(runner, "verify")
    assert result.exit_code != 0
    assert "does not match its SHA-256" in result.output
