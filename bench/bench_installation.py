"""Installation orders: the order list, the board and the details page with 100,000 orders in
the company (queries per request, which must not grow with the rows nor with the buttons,
and median latency through the test client), and the action endpoint's latency."""
from __future__ import annotations

import datetime as dt
import random
import time

from bench.common import bench_app, count_statements, median_ms, timed

ORDERS = 100_000
RUNS = 15


def _setup(app):
    """A company, one user per matrix role, an equipment catalog, and 100 orders made
    through the service (so their timelines are real)."""
    from app.core.identity import acting_as
    from app.core.tenancy import Company, Membership, company_scope
    from app.extensions import db
    from app.installation.equipment.models import Equipment
    from app.installation.orders import services

    sm = app.appbuilder.sm
    company = Company(name="Bench Instalaciones", tax_id="B00000000", country_code="ES", subdivision="MD")
    db.session.add(company)
    db.session.flush()
    users = {}
    for code, spec in services.WF.roles.items():
        users[code] = sm.add_user(code.lower(), code.title(), "Bench", f"{code.lower()}@bench.test",
                                  [sm.find_role(spec["role"])], "bench")
        db.session.add(Membership(user_id=users[code].id, company_id=company.id))
    db.session.commit()
    with company_scope(company.id):
        equipment = [Equipment(code=f"EQ-{i:03d}", name=f"Equipo {i}") for i in range(20)]
        db.session.add_all(equipment)
        db.session.commit()
        gg = users["GESTOR_GENERAL"]
        for i in range(100):
            with acting_as(gg):
                services.create_order(session=db.session, user=gg, data={
                    "doctor": users["DOCTOR"].id, "address": f"Calle {i}", "site": f"Clínica {i}",
                    "scheduled_for": (dt.date.today() + dt.timedelta(days=1 + i % 60)).isoformat(),
                    "lines": {str(equipment[i % 20].id): 1, str(equipment[(i + 1) % 20].id): 2},
                })
            db.session.commit()
    return company.id, {code: user.id for code, user in users.items()}


def _bulk_orders(company_id: int, user_ids: dict, total: int) -> None:
    """Top the company up to `total` orders with Core inserts (states spread over the matrix,
    a tenth assigned to the technician) and move its counter on."""
    from sqlalchemy import func, literal, select

    from app.core.models import utcnow
    from app.core.tenancy import company_scope
    from app.extensions import db
    from app.installation.orders import services
    from app.installation.orders.models import InstallationOrder, order_technician
    from bench.seed import move_sequence

    with company_scope(company_id):
        start = db.session.scalar(select(func.max(InstallationOrder.number))) + 1
        states = list(services.WF.states)
        rnd = random.Random(7)
        now, today = utcnow(), dt.date.today()
        for chunk in range(start, total + 1, 10_000):
            numbers = range(chunk, min(chunk + 10_000, total + 1))
            db.session.execute(InstallationOrder.__table__.insert(), [
                dict(company_id=company_id, number=n, doctor_id=user_ids["DOCTOR"], site=f"Clínica {n % 500}",
                     address=f"Calle {n}", patient_ref=f"P-{n}", scheduled_for=today + dt.timedelta(days=rnd.randint(1, 365)),
                     state=rnd.choice(states), version=1, created_at=now, created_by_id=user_ids["GESTOR_GENERAL"])
                for n in numbers
            ])
        db.session.execute(
            order_technician.insert().from_select(
                ["order_id", "user_id"],
                select(InstallationOrder.id, literal(user_ids["TECNICO"])).where(InstallationOrder.number % 10 == 0),
            )
        )
        move_sequence(db.session, company_id, "installation_order", total)
        db.session.commit()


def _login(app, username):
    client = app.test_client()
    r = client.post("/login/", data={"username": username, "password": "bench"})
    assert r.status_code == 302, r.status_code
    return client


def _jwt(app, username):
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={"username": username, "password": "bench", "provider": "db"})
    return client, {"Authorization": f"Bearer {token.get_json()['access_token']}"}


def _measure(engine, client, url, **kw):
    client.get(url, **kw)  # warm-up
    with count_statements(engine) as statements:
        r = client.get(url, **kw)
    assert r.status_code == 200, (url, r.status_code)
    return len(statements), timed(lambda: client.get(url, **kw), repeat=RUNS)


