"""Gõ Cửa's application factory: extensions, blueprints, CLI commands; nothing else."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from extensions import babel, compress, csrf, db, htmx, migrate, tune_sqlite


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; `test_config` overrides settings (tests, benchmarks)."""
    app = Flask(__name__, instance_path=str(config.INSTANCE))
    instance = Path((test_config or {}).get("INSTANCE_PATH", app.instance_path))
    app.config.update(config.load(instance))
    app.config.update(test_config or {})
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind PROXY_HOPS reverse proxies, the browser's address and scheme are what the
    nearest proxies say (throttling counts per address); a client's own header is not."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    import models  # noqa: F401  (every model known to the metadata and to Alembic)
    from routes import web

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale,
                   timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    with app.app_context():
        tune_sqlite(db.engine)
    web.init_app(app)


def register_blueprints(app: Flask) -> None:
    from routes import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from demo.command import demo_command

    app.cli.add_command(demo_command)
    for command in _feature_commands():
        app.cli.add_command(command)


def _feature_commands() -> list:
    """CLI groups contributed by screen families (households import, …)."""
    from routes import COMMANDS

    return list(COMMANDS)
