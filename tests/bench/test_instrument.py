"""The load benchmark's instrument (issue 13): `flask bench seed` fills PostgreSQL through COPY
with rows the services accept as theirs, and the plain FAB baseline serves a copy of the
project's own order table."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from bench.seed import BENCH_PASSWORD
from bench.seed import cli as bench_cli
from tests.factories import ApiClient


def test_bench_seed_fills_postgres_with_rows_the_app_reads(app, runner, session, postgres_only):
    from app.certification.assignments.models import (
        CertificationAssignment,
        ValidationPeriod,
    )
    from app.certification.inspections.models import Inspection
    from app.core.tenancy import Company, company_scope
    from app.installation.orders.models import InstallationOrder

    result = runner.invoke(bench_cli, ["seed", "--scale", "0.002"])
    assert result.exit_code == 0, result.output
    assert "órdenes: 200" in result.output and "inspecciones: 400" in result.output
    company = session.scalar(select(Company).where(Company.name == "Bench Norte"))
    with company_scope(company.id):
        assert session.scalar(select(func.count()).select_from(InstallationOrder)) == 200
        assert session.scalar(select(func.count()).select_from(CertificationAssignment)) == 100
        periods = session.scalars(select(ValidationPeriod)).all()
        assert {p.status for p in periods} == {"open", "completed"}
        assert all(p.start <= i.date <= p.end for p in periods for i in p.inspections)
        assert session.scalar(select(func.count()).select_from(Inspection)) == 400
    from app.core.sequences import next_number

    assert next_number(session, company_id=company.id, name="installation_order") == 201  # numbering goes on
    session.rollback()
    user = session.scalar(select(User).where(User.username == "bench_go"))
    client = ApiClient(app.test_client(), user, company, password=BENCH_PASSWORD)
    listed = client.get("/api/v1/installation_order/").get_json()
    assert listed["count"] == 200
    again = runner.invoke(bench_cli, ["seed", "--scale", "0.002"])  # a second run adds, never collides
    assert again.exit_code == 0, again.output


def test_bench_seed_refuses_sqlite(app, runner):
    from app.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the refusal is SQLite's; PostgreSQL is the seed's database")
    result = runner.invoke(bench_cli, ["seed", "--scale", "0.001"])
    assert result.exit_code != 0 and "necesita PostgreSQL" in result.output


def test_plain_fab_serves_a_copy_of_the_project_order_table(tmp_path):
    from app.installation.orders.models import InstallationOrder
    from bench.plain_fab.app import ADMIN, PASSWORD, PlainOrder, create_plain_app

    assert [c.name for c in PlainOrder.__table__.columns] == [c.name for c in InstallationOrder.__table__.columns]
    assert not PlainOrder.__table__.foreign_keys
    plain = create_plain_app(f"sqlite:///{tmp_path / 'plain.db'}")
    client = plain.test_client()
    with plain.app_context():
        plain.appbuilder.session.add(PlainOrder(
            id=1, company_id=1, number=7, doctor_id=1, address="Calle 1", scheduled_for=dt.date(2026, 12, 1),
            state="CREATED", version=1, created_at=dt.datetime(2026, 11, 1, 9, 0)))
        plain.appbuilder.session.commit()
    token = client.post("/api/v1/security/login", json={"username": ADMIN, "password": PASSWORD,
                                                        "provider": "db"}).get_json()["access_token"]
    listed = client.get("/api/v1/installation_order/", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert listed["count"] == 1 and listed["result"][0]["number"] == 7