def run() -> list[str]:
    """Requests run outside any app context of ours: each gets its own (and its own `g`),
    as in production."""
    from sqlalchemy import select

    from app.core.tenancy import company_scope
    from app.extensions import db
    from app.installation.orders.models import InstallationOrder
    from app.installation.orders.views import state_filter_arg

    app = bench_app("installation")
    with app.app_context():
        company_id, user_ids = _setup(app)
        with company_scope(company_id):
            created_id = db.session.scalar(select(InstallationOrder.id).where(InstallationOrder.number == 1))
            accepted = db.session.scalars(select(InstallationOrder).where(InstallationOrder.number == 2)).one()
            accepted.state, accepted_id = "ACCEPTED", accepted.id  # no button of the gestor general there
            db.session.commit()
        engine = db.engine
        state_arg = state_filter_arg()
    go, gg = _login(app, "gestor_operaciones"), _login(app, "gestor_general")
    doctor, tech = _login(app, "doctor"), _login(app, "tecnico")
    api, headers = _jwt(app, "gestor_operaciones")
    gc_api, gc_headers = _jwt(app, "gestor_cuenta")
    pages = [
        ("Order list, page 1 (gestor de operaciones)", go, "/instalacion/ordenes/list/", {}),
        ("Order list filtered by state", go, f"/instalacion/ordenes/list/?{state_arg}=ACCEPTED", {}),
        ("Order list of a doctor (their orders)", doctor, "/instalacion/ordenes/list/", {}),
        ("Order list of a technician (assigned orders)", tech, "/instalacion/ordenes/list/", {}),
        ("Board (16 columns, up to 20 cards each)", go, "/instalacion/tablero", {}),
        ("Details page, 0 buttons (gestor general, ACCEPTED)", gg, f"/instalacion/orden/{accepted_id}", {}),
        ("Details page, 2 buttons with forms (gestor general, CREATED)", gg, f"/instalacion/orden/{created_id}", {}),
        ("REST list GET /api/v1/installation_order/", api, "/api/v1/installation_order/", {"headers": headers}),
        ("REST show GET /api/v1/installation_order/<pk>", api, f"/api/v1/installation_order/{created_id}",
         {"headers": headers}),
    ]
    small = {name: _measure(engine, c, url, **kw) for name, c, url, kw in pages}

    started = time.perf_counter()
    with app.app_context():
        _bulk_orders(company_id, user_ids, ORDERS)
    insert_s = time.perf_counter() - started
    big = {name: _measure(engine, c, url, **kw) for name, c, url, kw in pages}

    # the action endpoint: ACCEPT_ORDER on distinct pending orders, CONTACT_DOCTOR (a
    # self-transition) repeatedly on one accepted order
    with app.app_context(), company_scope(company_id):
        pending = list(db.session.scalars(
            select(InstallationOrder.id).where(InstallationOrder.state == "PENDING_ACCEPTANCE").limit(RUNS + 1)))
        accepted = db.session.scalar(select(InstallationOrder.id).where(InstallationOrder.state == "ACCEPTED"))
    queue = iter(pending)

    def accept():
        r = api.post(f"/api/v1/installation_order/{next(queue)}/actions/ACCEPT_ORDER", json={}, headers=headers)
        assert r.status_code == 200, r.get_json()

    def contact():
        r = gc_api.post(f"/api/v1/installation_order/{accepted}/actions/CONTACT_DOCTOR",
                        json={"channel": "teléfono", "note": "bench"}, headers=gc_headers)
        assert r.status_code == 200, r.get_json()

    accept_times = timed(accept, repeat=RUNS)
    with count_statements(engine) as statements:
        accept()
    accept_queries = len(statements)
    contact_times = timed(contact, repeat=RUNS)
    with count_statements(engine) as statements:
        contact()
    contact_queries = len(statements)

    lines = [
        f"SQLite (bench/installation.db), {ORDERS:,} orders in one company (100 made through the service, "
        f"the rest bulk-inserted in {insert_s:.1f} s); median of {RUNS} requests through the test client. "
        "Queries = SQL statements per request, including the login session and permission checks.",
        "",
        "| Request | Queries (100 orders) | Queries (100,000 orders) | Median (100 orders) | Median (100,000 orders) |",
        "|---|---|---|---|---|",
    ]
    for name, *_ in pages:
        (q_small, t_small), (q_big, t_big) = small[name], big[name]
        lines.append(f"| {name} | {q_small} | {q_big} | {median_ms(t_small)} | {median_ms(t_big)} |")
    lines += [
        "",
        "| Action endpoint (REST, 100,000 orders) | Queries | Median |",
        "|---|---|---|",
        f"| POST /actions/ACCEPT_ORDER (distinct orders) | {accept_queries} | {median_ms(accept_times)} |",
        f"| POST /actions/CONTACT_DOCTOR (self-transition, same order) | {contact_queries} | {median_ms(contact_times)} |",
    ]
    return lines
