"""Issue 20 · 7: packaging labels live in the database. The platform's administrator renames a
catalog row (Mantenedores API or page), `flask seed` keeps the rename, and every label people
read shows it: refusals, pages and their filter choices, the OT's history and the API's
`*_label`; the structure the rules read (a state's default area and `closed`, a request
type's first state and flow) stays the YAML's, and a missing row comes back."""
from __future__ import annotations

import re

from sqlalchemy import delete

from app.core.identity import acting_as
from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import Area, ManagementType, OtState, RequestType

RENAMES = [  # (REST resource, id, new name)
    ("packaging_area", 6, "Sala de Corte Central"),
    ("packaging_state", 9, "Perdida por el cliente"),
    ("packaging_state", 17, "En sala de corte"),
    ("packaging_management_type", 1, "Cambio de etapa"),
    ("packaging_request_type", 1, "Desarrollo integral"),
]
ORDERS = "/api/v1/packaging_work_order"


def rename(world, api) -> None:
    admin = api(world.u("admin"), world.company)
    for resource, pk, name in RENAMES:
        r = admin.put(f"/api/v1/{resource}/{pk}", json={"name": name})
        assert r.status_code == 200, r.get_json()


def flask_seed(runner) -> None:
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output


def test_flask_seed_keeps_an_admins_rename(world, api, login, app, runner, session):
    rename(world, api)
    page = login("admin_env", test_client=app.test_client())
    r = page.post("/envases/mantenedores/area/edit/3", data={"name": "Diseño Gráfico", "description": "Arte"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    flask_seed(runner)
    flask_seed(runner)
    session.rollback()
    assert (session.get(Area, 6).name, session.get(Area, 6).description) == ("Sala de Corte Central",
                                                                           "Sala de corte, muestras físicas")
    assert (session.get(Area, 3).name, session.get(Area, 3).description) == ("Diseño Gráfico", "Arte")
    assert session.get(OtState, 9).name == "Perdida por el cliente"
    assert session.get(ManagementType, 1).name == "Cambio de etapa"
    assert session.get(RequestType, 1).name == "Desarrollo integral"
    assert "Sala de Corte Central" in page.get("/envases/mantenedores/area/list/").get_data(as_text=True)


def test_refusals_pages_history_and_api_show_the_renamed_labels(world, api, login, client, runner):
    rename(world, api)
    flask_seed(runner)
    ot = world.ot(17, visited=(2,))  # Sala Muestra, in the Samples area
    chief = api(world.u("jefe_muestras"), world.company)
    r = chief.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 1, "state": 9})
    assert r.status_code == 403
    assert r.get_json()["message"].startswith("Desde «Sala de Corte Central» la OT no puede pasar a "
                                              "«Perdida por el cliente» (estados permitidos: ")
    r = chief.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 1, "state": 17})
    assert r.status_code == 403 and r.get_json()["message"] == "La OT ya está en «En sala de corte»."
    r = api(world.u("vendedor"), world.company).put(f"{ORDERS}/{ot.id}", json={"client": "Otro"})
    assert r.status_code == 403 and "está en «Sala de Corte Central»: solo se edita" in r.get_json()["message"]
    shown = api(world.u("gerente"), world.company).get(f"{ORDERS}/{ot.id}").get_json()["result"]
    assert (shown["state_label"], shown["current_area_label"], shown["request_type_label"]) == (
        "En sala de corte", "Sala de Corte Central", "Desarrollo integral")
    r = chief.post("/api/v1/packaging_management/", json={"work_order": ot.id, "management_type": 1, "state": 18})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["result"]["management"]["management_type_label"] == "Cambio de etapa"
    login("gerente")
    listed = client.get("/envases/ots/?state=18").get_data(as_text=True)
    assert '<option value="6" >Sala de Corte Central</option>' in listed  # the area filter's choice
    assert '<option value="17" >En sala de corte</option>' in listed  # the state filter's choice
    row = re.search(rf'<tr><td><a href="/envases/ots/{ot.id}">.*?</tr>', listed, re.S).group(0)
    # 18 returns the OT to the area that sent it to Samples (issue 21 · 1)
    assert "Desarrollo integral" in row and "Área de Desarrollo" in row and "Área de Muestras" not in listed
    history = client.get(f"/envases/ots/{ot.id}").get_data(as_text=True)
    assert "Cambio de etapa" in history and "En sala de corte → Muestra Terminada (Área de Desarrollo)" in history


def test_flask_seed_brings_back_the_yamls_structure_and_missing_rows(session, runner):
    """As the system (no user): the structure the rules read is the YAML's; names stay."""
    session.get(Area, 1).name = "Área Comercial"
    state = session.get(OtState, 2)
    state.name, state.default_area_id, state.closed = "Desarrollo", 5, True
    session.get(RequestType, 3).first_state_id = 2
    session.execute(delete(ManagementType).where(ManagementType.id == 11))
    session.commit()
    flask_seed(runner)
    session.rollback()
    state = session.get(OtState, 2)
    assert (state.name, state.default_area_id, state.closed) == ("Desarrollo", 2, False)
    assert session.get(RequestType, 3).first_state_id == 5
    assert session.get(RequestType, 2).flow == "Área Comercial->Desarrollo"  # the areas by their names now
    assert session.get(ManagementType, 11).name == "Solicitud Especial"


def test_labels_are_one_statement_per_transaction_and_a_commit_reads_them_anew(world, session, count_queries):
    session.commit()
    with count_queries() as first:
        names = cat.labels(session)
        assert cat.labels(session) is names
    assert [s for s in first.statements if not s.startswith("BEGIN")] == [first.statements[-1]]  # SQLite's BEGIN
    assert names.area(6) == "Área de Muestras" and names.roles["ENV_VENDEDOR"] == "Vendedor"
    with acting_as(world.u("admin")):
        session.get(Area, 6).name = "Sala de Corte Central"
        session.commit()
    assert cat.labels(session).area(6) == "Sala de Corte Central"


def test_a_page_reads_the_labels_once_whatever_it_shows(world, login, client, count_queries):
    world.dataset()
    login("gerente")
    ot = world.ot(17, visited=(2,))
    for url in ("/envases/ots/", f"/envases/ots/{ot.id}", "/envases/asignaciones"):
        with count_queries() as page:
            assert client.get(url).status_code == 200
        reads = [s for s in page.statements if "packaging_management_type" in s]
        assert len(reads) == 1, (url, reads)


def test_flask_seed_repairs_the_descriptions_an_earlier_seed_cut_and_keeps_an_admins(session, runner):
    """Issue 21 · 9: four areas' descriptions were seeded cut at their comma; `flask seed` gives
    a database that still has the cut text the whole description, and keeps any other text."""
    cut = {1: "Ingreso OTs", 3: "Diseño gráfico", 6: "Sala de corte"}
    for pk, text in cut.items():
        session.get(Area, pk).description = text
    session.get(Area, 2).description = "Ingeniería y planos (texto del administrador)"
    session.commit()
    flask_seed(runner)
    session.rollback()
    assert {pk: session.get(Area, pk).description for pk in (1, 2, 3, 6)} == {
        1: "Ingreso OTs, gestión comercial", 2: "Ingeniería y planos (texto del administrador)",
        3: "Diseño gráfico, arte", 6: "Sala de corte, muestras físicas"}
