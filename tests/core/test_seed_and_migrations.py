"""Alembic alone makes the schema, and `flask seed` is idempotent."""
from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder.models.sqla import Model
from sqlalchemy import create_engine, func, select

from app.core.roles import load_roles
from app.core.tenancy import Company, Membership

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def _flask(args, database_url, **env):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "run.py", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DATABASE_URL": database_url, "APP_CONFIG": "development", **env},
    )


def test_flask_db_upgrade_on_an_empty_database_matches_the_models(empty_database):
    result = _flask(["db", "upgrade"], empty_database)
    assert result.returncode == 0, result.stderr[-2000:]
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Model.metadata)
    engine.dispose()
    assert differences == [], "models and migrations differ: add a migration"


def test_migrations_are_one_linear_history():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


def _counts(session):
    session.rollback()
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar()
        for table in Model.metadata.sorted_tables
    }


def test_seed_twice_leaves_the_same_rows(runner, session):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    before = _counts(session)
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert _counts(session) == before
    roles = load_roles()["roles"]
    from flask import current_app

    for name in roles:
        assert current_app.appbuilder.sm.find_role(name) is not None, name


def test_seed_demo_twice_same_rows_and_prints_logins(runner, session):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    before = _counts(session)
    again = runner.invoke(args=["seed", "--demo"])
    assert again.exit_code == 0, again.output
    assert _counts(session) == before
    names = sorted(session.scalars(select(Company.name)))
    assert names == ["Demo Norte", "Demo Sur"]
    roles = load_roles()["roles"]
    for role in roles:
        assert f"norte.{role.lower()}" in result.output and f"sur.{role.lower()}" in result.output
    assert "admin" in result.output and "contraseña: demo" in result.output
    # one user per role per company, each a member of its company only (Admin: both)
    assert before["ab_user"] == 1 + 2 * len(roles)
    assert session.scalar(select(func.count()).select_from(Membership)) == 2 + 2 * len(roles)


def test_seed_demo_refuses_production(runner, app):
    app.config["ENV_NAME"] = "production"
    try:
        result = runner.invoke(args=["seed", "--demo"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0
    assert "APP_CONFIG=production" in result.output
