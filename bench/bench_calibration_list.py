"""Calibration (issue 10): the management page (list_calibrations) and the REST list with
100,000 orders in the company: queries per request (constant in rows) and median latency
through the test client, for the manager, a filter, the overdue filter and a technician."""
from __future__ import annotations

import datetime as dt
import random
import time

from bench.common import bench_app, count_statements, median_ms, timed

ORDERS = 100_000
RUNS = 15


def _setup(app):
    """A company, one user per role, 20 instruments and 50 orders made through the service."""
    from app.calibration.instruments.models import Instrument
    from app.calibration.orders import services
    from app.calibration.orders.workflow import WF
    from app.core.identity import acting_as
    from app.core.tenancy import Company, Membership, company_scope
    from app.extensions import db

    sm = app.appbuilder.sm
    company = Company(name="Bench Calibraciones", tax_id="B00000000", country_code="ES", subdivision="MD")
    db.session.add(company)
    db.session.flush()
    users = {}
    for code, spec in WF.roles.items():
        users[code] = sm.add_user(f"cal_{code.lower()}", code.title(), "Bench", f"cal_{code.lower()}@bench.test",
                                  [sm.find_role(spec["role"])], "bench")
        db.session.add(Membership(user_id=users[code].id, company_id=company.id))
    db.session.commit()
    today = dt.date.today()
    with company_scope(company.id):
        instruments = [Instrument(company_id=company.id, tag=f"INS-{i:03d}", description=f"Instrumento {i}",
                                  interval_days=365, active=True) for i in range(20)]
        db.session.add_all(instruments)
        db.session.commit()
        for i in range(50):
            with acting_as(users["RESPONSABLE"]):
                services.create_order(session=db.session, user=users["RESPONSABLE"], company=company, today=today,
                                      data={"instrument": instruments[i % 20].id,
                                            "target_date": (today + dt.timedelta(days=i % 40)).isoformat()})
            db.session.commit()
    return company.id, {code: u.id for code, u in users.items()}, [i.id for i in instruments]


def _bulk(company_id, user_ids, instrument_ids, total):
    """Top up to `total` orders with Core inserts (states spread, a tenth assigned to the
    technician, a fifth with a past target date)."""
    from sqlalchemy import func, literal, select

    from app.calibration.orders.models import CalibrationOrder, order_technician
    from app.calibration.orders.workflow import WF
    from app.core.models import utcnow
    from app.core.tenancy import company_scope
    from app.extensions import db

    with company_scope(company_id):
        start = db.session.scalar(select(func.count(CalibrationOrder.id))) + 1
        states, rnd, now, today = list(WF.states), random.Random(7), utcnow(), dt.date.today()
        for chunk in range(start, total + 1, 10_000):
            db.session.execute(CalibrationOrder.__table__.insert(), [
                dict(company_id=company_id, number=f"OC-{today.year}-{n:06d}", instrument_id=rnd.choice(instrument_ids),
                     requested_on=today, requested_by_id=user_ids["RESPONSABLE"],
                     target_date=today + dt.timedelta(days=rnd.randint(-60, 300)), state=rnd.choice(states), version=1,
                     wants_due_date=False, created_at=now, observations=f"Observación {n}")
                for n in range(chunk, min(chunk + 10_000, total + 1))
            ])
        db.session.execute(order_technician.insert().from_select(
            ["order_id", "user_id"],
            select(CalibrationOrder.id, literal(user_ids["TECNICO"])).where(CalibrationOrder.id % 10 == 0)))
        db.session.commit()


def _login(app, username):
    client = app.test_client()
    assert client.post("/login/", data={"username": username, "password": "bench"}).status_code == 302
    return client


def _measure(engine, client, url, **kw):
    client.get(url, **kw)
    with count_statements(engine) as statements:
        r = client.get(url, **kw)
    assert r.status_code == 200, (url, r.status_code)
    return len(statements), timed(lambda: client.get(url, **kw), repeat=RUNS)


def run() -> list[str]:
    from app.extensions import db

    app = bench_app("calibration_list")
    with app.app_context():
        company_id, user_ids, instrument_ids = _setup(app)
        engine = db.engine
    manager, tech = _login(app, "cal_responsable"), _login(app, "cal_tecnico")
    api = app.test_client()
    token = api.post("/api/v1/security/login", json={"username": "cal_responsable", "password": "bench",
                                                     "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    pages = [
        ("Management page, page 1 (responsable)", manager, "/calibracion/ordenes", {}),
        ("Management page filtered by state", manager, "/calibracion/ordenes?state=SCHEDULED", {}),
        ("Management page, overdue only", manager, "/calibracion/ordenes?overdue=1", {}),
        ("Management page by instrument and technician", manager,
         f"/calibracion/ordenes?instrument={instrument_ids[0]}&technician={user_ids['TECNICO']}", {}),
        ("Management page with the work-order form open", manager, "/calibracion/ordenes?orden=1", {}),
        ("Management page of a technician (assigned orders)", tech, "/calibracion/ordenes", {}),
        ("REST list GET /api/v1/calibration_order/", api, "/api/v1/calibration_order/", {"headers": headers}),
    ]
    small = {name: _measure(engine, c, url, **kw) for name, c, url, kw in pages}
    started = time.perf_counter()
    with app.app_context():
        _bulk(company_id, user_ids, instrument_ids, ORDERS)
    insert_s = time.perf_counter() - started
    big = {name: _measure(engine, c, url, **kw) for name, c, url, kw in pages}
    lines = [
        f"SQLite (bench/calibration_list.db, or BENCH_DATABASE_URL), {ORDERS:,} orders in one company (50 made "
        f"through the service, the rest bulk-inserted in {insert_s:.1f} s); 25 rows a page; median of {RUNS} "
        "requests through the test client. Queries = SQL statements per request, including the login session "
        "and permission checks.",
        "",
        "| Request | Queries (50 orders) | Queries (100,000 orders) | Median (50 orders) | Median (100,000 orders) |",
        "|---|---|---|---|---|",
    ]
    for name, *_ in pages:
        (q_small, t_small), (q_big, t_big) = small[name], big[name]
        lines.append(f"| {name} | {q_small} | {q_big} | {median_ms(t_small)} | {median_ms(t_big)} |")
    return lines
