"""Samples in the OT's life: management types 6 (Solicitud Muestra creates the samples) and 8
(Envío Sala Muestra starts the pending ones), the OT's states 17/18/22 moving its samples,
FLT-004 proved with real samples (REST list and list page), the OT page's "Muestras" section
(labels, forms by role, 422 keeping the typed values), the catalogs and the demo."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.core.tenancy import company_scope
from app.packaging.samples.models import Sample
from tests.packaging.samples import test_samples as base
from tests.packaging.samples.test_samples import URL, create, payload, sample

cats = base.cats  # the catalogs fixture

MGMT = "/api/v1/packaging_management/"


def states(w, ot_id):
    w.session.rollback()
    with company_scope(None):
        return [s.state for s in w.session.scalars(select(Sample).where(Sample.work_order_id == ot_id)
                                                    .order_by(Sample.id))]


def change(c, ot, state):
    return c.post(MGMT, json={"work_order": ot.id, "management_type": 1, "state": state})


# --- management type 6 -------------------------------------------------------------------------

def test_mue_001_management_type_6_sample_request_creates_the_samples(world, api, cats):
    ot = world.ot(2)
    c = api(world.u("ingeniero"), world.company)
    assert 6 in c.get(f"/api/v1/packaging_work_order/{ot.id}/allowed").get_json()["management_types"]
    body = payload(world, cats, ot, recipients=("seller", "2"))
    del body["work_order"]
    r = c.post(MGMT, json={"work_order": ot.id, "management_type": 6, "note": "Para feria", "sample": body})
    assert r.status_code == 201, r.get_json()
    entry = r.get_json()["result"]["management"]
    assert entry["management_type"] == 6 and "Para feria" in entry["note"] and "Destino 2" in entry["note"]
    assert states(world, ot.id) == [0, 0]
    r = c.post(MGMT, json={"work_order": ot.id, "management_type": 6, "note": "sin datos"})
    assert r.status_code == 422 and r.get_json()["field"] == "management_type"
    assert "Nueva muestra" in r.get_json()["message"] and len(states(world, ot.id)) == 2


def test_mue_001_management_type_6_refused_where_wf004_does_not_offer_it(world, api, cats):
    ot = world.ot(5)  # Design: WF-004 offers [1, 2, 3, 8] there, and the engineer is elsewhere
    world.assign(ot, world.u("ingeniero"))
    body = payload(world, cats, ot)
    r = api(world.u("ingeniero"), world.company).post(MGMT, json={"work_order": ot.id, "management_type": 6,
                                                                    "sample": body})
    assert r.status_code == 403 and states(world, ot.id) == []


# --- management type 8 -------------------------------------------------------------------------

def test_mue_002_management_type_8_sends_pending_samples_to_the_cutting_room(world, api, cats):
    ot = world.ot(2)
    first, second = create(api, world, cats, ot, recipients=("seller", "lab"))
    assert change(api(world.u("ingeniero"), world.company), ot, 17).status_code == 201
    assert states(world, ot.id) == [0, 0]  # in the Samples area, still waiting to be sent
    c = api(world.u("jefe_muestras"), world.company)
    assert 8 in c.get(f"/api/v1/packaging_work_order/{ot.id}/allowed").get_json()["management_types"]
    r = c.post(MGMT, json={"work_order": ot.id, "management_type": 8, "samples": [second]})
    assert r.status_code == 201, r.get_json()
    assert states(world, ot.id) == [0, 1] and "Sala Norte A" in r.get_json()["result"]["management"]["note"]
    assert c.post(MGMT, json={"work_order": ot.id, "management_type": 8}).status_code == 201
    assert states(world, ot.id) == [1, 1]
    r = c.post(MGMT, json={"work_order": ot.id, "management_type": 8})
    assert r.status_code == 422 and "no tiene muestras pendientes" in r.get_json()["message"]
    assert [e.management_type_id for e in world.entries(ot.id)] == [6, 1, 8, 8]
    assert world.reload(ot.id).state == "17"  # the OT's state changes only through type 1 (WF-001)


def test_mue_002_management_type_8_not_offered_in_development(world, api, cats):
    ot = world.ot(2)
    create(api, world, cats, ot)
    r = api(world.u("ingeniero"), world.company).post(MGMT, json={"work_order": ot.id, "management_type": 8})
    assert r.status_code == 403 and states(world, ot.id) == [0]


# --- OT states 17, 18, 22 ----------------------------------------------------------------------

def test_mue_002_ot_to_18_ends_its_open_samples_terminada(world, api, cats):
    ot = world.ot(2)
    ids = create(api, world, cats, ot, recipients=("seller", "lab", "1"))
    with company_scope(world.company.id):
        world.session.get(Sample, ids[1]).state = 1
        world.session.get(Sample, ids[2]).state = 3  # an annulled one stays so
        world.session.commit()
    assert change(api(world.u("ingeniero"), world.company), ot, 17).status_code == 201
    assert states(world, ot.id) == [0, 1, 3]
    tech = api(world.u("tecnico_muestras"), world.company)
    assert tech.put(f"{URL}{ids[0]}", json={"cut_seller": True}).status_code == 200
    r = change(tech, ot, 18)
    assert r.status_code == 201, r.get_json()
    assert states(world, ot.id) == [2, 2, 3]
    assert sample(world, ids[0]).cut_seller_on == dt.date.today()
    r = tech.put(f"{URL}{ids[0]}", json={"quantity_seller": 1})
    assert r.status_code == 403 and "Terminada" in r.get_json()["message"]


def test_mue_002_ot_to_22_cancels_its_open_samples(world, api, cats):
    ot = world.ot(17)
    ids = create(api, world, cats, ot, user="jefe_desarrollo", recipients=("seller", "designer"))
    other = world.ot(17)
    (kept,) = create(api, world, cats, other, user="jefe_desarrollo")
    r = change(api(world.u("jefe_muestras"), world.company), ot, 22)
    assert r.status_code == 201, r.get_json()
    assert states(world, ot.id) == [3, 3] and sample(world, kept).state == 1
    r = api(world.u("jefe_desarrollo"), world.company).get(f"{URL}{ids[0]}")
    assert r.get_json()["result"]["state_label"] == "Anulada"


# --- FLT-004 with real samples ---------------------------------------------------------------

def test_flt_004_technician_sees_exactly_the_ots_with_a_sample_in_their_room(world, api, cats, login, client):
    rooms = world.rooms
    a, ab, b, none = world.ot(2), world.ot(2), world.ot(2), world.ot(2)
    create(api, world, cats, a)  # seller, room A
    create(api, world, cats, ab, recipients=("lab", "3"), room_lab=rooms["B"].id)  # lab B, 3 A
    create(api, world, cats, b, recipients=("designer_review",), room_designer_review=rooms["B"].id)
    eng = api(world.u("ingeniero"), world.company)
    for ot in (a, ab, b, none):
        assert change(eng, ot, 17).status_code == 201
    seen = {}
    for user in ("tecnico_muestras", "tecnico2"):
        r = api(world.u(user), world.company).get("/api/v1/packaging_work_order/?page_size=100")
        seen[user] = {row["id"] for row in r.get_json()["result"]}
    assert seen == {"tecnico_muestras": {a.id, ab.id}, "tecnico2": {ab.id, b.id}}
    r = api(world.u("tecnico2"), world.company).get(URL)
    assert {row["work_order"] for row in r.get_json()["result"]} == {ab.id, b.id}
    login("tecnico_muestras")
    page = client.get("/envases/ots/").get_data(as_text=True)
    shown = {ot.id for ot in (a, ab, b, none) if f'href="/envases/ots/{ot.id}"' in page}
    assert shown == {a.id, ab.id}
    assert client.get(f"/envases/ots/{b.id}").status_code == 404


# --- the OT page ------------------------------------------------------------------------------

def test_mue_001_ot_page_lists_samples_with_labels_and_forms_by_role(world, api, cats, login, client, app):
    ot = world.ot(2)
    create(api, world, cats, ot, recipients=("seller", "lab"), room_lab=world.rooms["B"].id)
    login("ingeniero")
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    section = page[page.index('id="muestras"'):page.index("Historial de gestiones")]
    for text in ("Vendedor", "Laboratorio", "Sala Norte A", "Sala Norte B", "CAD-101", "KK 15C", "Pegado lateral",
                 "Pendiente", "Sin cortar", 'id="sample-new"', 'name="cad"'):
        assert text in section, text
    tech = login("tecnico_muestras", test_client=app.test_client())
    page = tech.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    section = page[page.index('id="muestras"'):page.index("Historial de gestiones")]
    assert 'id="sample-new"' not in section and 'name="cad"' not in section and 'name="room_seller"' not in section
    assert 'name="quantity_seller"' in section and 'name="cut_seller"' in section and 'name="unit_time"' in section
    assert section.count('class="sample-edit"') == 1  # the laboratory's sample is cut in room B
    seller = login("vendedor", test_client=app.test_client())
    section = seller.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert 'id="sample-new"' not in section and 'class="sample-edit"' not in section and "Sala Norte B" in section


def test_mue_003_ot_page_create_form_keeps_typed_values_with_errors_by_field(world, cats, login, client):
    ot = world.ot(2)
    login("ingeniero")
    form = {"recipients": ["seller", "lab"], "cad": str(cats["cad"]), "carton": "", "room_seller": str(world.rooms["A"].id),
            "quantity_seller": "4", "quantity_lab": "cinco", "unit_time": "7,5", "note": "urgente"}
    r = client.post(f"/envases/ots/{ot.id}/muestras", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "El campo «Cartón» es obligatorio." in page and "«Cantidad Laboratorio»" in page
    assert "«Sala de corte Laboratorio» es obligatorio" in page
    assert 'value="cinco"' in page and 'value="7,5"' in page and 'value="urgente"' in page
    assert 'id="new-recipient-lab" checked' in page
    assert states(world, ot.id) == []
    form.update(carton=str(cats["carton"]), quantity_lab="5", room_lab=str(world.rooms["B"].id))
    r = client.post(f"/envases/ots/{ot.id}/muestras", data=form)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/envases/ots/{ot.id}#muestras")
    assert states(world, ot.id) == [0, 0]


def test_mue_001_ot_page_technician_edit_and_forged_field(world, api, cats, login, client):
    ot = world.ot(2)
    (sid,) = create(api, world, cats, ot)
    login("tecnico_muestras")
    r = client.post(f"/envases/ots/{ot.id}/muestras/{sid}", data={"quantity_seller": "x", "cut_seller": ["0", "1"],
                                                                   "unit_time": "2"})
    assert r.status_code == 422 and 'value="x"' in r.get_data(as_text=True)
    r = client.post(f"/envases/ots/{ot.id}/muestras/{sid}", data={"quantity_seller": "6", "cut_seller": ["0", "1"],
                                                                   "unit_time": "2,5"})
    assert r.status_code == 302
    s = sample(world, sid)
    assert (s.quantity_seller, s.cut_seller_on, float(s.unit_time)) == (6, dt.date.today(), 2.5)
    r = client.post(f"/envases/ots/{ot.id}/muestras/{sid}", data={"quantity_seller": "8", "cad": str(cats["cad"])})
    assert r.status_code == 403 and "no «CAD»" in r.get_data(as_text=True)
    assert sample(world, sid).quantity_seller == 6
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert dt.date.today().strftime("%d/%m/%Y") in page and "2,50" in page


def test_mue_001_ot_page_type_6_from_the_management_form_points_to_the_section(world, login, client):
    ot = world.ot(2)
    login("ingeniero")
    r = client.post(f"/envases/ots/{ot.id}/gestion", data={"management_type": "6", "note": "muestra"})
    assert r.status_code == 422 and "Nueva muestra" in r.get_data(as_text=True)


# --- catalogs and demo -------------------------------------------------------------------------

def test_sample_catalogs_read_by_env_roles_written_by_admin(world, api, login, client):
    for resource in ("packaging_sample_cad", "packaging_sample_carton", "packaging_sample_gluing"):
        admin = api(world.u("administrador"), world.company)
        r = admin.post(f"/api/v1/{resource}/", json={"name": "Uno"})
        assert r.status_code == 201, r.get_json()
        assert admin.post(f"/api/v1/{resource}/", json={"name": "Uno"}).status_code == 422
        tech = api(world.u("tecnico_muestras"), world.company)
        assert [row["name"] for row in tech.get(f"/api/v1/{resource}/").get_json()["result"]] == ["Uno"]
        assert tech.post(f"/api/v1/{resource}/", json={"name": "Dos"}).status_code == 403
        assert api(world.u("sur_vendedor"), world.other).get(f"/api/v1/{resource}/").get_json()["count"] == 0
    login("administrador")
    assert "Uno" in client.get("/envases/mantenedores/sample_cad/list/").get_data(as_text=True)


def test_demo_requests_samples_through_the_service(session, make_company, make_user):
    from app.packaging import demo
    from app.packaging.orders.models import Management, WorkOrder

    company = make_company(name="Demo Muestras")
    for role in ("ENV_VENDEDOR", "ENV_INGENIERO", "ENV_DISENADOR", "ENV_PRECATALOGADOR", "ENV_CATALOGADOR",
                 "ENV_TECNICO_MUESTRAS", "ENV_JEFE_DESARROLLO", "ENV_JEFE_VENTAS"):
        make_user(roles=[role], companies=[company])
    with company_scope(company.id):
        demo.load(session, company)
        session.commit()
        demo.load(session, company)
        session.commit()
        rows = session.scalars(select(Sample).order_by(Sample.id)).all()
        assert [(s.recipient, s.state, s.quantity_seller or s.quantity_lab) for s in rows] == [
            ("seller", 1, 3), ("lab", 1, 2)]
        ot = session.get(WorkOrder, rows[0].work_order_id)
        assert ot.state == "17" and rows[0].cad.name.startswith("CAD-1102")
        types = [m.management_type_id for m in session.scalars(select(Management).where(
            Management.work_order_id == ot.id).order_by(Management.id))]
        assert types == [4, 1, 6, 1, 8]  # 4: «OT aprobada.» (Aprobar OT, issue 21 · 2)


# --- issue 21 · 1: the ways out of the Samples area ---------------------------------------------

def test_WF001_samples_end_and_the_ot_returns_to_the_area_that_sent_it(world, api, cats):
    ot = world.ot(2)
    ids = create(api, world, cats, ot, recipients=("seller", "lab"))
    assert change(api(world.u("ingeniero"), world.company), ot, 17).status_code == 201
    chief = api(world.u("jefe_muestras"), world.company)
    assert chief.get(f"/api/v1/packaging_work_order/{ot.id}/actions").get_json()["actions"] == \
        ["CAMBIO_5", "CAMBIO_12", "CAMBIO_18", "CAMBIO_22"]
    r = change(chief, ot, 22)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["result"]["work_order"]["current_area"], states(world, ot.id)) == (2, [3, 3])
    entry = world.entries(ot.id)[-1]
    assert (entry.state_from, entry.state_to, entry.area_from_id, entry.area_to_id) == ("17", "22", 6, 2)
    # Development takes it on from Muestra Anulada, with its own list
    eng = api(world.u("ingeniero"), world.company)
    assert 5 in eng.get(f"/api/v1/packaging_work_order/{ot.id}/allowed").get_json()["states"]
    assert change(eng, ot, 4).status_code == 201 and sample(world, ids[0]).state == 3


def test_WF001_samples_area_sends_the_ot_to_design_and_its_samples_end(world, api, cats):
    ot = world.ot(2)
    create(api, world, cats, ot, recipients=("seller", "designer"))
    assert change(api(world.u("ingeniero"), world.company), ot, 17).status_code == 201
    r = change(api(world.u("tecnico_muestras"), world.company), ot, 5)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["result"]["work_order"]["current_area"] == 3 and states(world, ot.id) == [2, 2]
