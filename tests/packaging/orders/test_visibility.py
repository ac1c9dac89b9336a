"""FLT-001..FLT-005 on the seeded dataset (every state, area and request type), through the
REST list and the list page; isolation between companies with guessed ids."""
from __future__ import annotations

from app.packaging.catalogs import queries as cat

ALL = {"state": [str(s) for s in cat.states()]}


def listed(api, w, user, **params):
    query = []
    for k, v in params.items():
        for item in (v if isinstance(v, list) else [v]):
            query.append(f"{k}={item}")
    r = api(w.u(user), w.company).get("/api/v1/packaging_work_order/?page_size=100&" + "&".join(query))
    assert r.status_code == 200, r.get_json()
    return {row["id"] for row in r.get_json()["result"]}


def test_FLT001_sellers_see_only_the_ots_they_created(world, api):
    ots = world.dataset()
    for seller in ("vendedor", "vendedor_externo"):
        mine = {o.id for o in ots if o.creator_id == world.u(seller).id}
        assert mine and listed(api, world, seller, **ALL) == mine
    assert listed(api, world, "gerente", **ALL) == {o.id for o in ots}


def test_FLT002_engineer_sees_assigned_unassigned_in_area_or_by_responsible(world, api):
    mine, theirs, free, elsewhere = world.ot(2), world.ot(3), world.ot(2), world.ot(5)
    world.assign(mine, world.u("ingeniero"))
    world.assign(theirs, world.u("ingeniero2"))
    assert listed(api, world, "ingeniero") == {mine.id}
    assert listed(api, world, "ingeniero", asignado="NO") == {free.id}
    assert listed(api, world, "ingeniero", responsible=world.u("ingeniero2").id) == {theirs.id}
    assert elsewhere.id not in listed(api, world, "ingeniero", asignado="NO")
    # an OT's page: what the filters could list, not another area's unassigned OT
    c = api(world.u("ingeniero"), world.company)
    assert c.get(f"/api/v1/packaging_work_order/{free.id}").status_code == 200
    assert c.get(f"/api/v1/packaging_work_order/{elsewhere.id}").status_code == 404


def test_FLT003_design_and_cataloguing_see_only_their_current_areas(world, api):
    ots = world.dataset()
    design = {o.id for o in ots if o.current_area_id == 3}
    assert design and listed(api, world, "jefe_diseno", **ALL) == design
    catal = {o.id for o in ots if o.current_area_id in (4, 5)}
    for chief in ("jefe_catalogacion", "jefe_precatalogacion"):
        assert listed(api, world, chief, **ALL) == catal
    d = world.ot(5)
    world.assign(d, world.u("disenador"))
    assert listed(api, world, "disenador", **ALL) == {d.id}  # FLT-002 and FLT-003 together


def test_FLT004_sample_technician_sees_ots_cut_in_their_room(world, api):
    rooms = world.rooms
    a1, a2, b, none = world.ot(17), world.ot(17), world.ot(17), world.ot(17)
    world.sample(a1, room_seller_id=rooms["A"])
    world.sample(a2, room_designer_review_id=rooms["A"], room_lab_id=rooms["B"])
    world.sample(b, room_4_id=rooms["B"])
    assert listed(api, world, "tecnico_muestras") == {a1.id, a2.id}
    assert listed(api, world, "tecnico2") == {a2.id, b.id}
    assert listed(api, world, "jefe_muestras") == {a1.id, a2.id, b.id, none.id}  # the chief: every room
    c = api(world.u("tecnico_muestras"), world.company)
    assert c.get(f"/api/v1/packaging_work_order/{b.id}").status_code == 404


def test_FLT004_technician_without_cutting_room_sees_nothing(world, api, make_user):
    ot = world.ot(17)
    world.sample(ot)
    world.users["tecnico3"] = make_user(roles=["ENV_TECNICO_MUESTRAS"], companies=[world.company], username="t3")
    assert listed(api, world, "tecnico3") == set()


def test_FLT005_default_active_states_per_role(world, api):
    ots = world.dataset()
    by_state = {}
    for o in ots:
        by_state.setdefault(int(o.state), set()).add(o.id)
    seller_default = {o.id for o in ots if o.creator_id == world.u("vendedor").id
                      and int(o.state) not in (8, 9, 11)}
    assert listed(api, world, "vendedor") == seller_default
    assert listed(api, world, "jefe_muestras") == by_state[17]
    assert listed(api, world, "super_administrador") == {o.id for o in ots}
    assert listed(api, world, "gerente") == {o.id for o in ots if int(o.state) not in (8, 9, 11)}
    assert listed(api, world, "gerente", state=8) == by_state[8]


def test_list_filters_by_area_client_seller_and_date(world, api):
    ots = world.dataset()
    special = world.ot(2, client="Viña Concha")
    assert listed(api, world, "gerente", client="concha") == {special.id}
    assert listed(api, world, "gerente", area=6, **ALL) == {o.id for o in ots if o.current_area_id == 6}
    ext = world.u("vendedor_externo").id
    assert listed(api, world, "gerente", seller=ext, **ALL) == {o.id for o in ots if o.creator_id == ext}
    assert listed(api, world, "gerente", date_to="2000-01-01") == set()
    r = api(world.u("gerente"), world.company).get("/api/v1/packaging_work_order/?date_from=mañana")
    assert r.status_code == 422 and r.get_json()["field"] == "date_from"


def test_other_company_ots_are_invisible_with_guessed_ids(world, api):
    ot = world.ot(1)
    for user in ("sur_vendedor", "sur_ingeniero"):
        c = api(world.u(user), world.other)
        assert c.get(f"/api/v1/packaging_work_order/{ot.id}").status_code == 404
        assert c.get(f"/api/v1/packaging_work_order/{ot.id}/allowed").status_code == 404
        assert c.put(f"/api/v1/packaging_work_order/{ot.id}", json={"client": "x"}).status_code == 404
        assert c.post(f"/api/v1/packaging_work_order/{ot.id}/assign", json={"asignado_id": 1}).status_code == 404
        r = c.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 2, "note": "x"})
        assert r.status_code == 404
        assert c.get(f"/api/v1/packaging_management/?work_order={ot.id}").status_code == 404
        assert ot.id not in {row["id"] for row in c.get("/api/v1/packaging_work_order/").get_json()["result"]}
    assert world.entries(ot.id) == []


def test_list_page_queries_do_not_grow_with_rows(world, login, client, count_queries):
    world.dataset()
    login("gerente")
    with count_queries() as few:
        assert client.get("/envases/ots/").status_code == 200
    world.dataset()
    with count_queries() as many:
        r = client.get("/envases/ots/")
    assert r.status_code == 200
    assert many.count == few.count
    assert "Proceso de Ventas" in r.get_data(as_text=True)


def test_api_list_queries_do_not_grow_with_rows(world, api, count_queries):
    world.dataset()
    c = api(world.u("gerente"), world.company)
    with count_queries() as few:
        c.get("/api/v1/packaging_work_order/")
    world.dataset()
    with count_queries() as many:
        c.get("/api/v1/packaging_work_order/")
    assert many.count == few.count
