"""Packaging SAP material codes (MAT-001): latency of "Crear código material" (POST
/api/v1/packaging_work_order/<pk>/material_code) under 8 concurrent clients (threads, each
with its own test client, so its own session and transaction), each issuing codes for its
own OTs; then the same with the 8 clients hammering one OT (the answer is the code it has).
PostgreSQL when BENCH_DATABASE_URL is set, else SQLite. Sizes: MATERIAL_OTS (default 400)."""
from __future__ import annotations

import os
import statistics
import threading
import time

from sqlalchemy import insert, select

from bench.common import bench_app

CLIENTS = 8
OTS = int(os.environ.get("MATERIAL_OTS", "400"))
REPEATS_ONE_OT = 50  # requests per client on the single OT
SERIAL = 40  # codes issued by one client alone first, for reference


def _setup(app):
    from app.core.tenancy import Company, Membership, company_scope
    from app.extensions import db
    from app.packaging.materials.models import MaterialPrefix, MaterialSuffix
    from app.packaging.orders.models import WorkOrder

    sm = app.appbuilder.sm
    company = Company(name="Bench Materiales", tax_id="B00000000", country_code="ES", subdivision="MD")
    db.session.add(company)
    db.session.flush()
    cat = sm.add_user("bench_catalogador", "Catalogador", "Bench", "catalogador@bench.test",
                      [sm.find_role("ENV_CATALOGADOR")], "bench")
    seller = sm.add_user("bench_vendedor_mat", "Vendedor", "Bench", "vendedor_mat@bench.test",
                         [sm.find_role("ENV_VENDEDOR")], "bench")
    db.session.add_all([Membership(user_id=cat.id, company_id=company.id),
                        Membership(user_id=seller.id, company_id=company.id)])
    db.session.commit()
    with company_scope(company.id):
        prefix = MaterialPrefix(company_id=company.id, code="CC", description="Caja corrugada")
        suffix = MaterialSuffix(company_id=company.id, code="N", description="Nacional")
        db.session.add_all([prefix, suffix])
        db.session.flush()
        # OTs in state 7 (Proceso de Catalogación, area 4), unassigned: the cataloguer sees them
        db.session.execute(insert(WorkOrder), [
            dict(company_id=company.id, number=i + 1, client=f"Cliente {i % 50}", description="Caja",
                 request_type_id=1, state="7", current_area_id=4, creator_id=seller.id, version=1)
            for i in range(OTS + 1)])
        db.session.commit()
        ids = list(db.session.scalars(select(WorkOrder.id).order_by(WorkOrder.id)))
        body = {"prefix_id": prefix.id, "suffix_id": suffix.id}
    return company.id, ids, body


def _client(app, company_id):
    client = app.test_client()
    r = client.post("/api/v1/security/login",
                    json={"username": "bench_catalogador", "password": "bench", "provider": "db"})
    return client, {"Authorization": f"Bearer {r.get_json()['access_token']}", "X-Company-Id": str(company_id)}


def _run_clients(app, clients, work: list[list[int]], body) -> tuple[list[float], float, list]:
    """Each client posts for its OT ids in turn; all start together. (latencies, wall, answers)"""
    barrier = threading.Barrier(len(clients))
    latencies, answers, errors = [], [], []
    lock = threading.Lock()

    def run(client, headers, pks):
        barrier.wait(timeout=60)
        with app.app_context():
            for pk in pks:
                start = time.perf_counter()
                r = client.post(f"/api/v1/packaging_work_order/{pk}/material_code", json=body, headers=headers)
                spent = time.perf_counter() - start
                with lock:
                    if r.status_code not in (200, 201):
                        errors.append((r.status_code, r.get_data(as_text=True)[:200]))
                    latencies.append(spent)
                    answers.append((pk, r.get_json().get("number")))

    threads = [threading.Thread(target=run, args=(c, h, pks)) for (c, h), pks in zip(clients, work, strict=True)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    assert not errors, errors[:3]
    return latencies, wall, answers


def _row(label, latencies, wall) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (f"| {label} | {len(latencies)} | {statistics.median(ordered) * 1000:.1f} ms | {p95 * 1000:.1f} ms | "
            f"{len(latencies) / wall:.0f} /s |")


def run() -> list[str]:
    from app.extensions import db

    app = bench_app("packaging_material")
    with app.app_context():
        company_id, ids, body = _setup(app)
        dialect = db.engine.dialect.name
    clients = [_client(app, company_id) for _ in range(CLIENTS)]
    serial, new_ids, one = ids[:SERIAL], ids[SERIAL:OTS], ids[OTS]
    _run_clients(app, clients[:1], [[one]], body)  # warm-up: the one OT gets its code
    lat_one, wall_one, answers = _run_clients(app, clients[:1], [serial], body)
    lat_new, wall_new, more = _run_clients(app, clients, [new_ids[i::CLIENTS] for i in range(CLIENTS)], body)
    numbers = sorted(n for _, n in answers + more)
    assert numbers == list(range(700001, 700001 + OTS)), "numbers repeated or skipped"
    lat_same, wall_same, answers = _run_clients(app, clients, [[one] * REPEATS_ONE_OT] * CLIENTS, body)
    assert {n for _, n in answers} == {700000}
    return [
        f"{CLIENTS} concurrent clients (threads, one test client and session each), {dialect}; OTs in "
        "Catalogación; the numbers drawn were checked consecutive from 700001 with no repeat. The threads share "
        "one Python process (GIL) with the app they call: latency under 8 clients is mostly queueing for the "
        "interpreter, and the throughput is what one process gives (compare with the single client).",
        "", "| Requests | Count | p50 | p95 | Throughput |", "|---|---|---|---|---|",
        _row("New code, 1 client alone (for reference)", lat_one, wall_one),
        _row(f"New code, {CLIENTS} clients, each its own OTs", lat_new, wall_new),
        _row(f"Same OT asked again, {CLIENTS} clients (answers its code)", lat_same, wall_same),
    ]
