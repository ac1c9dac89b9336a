"""Issue 19, point 2: a company's packaging administrator edited catalogs every company shares.
The platform's structure (areas, states, management types, request types, roles' areas) is
read by the tenant admins and written by Admin only: the REST API, the pages and the flush
itself refuse (403). The cascade (product types, the other seven levels, the allowed
combinations) is company data: one company's edit is invisible to the other company in
lists, show, the filter drop-downs, the OT form, the option endpoint and
/postVerificacionFiltro."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.errors import ActionNotAllowed
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.packaging.cascade.models import Combination, ProductType
from app.packaging.catalogs.models import (
    Area,
    ManagementType,
    OtState,
    PackagingProfile,
    RequestType,
    RoleArea,
)

# (model, REST resource, page segment, pk, REST payload, page form data)
PLATFORM = [
    (Area, "packaging_area", "area", 8, {"name": "Área en pausa"}, {"name": "Área en pausa"}),
    (OtState, "packaging_state", "state", 2, {"name": "Estado propio"}, {"name": "Estado propio"}),
    (ManagementType, "packaging_management_type", "management_type", 4, {"name": "Bitácora propia"},
     {"name": "Bitácora propia"}),
    (RequestType, "packaging_request_type", "request_type", 1, {"name": "Solicitud propia"},
     {"name": "Solicitud propia"}),
    (RoleArea, "packaging_role_area", "role_area", 4, {"chief": True}, {"area": "2", "chief": "y"}),
]
TENANT_ADMINS = ("administrador", "super_administrador")
OPTIONS = "/api/v1/packaging_cascade/options"
VERIFY = "/postVerificacionFiltro"


def _snapshot(session, model, pk):
    session.rollback()
    row = session.get(model, pk)
    return {c.key: getattr(row, c.key) for c in model.__table__.columns}


@pytest.mark.parametrize("model,resource,segment,pk,payload,form", PLATFORM,
                         ids=[p[1] for p in PLATFORM])
def test_hardening_19_2_tenant_admins_read_but_cannot_write_platform_catalogs(world, api, login, app, session,
                                                                             model, resource, segment, pk, payload,
                                                                             form):
    before = _snapshot(session, model, pk)
    for username in TENANT_ADMINS:
        c = api(world.u(username), world.company)
        assert c.get(f"/api/v1/{resource}/").status_code == 200
        assert c.get(f"/api/v1/{resource}/{pk}").status_code == 200
        assert c.put(f"/api/v1/{resource}/{pk}", json=payload).status_code == 403, username
        assert c.post(f"/api/v1/{resource}/", json={"id": 99, **payload}).status_code in (403, 405)
        page = login(username, test_client=app.test_client())
        listed = page.get(f"/envases/mantenedores/{segment}/list/")
        assert listed.status_code == 200
        assert f"/envases/mantenedores/{segment}/edit/" not in listed.get_data(as_text=True)  # no edit link
        assert page.get(f"/envases/mantenedores/{segment}/edit/{pk}").status_code == 403
        assert page.post(f"/envases/mantenedores/{segment}/edit/{pk}", data=form).status_code == 403
    assert _snapshot(session, model, pk) == before
    # the platform's administrator edits it
    r = api(world.u("admin"), world.company).put(f"/api/v1/{resource}/{pk}", json=payload)
    assert r.status_code == 200, r.get_json()
    after = _snapshot(session, model, pk)
    assert after != before and all(after[k if k in after else f"{k}_id"] == v for k, v in payload.items())


def test_hardening_19_2_the_flush_refuses_a_shared_catalog_write_by_anyone_but_admin(world, session):
    """Whatever page, API or service tries: the tenancy hook refuses it, naming the catalog."""
    with company_scope(world.company.id), acting_as(world.u("super_administrador")):
        session.get(Area, 8).name = "Área en pausa"
        with pytest.raises(ActionNotAllowed) as refused:
            session.flush()
        assert refused.value.status == 403 and "«Áreas»" in refused.value.message
        session.rollback()
        session.add(ManagementType(id=99, name="Nueva"))
        with pytest.raises(ActionNotAllowed):
            session.flush()
        session.rollback()
    with company_scope(world.company.id), acting_as(world.u("admin")):
        session.get(Area, 8).name = "Área en pausa"
        session.commit()
    assert _snapshot(session, Area, 8)["name"] == "Área en pausa"


def _own(session, company, model, **where):
    with company_scope(company.id):
        return session.scalar(select(model).filter_by(**where).order_by(model.id))


def _labels(r):
    assert r.status_code == 200, r.get_json()
    return [o["label"] for o in r.get_json()["options"]]


@pytest.fixture
def edited(world, api, make_user, session):
    """Norte's admin renames «Separador», deactivates «Plancha», adds «Caja Norte exclusiva»
    and a combination with it; Sur gets an admin of its own."""
    world.users["sur_admin"] = make_user(roles=["ENV_ADMINISTRADOR"], companies=[world.other], username="admin_sur")
    norte = api(world.u("administrador"), world.company)
    separador = _own(session, world.company, ProductType, label="Separador")
    plancha = _own(session, world.company, ProductType, label="Plancha")
    assert norte.put(f"/api/v1/packaging_product_type/{separador.id}", json={"label": "Separador Norte"}).status_code == 200
    assert norte.put(f"/api/v1/packaging_product_type/{plancha.id}", json={"active": False}).status_code == 200
    r = norte.post("/api/v1/packaging_product_type/", json={"label": "Caja Norte exclusiva", "active": True})
    assert r.status_code == 201, r.get_json()
    exclusive = r.get_json()["id"]
    with company_scope(world.company.id):
        model = session.get(Combination, _own(session, world.company, Combination).id)
        combo = {lv: getattr(model, f"{lv}_id") for lv in ("printing", "fsc", "tape", "coverage_internal",
                                                            "coverage_external", "plant", "carton_color")}
    r = norte.post("/api/v1/packaging_cascade_combination/", json={"product_type": exclusive, **combo, "active": True})
    assert r.status_code == 201, r.get_json()
    return {"exclusive": exclusive, "combination": r.get_json()["id"], "separador": separador.id}


def test_hardening_19_2_one_companys_cascade_edits_are_invisible_to_the_other(world, edited, api, login, client, app):
    sur = api(world.u("sur_admin"), world.other)
    # list, show and write of Norte's rows from Sur
    listed = sur.get("/api/v1/packaging_product_type/?q=(page_size:100)").get_json()
    assert sorted(r["label"] for r in listed["result"]) == [
        "Bandeja", "Caja regular (RSC)", "Caja troquelada", "Exhibidor (display)", "Plancha", "Separador"]
    assert sur.get(f"/api/v1/packaging_product_type/{edited['exclusive']}").status_code == 404
    assert sur.put(f"/api/v1/packaging_product_type/{edited['exclusive']}", json={"label": "X"}).status_code == 404
    assert sur.get(f"/api/v1/packaging_cascade_combination/{edited['combination']}").status_code == 404
    combos = sur.get("/api/v1/packaging_cascade_combination/?q=(page_size:100)").get_json()
    assert combos["count"] == 37 and "Caja Norte exclusiva" not in str(combos)
    # pages: list, show, and the combinations list's filter drop-downs (search form)
    page = login("admin_sur")
    for url in ("/envases/mantenedores/product_type/list/", "/envases/mantenedores/combinaciones/list/",
                "/envases/mantenedores/combinaciones/add"):
        html = page.get(url).get_data(as_text=True)
        assert "Caja Norte exclusiva" not in html and "Separador Norte" not in html, url
        assert "Separador" in html and "Plancha" in html, url
    assert page.get(f"/envases/mantenedores/product_type/show/{edited['exclusive']}").status_code == 404
    # Sur's OT form, option endpoint and /postVerificacionFiltro offer Sur's own catalog
    seller = api(world.u("sur_vendedor"), world.other)
    offered = _labels(seller.get(f"{OPTIONS}?level=product_type"))
    assert offered == ["Bandeja", "Caja regular (RSC)", "Caja troquelada", "Exhibidor (display)", "Plancha", "Separador"]
    r = seller.get(f"{OPTIONS}?level=printing&product_type_id={edited['exclusive']}")
    assert r.status_code == 422 and r.get_json()["field"] == "product_type_id"
    body = seller.post(VERIFY, json={}).get_json()
    assert [o["label"] for o in body["next"]["options"]] == offered
    r = seller.post(VERIFY, json={"product_type_id": edited["exclusive"]})
    assert r.status_code == 422 and r.get_json()["field"] == "product_type_id"
    r = seller.post("/api/v1/packaging_work_order/", json={"client": "C", "description": "D", "request_type": 1,
                                                           "product_type": edited["exclusive"]})
    assert r.status_code == 422 and r.get_json()["field"] == "product_type"
    form = login("vendedor_sur", test_client=app.test_client()).get("/envases/ots/nueva").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="product_type".*?</select>', form, re.S).group(0)
    assert "Separador" in select_html and "Plancha" in select_html and "Caja Norte exclusiva" not in select_html
    # ... while Norte sees its own edits
    norte = api(world.u("vendedor"), world.company)
    assert _labels(norte.get(f"{OPTIONS}?level=product_type")) == [
        "Bandeja", "Caja Norte exclusiva", "Caja regular (RSC)", "Caja troquelada", "Exhibidor (display)",
        "Separador Norte"]


def test_hardening_19_2_a_new_company_gets_its_own_cascade(session, make_company):
    first, second = make_company(name="Primera"), make_company(name="Segunda")
    for company in (first, second):
        with company_scope(company.id):
            assert len(session.scalars(select(ProductType)).all()) == 6
            combos = session.scalars(select(Combination)).all()
            assert len(combos) == 37 and all(c.product_type.company_id == company.id for c in combos)


def test_hardening_19_3_a_profile_form_refuses_a_user_of_another_company(make_company, make_user, login, client,
                                                                       session):
    """The same scope checks what a form submits: a profile for Sur's user is refused."""
    north, south = make_company(name="Norte"), make_company(name="Sur")
    make_user(roles=["ENV_ADMINISTRADOR"], companies=[north], username="admin_norte")
    south_user = make_user(roles=["ENV_VENDEDOR"], companies=[south], username="zsur_vendedor")
    login("admin_norte")
    r = client.post("/envases/mantenedores/profile/add", data={"user": str(south_user.id)})
    assert r.status_code == 422 and "zsur" not in r.get_data(as_text=True).lower()
    session.rollback()
    assert session.scalar(select(func.count(PackagingProfile.id))) == 0
