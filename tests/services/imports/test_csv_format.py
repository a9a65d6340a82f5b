"""CSV import: one row per segment, problems by row and column, all or nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from catalog.models import Agent, Testimony
from catalog.services.actors import Actor
from catalog.services.imports import run_import
from catalog.services.imports.csv_format import COLUMNS, template_header

ACTOR = Actor.system("csv test")
HEADER = "testimony,title,speaker,speaker_name,language,events_date,segment_kind,segment_text,segment_language,translation\n"


def test_rows_become_testimonies_with_segments_in_order(session):
    raw = HEADER + (
        'T-0101,Kobra Jokar,kobra-jokar-csv,Kobra Jokar,en,1981/1987,editorial,"Kobra Jokar, MEK member, said:",,\n'
        "T-0101,,,,,,first_person,I was arrested in 1981.,,\n"
        "T-0101,,,,,,first_person,من شش سال در زندان بودم.,fa,I was in prison for six years.\n"
        "T-0102,Another,kobra-jokar-csv,,en,,first_person,Second testimony.,,\n"
    )
    report = run_import(session, raw.encode("utf-8-sig"), ACTOR, filename="batch.csv")
    assert report.ok and report.created == {"agent": 1, "testimony": 2}
    testimony = session.scalar(select(Testimony).where(Testimony.public_id == "T-0101"))
    assert [s.kind.value for s in testimony.segments] == ["editorial", "first_person", "first_person"]
    assert testimony.segments[2].direction == "rtl" and testimony.segments[2].translation == "I was in prison for six years."
    assert testimony.events_date_edtf == "1981/1987"


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_kept(session):
    raw = HEADER + (
        "T-0201,Good one,agent-x,Agent X,en,,first_person,Fine words.,,\n"
        "T-0202,Bad one,agent-y,Agent Y,en,1988-13,first_persn,Words.,,\n"
        "T-0202,,,,,,first_person,,xx-!!,\n"
        "T-0203,,nobody-known,,en,,editorial,Framing.,,\n"
    )
    result = run_import(session, raw.encode(), ACTOR, filename="batch.csv")
    problems = result.problems
    text = "\n".join(problems)
    assert "row 3, events_date" in text and "1988-13" in text
    assert "row 3, segment_kind" in text
    assert "row 4, segment_text" in text
    assert "row 4, segment_language" in text
    assert "row 5, title" in text
    assert "row 5, speaker" in text
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Testimony)) == 0
    assert session.scalar(select(func.count()).select_from(Agent)) == 0


def test_header_problems(session):
    result = run_import(session, b"testimony,titel,segment_text\nT-0300,x,y\n", ACTOR, filename="batch.csv")
    text = "\n".join(result.problems)
    assert "unknown column(s) titel" in text and "missing required column(s) segment_kind" in text


def test_not_utf8_is_refused_clearly(session):
    result = run_import(session, HEADER.encode() + "T-0400,Caf\xe9".encode("latin-1") + b"\n", ACTOR)
    assert "not UTF-8" in result.problems[0]


def test_template_lists_every_documented_column():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    assert template_header().strip().split(",") == list(COLUMNS)
    for column in COLUMNS:
        assert f"| `{column}` |" in readme, column


def test_cli_import_dry_run_then_real(runner, db, tmp_path):
    from catalog.cli import main

    path = tmp_path / "batch.csv"
    path.write_text(HEADER + "T-0701,From the CLI,cli-witness,CLI Witness,en,,first_person,Words.,,\n", encoding="utf-8")
    dry = runner.invoke(main, ["import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.output, dry.output
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Testimony)) == 0
    assert runner.invoke(main, ["import", str(path)]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "T-0702,,,,,,first_person,,,\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(bad)])
    assert result.exit_code != 0 and "row 2" in result.output
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Testimony)) == 1
