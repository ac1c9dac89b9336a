"""Packaging work orders (spec packaging-work-orders.md): OTs across departments, management
entries, the WF/FLT/ASIG rules and the function x role matrix. Reference data in
seed/catalogs/packaging.yaml and seed/workflows/packaging.yaml, loaded by seed(); demo data
in demo.py (`flask seed --demo`)."""


def register(appbuilder) -> None:
    """Views and APIs of the module: OTs, the cascade, material codes, quotations, samples."""
    from app.core.tenancy import on_company_created
    from app.packaging import (api, cascade_api, cascade_seed, material_api, material_views, quotation_api,
                               quotation_views, sample_views, views)

    on_company_created("packaging_cascade", cascade_seed.copy_catalog)  # company data (issue 19)

    for apis in (api.APIS, material_api.APIS, quotation_api.QUOTATION_APIS):
        for resource in apis:
            appbuilder.add_api(resource)
    cascade_api.register(appbuilder)
    for pages in (views, material_views, quotation_views, sample_views):
        pages.register(appbuilder)


def seed(session) -> None:
    """The catalogs with the spec's ids (idempotent: adds what is missing, updates labels)."""
    from sqlalchemy import select

    from app.packaging import catalog as cat
    from app.packaging.models import Area, ManagementType, OtState, RequestType, RoleArea

    data = cat.data()
    rows = {
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
    for model, wanted in rows.items():
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
    from app.packaging import cascade_seed

    cascade_seed.seed(session)
