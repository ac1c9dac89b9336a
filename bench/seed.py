"""`flask bench seed --scale N` (issue 13): a PostgreSQL database filled for the load benchmark.

Scale 1 = 100,000 installation orders (two lines each, a technician on a tenth, doctor contacts
from ACCEPTED on) and 50,000 certification assignments (one open period each, a completed one
before it for a fifth) with 200,000 inspections. Reference rows (company, users, catalogs) go
through the ORM; the volume goes through COPY. The same --seed gives the same rows."""
from __future__ import annotations

import datetime as dt
import random
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select, text

BENCH_PASSWORD = "bench-Clave-2026"
COMPANY = "Bench Norte"
# username -> FAB roles of the users the load test acts as
USERS = {
    "bench_go": ["INST_GESTOR_OPERACIONES"],
    "bench_gc": ["INST_GESTOR_CUENTA"],
    "bench_gg": ["INST_GESTOR_GENERAL"],
    "bench_doctor": ["INST_DOCTOR"],
    "bench_tecnico": ["INST_TECNICO"],
    "bench_cert": ["CERT_USUARIO"],
}

cli = AppGroup("bench", help="Datos y utilidades de los benchmarks (bench/).")


@cli.command("seed")
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="1 = 100.000 órdenes de instalación, 50.000 asignaciones y 200.000 inspecciones.")
@click.option("--seed", "seed_value", type=int, default=13, show_default=True)
def seed_command(scale: float, seed_value: int) -> None:
    """Fill the database (PostgreSQL) with the benchmark's rows."""
    from app.extensions import db

    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("flask bench seed necesita PostgreSQL (DATABASE_URL).")
    started = time.perf_counter()
    counts = seed(db.session, scale=scale, seed=seed_value)
    db.session.commit()
    click.echo(", ".join(f"{k}: {v:,}" for k, v in counts.items()) + f" ({time.perf_counter() - started:.1f} s)")


def seed(session, *, scale: float, seed: int) -> dict:
    rnd = random.Random(seed)
    company, users = _reference(session)
    orders = max(1, int(100_000 * scale))
    assignments = max(1, int(50_000 * scale))
    counts = {}
    counts.update(_installation(session, rnd, company, users, orders))
    counts.update(_certification(session, rnd, company, assignments))
    session.execute(text("ANALYZE"))
    return counts


def _reference(session):
    from app.core.cli import ensure_user
    from app.core.tenancy import Company

    company = session.scalar(select(Company).where(Company.name == COMPANY))
    if company is None:
        company = Company(name=COMPANY, tax_id="B58378431", country_code="ES", subdivision="MD",
                          timezone="Europe/Madrid")
        session.add(company)
        session.flush()
    users = {name: ensure_user(name, name.split("_")[1].title(), "Bench", roles, [company], BENCH_PASSWORD)
             for name, roles in USERS.items()}
    session.flush()
    return company, users


def _next_id(session, table: str) -> int:
    return (session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0) + 1


def _copy(session, table: str, columns: list[str], rows) -> int:
    """COPY rows into table; then move its id sequence past the ids written."""
    cursor = session.connection().connection.cursor()
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    if "id" in columns:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    return n


def _installation(session, rnd, company, users, total: int) -> dict:
    from app.core.tenancy import company_scope
    from app.installation.equipment.models import Equipment
    from app.installation.orders import services

    states = list(services.WF.states)
    contacted = set(states[states.index("ACCEPTED"):]) - {"REJECTED"}
    now, today = dt.datetime.utcnow(), dt.date.today()
    with company_scope(company.id):
        equipment = [e.id for e in session.scalars(select(Equipment)).all()]
        if len(equipment) < 20:
            for i in range(len(equipment), 20):
                session.add(Equipment(company_id=company.id, code=f"BEQ-{i:03d}", name=f"Equipo {i}"))
            session.flush()
            equipment = [e.id for e in session.scalars(select(Equipment)).all()]
        first_number = session.scalar(text("SELECT coalesce(max(number), 0) + 1 FROM installation_order "
                                           "WHERE company_id = :c"), {"c": company.id})
    first_id = _next_id(session, "installation_order")
    doctor, gg, tech, gc = (users[k].id for k in ("bench_doctor", "bench_gg", "bench_tecnico", "bench_gc"))
    plan = [(first_id + i, first_number + i, rnd.choice(states), rnd.randint(-30, 365)) for i in range(total)]
    n_orders = _copy(session, "installation_order",
                     ["id", "company_id", "number", "doctor_id", "site", "address", "patient_ref", "scheduled_for",
                      "state", "version", "created_at", "created_by_id"],
                     ((oid, company.id, num, doctor, f"Clínica {num % 500}", f"Calle {num}", f"P-{num}",
                       today + dt.timedelta(days=days), state, 1, now, gg) for oid, num, state, days in plan))
    first_line = _next_id(session, "installation_order_line")
    n_lines = _copy(session, "installation_order_line", ["id", "company_id", "order_id", "equipment_id", "quantity"],
                    ((first_line + 2 * i + k, company.id, oid, equipment[(num + 7 * k) % len(equipment)], 1 + k)
                     for i, (oid, num, _s, _d) in enumerate(plan) for k in (0, 1)))
    n_tech = _copy(session, "installation_order_technician", ["order_id", "user_id"],
                   ((oid, tech) for oid, num, _s, _d in plan if num % 10 == 0))
    n_contacts = _copy(session, "installation_doctor_contact",
                       ["company_id", "order_id", "channel", "note", "user_id", "created_at"],
                       ((company.id, oid, "PHONE", "Confirmada la fecha con el doctor.", gc, now)
                        for oid, _n, state, _d in plan if state in contacted))
    move_sequence(session, company.id, "installation_order", first_number + total - 1)
    return {"órdenes": n_orders, "líneas": n_lines, "técnicos asignados": n_tech, "contactos": n_contacts}


