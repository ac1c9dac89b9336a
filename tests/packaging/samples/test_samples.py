"""Samples (spec MUESTRAS): MUE-001 (who creates, who edits which fields, through the API),
MUE-002 (initial state by the OT's area), MUE-003 (one sample per recipient, all ids, one
transaction), input errors by field, company and role scoping of packaging_sample."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core.tenancy import company_scope
from app.packaging.orders.models import Management
from app.packaging.samples.models import Sample, SampleCad, SampleCarton, SampleGluing

URL = "/api/v1/packaging_sample/"


@pytest.fixture
def cats(world):
    """The company's catalogs (one inactive CAD) and another company's CAD."""
    s = world.session
    with company_scope(world.company.id):
        rows = {"cad": SampleCad(name="CAD-101"), "cad_old": SampleCad(name="CAD-090", active=False),
                "carton": SampleCarton(name="KK 15C"), "carton2": SampleCarton(name="BC 30 Kraft"),
                "gluing": SampleGluing(name="Pegado lateral")}
        s.add_all(rows.values())
        s.commit()
    with company_scope(world.other.id):
        rows["cad_sur"] = SampleCad(name="CAD-SUR")
        s.add(rows["cad_sur"])
        s.commit()
    return {k: v.id for k, v in rows.items()}


def payload(w, cats, ot, recipients=("seller",), **extra):
    body = {"work_order": ot.id, "recipients": list(recipients), "cad": cats["cad"], "carton": cats["carton"],
            "gluing": cats["gluing"]}
    for k in recipients:
        body[f"room_{k}"] = w.rooms["A"].id
        body[f"quantity_{k}"] = 2
    body.update(extra)
    return body


def count(w, model=Sample, **where):
    w.session.rollback()
    with company_scope(None):
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return w.session.scalar(stmt)


def sample(w, sid):
    w.session.rollback()
    with company_scope(None):
        return w.session.get(Sample, sid)


def create(api, w, cats, ot, user="ingeniero", **kw):
    r = api(w.u(user), w.company).post(URL, json=payload(w, cats, ot, **kw))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ids"]


# --- MUE-001 --------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["ingeniero", "jefe_desarrollo"])
def test_mue_001_development_chief_and_engineer_create_full_samples(world, api, cats, user):
    ot = world.ot(2)
    r = api(world.u(user), world.company).post(URL, json=payload(
        world, cats, ot, unit_time="12,5", sample_carton=cats["carton2"], cut_seller=True))
    assert r.status_code == 201, r.get_json()
    (sid,) = r.get_json()["ids"]
    body = r.get_json()["result"][0]
    assert (body["recipient_label"], body["cad_label"], body["carton_label"], body["gluing_label"]) == (
        "Vendedor", "CAD-101", "KK 15C", "Pegado lateral")
    assert body["destinations"][0]["room_label"] == "Sala Norte A" and body["sample_carton_label"] == "BC 30 Kraft"
    s = sample(world, sid)
    assert (s.room_seller_id, s.quantity_seller, float(s.unit_time)) == (world.rooms["A"].id, 2, 12.5)
    assert s.cut_seller_on == dt.date.today() and s.creator_id == world.u(user).id


@pytest.mark.parametrize("user", ["vendedor", "jefe_muestras", "tecnico_muestras", "administrador", "gerente"])
def test_mue_001_roles_without_crear_muestra_are_refused(world, api, cats, user):
    ot = world.ot(2)
    world.sample(ot)  # the technicians see the OT (FLT-004)
    before = count(world)
    r = api(world.u(user), world.company).post(URL, json=payload(world, cats, ot))
    assert r.status_code == 403 and r.get_json()["message"] == "Tu rol no permite «Crear Muestra»."
    assert count(world) == before and count(world, Management) == 0


@pytest.mark.parametrize("user", ["tecnico_muestras", "jefe_muestras"])
def test_mue_001_sample_staff_change_unit_time_cut_dates_quantities_and_sample_carton(world, api, cats, user):
    ot = world.ot(2)
    (sid,) = create(api, world, cats, ot)
    c = api(world.u(user), world.company)
    r = c.put(f"{URL}{sid}", json={"unit_time": "3,25", "cut_seller": True, "quantity_seller": 7,
                                   "sample_carton": cats["carton2"]})
    assert r.status_code == 200, r.get_json()
    s = sample(world, sid)
    assert (float(s.unit_time), s.cut_seller_on, s.quantity_seller, s.sample_carton_id) == (
        3.25, dt.date.today(), 7, cats["carton2"])
    assert c.put(f"{URL}{sid}", json={"cut_seller": False}).status_code == 200
    assert sample(world, sid).cut_seller_on is None


@pytest.mark.parametrize("field,value", [("cad", "cad"), ("carton", "carton2"), ("gluing", "gluing"),
                                         ("room_seller", None), ("recipient", None)])
def test_mue_001_sample_staff_refused_any_other_field_naming_it(world, api, cats, field, value):
    ot = world.ot(2)
    (sid,) = create(api, world, cats, ot)
    given = cats[value] if value else (world.rooms["B"].id if field.startswith("room") else "lab")
    for user in ("tecnico_muestras", "jefe_muestras"):
        r = api(world.u(user), world.company).put(f"{URL}{sid}", json={"quantity_seller": 9, field: given})
        assert r.status_code == 403, r.get_json()
        assert r.get_json()["field"] == field and "Tu rol solo cambia" in r.get_json()["message"]
    s = sample(world, sid)
    assert (s.quantity_seller, s.cad_id, s.room_seller_id) == (2, cats["cad"], world.rooms["A"].id)


def test_mue_001_technician_edits_only_the_samples_cut_in_their_room(world, api, cats):
    ot = world.ot(2)
    mine, theirs = create(api, world, cats, ot, recipients=("seller", "lab"), room_lab=world.rooms["B"].id)
    c = api(world.u("tecnico2"), world.company)  # room B
    assert c.put(f"{URL}{theirs}", json={"quantity_lab": 5}).status_code == 200
    r = c.put(f"{URL}{mine}", json={"quantity_seller": 5})
    assert r.status_code == 403 and "no se corta en tu sala" in r.get_json()["message"]
    assert sample(world, mine).quantity_seller == 2


def test_mue_001_creators_edit_any_field_but_the_recipient(world, api, cats):
    ot = world.ot(2)
    (sid,) = create(api, world, cats, ot)
    c = api(world.u("jefe_desarrollo"), world.company)
    r = c.put(f"{URL}{sid}", json={"cad": cats["cad_old"], "carton": cats["carton2"], "gluing": None,
                                   "room_seller": world.rooms["B"].id})
    assert r.status_code == 422 and r.get_json()["field"] == "cad" and "inactivo" in r.get_json()["message"]
    r = c.put(f"{URL}{sid}", json={"carton": cats["carton2"], "gluing": None, "room_seller": world.rooms["B"].id})
    assert r.status_code == 200, r.get_json()
    s = sample(world, sid)
    assert (s.carton_id, s.gluing_id, s.room_seller_id) == (cats["carton2"], None, world.rooms["B"].id)
    r = c.put(f"{URL}{sid}", json={"recipients": ["lab"]})
    assert r.status_code == 422 and r.get_json()["field"] == "recipients"
    r = c.put(f"{URL}{sid}", json={"quantity_lab": 3})
    assert r.status_code == 422 and r.get_json()["field"] == "quantity_lab" and "Vendedor" in r.get_json()["message"]
    r = c.put(f"{URL}{sid}", json={"room_seller": None})
    assert r.status_code == 422 and r.get_json()["field"] == "room_seller"


def test_mue_001_roles_without_editar_muestra_get_403(world, api, cats):
    ot = world.ot(2)
    (sid,) = create(api, world, cats, ot)
    for user in ("vendedor", "administrador", "jefe_ventas"):
        r = api(world.u(user), world.company).put(f"{URL}{sid}", json={"quantity_seller": 5})
        assert r.status_code == 403, (user, r.get_json())
        assert r.get_json()["message"] == "Tu rol no permite «Editar Muestra»."
    assert sample(world, sid).quantity_seller == 2


def test_mue_001_closed_ot_and_finished_samples_are_not_changed(world, api, cats):
    ot = world.ot(2)
    (sid,) = create(api, world, cats, ot)
    with company_scope(world.company.id):
        s = world.session.get(Sample, sid)
        s.state = 2
        world.session.commit()
    r = api(world.u("tecnico_muestras"), world.company).put(f"{URL}{sid}", json={"quantity_seller": 5})
    assert r.status_code == 403 and "Terminada" in r.get_json()["message"]
    closed = world.ot(8)
    r = api(world.u("jefe_desarrollo"), world.company).post(URL, json=payload(world, cats, closed))
    assert r.status_code == 403 and "cerrada" in r.get_json()["message"]


# --- MUE-002 --------------------------------------------------------------------------------

def test_mue_002_sample_pending_when_ot_not_in_samples_area(world, api, cats):
    (sid,) = create(api, world, cats, world.ot(2))
    assert sample(world, sid).state == 0


def test_mue_002_sample_in_progress_when_ot_in_samples_area(world, api, cats):
    ot = world.ot(17)
    ids = create(api, world, cats, ot, user="jefe_desarrollo", recipients=("lab", "1"))
    assert [sample(world, i).state for i in ids] == [1, 1]
    r = api(world.u("jefe_desarrollo"), world.company).get(f"{URL}{ids[0]}")
    assert r.get_json()["result"]["state_label"] == "En progreso"


# --- MUE-003 --------------------------------------------------------------------------------

def test_mue_003_one_sample_per_recipient_and_all_ids_returned(world, api, cats):
    ot = world.ot(2)
    r = api(world.u("ingeniero"), world.company).post(URL, json=payload(
        world, cats, ot, recipients=("seller", "lab", "designer_review"), quantity_lab=4,
        room_designer_review=world.rooms["B"].id))
    assert r.status_code == 201
    ids = r.get_json()["ids"]
    assert len(ids) == 3 and ids == sorted(ids)
    got = [sample(world, i) for i in ids]
    assert [s.recipient for s in got] == ["seller", "lab", "designer_review"]
    assert [s.quantity_lab for s in got] == [None, 4, None]
    assert got[2].room_designer_review_id == world.rooms["B"].id and got[2].room_seller_id is None
    assert {s.cad_id for s in got} == {cats["cad"]}
    entries = world.entries(ot.id)
    assert [e.management_type_id for e in entries] == [6]
    assert all(str(i) in entries[0].note for i in ids) and "Laboratorio" in entries[0].note


def test_mue_003_one_transaction_a_wrong_recipient_writes_nothing(world, api, cats):
    ot = world.ot(2)
    body = payload(world, cats, ot, recipients=("seller", "lab"))
    del body["room_lab"]
    r = api(world.u("ingeniero"), world.company).post(URL, json=body)
    assert r.status_code == 422 and r.get_json()["field"] == "room_lab"
    assert "Sala de corte Laboratorio" in r.get_json()["message"]
    assert count(world) == 0 and world.entries(ot.id) == []


def test_mue_003_input_errors_by_field_all_at_once(world, api, cats):
    ot = world.ot(2)
    c = api(world.u("ingeniero"), world.company)
    r = c.post(URL, json={"work_order": ot.id, "recipients": [], "unit_time": "mucho"})
    errors = r.get_json()["errors"]
    assert r.status_code == 422 and {"recipients", "cad", "carton", "unit_time"} <= set(errors)
    assert "«CAD»" in errors["cad"] and "«Tiempo unitario (min)»" in errors["unit_time"]
    r = c.post(URL, json=payload(world, cats, ot, recipients=("seller", "seller")))
    assert r.status_code == 422 and r.get_json()["field"] == "recipients"
    r = c.post(URL, json={**payload(world, cats, ot), "recipients": ["cliente"]})
    assert r.status_code == 422 and r.get_json()["field"] == "recipients"
    r = c.post(URL, json=payload(world, cats, ot, quantity_lab=3))
    assert r.status_code == 422 and r.get_json()["field"] == "quantity_lab" and "no aplica" in r.get_json()["message"]
    r = c.post(URL, json=payload(world, cats, ot, cad=cats["cad_sur"]))  # another company's CAD
    assert r.status_code == 422 and r.get_json()["field"] == "cad"
    r = c.post(URL, json=payload(world, cats, ot, quantity_seller=0))
    assert r.status_code == 422 and r.get_json()["field"] == "quantity_seller"
    r = c.post(URL, json=payload(world, cats, ot, color="rojo"))
    assert r.status_code == 422 and r.get_json()["field"] == "color"
    assert count(world) == 0


# --- scoping ----------------------------------------------------------------------------------

def test_packaging_sample_other_company_is_404_and_list_is_role_scoped(world, api, cats):
    ot, hidden = world.ot(2), world.ot(2)
    (sid,) = create(api, world, cats, ot)
    (other,) = create(api, world, cats, hidden, room_seller=world.rooms["B"].id)
    for user in ("sur_ingeniero", "sur_vendedor"):
        c = api(world.u(user), world.other)
        assert c.get(f"{URL}{sid}").status_code == 404
        assert c.put(f"{URL}{sid}", json={"quantity_seller": 1}).status_code == 404
        assert c.post(URL, json=payload(world, cats, ot)).status_code == 404
        assert c.get(URL).get_json()["count"] == 0
    tech = api(world.u("tecnico_muestras"), world.company)  # room A: sees the OT of sample sid only
    assert {row["id"] for row in tech.get(URL).get_json()["result"]} == {sid}
    assert tech.get(f"{URL}{other}").status_code == 404
    chief = api(world.u("jefe_desarrollo"), world.company)
    assert {row["id"] for row in chief.get(f"{URL}?work_order={hidden.id}").get_json()["result"]} == {other}
    assert chief.get(f"{URL}?state=9").status_code == 422
    assert sample(world, sid).quantity_seller == 2


def test_mue_001_junk_input_is_a_4xx_naming_the_field_never_a_500(world, api, cats, login, client):
    ot = world.ot(2)
    (sid,) = create(api, world, cats, ot)
    c = api(world.u("jefe_desarrollo"), world.company)
    junk = [{"recipients": [{"a": 1}]}, {"recipients": "seller", "cad": {"x": 1}}, {"quantity_seller": [1]},
            {"cut_seller": "quizás"}, {"room_seller": "99999999999"}, {"unit_time": "1e999"}, {"carton": True},
            {"recipients": ["seller"], "note": "a\x00b" * 2000}, {"sample_carton": -1}]
    for extra in junk:
        r = c.post(URL, json={**payload(world, cats, ot), **extra})
        assert r.status_code == 422 and r.get_json()["field"], (extra, r.get_json())
        body = {k: v for k, v in extra.items() if k not in ("recipients", "note")}
        if body:
            r = c.put(f"{URL}{sid}", json=body)
            assert r.status_code == 422 and r.get_json()["field"], (body, r.get_json())
    assert c.put(f"{URL}{sid}", data="[1]", content_type="application/json").status_code == 422
    assert c.put(f"{URL}abc", json={}).status_code == 404 and c.put(f"{URL}99999999999", json={}).status_code == 404
    r = c.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 6, "sample": [1]})
    assert r.status_code == 422
    login("jefe_desarrollo")
    for form in ({"recipients": ["x"], "cad": "abc", "quantity_seller": "\x00"}, {}):
        assert client.post(f"/envases/ots/{ot.id}/muestras", data=form).status_code == 422
        assert client.post(f"/envases/ots/{ot.id}/muestras/{sid}", data={**form, "unit_time": "-3"}).status_code == 422
    assert client.post(f"/envases/ots/{ot.id}/muestras/99999", data={}).status_code == 404
    assert count(world) == 1
