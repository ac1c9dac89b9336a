"""The cascade's seed (here because the aggregate owns these rows; the module's seed.py and
its manifest call it). Each company's cascade (issue 19: company data):
seed/catalogs/packaging_cascade.yaml is copied into a company when it is created (core's
`on_company_created`: the Empresas page or API, `flask seed --demo`, tests alike) and, by
`flask seed`, into any company that has no cascade yet. A company that has its catalog keeps
it as its admins edited it: the seed never re-adds a renamed option or a withdrawn
combination."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.seeds import load_seed
from app.core.tenancy import Company
from app.packaging.cascade.models import LEVELS, Combination, ProductType

SEED_FILE = "catalogs/packaging_cascade.yaml"


def copy_catalog(connection: Connection, company_id: int) -> None:
    """The seed's options of the eight levels and its combinations (active and withdrawn) as
    rows of company `company_id`: one INSERT per level and one for the combinations."""
    data = load_seed(SEED_FILE)
    ids = {}
    for level in LEVELS:
        table, rows = level.model.__table__, data["options"][level.field]
        new = connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{"company_id": company_id, "label": row["label"], "active": row.get("active", True)} for row in rows],
        ).scalars().all()
        ids[level] = dict(zip((row["id"] for row in rows), new, strict=True))
    combinations, seen = [], set()
    for key, active in (("combinations", True), ("inactive_combinations", False)):
        for chosen in data.get(key) or []:
            if tuple(chosen) not in seen:
                seen.add(tuple(chosen))
                combinations.append({"company_id": company_id, "active": active,
                                     **{lv.column: ids[lv][pk] for lv, pk in zip(LEVELS, chosen, strict=True)}})
    if combinations:
        connection.execute(insert(Combination.__table__), combinations)


def seed(session: Session) -> None:
    """`flask seed`: every company without cascade options gets the seed's (idempotent)."""
    have = set(session.scalars(select(ProductType.company_id).distinct().execution_options(all_companies=True)))
    for company_id in session.scalars(select(Company.id).order_by(Company.id)):
        if company_id not in have:
            copy_catalog(session.connection(), company_id)
    session.flush()
