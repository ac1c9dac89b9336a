"""Packaging work orders: the OT list for a seller, an engineer and a sample technician (page
and REST), /allowed and a state change, with many OTs and management entries bulk-inserted.
Sizes: PACKAGING_OTS (default 20,000) OTs, 10 management entries each; the issue's 100,000 /
1,000,000 on PostgreSQL: BENCH_DATABASE_URL=... PACKAGING_OTS=100000 python -m bench packaging."""
from __future__ import annotations

import os
import statistics

from sqlalchemy import insert

from bench.common import bench_app, count_statements, timed

OTS = int(os.environ.get("PACKAGING_OTS", "20000"))
ENTRIES_PER_OT = 10
RUNS = 20
ROLES = ("ENV_VENDEDOR", "ENV_INGENIERO", "ENV_TECNICO_MUESTRAS", "ENV_JEFE_VENTAS")


def _setup(app):
    from app.core.tenancy import Company, Membership, company_scope
    from app.extensions import db
    from app.packaging.catalogs.models import CuttingRoom, PackagingProfile
    from app.packaging.orders.models import Assignment, Management, WorkOrder
    from app.packaging.samples.models import Sample

    sm = app.appbuilder.sm
    company = Company(name="Bench Envases", tax_id="B00000000", country_code="ES", subdivision="MD")
    db.session.add(company)
    db.session.flush()
    users = {}
    for role in ROLES:
        name = role.lower()
        users[role] = sm.add_user(name, name.title(), "Bench", f"{name}@bench.test", [sm.find_role(role)], "bench")
        db.session.add(Membership(user_id=users[role].id, company_id=company.id))
    db.session.commit()
    with company_scope(company.id):
        room = CuttingRoom(company_id=company.id, name="Sala 1")
        db.session.add(room)
        db.session.flush()
        db.session.add(PackagingProfile(company_id=company.id, user_id=users["ENV_TECNICO_MUESTRAS"].id,
                                        cutting_room_id=room.id))
        states = ["1", "2", "5", "6", "7", "8", "10", "14", "16", "17"]
        areas = {"1": 1, "2": 2, "5": 3, "6": 5, "7": 4, "8": 4, "10": 1, "14": 1, "16": 1, "17": 6}
        seller = users["ENV_VENDEDOR"].id
        batch = 5000
        for start in range(0, OTS, batch):
            rows = [dict(id=i + 1, company_id=company.id, number=i + 1, client=f"Cliente {i % 500}",
                         description="Caja", request_type_id=1 + i % 7, state=states[i % 10],
                         current_area_id=areas[states[i % 10]], creator_id=seller if i % 4 == 0 else users["ENV_JEFE_VENTAS"].id,
                         version=1) for i in range(start, min(OTS, start + batch))]
            db.session.execute(insert(WorkOrder), rows)
            db.session.execute(insert(Management), [
                dict(company_id=company.id, work_order_id=r["id"], management_type_id=1 + (k % 2), state_from="1",
                     state_to=r["state"], area_to_id=r["current_area_id"], note="bench")
                for r in rows for k in range(ENTRIES_PER_OT)])
            db.session.execute(insert(Assignment), [
                dict(company_id=company.id, work_order_id=r["id"], area_id=2, user_id=users["ENV_INGENIERO"].id)
                for r in rows if r["id"] % 5 == 0])
            db.session.execute(insert(Sample), [
                dict(company_id=company.id, work_order_id=r["id"], state=1, room_1_id=room.id)
                for r in rows if r["state"] == "17" and r["id"] % 2 == 0])
            db.session.commit()
    return company.id


def _login(app, username):
    client = app.test_client()
    r = client.post("/login/", data={"username": username, "password": "bench"})
    assert r.status_code == 302, r.status_code
    return client


def _jwt(app, username):
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={"username": username, "password": "bench", "provider": "db"})
    return client, {"Authorization": f"Bearer {token.get_json()['access_token']}"}


def _measure(engine, client, url, method="get", **kw):
    getattr(client, method)(url, **kw)
    with count_statements(engine) as statements:
        r = getattr(client, method)(url, **kw)
    assert r.status_code in (200, 201), (url, r.status_code, r.get_data(as_text=True)[:300])
    samples = timed(lambda: getattr(client, method)(url, **kw), repeat=RUNS)
    return len(statements), samples


def _p95(samples):
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)] * 1000


def run() -> list[str]:
    from app.extensions import db

    app = bench_app("packaging")
    with app.app_context():
        _setup(app)
        engine = db.engine
    seller, engineer, tech = (_login(app, r.lower()) for r in ROLES[:3])
    api, headers = _jwt(app, "env_vendedor")
    rows = [
        ("OT list, seller (FLT-001, FLT-005)", seller, "/envases/ots/"),
        ("OT list, engineer (FLT-002: assigned)", engineer, "/envases/ots/"),
        ("OT list, engineer, unassigned in area", engineer, "/envases/ots/?asignado=NO"),
        ("OT list, sample technician (FLT-004, FLT-005)", tech, "/envases/ots/"),
        ("REST list, seller", api, "/api/v1/packaging_work_order/", {"headers": headers}),
        ("REST /allowed, seller, OT 1", api, "/api/v1/packaging_work_order/1/allowed", {"headers": headers}),
        ("OT page with 10 entries, seller", seller, "/envases/ots/1"),
    ]
    lines = [f"{OTS:,} OTs, {OTS * ENTRIES_PER_OT:,} management entries ({engine.dialect.name}); {RUNS} runs each.",
             "", "| Request | Queries | Median | p95 |", "|---|---|---|---|"]
    for label, client, url, *kw in rows:
        queries, samples = _measure(engine, client, url, **(kw[0] if kw else {}))
        lines.append(f"| {label} | {queries} | {statistics.median(samples) * 1000:.1f} ms | {_p95(samples):.1f} ms |")
    queries, samples = _state_changes(engine, api, headers)
    lines.append(f"| State change (POST packaging_management, type 1), seller | {queries} | "
                 f"{statistics.median(samples) * 1000:.1f} ms | {_p95(samples):.1f} ms |")
    return lines


def _state_changes(engine, api, headers):
    """Type-1 management entries on distinct OTs in Sales created by the seller, each to the
    first state /allowed offers."""
    sales = [i + 1 for i in range(0, OTS, 20)][: RUNS + 2]  # state 1, created by the seller
    moves = iter([(pk, allowed[0]) for pk in sales if (allowed := api.get(
        f"/api/v1/packaging_work_order/{pk}/allowed", headers=headers).get_json()["states"])])

    def change():
        pk, state = next(moves)
        r = api.post("/api/v1/packaging_management/", headers=headers,
                     json={"work_order": pk, "management_type": 1, "state": state, "note": "bench"})
        assert r.status_code in (200, 201), r.get_json()

    with count_statements(engine) as statements:
        change()
    return len(statements), timed(change, repeat=RUNS)
