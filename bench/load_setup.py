"""The two databases of `make bench-load` (issue 13): `bench_project` migrated, seeded and filled
by `flask bench seed`; `bench_plain` with plain FAB's tables and a copy of the same order rows.
Then the ids the load picks from (orders, accepted orders, operators, open assignments)."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import psycopg

from bench.plain_fab.app import (
    PASSWORD as PLAIN_PASSWORD,  # noqa: F401  (re-exported for load.py)
)
from bench.seed import BENCH_PASSWORD, COMPANY

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


@dataclass
class Setup:
    project_url: str
    plain_url: str
    company_id: int
    order_ids: list
    accepted_ids: list
    operator_ids: list
    assignments: list  # (assignment id, audit type id) of open periods with room left
    auditor_id: int
    orders: int
    password: str = BENCH_PASSWORD


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _recreate(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _run(args: list[str], env: dict) -> None:
    subprocess.run(args, cwd=ROOT, env={**os.environ, **env}, check=True)


def prepare(scale: float, *, reuse: bool = False) -> Setup:
    project, plain = f"{SERVER}/bench_project", f"{SERVER}/bench_plain"
    if not reuse:
        for name in ("bench_project", "bench_plain"):
            _recreate(name)
        flask = [os.path.join(os.path.dirname(sys.executable), "flask")]
        env = {"FLASK_APP": "run.py", "DATABASE_URL": sqlalchemy_url(project), "APP_CONFIG": "development"}
        _run(flask + ["db", "upgrade"], env)
        _run(flask + ["seed"], env)
        _run(flask + ["bench", "seed", "--scale", str(scale)], env)
        _run([sys.executable, "-c", "from bench.plain_fab.app import create_plain_app; create_plain_app()"],
             {"PLAIN_DATABASE_URL": sqlalchemy_url(plain)})
        _copy_orders(project, plain)
    return _ids(project, plain)


def _copy_orders(project: str, plain: str) -> None:
    """The same order rows in the baseline's copy of the table."""
    with psycopg.connect(project) as src, psycopg.connect(plain) as dst:
        columns = [r[0] for r in dst.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'installation_order' "
            "ORDER BY ordinal_position")]
        cols = ", ".join(columns)
        with src.cursor().copy(f"COPY installation_order ({cols}) TO STDOUT") as out, \
                dst.cursor().copy(f"COPY installation_order ({cols}) FROM STDIN") as into:
            for chunk in out:
                into.write(chunk)
        dst.execute("SELECT setval(pg_get_serial_sequence('installation_order', 'id'), "
                    "(SELECT max(id) FROM installation_order))")
        dst.execute("ANALYZE")


def _ids(project: str, plain: str) -> Setup:
    with psycopg.connect(project) as conn:
        company_id = conn.execute("SELECT id FROM company WHERE name = %s", (COMPANY,)).fetchone()[0]
        one = lambda sql: [r[0] for r in conn.execute(sql, (company_id,))]  # noqa: E731
        orders = conn.execute("SELECT count(*) FROM installation_order WHERE company_id = %s", (company_id,)).fetchone()[0]
        return Setup(
            project_url=project, plain_url=plain, company_id=company_id,
            order_ids=one("SELECT id FROM installation_order WHERE company_id = %s ORDER BY random() LIMIT 2000"),
            accepted_ids=one("SELECT id FROM installation_order WHERE company_id = %s AND state = 'ACCEPTED' "
                             "ORDER BY id LIMIT 40"),
            operator_ids=one("SELECT operator_id FROM cert_assignment WHERE company_id = %s ORDER BY id LIMIT 2000"),
            assignments=[tuple(r) for r in conn.execute(
                "SELECT a.id, t.id FROM cert_assignment a JOIN cert_validation_period p ON p.assignment_id = a.id "
                "JOIN cert_product_audit_type t ON t.certification_id = a.certification_id "
                "WHERE a.company_id = %s AND p.status = 'open' AND p.end_date >= current_date "
                "AND p.start_date <= current_date ORDER BY a.id LIMIT 400", (company_id,))],
            auditor_id=one("SELECT id FROM cert_auditor WHERE company_id = %s ORDER BY id LIMIT 1")[0],
            orders=orders,
        )
