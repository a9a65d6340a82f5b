"""Rate limits on the JSON API for readers who are not signed in (Flask-Limiter).

Counts are kept per client address in memory by default (each server process counts on its own),
or in Redis when `CATALOG_RATE_LIMIT_STORAGE` names one, so that several processes and machines
share them. Signed-in readers are not limited: their requests carry an account that can be ended.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many


def check_limit(value: str) -> str:
    """A limit such as `60/minute` or `1000/hour;60/minute`; a clear error for anything else."""
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(
            f"CATALOG_API_RATE_LIMIT must be a rate such as 60/minute or 1000/hour;60/minute, not {value!r}"
        ) from None
    return value


def signed_in() -> bool:
    """Whether a signed-in reader is asking (their session is read here if no hook has yet)."""
    from . import _load_viewer, current_viewer

    _load_viewer()
    return current_viewer().role is not None


def init_app(app: Flask, blueprint: Blueprint) -> Limiter:
    """Limit the blueprint's anonymous requests to CATALOG_API_RATE_LIMIT per client address."""
    limiter = Limiter(
        get_remote_address,
        storage_uri=app.config["RATE_LIMIT_STORAGE"],
        key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"],
        # Retry-After and X-RateLimit-* on every limited answer, so programs can pace themselves.
        headers_enabled=True,
        # Should the shared storage go away, count in memory rather than refuse or fail requests.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.init_app(app)
    # One count per address for the whole API, not one per route.
    limiter.shared_limit(check_limit(app.config["API_RATE_LIMIT"]), scope="api", exempt_when=signed_in)(blueprint)
    app.extensions["catalog_limiter"] = limiter
    return limiter
