"""Application factory: config, extensions, the platform core, the modules, the CLI."""
from __future__ import annotations

import importlib
import os

from flask import Flask
from flask_appbuilder import AppBuilder

from config import CONFIGS, INSTANCE_DIR, instance_secret_key

from app.extensions import csrf, db, migrate

# Business modules, registered in this order. Each exposes register(appbuilder) and,
# optionally, seed(session) for reference data, demo(session, companies) for demo data
# and a `cli` click group.
MODULES = ("certification", "installation", "calibration", "packaging")

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def load_modules():
    return [importlib.import_module(f"app.{name}") for name in MODULES]


def create_app(config: str | None = None, **overrides) -> Flask:
    config_name = config or os.environ.get("APP_CONFIG", "development")
    config_class = CONFIGS[config_name]
    app = Flask(__name__, instance_path=INSTANCE_DIR)
    from app.core.api import JsonRequest

    app.request_class = JsonRequest
    app.config.from_object(config_class)
    if config_name == "production":
        config_class.check(app)
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    if app.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)

    from app import core
    from app.core.db import configure_engine

    with app.app_context():
        configure_engine(db.engine)
        core.prepare()
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        core.register(appbuilder)
        for module in load_modules():
            module.register(appbuilder)
        core.finish_registration(appbuilder)
    core.register_cli(app, load_modules())
    return app
