"""Configuration: documented defaults, then the environment, then test overrides."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

#: Every setting the catalog reads from the environment, with its default and meaning.
#: README.md documents the same table; tests/test_config.py keeps the two in step.
SETTINGS: dict[str, tuple[str, str]] = {
    "CATALOG_DATABASE_URL": (
        "sqlite:///<instance>/catalog.sqlite3",
        "SQLAlchemy URL of the database (SQLite file or postgresql+psycopg://…).",
    ),
    "CATALOG_SECRET_KEY": (
        "generated on first run, kept in <instance>/secret_key",
        "Key that signs sessions and CSRF tokens.",
    ),
    "CATALOG_INSTANCE_PATH": (
        "./instance",
        "Folder for the SQLite database, the generated secret key and other local state.",
    ),
    "PORT": ("5000", "Port that `catalog serve` (and `make run`) listens on, on 127.0.0.1."),
    "CATALOG_SESSION_IDLE_MINUTES": (
        "120",
        "A signed-in session left unused this long ends; the next request must sign in again.",
    ),
    "CATALOG_SESSION_MAX_HOURS": (
        "12",
        "A signed-in session ends this long after sign-in, however active it is.",
    ),
    "CATALOG_PAGE_CACHE_MB": (
        "64",
        "Memory per server process for rendered reader pages served again to readers who are not "
        "signed in, until any record changes. 0 turns the cache off.",
    ),
    "CATALOG_RELEASE_FORM_MAX_MB": (
        "20",
        "Largest release form (PDF, JPEG, PNG or TIFF) an archivist may attach to a testimony; kept by "
        "its SHA-256 under <instance>/files.",
    ),
    "CATALOG_SECURE_COOKIES": (
        "1",
        "Mark the session cookie Secure (sent over HTTPS only; browsers also allow it on localhost). "
        "Set 0 only behind a trusted plain-HTTP network.",
    ),
    "CATALOG_JOBS_URL": (
        "(empty: <instance>/jobs.sqlite3)",
        "Where the job queue lives: empty for the embedded queue (no server), or redis://host:port/db "
        "to share long work among several machines.",
    ),
    "CATALOG_JOB_WORKERS": (
        "2",
        "Worker threads of the job consumer that `catalog serve` starts beside the web server "
        "(and of `catalog jobs`); 0 starts none there.",
    ),
    "CATALOG_RENDER_ON_PUBLISH": (
        "1",
        "Render a published testimony's public PDF in the background after each publication or save, "
        "so readers find it ready. 0 leaves it to the first reader who asks.",
    ),
    "CATALOG_API_RATE_LIMIT": (
        "60/minute",
        "Requests to the JSON API per client address for readers who are not signed in (e.g. 60/minute, "
        "1000/hour;60/minute); signed-in readers are not limited.",
    ),
    "CATALOG_RATE_LIMIT_STORAGE": (
        "memory://",
        "Where API request counts are kept: memory:// counts in each server process, "
        "redis://host:port/db shares them among processes and machines.",
    ),
    "CATALOG_OAI_REPOSITORY_ID": (
        "testimony-catalog.example",
        "The repository identifier in OAI-PMH identifiers (oai:<this>:T-0012): a domain name the "
        "catalog's keepers control. Set it once, before harvesters come: identifiers must not change.",
    ),
    "CATALOG_OAI_ADMIN_EMAIL": (
        "archive@<CATALOG_OAI_REPOSITORY_ID>",
        "The address OAI-PMH's Identify gives harvesters to write to.",
    ),
    "CATALOG_OAI_PAGE_SIZE": (
        "100",
        "Records (or headers) per OAI-PMH list response; a resumption token asks for the next.",
    ),
}


def instance_path() -> Path:
    """The instance folder: where local state lives; created when missing."""
    path = Path(os.environ.get("CATALOG_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(instance: Path) -> str:
    """The configured database URL, or the embedded SQLite file in the instance folder."""
    return os.environ.get("CATALOG_DATABASE_URL") or f"sqlite:///{instance / 'catalog.sqlite3'}"


def secret_key(instance: Path) -> str:
    """The configured secret key, or one generated once and kept in the instance folder.

    There is never a hard-coded default: a key everybody knows signs nothing.
    """
    configured = os.environ.get("CATALOG_SECRET_KEY")
    if configured:
        return configured
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    # Created with O_EXCL so two processes starting at once cannot write different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _number(name: str, default, kind=int):
    """A numeric setting from the environment, or its default; a clear error when it is not one."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {raw!r}")
    return value


def _flag(name: str, default: str = "1") -> bool:
    return os.environ.get(name, default).strip().lower() not in ("0", "false", "no", "off")


#: The oai-identifier scheme's repositoryIdentifier: a domain name.
OAI_REPOSITORY_ID_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)+")


def oai_repository_id() -> str:
    """The configured OAI-PMH repository identifier; a clear error when it is not a domain name."""
    value = (os.environ.get("CATALOG_OAI_REPOSITORY_ID") or "").strip() or "testimony-catalog.example"
    if not OAI_REPOSITORY_ID_SHAPE.fullmatch(value):
        raise ValueError(f"CATALOG_OAI_REPOSITORY_ID must be a domain name (archive.example.org), not {value!r}")
    return value


def load(test_config: dict | None = None) -> dict:
    """The app's configuration mapping."""
    instance = instance_path()
    config = {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url(instance),
        "SECRET_KEY": secret_key(instance),
        "PORT": _number("PORT", 5000),
        "SESSION_IDLE_MINUTES": _number("CATALOG_SESSION_IDLE_MINUTES", 120),
        "SESSION_MAX_HOURS": _number("CATALOG_SESSION_MAX_HOURS", 12),
        "PAGE_CACHE_MB": _number("CATALOG_PAGE_CACHE_MB", 64, float),
        "RELEASE_FORM_MAX_MB": max(1, _number("CATALOG_RELEASE_FORM_MAX_MB", 20)),
        "SESSION_COOKIE_SECURE": _flag("CATALOG_SECURE_COOKIES"),
        "JOBS_URL": (os.environ.get("CATALOG_JOBS_URL") or "").strip(),
        "JOB_WORKERS": _number("CATALOG_JOB_WORKERS", 2),
        "RENDER_ON_PUBLISH": _flag("CATALOG_RENDER_ON_PUBLISH"),
        "API_RATE_LIMIT": (os.environ.get("CATALOG_API_RATE_LIMIT") or "").strip() or "60/minute",
        "RATE_LIMIT_STORAGE": (os.environ.get("CATALOG_RATE_LIMIT_STORAGE") or "").strip() or "memory://",
        #: Prefix of the rate limiter's keys, so that a shared Redis keeps this catalog's counts apart.
        "RATE_LIMIT_KEY_PREFIX": "testimony-catalog",
        "OAI_REPOSITORY_ID": oai_repository_id(),
        "OAI_ADMIN_EMAIL": (os.environ.get("CATALOG_OAI_ADMIN_EMAIL") or "").strip()
        or f"archive@{oai_repository_id()}",
        "OAI_PAGE_SIZE": max(1, _number("CATALOG_OAI_PAGE_SIZE", 100)),
        #: Run jobs at once, inside the caller (tests), instead of on the queue.
        "JOBS_IMMEDIATE": False,
    }
    if test_config:
        config.update(test_config)
    return config
