"""`flask seed` for packaging: the catalogs with the spec's ids from seed/catalogs/packaging.yaml
and seed/workflows/packaging.yaml (idempotent: adds what is missing, updates labels), and each
company's cascade (cascade/seed.py)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.packaging.cascade import seed as cascade_seed
from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import (
    Area,
    ManagementType,
    OtState,
    RequestType,
    RoleArea,
)


def _wanted() -> dict:
    data = cat.data()
    return {
        Area: [dict(id=a["id"], name=a["name"], description=a.get("description")) for a in data["areas"]],
        OtState: [dict(id=sid, name=s["name"], description=s["description"], default_area_id=s["area"],
                       closed=s["closed"]) for sid, s in cat.states().items()],
        ManagementType: [dict(id=t["id"], name=t["name"], description=t.get("description"))
                         for t in data["management_types"]],
        RequestType: [dict(id=t["id"], name=t["name"], description=t.get("description"),
                           first_state_id=t["first_state"],
                           flow=t.get("flow_label") or "->".join(cat.area_names()[a].replace("Área de ", "")
                                                                   for a in t["flow"]))
                      for t in data["request_types"]],
        RoleArea: [dict(id=r["id"], role_name=name, label=r["label"], area_id=r.get("area"),
                        chief=bool(r.get("chief"))) for name, r in data["roles"].items()],
    }


def seed(session: Session) -> None:
    """The shared catalogs, then every company's cascade."""
    for model, wanted in _wanted().items():
        existing = {row.id: row for row in session.scalars(select(model))}
        for values in wanted:
            row = existing.get(values["id"])
            if row is None:
                session.add(model(**values))
            else:
                for key, value in values.items():
                    if getattr(row, key) != value:
                        setattr(row, key, value)
        session.flush()
    cascade_seed.seed(session)
