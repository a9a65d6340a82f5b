"""Configuration: documented, environment-driven, and never a known secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog import config

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    for name in config.SETTINGS:
        assert f"`{name}`" in README, f"{name} is not documented in README.md"


def test_readme_documents_no_setting_that_does_not_exist():
    documented = set(re.findall(r"^\| `(CATALOG_[A-Z_]+|PORT)` \|", README, re.MULTILINE))
    assert documented == set(config.SETTINGS)


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("CATALOG_SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    second = config.secret_key(tmp_path)
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    other = tmp_path / "other"
    other.mkdir()
    assert config.secret_key(other) != first


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CATALOG_DATABASE_URL", "postgresql+psycopg://somewhere/db")
    monkeypatch.setenv("CATALOG_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("PORT", "5123")
    loaded = config.load()
    assert loaded["DATABASE_URL"] == "postgresql+psycopg://somewhere/db"
    assert loaded["SECRET_KEY"] == "from-the-environment"
    assert loaded["PORT"] == 5123


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CATALOG_DATABASE_URL", raising=False)
    assert config.load()["DATABASE_URL"] == f"sqlite:///{tmp_path / 'catalog.sqlite3'}"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CATALOG_PAGE_CACHE_MB", "lots", "CATALOG_PAGE_CACHE_MB must be a number, not 'lots'"),
        ("CATALOG_PAGE_CACHE_MB", "-5", "CATALOG_PAGE_CACHE_MB must not be negative"),
        ("PORT", "50.5", "PORT must be a whole number, not '50.5'"),
        ("CATALOG_SESSION_IDLE_MINUTES", "two hours", "CATALOG_SESSION_IDLE_MINUTES must be a whole number"),
    ],
)
def test_a_setting_that_is_not_a_number_is_named_in_the_error(tmp_path, monkeypatch, name, value, message):
    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=re.escape(message)):
        config.load()


def test_numeric_settings_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CATALOG_PAGE_CACHE_MB", "0.5")
    monkeypatch.setenv("CATALOG_SESSION_MAX_HOURS", " 3 ")
    loaded = config.load()
    assert loaded["PAGE_CACHE_MB"] == 0.5 and loaded["SESSION_MAX_HOURS"] == 3
