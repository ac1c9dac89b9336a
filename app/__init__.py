"""Application factory: config, extensions, the platform core, the modules, the CLI.

The business modules are found, not listed: every package of `app` with a `MODULE` manifest
(app/core/modules.py) is installed, in the manifests' order."""
from __future__ import annotations

import os
import sys

from flask import Flask
from flask_appbuilder import AppBuilder
from werkzeug.middleware.proxy_fix import ProxyFix

from app.core import platform
from app.core.api import JsonRequest
from app.core.db import configure_engine
from app.core.modules import discover, install, install_cli
from app.extensions import csrf, db, migrate
from config import CONFIGS, INSTANCE_DIR, instance_secret_key

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def load_modules():
    """The manifests of the business modules (app/<module>/__init__.py `MODULE`)."""
    return discover(sys.modules[__name__])


def create_app(config: str | None = None, *, extra_modules=(), **overrides) -> Flask:
    """The application; `extra_modules`: manifests installed after app/'s own (a module that
    lives elsewhere, e.g. the tests' fifth module)."""
    config_name = config or os.environ.get("APP_CONFIG", "development")
    config_class = CONFIGS[config_name]
    app = Flask(__name__, instance_path=INSTANCE_DIR)
    app.request_class = JsonRequest
    app.config.from_object(config_class)
    if config_name == "production":
        config_class.check(app)
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    if app.config.get("PROXY_FIX_X_FOR"):
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)

    modules = [*load_modules(), *extra_modules]
    app.extensions["backoffice_modules"] = modules
    with app.app_context():
        configure_engine(db.engine)
        platform.prepare()
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        platform.register(appbuilder)
        install(appbuilder, modules)
        platform.finish_registration(appbuilder)
    platform.register_cli(app)
    install_cli(app, modules)
    return app
