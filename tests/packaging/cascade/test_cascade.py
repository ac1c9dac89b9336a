"""CASCADA DE CAMPOS (CASC-001/002) with the seeded demo combinations
(seed/catalogs/packaging_cascade.yaml): the option endpoints, POST /postVerificacionFiltro
(JWT and browser session + CSRF), the OT saved through REST and the page re-checked on the
server, the Admin's catalogs."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.core.tenancy import company_scope
from app.packaging.cascade.models import LEVELS, Combination, Plant, ProductType
from app.packaging.orders.models import WorkOrder
from tests.factories import PASSWORD

OPTIONS = "/api/v1/packaging_cascade/options"
VERIFY = "/postVerificacionFiltro"
ORDERS = "/api/v1/packaging_work_order/"
# a seeded combination: Caja regular / Sin impresión / Sin FSC / Sin cinta / Sin rec. / Sin rec. / Buin / Café
FULL = {"product_type": 1, "printing": 1, "fsc": 1, "tape": 1, "coverage_internal": 1, "coverage_external": 1,
        "plant": 1, "carton_color": 1}
BASE_OT = {"client": "Viña Sur", "description": "Caja 6 botellas", "request_type": 1}


def labels(r):
    assert r.status_code == 200, r.get_json()
    return [o["label"] for o in r.get_json()["options"]]


def orders(session):
    session.rollback()
    with company_scope(None):
        return session.scalar(select(func.count(WorkOrder.id)))


def test_casc_001_each_level_offers_only_active_options_of_active_combinations(world, api):
    seller = api(world.u("vendedor"), world.company)
    assert labels(seller.get(f"{OPTIONS}?level=product_type")) == [
        "Bandeja", "Caja regular (RSC)", "Caja troquelada", "Exhibidor (display)", "Plancha", "Separador"]
    assert labels(seller.get(f"{OPTIONS}?level=printing&product_type_id=4")) == ["Flexografía 1 color", "Sin impresión"]
    assert labels(seller.get(f"{OPTIONS}?level=printing&product_type_id=5")) == ["Sin impresión"]
    # Offset for a regular box is only in a withdrawn (inactive) combination
    assert "Offset (preimpreso)" not in labels(seller.get(f"{OPTIONS}?level=printing&product_type_id=1"))
    # the only plant of this tray is Til Til, an inactive option
    prefix = "product_type_id=3&printing_id=2&fsc_id=1&tape_id=1&coverage_internal_id=4&coverage_external_id=1"
    assert labels(seller.get(f"{OPTIONS}?level=plant&{prefix}")) == []
    assert labels(seller.get(f"{OPTIONS}?level=plant&product_type_id=1&printing_id=1&fsc_id=1&tape_id=1"
                             "&coverage_internal_id=1&coverage_external_id=1")) == ["Planta Buin"]


def test_casc_001_a_level_needs_every_earlier_one_and_bad_ids_are_422_naming_the_field(world, api):
    seller = api(world.u("vendedor"), world.company)
    r = seller.get(f"{OPTIONS}?level=printing")
    assert r.status_code == 422 and r.get_json()["field"] == "product_type_id"
    assert "«Tipo de ítem»" in r.get_json()["message"]
    r = seller.get(f"{OPTIONS}?level=tape&product_type_id=1&printing_id=1")
    assert r.status_code == 422 and r.get_json()["field"] == "fsc_id"
    r = seller.get(f"{OPTIONS}?level=carton_color&product_type_id=3&printing_id=2&fsc_id=1&tape_id=1"
                   "&coverage_internal_id=4&coverage_external_id=1&planta_id=4")  # Til Til: inactive
    assert r.status_code == 422 and r.get_json()["field"] == "planta_id" and "desactivada" in r.get_json()["message"]
    for query, field in (("level=colour", "level"), ("level=printing&product_type_id=999", "product_type_id"),
                         ("level=printing&product_type_id=abc", "product_type_id"),
                         ("level=printing&product_type_id=1&color=2", "color"), ("", "level")):
        r = seller.get(f"{OPTIONS}?{query}")
        assert r.status_code == 422 and r.get_json()["field"] == field, (query, r.get_json())


def test_casc_001_what_the_admin_deactivates_is_no_longer_offered(world, api, session):
    admin = api(world.u("administrador"), world.company)
    seller = api(world.u("vendedor"), world.company)
    assert admin.put("/api/v1/packaging_product_type/5", json={"active": False}).status_code == 200
    assert "Separador" not in labels(seller.get(f"{OPTIONS}?level=product_type"))
    # Plancha + Flexografía 1 color has one combination: withdrawing it withdraws the option
    combo = session.scalar(select(Combination.id).where(Combination.product_type_id == 4, Combination.printing_id == 2))
    assert admin.put(f"/api/v1/packaging_cascade_combination/{combo}", json={"active": False}).status_code == 200
    assert labels(seller.get(f"{OPTIONS}?level=printing&product_type_id=4")) == ["Sin impresión"]
    # a seller does not edit the catalogs
    assert seller.put("/api/v1/packaging_product_type/1", json={"active": False}).status_code == 403


def test_casc_002_post_verificacion_filtro_says_valid_and_the_next_level(world, api):
    seller = api(world.u("vendedor"), world.company)
    r = seller.post(VERIFY, json={"product_type_id": 4, "impresion_id": 1})
    body = r.get_json()
    assert r.status_code == 200 and body["valid"] is True
    assert body["next"]["field"] == "fsc_id" and [o["label"] for o in body["next"]["options"]] == [
        "FSC Reciclado", "Sin FSC"]
    assert set(body["next"]["options"][0]) == {"id", "label"}
    # the spec's optional fsc, cinta and planta without the coverages: next is the first missing level
    body = seller.post(VERIFY, json={"product_type_id": 1, "impresion_id": 1, "fsc_id": 1, "cinta_id": 3,
                                     "planta_id": 3}).get_json()
    assert body["valid"] is True and body["next"]["field"] == "coverage_internal_id"
    assert [o["label"] for o in body["next"]["options"]] == ["Sin recubrimiento"]
    body = seller.post(VERIFY, json={f"{k}_id": v for k, v in FULL.items()}).get_json()
    assert body == {"valid": True, "next": {"field": None, "level": None, "label": None, "options": []}}


def test_casc_002_refuses_a_forged_or_inactive_combination(world, api):
    seller = api(world.u("vendedor"), world.company)
    body = seller.post(VERIFY, json={"product_type_id": 5, "impresion_id": 2}).get_json()
    assert body["valid"] is False and body["field"] == "impresion_id"
    assert body["next"]["field"] == "impresion_id" and [o["label"] for o in body["next"]["options"]] == ["Sin impresión"]
    body = seller.post(VERIFY, json={"product_type_id": 1, "impresion_id": 5}).get_json()  # withdrawn combination
    assert body["valid"] is False and body["field"] == "impresion_id"
    body = seller.post(VERIFY, json={"product_type_id": 3, "impresion_id": 2, "planta_id": 4}).get_json()
    assert body["valid"] is False and body["field"] == "planta_id" and "desactivada" in body["message"]
    for payload, field in (({"product_type_id": 999}, "product_type_id"), ({"impresion_id": "x"}, "impresion_id"),
                           ({"product_type_id": 1, "impression_id": 1}, "impression_id")):
        r = seller.post(VERIFY, json=payload)
        assert r.status_code == 422 and r.get_json()["field"] == field, r.get_json()
    r = seller.post(VERIFY, json=[1, 2])
    assert r.status_code == 422


def test_casc_002_browser_session_needs_its_csrf_token_and_anonymous_is_401(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    c = app.test_client()
    assert c.post(VERIFY, json={"product_type_id": 1}).status_code == 401
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', c.get("/login/").get_data(as_text=True)).group(1)
    assert c.post("/login/", data={"username": "vendedor", "password": PASSWORD, "csrf_token": token}).status_code == 302
    r = c.post(VERIFY, json={"product_type_id": 1})
    assert r.status_code == 400 and r.get_json()["field"] == "X-CSRFToken"
    r = c.post(VERIFY, json={"product_type_id": 1}, headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.get_json()["next"]["field"] == "impresion_id"


def test_casc_002_saving_an_ot_through_rest_rechecks_the_whole_combination(world, api, session):
    seller = api(world.u("vendedor"), world.company)
    r = seller.post(ORDERS, json={**BASE_OT, **FULL})
    assert r.status_code == 201, r.get_json()
    result = r.get_json()["result"]
    assert result["product_type"] == 1 and result["product_type_label"] == "Caja regular (RSC)"
    assert result["plant_label"] == "Planta Buin"
    before = orders(session)
    for forged, field in (({"product_type": 5, "printing": 2}, "printing"),        # not a combination
                          ({"product_type": 1, "fsc": 1}, "printing"),             # a gap in the cascade
                          ({**FULL, "carton_color": 2}, "carton_color"),           # the last level
                          ({"product_type": 3, "printing": 2, "fsc": 1, "tape": 1, "coverage_internal": 4,
                            "coverage_external": 1, "plant": 4}, "plant"),         # inactive option
                          ({"product_type": 1, "printing": 5}, "printing"),        # inactive combination
                          ({"product_type": 77}, "product_type"), ({"product_type": "uno"}, "product_type")):
        r = seller.post(ORDERS, json={**BASE_OT, **forged})
        assert r.status_code == 422 and r.get_json()["field"] == field, (forged, r.get_json())
    assert orders(session) == before  # nothing written
    pk = result["id"]
    r = seller.put(f"{ORDERS}{pk}", json={"printing": 3})  # RSC in 2 colours exists only with a tape
    assert r.status_code == 422 and r.get_json()["field"] == "tape"
    assert world.reload(pk).printing_id == 1
    r = seller.put(f"{ORDERS}{pk}", json={"plant": None, "carton_color": None})  # a shorter prefix is enough
    assert r.status_code == 200 and r.get_json()["result"]["plant"] is None


def test_casc_002_an_ot_keeps_an_option_withdrawn_after_it_was_saved(world, api, session):
    seller = api(world.u("vendedor"), world.company)
    pk = seller.post(ORDERS, json={**BASE_OT, **FULL}).get_json()["id"]
    session.get(Plant, 1).active = False
    session.commit()
    assert seller.put(f"{ORDERS}{pk}", json={"description": "Caja 12 botellas"}).status_code == 200
    assert seller.put(f"{ORDERS}{pk}", json={"plant": 1, "carton_color": 2}).status_code == 422


def test_casc_001_the_page_form_disables_later_levels_and_the_server_refuses_a_forged_post(world, login, client,
                                                                                         session):
    login("vendedor")
    page = client.get("/envases/ots/nueva").get_data(as_text=True)
    assert re.search(r'<select[^>]*id="product_type"[^>]*>', page).group(0).count("disabled") == 0
    assert "disabled" in re.search(r'<select[^>]*id="printing"[^>]*>', page).group(0)
    assert "Caja troquelada" in page and "packaging_cascade.js" in page
    before = orders(session)
    r = client.post("/envases/ots/nueva", data={**{k: str(v) for k, v in BASE_OT.items()}, "product_type": "5",
                                                "printing": "2"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "no es una combinación permitida" in page and orders(session) == before
    # typed values kept: product type chosen, printing enabled with what Separador allows
    assert re.search(r'<option value="5" selected>Separador', page)
    assert "disabled" not in re.search(r'<select[^>]*id="printing"[^>]*>', page).group(0)
    r = client.post("/envases/ots/nueva", data={**{k: str(v) for k, v in BASE_OT.items()},
                                                **{k: str(v) for k, v in FULL.items()}})
    assert r.status_code == 302
    detail = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Caja regular (RSC)" in detail and "Planta Buin" in detail and "Café (kraft)" in detail
    edit = client.get(r.headers["Location"] + "/editar").get_data(as_text=True)
    assert re.search(r'<option value="1" selected>Planta Buin', edit)


def test_casc_001_mantenedores_of_the_cascade_are_admin_only(world, login, client, app, session):
    login("vendedor")
    assert client.get("/envases/mantenedores/combinaciones/list/").status_code == 403
    admin = login("administrador", test_client=app.test_client())
    assert "Planta Osorno" in admin.get("/envases/mantenedores/combinaciones/list/").get_data(as_text=True)
    r = admin.post("/envases/mantenedores/product_type/add", data={"label": "Caja bipartida", "active": "y"})
    assert r.status_code == 302
    session.rollback()
    assert session.scalar(select(ProductType).where(ProductType.label == "Caja bipartida")).company_id == world.company.id


def test_casc_seed_is_idempotent_and_keeps_the_admins_edits(session, make_company):
    from app.packaging.cascade import seed as cascade_seed

    company = make_company(name="Envases Norte")  # created with the seed's cascade (issue 19)
    with company_scope(company.id):
        session.scalar(select(ProductType).where(ProductType.label == "Caja regular (RSC)")).label = "Caja RSC"
        session.commit()
    count = session.scalar(select(func.count(Combination.id)))
    cascade_seed.seed(session)
    session.commit()
    assert session.scalar(select(func.count(Combination.id))) == count == 37
    assert session.scalar(select(func.count(ProductType.id)).where(ProductType.label == "Caja RSC")) == 1
    assert session.scalar(select(func.count(ProductType.id)).where(ProductType.label == "Caja regular (RSC)")) == 0
    # a company left without a cascade gets the seed's again from `flask seed`
    session.execute(Combination.__table__.delete())
    for level in LEVELS:
        session.execute(level.model.__table__.delete())
    session.commit()
    cascade_seed.seed(session)
    session.commit()
    assert session.scalar(select(func.count(Combination.id)).where(Combination.company_id == company.id)) == 37


def test_casc_001_the_ot_list_reads_product_labels_without_a_query_per_level(world, api, count_queries):
    """The list shows each OT's product labels: they come in the rows' own statement, so an OT
    list with products set costs what a list without them does."""
    seller = api(world.u("vendedor"), world.company)
    assert seller.post(ORDERS, json=BASE_OT).status_code == 201
    seller.get(ORDERS)
    with count_queries() as bare:
        seller.get(ORDERS)
    assert seller.post(ORDERS, json={**BASE_OT, **FULL}).status_code == 201
    with count_queries() as with_products:
        rows = seller.get(ORDERS).get_json()["result"]
    assert rows[0]["plant_label"] == "Planta Buin" and rows[1]["plant_label"] is None
    assert with_products.count == bare.count, with_products.statements


def test_casc_002_digits_that_are_not_ascii_or_beyond_any_id_are_422_not_a_500(world, login, client, api, session):
    """"²" passes str.isdigit but not int(); 2**63 is beyond every id column."""
    login("vendedor")
    before = orders(session)
    for junk in ("²", str(2**63)):
        r = client.post("/envases/ots/nueva", data={**{k: str(v) for k, v in BASE_OT.items()}, "product_type": junk})
        assert r.status_code == 422, (junk, r.status_code)
        assert orders(session) == before
    seller = api(world.u("vendedor"), world.company)
    r = seller.post(VERIFY, json={"product_type_id": str(2**63), "impresion_id": 1})
    assert r.status_code == 422 and r.get_json()["field"] == "product_type_id", r.get_json()
    r = seller.get(f"{OPTIONS}?level=printing&product_type_id={2**63}")
    assert r.status_code == 422 and r.get_json()["field"] == "product_type_id", r.get_json()
