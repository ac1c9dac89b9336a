"""MAT-001 SAP material codes: code = PREFIX + NUMBER + SUFFIX, the number from the company's
sequence (>= 700000), one code per OT (asking again answers the same code and draws no
number), only Jefe de Catalogación and Catalogador (CREAR_CODIGO_SAP), only on an open OT in
the Cataloguing area; other company's OT 404; concurrency on PostgreSQL with real threads."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from app.core.sequences import SequenceCounter
from app.core.tenancy import company_scope
from app.packaging.materials.models import Material, MaterialPrefix, MaterialSuffix
from tests.packaging.conftest import ROLES, short

ALLOWED = {"jefe_catalogacion", "catalogador"}


@pytest.fixture
def mw(world):
    """The world with prefixes CC (active), CJ (inactive) and suffixes N, E (active), X
    (inactive) in the first company, and a prefix SUR in the other one."""
    s = world.session
    with company_scope(world.company.id):
        world.prefix = {c: MaterialPrefix(code=c, description=f"Prefijo {c}", active=c != "CJ") for c in ("CC", "CJ")}
        world.suffix = {c: MaterialSuffix(code=c, description=f"Sufijo {c}", active=c != "X") for c in ("N", "E", "X")}
        s.add_all([*world.prefix.values(), *world.suffix.values()])
        s.commit()
    with company_scope(world.other.id):
        world.other_prefix = MaterialPrefix(code="SUR", description="Prefijo del sur")
        s.add(world.other_prefix)
        s.commit()
    return world


def ask(api, w, who, ot, prefix="CC", suffix="N", **body):
    data = {"prefix_id": w.prefix[prefix].id if prefix else None, "suffix_id": w.suffix[suffix].id if suffix else None}
    data = {k: v for k, v in {**data, **body}.items() if v is not None}
    return api(w.u(who), w.company).post(f"/api/v1/packaging_work_order/{ot.id}/material_code", json=data)


def stored(w):
    w.session.rollback()
    with company_scope(None):
        return w.session.scalars(select(Material).order_by(Material.number)).all()


def counter(w):
    w.session.rollback()
    with company_scope(None):
        return w.session.scalar(select(SequenceCounter.next_value).where(
            SequenceCounter.name == "packaging_material_code", SequenceCounter.company_id == w.company.id))


def test_mat_001_cataloguer_gets_prefix_number_suffix_from_700000(mw, api):
    first, second = mw.ot(7), mw.ot(7)
    r = ask(api, mw, "catalogador", first)
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"code": "CC700000N", "number": 700000}
    r = ask(api, mw, "jefe_catalogacion", second, suffix="E")
    assert r.status_code == 201 and r.get_json() == {"code": "CC700001E", "number": 700001}
    rows = stored(mw)
    assert [(m.work_order_id, m.code, m.number, m.created_by_id) for m in rows] == [
        (first.id, "CC700000N", 700000, mw.u("catalogador").id),
        (second.id, "CC700001E", 700001, mw.u("jefe_catalogacion").id)]
    assert all(re.fullmatch(r"[A-Z0-9]+7\d{5}[A-Z0-9]+", m.code) for m in rows)


def test_mat_001_asking_again_answers_the_same_code_without_drawing_a_number(mw, api):
    ot = mw.ot(7)
    assert ask(api, mw, "catalogador", ot).status_code == 201
    assert counter(mw) == 700001
    again = ask(api, mw, "jefe_catalogacion", ot, suffix="E")  # other choices: still the OT's code
    assert again.status_code == 200 and again.get_json() == {"code": "CC700000N", "number": 700000}
    assert ask(api, mw, "catalogador", ot, prefix=None, suffix=None).get_json()["code"] == "CC700000N"
    assert counter(mw) == 700001 and len(stored(mw)) == 1
    # the next OT takes the next number: none was consumed by the repeats
    assert ask(api, mw, "catalogador", mw.ot(7)).get_json()["number"] == 700001


@pytest.mark.parametrize("role", [short(r) for r in ROLES if short(r) not in ALLOWED] + ["admin"])
def test_mat_001_roles_without_crear_codigo_sap_are_refused(mw, api, role):
    ot = mw.ot(7)
    r = ask(api, mw, role, ot)
    assert r.status_code == 403, r.get_json()
    assert r.get_json()["message"] == "Tu rol no permite «Crear Código SAP»."
    assert stored(mw) == [] and counter(mw) is None


def test_mat_001_roles_with_the_function_are_exactly_the_cataloguing_ones(mw, api):
    from app.packaging.catalogs import queries as cat

    assert {short(r) for r in ROLES if cat.cell(r, "CREAR_CODIGO_SAP") == "X"} == ALLOWED


def test_mat_001_only_open_ots_in_the_cataloguing_area(mw, api):
    pre, sales, done = mw.ot(6), mw.ot(1), mw.ot(8)
    r = ask(api, mw, "jefe_catalogacion", pre)
    assert r.status_code == 403 and "se crea cuando está en «Área de Catalogación»" in r.get_json()["message"]
    r = ask(api, mw, "jefe_catalogacion", sales)  # FLT-003: cataloguers see areas 4 and 5 only
    assert r.status_code == 404
    r = ask(api, mw, "jefe_catalogacion", done)
    assert r.status_code == 403 and "está cerrada («OT Terminada»)" in r.get_json()["message"]
    waiting = mw.ot(20, area=4)  # "En Revisión" keeps the Cataloguing area: allowed
    assert ask(api, mw, "jefe_catalogacion", waiting).status_code == 201
    assert len(stored(mw)) == 1 and counter(mw) == 700001


def test_mat_001_an_ot_that_moved_on_still_shows_its_code(mw, api):
    ot = mw.ot(7)
    assert ask(api, mw, "catalogador", ot).status_code == 201
    with company_scope(mw.company.id):
        row = mw.session.get(type(ot), ot.id)
        row.state = "8"
        mw.session.commit()
    r = ask(api, mw, "catalogador", ot)
    assert r.status_code == 200 and r.get_json()["code"] == "CC700000N"


def test_mat_001_other_companys_ot_is_404(mw, api, make_user):
    ot = mw.ot(7)
    sur = make_user(roles=["ENV_CATALOGADOR"], companies=[mw.other], username="catalogador_sur")
    r = api(sur, mw.other).post(f"/api/v1/packaging_work_order/{ot.id}/material_code",
                                json={"prefix_id": mw.other_prefix.id, "suffix_id": mw.suffix["N"].id})
    assert r.status_code == 404 and r.get_json()["message"].startswith("No existe esa OT")
    r = api(mw.u("jefe_catalogacion"), mw.company).post("/api/v1/packaging_work_order/999999/material_code", json={})
    assert r.status_code == 404
    assert stored(mw) == [] and counter(mw) is None


def test_mat_001_bad_prefix_or_suffix_is_422_naming_the_field_and_writes_nothing(mw, api):
    ot = mw.ot(7)
    r = ask(api, mw, "catalogador", ot, prefix="CJ")
    assert r.status_code == 422 and r.get_json()["field"] == "prefix_id"
    assert r.get_json()["message"] == "El prefijo «CJ» está inactivo: elige uno activo."
    r = ask(api, mw, "catalogador", ot, suffix="X")
    assert r.status_code == 422 and r.get_json()["field"] == "suffix_id"
    r = ask(api, mw, "catalogador", ot, prefix_id=mw.other_prefix.id)  # another company's prefix
    assert r.status_code == 422 and r.get_json()["field"] == "prefix_id"
    assert "no corresponde a ningún registro de la empresa activa" in r.get_json()["message"]
    r = ask(api, mw, "catalogador", ot, prefix=None)
    assert r.status_code == 422 and r.get_json()["field"] == "prefix_id"
    r = ask(api, mw, "catalogador", ot, suffix_id="uno")
    assert r.status_code == 422 and r.get_json()["field"] == "suffix_id"
    r = ask(api, mw, "catalogador", ot, color="rojo")
    assert r.status_code == 422 and r.get_json()["field"] == "color"
    assert stored(mw) == [] and counter(mw) is None


def test_mat_001_list_of_materials_follows_the_ots_one_sees(mw, api):
    ot = mw.ot(7)
    ask(api, mw, "catalogador", ot)
    r = api(mw.u("jefe_catalogacion"), mw.company).get("/api/v1/packaging_material/")
    assert r.status_code == 200
    assert [(m["code"], m["work_order"], m["prefix"], m["suffix"]) for m in r.get_json()["result"]] == [
        ("CC700000N", ot.id, "CC", "N")]
    r = api(mw.u("sur_vendedor"), mw.other).get("/api/v1/packaging_material/")
    assert r.status_code == 200 and r.get_json()["result"] == []


def test_mat_001_the_list_of_materials_costs_the_same_with_more_rows(mw, api, count_queries):
    chief = api(mw.u("jefe_catalogacion"), mw.company)
    ask(api, mw, "catalogador", mw.ot(7))
    chief.get("/api/v1/packaging_material/")
    with count_queries() as one:
        assert len(chief.get("/api/v1/packaging_material/").get_json()["result"]) == 1
    for _ in range(3):
        ask(api, mw, "catalogador", mw.ot(7))
    with count_queries() as four:
        rows = chief.get("/api/v1/packaging_material/").get_json()["result"]
    assert len(rows) == 4 and len({r["work_order_number"] for r in rows}) == 4
    assert four.count == one.count, four.statements


def test_mat_001_catalogs_are_written_by_admin_with_codes_checked(mw, api):
    admin = api(mw.u("administrador"), mw.company)
    r = admin.post("/api/v1/packaging_material_prefix/", json={"code": " bd ", "description": "Bandeja"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["result"]["code"] == "BD"
    r = admin.post("/api/v1/packaging_material_prefix/", json={"code": "CC", "description": "Otra"})
    assert r.status_code == 422 and r.get_json()["field"] == "code" and "CC" in r.get_json()["message"]
    r = admin.post("/api/v1/packaging_material_suffix/", json={"code": "A B", "description": "Con espacio"})
    assert r.status_code == 422 and r.get_json()["field"] == "code"
    r = api(mw.u("catalogador"), mw.company).post("/api/v1/packaging_material_suffix/",
                                                  json={"code": "Z", "description": "Z"})
    assert r.status_code == 403
    r = api(mw.u("catalogador"), mw.company).get("/api/v1/packaging_material_prefix/")
    assert r.status_code == 200 and {p["code"] for p in r.get_json()["result"]} == {"CC", "CJ", "BD"}


# --- the OT page ------------------------------------------------------------------------------

def test_mat_001_ot_page_button_creates_the_code_and_shows_it(mw, login, client):
    ot = mw.ot(7)
    login("catalogador")
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert "Crear código material" in page and "CC · Prefijo CC" in page
    assert "CJ · Prefijo CJ" not in page and "X · Sufijo X" not in page  # inactive ones not offered
    r = client.post(f"/envases/ots/{ot.id}/codigo_material",
                    data={"prefix_id": mw.prefix["CC"].id, "suffix_id": mw.suffix["E"].id})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Código de material CC700000E creado." in page and 'id="material-code-value">CC700000E' in page
    assert "Crear código material</button>" not in page


def test_mat_001_ot_page_refuses_an_inactive_prefix_beside_its_field(mw, login, client):
    ot = mw.ot(7)
    login("catalogador")
    r = client.post(f"/envases/ots/{ot.id}/codigo_material",
                    data={"prefix_id": mw.prefix["CJ"].id, "suffix_id": mw.suffix["N"].id})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "El prefijo «CJ» está inactivo: elige uno activo." in page and "has-error" in page
    assert stored(mw) == []


def test_mat_001_ot_page_shows_no_button_to_other_roles_or_areas(mw, login, client, app):
    ot, pre = mw.ot(7), mw.ot(6)
    login("jefe_ventas")
    page = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert "Sin código de material." in page and "Crear código material</button>" not in page
    r = client.post(f"/envases/ots/{ot.id}/codigo_material",
                    data={"prefix_id": mw.prefix["CC"].id, "suffix_id": mw.suffix["N"].id})
    assert r.status_code == 403 and "Tu rol no permite «Crear Código SAP»." in r.get_data(as_text=True)
    chief = login("jefe_catalogacion", test_client=app.test_client())
    page = chief.get(f"/envases/ots/{pre.id}").get_data(as_text=True)
    assert "el código de material se crea cuando está en «Área de Catalogación»" in page
    assert stored(mw) == []


def test_mat_001_demo_loads_prefixes_and_suffixes_once(mw):
    from app.packaging.materials import services as materials

    with company_scope(mw.other.id):
        materials.load_demo(mw.session, mw.other)
        materials.load_demo(mw.session, mw.other)
        mw.session.commit()
        codes = mw.session.scalars(select(MaterialPrefix.code).order_by(MaterialPrefix.code)).all()
        inactive = mw.session.scalars(select(MaterialSuffix.code).where(MaterialSuffix.active.is_(False))).all()
    assert "CC" in codes and "SUR" in codes and len(codes) == len(set(codes))
    assert inactive == ["X"]


# --- concurrency (PostgreSQL, real threads) -----------------------------------------------------

def _race(app, w, ot_ids, user_key):
    """One real request per OT id (the REST endpoint, each on its own test client, so its own
    app context, session and transaction), all released at once by a barrier."""
    from tests.factories import ApiClient

    w.session.commit()
    body = {"prefix_id": w.prefix["CC"].id, "suffix_id": w.suffix["N"].id}
    clients = [ApiClient(app.test_client(), w.u(user_key), w.company) for _ in ot_ids]
    barrier = threading.Barrier(len(ot_ids))
    answers, errors = [], []

    def run(client, ot_id):
        try:
            barrier.wait(timeout=60)
            with app.app_context():  # the client serialises the JSON body with the app's encoder
                r = client.post(f"/api/v1/packaging_work_order/{ot_id}/material_code", json=body)
            if r.status_code not in (200, 201):
                errors.append((r.status_code, r.get_json()))
            else:
                answers.append((ot_id, r.get_json()["code"], r.get_json()["number"], r.status_code == 201))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, ot_ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return answers


def test_mat_001_sixteen_concurrent_requests_for_one_ot_give_one_code(mw, app, postgres_only):
    ot = mw.ot(7)
    mw.session.commit()
    answers = _race(app, mw, [ot.id] * 16, "catalogador")
    assert len(answers) == 16
    assert {(code, number) for _, code, number, _ in answers} == {("CC700000N", 700000)}
    assert sum(created for *_, created in answers) == 1
    assert len(stored(mw)) == 1 and counter(mw) == 700001  # one number consumed


def test_mat_001_sixteen_concurrent_requests_for_sixteen_ots_give_consecutive_numbers(mw, app, postgres_only):
    ots = [mw.ot(7) for _ in range(16)]
    mw.session.commit()
    answers = _race(app, mw, [o.id for o in ots], "jefe_catalogacion")
    assert sorted(number for _, _, number, _ in answers) == list(range(700000, 700016))
    assert len({ot_id for ot_id, *_ in answers}) == 16 and all(created for *_, created in answers)
    assert sorted(m.code for m in stored(mw)) == [f"CC{n}N" for n in range(700000, 700016)]
    assert counter(mw) == 700016


def test_mat_001_mantenedores_add_form_keeps_a_bad_code_beside_its_field(mw, login, client):
    login("administrador")
    r = client.post("/envases/mantenedores/material_suffix/add",
                    data={"code": "E 1", "description": "Exportación 1", "active": "y"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "debe tener de 1 a 5 letras o dígitos" in page and 'value="E 1"' in page
    r = client.post("/envases/mantenedores/material_suffix/add",
                    data={"code": "e2", "description": "Exportación 2", "active": "y"})
    assert r.status_code == 302
    with company_scope(mw.company.id):
        assert mw.session.scalar(select(MaterialSuffix.code).where(MaterialSuffix.description == "Exportación 2")) == "E2"