def move_sequence(session, company_id: int, name: str, last: int) -> None:
    """Sequence `name` of the company (app/core/sequences.py) continues after `last`."""
    from app.core.sequences import NO_YEAR, SequenceCounter

    row = session.scalar(select(SequenceCounter).where(
        SequenceCounter.company_id == company_id, SequenceCounter.name == name, SequenceCounter.year == NO_YEAR))
    if row is None:
        session.add(SequenceCounter(company_id=company_id, name=name, year=NO_YEAR, next_value=last + 1))
    else:
        row.next_value = max(row.next_value, last + 1)
    session.flush()


def _certification(session, rnd, company, total: int) -> dict:
    """Each operator holds two certifications; each assignment one open period (after a
    completed one for a fifth) with four inspections, so 200,000 at scale 1."""
    from app.certification.catalogs.models import (
        Auditor,
        Certification,
        ProductAuditType,
    )
    from app.certification.rules.services import current_rules
    from app.core.tenancy import company_scope
    from app.core.workdays import WorkCalendar

    with company_scope(company.id):
        certs = session.scalars(select(Certification)).all()
        if len(certs) < 2:
            for name in ("Soldadura TIG", "Montaje de precisión")[len(certs):]:
                session.add(Certification(company_id=company.id, name=name))
            session.flush()
            certs = session.scalars(select(Certification)).all()
        types = session.scalars(select(ProductAuditType)).all()
        if not types:
            types = [ProductAuditType(company_id=company.id, certification_id=c.id, name=f"Auditoría {c.name}")
                     for c in certs]
            session.add_all(types)
        auditors = session.scalars(select(Auditor)).all()
        if not auditors:
            auditors = [Auditor(company_id=company.id, first_name=f"Auditor {i}", last_name="Bench", code=f"BA-{i}")
                        for i in range(50)]
            session.add_all(auditors)
        session.flush()
        rules = current_rules(session)
        calendar = WorkCalendar.for_company(session, company)
    type_of = {t.certification_id: t.id for t in types}
    today = dt.date.today()
    ends: dict[dt.date, dt.date] = {}

    def end_of(start: dt.date) -> dt.date:
        if start not in ends:
            ends[start] = calendar.nth_workday(start, rules.required_workdays)
        return ends[start]

    first_op = _next_id(session, "cert_operator")
    operators = (total + 1) // 2
    n_ops = _copy(session, "cert_operator", ["id", "company_id", "first_name", "last_name", "code", "active"],
                  ((first_op + i, company.id, f"Operario {i}", "Bench", f"BOP-{first_op + i}", True)
                   for i in range(operators)))
    first_asg, first_period, first_insp = (_next_id(session, t) for t in
                                           ("cert_assignment", "cert_validation_period", "cert_inspection"))
    assignments, periods, inspections = [], [], []
    for i in range(total):
        asg_id, cert = first_asg + i, certs[i % 2]
        completed_first = i % 5 == 0
        start = today - dt.timedelta(days=rnd.randint(0, 200) + (400 if completed_first else 0))
        assignments.append((asg_id, company.id, first_op + i // 2, cert.id, start, "", True))
        number, previous = 1, None
        if completed_first:
            pid, end = first_period + len(periods), end_of(start)
            done_on = start + dt.timedelta(days=200)
            periods.append((pid, company.id, asg_id, 1, start, end, rules.required_workdays,
                            rules.required_inspections, rules.required_inspections, "completed", done_on, None, None))
            start, number, previous = done_on + dt.timedelta(days=1), 2, done_on
        pid, end = first_period + len(periods), end_of(start)
        periods.append((pid, company.id, asg_id, number, start, end, rules.required_workdays,
                        rules.required_inspections, 4, "open", None, number - 1 if previous else None, previous))
        span = max(0, min((today - start).days, (end - start).days))
        for k in range(4):
            day = start + dt.timedelta(days=rnd.randint(0, span))
            inspections.append((first_insp + len(inspections), company.id, asg_id, pid, start, end,
                                type_of[cert.id], auditors[(i + k) % len(auditors)].id, day, 1 + k,
                                "OK" if rnd.random() < 0.9 else "NO_OK", "", False, dt.datetime.utcnow()))
    n_asg = _copy(session, "cert_assignment",
                  ["id", "company_id", "operator_id", "certification_id", "assigned_on", "observations", "active"],
                  assignments)
    n_per = _copy(session, "cert_validation_period",
                  ["id", "company_id", "assignment_id", "number", "start_date", "end_date", "required_workdays",
                   "required_inspections", "done", "status", "completed_on", "previous_number",
                   "previous_completed_on"], periods)
    n_insp = _copy(session, "cert_inspection",
                   ["id", "company_id", "assignment_id", "period_id", "period_start", "period_end", "audit_type_id",
                    "auditor_id", "date", "pieces", "result", "observations", "annulled", "created_at"], inspections)
    return {"operarios": n_ops, "asignaciones": n_asg, "periodos": n_per, "inspecciones": n_insp}


def database_url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]
