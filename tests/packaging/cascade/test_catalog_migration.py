"""Issue 19 point 2, migration 0019: the shared cascade catalogs become each
company's own rows. On a database at 0017 holding two companies with OTs that use the shared
options, `flask db upgrade` (the app's engine: SQLite with foreign keys on, or PostgreSQL)
leaves each company a full copy, each OT pointing to its own company's copy of the same
option, and the downgrade puts the shared rows back."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, text

from tests.conftest import migrate

LEVELS = ("product_type", "printing", "fsc", "tape", "coverage_internal", "coverage_external", "plant", "carton_color")
TABLE = {lv: f"packaging_{lv}" for lv in LEVELS}
COMBOS = "relacion_filtro_ingresos_principales"
NOW = dt.datetime(2026, 11, 30, 9, 0)


def _fill_at_0017(conn) -> None:
    """Two companies, one user, the catalogs an OT needs and three options per level
    (option 2 of each level is what the OTs chose), two combinations, one OT per company."""
    for pk, name in ((1, "Norte"), (2, "Sur")):
        conn.execute(text("INSERT INTO company (id, name, tax_id, country_code, active, timezone) "
                          "VALUES (:id, :n, 'B1234567', 'ES', true, 'UTC')"), {"id": pk, "n": name})
    conn.execute(text("INSERT INTO ab_user (id, first_name, last_name, username, email, active) "
                      "VALUES (1, 'Ana', 'Uno', 'ana', 'ana@x.test', true)"))
    conn.execute(text("INSERT INTO packaging_area (id, name) VALUES (1, 'Área de Ventas')"))
    conn.execute(text("INSERT INTO packaging_request_type (id, name) VALUES (1, 'Desarrollo Completo')"))
    for lv in LEVELS:
        for pk in (1, 2, 3):
            conn.execute(text(f"INSERT INTO {TABLE[lv]} (id, label, active) VALUES (:id, :label, true)"),
                         {"id": pk, "label": f"{lv} {pk}"})
    for pk, ids in ((1, [1] * 8), (2, [2] * 8)):
        conn.execute(text(f"INSERT INTO {COMBOS} (id, {', '.join(f'{lv}_id' for lv in LEVELS)}, active) "
                          f"VALUES ({pk}, {', '.join(map(str, ids))}, true)"))
    for pk, company in ((1, 1), (2, 2)):
        conn.execute(text(
            "INSERT INTO packaging_work_order (id, number, client, description, request_type_id, current_area_id, "
            f"creator_id, created_at, company_id, state, version, {', '.join(f'{lv}_id' for lv in LEVELS)}) "
            f"VALUES (:id, 1, 'Cliente', 'Caja', 1, 1, 1, :now, :c, '1', 1, {', '.join(['2'] * 8)})"),
            {"id": pk, "c": company, "now": NOW})


def _labels_of_order(conn, pk: int) -> dict:
    out = {}
    for lv in LEVELS:
        out[lv] = conn.execute(text(
            f"SELECT o.label, o.company_id FROM packaging_work_order w JOIN {TABLE[lv]} o ON o.id = w.{lv}_id "
            "WHERE w.id = :id"), {"id": pk}).one()
    return out


def test_hardening_19_2_migration_gives_each_company_its_own_cascade_and_repoints_its_ots(empty_database):
    migrate(empty_database, "upgrade", "0017")
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        _fill_at_0017(conn)
    migrate(empty_database, "upgrade")
    with engine.connect() as conn:
        for lv in LEVELS:
            rows = conn.execute(text(f"SELECT company_id, label FROM {TABLE[lv]} ORDER BY id")).all()
            assert sorted(rows) == sorted([(1, f"{lv} {i}") for i in (1, 2, 3)] + [(2, f"{lv} {i}") for i in (1, 2, 3)])
            # the first company keeps the ids its OTs had
            assert conn.execute(text(f"SELECT id FROM {TABLE[lv]} WHERE company_id = 1 ORDER BY id")).scalars().all() \
                == [1, 2, 3]
        # each OT points to its own company's copy of the option it had
        assert _labels_of_order(conn, 1) == {lv: (f"{lv} 2", 1) for lv in LEVELS}
        assert _labels_of_order(conn, 2) == {lv: (f"{lv} 2", 2) for lv in LEVELS}
        # each company's combinations are made of its own options
        for company in (1, 2):
            combos = conn.execute(text(f"SELECT id FROM {COMBOS} WHERE company_id = :c"), {"c": company}).all()
            assert len(combos) == 2
            for lv in LEVELS:
                foreign = conn.execute(text(
                    f"SELECT count(*) FROM {COMBOS} c JOIN {TABLE[lv]} o ON o.id = c.{lv}_id "
                    "WHERE c.company_id = :c AND o.company_id <> :c"), {"c": company}).scalar()
                assert foreign == 0
    migrate(empty_database, "downgrade", "0017")
    with engine.connect() as conn:
        for lv in LEVELS:
            assert conn.execute(text(f"SELECT id, label FROM {TABLE[lv]} ORDER BY id")).all() == [
                (i, f"{lv} {i}") for i in (1, 2, 3)]
            assert conn.execute(text(f"SELECT {lv}_id FROM packaging_work_order ORDER BY id")).scalars().all() == [2, 2]
        assert conn.execute(text(f"SELECT count(*) FROM {COMBOS}")).scalar() == 2
    engine.dispose()


def test_hardening_19_2_migration_without_companies_drops_the_shared_rows(empty_database):
    migrate(empty_database, "upgrade", "0017")
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO packaging_product_type (id, label, active) VALUES (1, 'Caja', true)"))
    migrate(empty_database, "upgrade")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM packaging_product_type")).scalar() == 0
    engine.dispose()
