"""The Testimony Catalog: witness testimony kept apart from anyone's framing of it."""

from __future__ import annotations

from flask import Flask

from . import config as config_module
from .paths import STATIC, TEMPLATES


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: documented defaults, then the environment, then test overrides."""
    config = config_module.load(test_config)
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        instance_path=config["INSTANCE_PATH"],
    )
    app.config.update(config)

    from .web import init_app as init_web

    init_web(app)
    return app
