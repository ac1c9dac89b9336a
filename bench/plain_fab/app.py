"""Plain Flask-AppBuilder (issue 13's baseline): one ModelRestApi and one ModelView over a copy
of `installation_order`, with FAB's default security and nothing else: no tenancy, no row
rules, no audit. The table is built from the project's own model (its columns, types and
primary key; no foreign keys, since the copy lives in its own database), never from DDL
written by hand. `gunicorn 'bench.plain_fab.app:create_plain_app()'` with PLAIN_DATABASE_URL."""
from __future__ import annotations

import os

from flask import Flask
from flask_appbuilder import AppBuilder, ModelRestApi, ModelView
from flask_appbuilder.models.sqla import Model as FabModel
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Column, Table
from sqlalchemy.orm import DeclarativeBase

from app.installation.orders.models import InstallationOrder

ADMIN, PASSWORD = "admin", os.environ.get("PLAIN_ADMIN_PASSWORD", "bench-Clave-2026")
COLUMNS = ["id", "number", "state", "site", "address", "patient_ref", "scheduled_for", "doctor_id", "created_at"]


class PlainBase(DeclarativeBase):
    pass


def copy_of(table: Table, metadata) -> Table:
    """`table`'s columns (name, type, nullability, primary key), without its constraints."""
    return Table(table.name, metadata, *[
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=c.primary_key)
        for c in table.columns
    ])


class PlainOrder(PlainBase):
    __table__ = copy_of(InstallationOrder.__table__, PlainBase.metadata)


class PlainOrderApi(ModelRestApi):
    resource_name = "installation_order"
    datamodel = SQLAInterface(PlainOrder)
    list_columns = show_columns = COLUMNS


class PlainOrderView(ModelView):
    route_base = "/ordenes"
    datamodel = SQLAInterface(PlainOrder)
    list_columns = ["number", "state", "site", "scheduled_for"]


def prepare_schema(engine) -> None:
    """FAB's security tables and the order table's copy (not the project's other tables,
    which share FAB's metadata once the project's models are imported)."""
    fab_tables = [t for name, t in FabModel.metadata.tables.items() if name.startswith("ab_")]
    FabModel.metadata.create_all(engine, tables=fab_tables)
    PlainBase.metadata.create_all(engine)


def create_plain_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url or os.environ["PLAIN_DATABASE_URL"],
        SECRET_KEY=os.environ.get("SECRET_KEY", "plain-fab-baseline-of-the-load-benchmark-only"),
        FAB_API_SWAGGER_UI=False,
    )
    db = SQLA()
    db.init_app(app)
    with app.app_context():
        prepare_schema(db.engine)
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        appbuilder.add_view(PlainOrderView, "Órdenes", category="Plain")
        appbuilder.add_api(PlainOrderApi)
        sm = appbuilder.sm
        if sm.find_user(username=ADMIN) is None:
            sm.add_user(ADMIN, "Admin", "Plain", "admin@plain.test", sm.find_role("Admin"), PASSWORD)
    return app
