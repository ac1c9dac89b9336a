"""`flask seed` for packaging: the catalogs with the spec's ids from seed/catalogs/packaging.yaml
and seed/workflows/packaging.yaml, and each company's cascade (cascade/seed.py).

Issue 20 · 7 (docs/decisions.md): a missing row is added with the YAML's names; an existing
row keeps its names and descriptions (an admin's rename survives every later seed), while the
structure the code reads from the YAML (a state's default area and `closed`, a request type's
first state and flow, a role's FAB name, area and chief) is brought back to the YAML's. A
description that is exactly one an earlier seed wrote by mistake (`seeded_before`: the four
areas cut at their comma, issue 21 · 9) is replaced by the YAML's; any other is kept."""
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

# what the code reads from the YAML, refreshed on every seed; every other column is a label
STRUCTURE = {
    Area: (),
    OtState: ("default_area_id", "closed"),
    ManagementType: (),
    RequestType: ("first_state_id", "flow"),
    RoleArea: ("role_name", "area_id", "chief"),
}


def _flow(spec: dict, area_names: dict[int, str]) -> str:
    """A request type's flow as text: its areas in order, by their names in the database."""
    return spec.get("flow_label") or "->".join(area_names[a].replace("Área de ", "") for a in spec["flow"])


def _wanted(model, session: Session) -> list[dict]:
    data = cat.data()
    if model is Area:
        return [dict(id=a["id"], name=a["name"], description=a.get("description"),
                     seeded_before=a.get("seeded_before", [])) for a in data["areas"]]
    if model is OtState:
        return [dict(id=int(code), name=s.label, description=s.attrs.get("description"),
                     default_area_id=s.attrs.get("area"), closed=bool(s.attrs.get("closed")))
                for code, s in cat.workflow().states.items()]
    if model is ManagementType:
        return [dict(id=t["id"], name=t["name"], description=t.get("description")) for t in data["management_types"]]
    if model is RequestType:
        names = dict(session.execute(select(Area.id, Area.name)).all())
        return [dict(id=t["id"], name=t["name"], description=t.get("description"), first_state_id=t["first_state"],
                     flow=_flow(t, names)) for t in data["request_types"]]
    return [dict(id=r["id"], role_name=name, label=r["label"], area_id=r.get("area"), chief=bool(r.get("chief")))
            for name, r in data["roles"].items()]


def seed(session: Session) -> None:
    """The shared catalogs (areas first: the request types' flows name them), then every
    company's cascade."""
    for model, structure in STRUCTURE.items():
        existing = {row.id: row for row in session.scalars(select(model))}
        for values in _wanted(model, session):
            row = existing.get(values["id"])
            seeded_before = values.pop("seeded_before", [])
            if row is None:
                session.add(model(**values))
                continue
            for key in structure:
                if getattr(row, key) != values[key]:
                    setattr(row, key, values[key])
            if seeded_before and row.description in seeded_before:  # a faulty seed's text, never an admin's
                row.description = values["description"]
        session.flush()
    cascade_seed.seed(session)
