"""Packaging cascade (CASC-001/002): the option endpoint of each level and POST
/postVerificacionFiltro with CASCADE_COMBINATIONS (default 50,000) allowed combinations
bulk-inserted over larger option catalogs; latency (p50, p95) and SQL statements per call.
On PostgreSQL: BENCH_DATABASE_URL=postgresql+psycopg://... python -m bench packaging_cascade."""
from __future__ import annotations

import os
import random
import statistics

from sqlalchemy import insert, text

from bench.common import bench_app, count_statements, timed

COMBINATIONS = int(os.environ.get("CASCADE_COMBINATIONS", "50000"))
RUNS = 50
# options per level (the seed's and more): 40 x 10 x 5 x 4 x 6 x 6 x 8 x 5 = 11.5 million possible
SIZES = {"product_type": 40, "printing": 10, "fsc": 5, "tape": 4, "coverage_internal": 6, "coverage_external": 6,
         "plant": 8, "carton_color": 5}


def _setup(app):
    from app.core.tenancy import Company, Membership
    from app.extensions import db
    from app.packaging.cascade.models import LEVELS, Combination

    sm = app.appbuilder.sm
    company = Company(name="Bench Cascada", tax_id="B00000125", country_code="ES", subdivision="MD")
    db.session.add(company)
    db.session.flush()
    user = sm.add_user("cascade_seller", "Cascade", "Bench", "cascade@bench.test", [sm.find_role("ENV_VENDEDOR")],
                       "bench")
    db.session.add(Membership(user_id=user.id, company_id=company.id))
    ids = {}
    for lv in LEVELS:  # the company's own options (issue 19), the seed's and more
        have = db.session.query(lv.model).filter(lv.model.company_id == company.id).count()
        db.session.execute(insert(lv.model), [dict(company_id=company.id, label=f"{lv.field} {i}", active=True)
                                              for i in range(have + 1, SIZES[lv.field] + 1)])
        ids[lv] = [pk for (pk,) in db.session.query(lv.model.id).filter(lv.model.company_id == company.id)
                   .order_by(lv.model.id)]
    db.session.commit()
    rng = random.Random(12)
    existing = {tuple(r) for r in db.session.execute(
        text(f"SELECT {', '.join(lv.column for lv in LEVELS)} FROM relacion_filtro_ingresos_principales"))}
    combos = set()
    while len(combos) + len(existing) < COMBINATIONS:
        combo = tuple(rng.choice(ids[lv]) for lv in LEVELS)
        if combo not in existing:
            combos.add(combo)
    rows = [dict(zip([lv.column for lv in LEVELS], c, strict=True), company_id=company.id, active=i % 50 != 0)
            for i, c in enumerate(combos)]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Combination), rows[start:start + 5000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE relacion_filtro_ingresos_principales"))
        db.session.commit()
    # a deep prefix that exists: the first active combination's levels
    first = db.session.execute(text(
        f"SELECT {', '.join(lv.column for lv in LEVELS)} FROM relacion_filtro_ingresos_principales "
        "WHERE active ORDER BY id DESC LIMIT 1")).one()
    return dict(zip([lv.column for lv in LEVELS], first, strict=True))


def _p95(samples):
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)] * 1000


def _measure(engine, call):
    r = call()
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    with count_statements(engine) as statements:
        call()
    return len(statements), timed(call, repeat=RUNS), r.get_json()


def _plan(engine, combo) -> list[str]:
    if engine.dialect.name != "postgresql":
        return []
    from app.packaging.cascade.models import LEVELS

    where = " AND ".join(f"c.{lv.column} = {combo[lv.column]}" for lv in LEVELS[:6])
    sql = (f"EXPLAIN SELECT o.id, o.label FROM packaging_plant o WHERE o.active AND EXISTS (SELECT 1 FROM "
           f"relacion_filtro_ingresos_principales c WHERE c.plant_id = o.id AND c.active AND {where}) ORDER BY o.label")
    with engine.connect() as conn:
        plan = [r[0] for r in conn.execute(text(sql))]
    return ["", "Plan of the plant options (six levels chosen), PostgreSQL:", "", "```", *plan, "```"]


def run() -> list[str]:
    from app.extensions import db

    app = bench_app("packaging_cascade")
    with app.app_context():
        combo = _setup(app)
        engine = db.engine
        total = db.session.execute(text("SELECT COUNT(*) FROM relacion_filtro_ingresos_principales")).scalar()
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={"username": "cascade_seller", "password": "bench",
                                                        "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    prefix = lambda n: "&".join(f"{k}={v}" for k, v in list(combo.items())[:n])  # noqa: E731
    legacy = {"product_type_id": combo["product_type_id"], "impresion_id": combo["printing_id"]}
    gaps = {**legacy, "fsc_id": combo["fsc_id"], "cinta_id": combo["tape_id"], "planta_id": combo["plant_id"]}
    opt = "/api/v1/packaging_cascade/options?level="
    calls = [
        ("GET /levels (baseline: authentication, no cascade SQL)",
         lambda: client.get("/api/v1/packaging_cascade/levels", headers=headers)),
        ("options, level 1 (product type)", lambda: client.get(f"{opt}product_type", headers=headers)),
        ("options, level 2 (printing, given the product type)", lambda: client.get(f"{opt}printing&{prefix(1)}", headers=headers)),
        ("options, level 4 (tape, given 3 levels)", lambda: client.get(f"{opt}tape&{prefix(3)}", headers=headers)),
        ("options, level 7 (plant, given 6 levels)", lambda: client.get(f"{opt}plant&{prefix(6)}", headers=headers)),
        ("options, level 8 (carton colour, given 7 levels)",
         lambda: client.get(f"{opt}carton_color&{prefix(7)}", headers=headers)),
        ("POST /postVerificacionFiltro {product_type_id, impresion_id}",
         lambda: client.post("/postVerificacionFiltro", json=legacy, headers=headers)),
        ("POST /postVerificacionFiltro + fsc, cinta, planta (gap at the coverages)",
         lambda: client.post("/postVerificacionFiltro", json=gaps, headers=headers)),
        ("POST /postVerificacionFiltro, all eight levels",
         lambda: client.post("/postVerificacionFiltro", json={
             "product_type_id": combo["product_type_id"], "impresion_id": combo["printing_id"],
             "fsc_id": combo["fsc_id"], "cinta_id": combo["tape_id"],
             "coverage_internal_id": combo["coverage_internal_id"],
             "coverage_external_id": combo["coverage_external_id"], "planta_id": combo["plant_id"],
             "carton_color_id": combo["carton_color_id"]}, headers=headers)),
    ]
    lines = [f"{total:,} allowed combinations (1 in 50 inactive) over {' x '.join(map(str, SIZES.values()))} "
             f"options ({engine.dialect.name}); REST with JWT; {RUNS} runs each.",
             "", "| Request | Queries | Options returned | p50 | p95 |", "|---|---|---|---|---|"]
    for label, call in calls:
        queries, samples, body = _measure(engine, call)
        n = len((body.get("next") or body).get("options") or body.get("levels") or [])
        lines.append(f"| {label} | {queries} | {n} | {statistics.median(samples) * 1000:.1f} ms | "
                     f"{_p95(samples):.1f} ms |")
    return lines + _plan(engine, combo)
