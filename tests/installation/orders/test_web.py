"""The web pages: list (scoped, filters, constant queries), board, "Detalles de la Orden" with
exactly the matrix's buttons, the action forms (errors flashed, nothing changed), the new-order
form and the workflow diagram."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.core.tenancy import company_scope
from app.installation.orders import queries, services
from tests.installation.conftest import TOMORROW, WF

LIST = "/instalacion/ordenes/list/"


def details(pk):
    return f"/instalacion/orden/{pk}"


@pytest.fixture
def login(relogin):
    """Each login in these tests signs the previous user out first."""
    return relogin


def _action_buttons(html):
    """The action codes of the buttons shown on a details page, in order."""
    return list(dict.fromkeys(re.findall(r'data-action="([A-Z_]+)"', html)))


@pytest.mark.parametrize("state", list(WF.states))
def test_inst_details_show_exactly_the_available_actions_for_each_role(state, world, client, login):
    order = world.order_in(state)
    for code in ("GESTOR_CUENTA", "GESTOR_OPERACIONES", "GESTOR_GENERAL", "DOCTOR", "TECNICO", "ADMIN"):
        login(world.users[code].username)
        html = client.get(details(order.id)).get_data(as_text=True)
        expected = [t.action for t in WF.available_actions(order, world.users[code])]
        assert _action_buttons(html) == expected, (state, code)
        assert ("No tienes acciones disponibles" in html) == (not expected)


def test_details_page_shows_the_order_and_its_timeline(world, client, login):
    order = world.order_in("ACCEPTED")
    login("gestor_cuenta")
    html = client.get(details(order.id)).get_data(as_text=True)
    assert "Detalles de la Orden" in html and f"Orden {order.number}" in html
    assert "Orden Aceptada" in html and "Calle Mayor 1, Madrid" in html
    assert "2 × MON-01 · Monitor de signos vitales" in html
    assert "Crear la orden" not in html and "order-timeline" not in html  # the timeline: ORDER_CLOSED's managers only
    modal = client.get(f"/instalacion/orden/{order.id}/modal").get_data(as_text=True)
    assert "<html" not in modal and f"Orden {order.number}" in modal and "Contactar al doctor" in modal


def test_action_form_performs_and_flashes(world, client, login):
    order = world.order_in("PENDING_ACCEPTANCE")
    login("gestor_operaciones")
    r = client.post(f"/instalacion/orden/{order.id}/accion/REJECT_ORDER",
                    data={"version": "1", "reason": "Sin acceso al edificio"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Orden 1 rechazada." in html  # the YAML's `done:` sentence
    assert world.reload(order.id).state == "REJECTED"
    assert world.audit(order.id)[-1].data == {"reason": "Sin acceso al edificio"}


@pytest.mark.parametrize("user, state, action, data, status, words", [
    ("gestor_operaciones", "PENDING_ACCEPTANCE", "REJECT_ORDER", {"version": "1", "reason": ""}, 422,
     "El campo «Motivo del rechazo» es obligatorio"),
    ("gestor_operaciones", "PENDING_ACCEPTANCE", "ACCEPT_ORDER", {"version": "0"}, 409, "cambió mientras lo mirabas"),
    ("gestor_operaciones", "REJECTED", "RESCHEDULE_ORDER", {"version": "1", "scheduled_for": "2001-01-01"}, 422,
     "no puede ser una fecha pasada"),
    ("gestor_cuenta", "PENDING_ACCEPTANCE", "ACCEPT_ORDER", {"version": "1"}, 403, "pueden hacerlo: Gestor de operaciones"),
    ("gestor_operaciones", "ORDER_PREPARATION", "ASSIGN_TECHNICIANS", {"version": "1"}, 422,
     "El campo «Técnicos» necesita al menos un elemento"),
    ("gestor_operaciones", "PENDING_ACCEPTANCE", "FLY", {"version": "1"}, 422, "Acción desconocida"),
])
def test_action_form_errors_are_shown_on_the_page_and_change_nothing(world, client, login, user, state, action, data,
                                                                      status, words):
    order = world.order_in(state, technician=False)
    login(user)
    r = client.post(f"/instalacion/orden/{order.id}/accion/{action}", data=data)
    assert r.status_code == status and words in r.get_data(as_text=True)
    after = world.reload(order.id)
    assert (after.state, after.version, len(world.audit(order.id))) == (state, 1, 1)


def test_a_refused_form_stays_open_with_what_was_typed_and_the_error_beside_its_field(world, client, login):
    """Issue 7 item 1: on a domain error the action's form is open again, with the typed
    values and the message beside the field it is about."""
    order = world.order_in("REJECTED", technician=False)
    login("gestor_operaciones")
    r = client.post(f"/instalacion/orden/{order.id}/accion/RESCHEDULE_ORDER",
                    data={"version": "1", "scheduled_for": "2001-01-01"})
    html = r.get_data(as_text=True)
    form = html[html.index(f'id="form-{order.id}-RESCHEDULE_ORDER"'):]
    form = form[:form.index("</form>")]
    assert 'class="collapse in well' in html[html.index(f'id="form-{order.id}-RESCHEDULE_ORDER"') - 60:][:120]
    assert 'value="2001-01-01"' in form and "has-error" in form and "no puede ser una fecha pasada" in form


def test_style_and_confirmation_come_from_the_yaml(world, client, login):
    order = world.order_in("CREATED")
    login("gestor_general")
    html = client.get(details(order.id)).get_data(as_text=True)
    delete = html[html.rindex("<form", 0, html.index('data-action="DELETE_ORDER"')):html.index('data-action="DELETE_ORDER"')]
    assert WF.actions["DELETE_ORDER"]["confirm"] in delete
    assert 'class="btn btn-danger action-button" data-action="DELETE_ORDER"' in html


def test_acting_from_the_board_modal_comes_back_to_the_board(world, client, login):
    order = world.order_in("PENDING_ACCEPTANCE")
    login("gestor_operaciones")
    modal = client.get(f"/instalacion/orden/{order.id}/modal?next=/instalacion/tablero").get_data(as_text=True)
    assert 'name="next" value="/instalacion/tablero"' in modal
    key = modal.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"version": "1", "next": "/instalacion/tablero", "idempotency_key": key}
    r = client.post(f"/instalacion/orden/{order.id}/accion/ACCEPT_ORDER", data=data)
    assert r.status_code == 302 and r.headers["Location"].endswith("/instalacion/tablero")
    # the same form sent twice (a double click): nothing happens twice
    again = client.post(f"/instalacion/orden/{order.id}/accion/ACCEPT_ORDER", data=data, follow_redirects=True)
    assert again.status_code == 200 and "Orden 1 aceptada." in again.get_data(as_text=True)
    assert [e.action for e in world.audit(order.id)] == ["CREATE_ORDER", "ACCEPT_ORDER"]
    # another host is never a place to go back to
    bad = client.get(f"/instalacion/orden/{order.id}/modal?next=//evil.example/x").get_data(as_text=True)
    assert "evil.example" not in bad


def test_assign_technicians_form_and_edit_form(world, client, login):
    order = world.order_in("ORDER_PREPARATION", technician=False)
    login("gestor_operaciones")
    html = client.get(details(order.id)).get_data(as_text=True)
    assert 'name="technicians"' in html and "otro_tecnico" in html and "doctor_sur" not in html
    client.post(f"/instalacion/orden/{order.id}/accion/ASSIGN_TECHNICIANS",
                data={"version": "1", "technicians": [str(world.users["TECNICO"].id), str(world.users["OTHER_TECNICO"].id)]})
    assert world.reload(order.id).state == "TECHNICIAN_ASSIGNMENT"
    assert sorted(t.username for t in world.reload(order.id).technicians) == ["otro_tecnico", "tecnico"]

    created = world.order_in("CREATED")
    login("gestor_general")
    html = client.get(details(created.id)).get_data(as_text=True)
    assert 'value="Calle Mayor 1, Madrid"' in html  # the edit form starts from the order's values
    client.post(f"/instalacion/orden/{created.id}/accion/EDIT_ORDER", data={
        "version": "1", "address": "Calle Nueva 3", f"lines-{world.equipment[0].id}": "5", f"lines-{world.equipment[1].id}": "0",
    })
    after = world.reload(created.id)
    assert after.state == "PENDING_ACCEPTANCE" and after.address == "Calle Nueva 3"
    assert [(line.equipment_id, line.quantity) for line in after.lines] == [(world.equipment[0].id, 5)]


def test_delete_from_the_page_leaves_the_list(world, client, login):
    order = world.order_in("CREATED")
    login("doctor")
    r = client.post(f"/instalacion/orden/{order.id}/accion/DELETE_ORDER", data={"version": "1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(LIST)
    assert client.get(details(order.id)).status_code == 404
    assert "Clínica Norte" not in client.get(LIST).get_data(as_text=True)


def test_view_order_history_action_shows_the_full_history(world, client, login):
    order = world.order_in("ORDER_CLOSED")
    login("gestor_cuenta")
    r = client.post(f"/instalacion/orden/{order.id}/accion/VIEW_ORDER_HISTORY", data={"version": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="order-history"' in html and "Ver historial de la orden" in html
    assert "Crear la orden" in html
    assert [e.action for e in world.audit(order.id)] == ["CREATE_ORDER"]  # reading writes no row (issue 9 #10)
    assert "Crear la orden" in client.get(details(order.id)).get_data(as_text=True)  # the page's timeline too
    login("doctor")
    r = client.post(f"/instalacion/orden/{order.id}/accion/VIEW_ORDER_HISTORY", data={"version": "1"},
                    follow_redirects=True)
    assert "pueden hacerlo" in r.get_data(as_text=True)


def test_inst_011_web_list_is_scoped_and_filtered(world, client, login):
    mine = world.order_in("ORDER_LOADED")
    other = world.create(doctor=world.users["OTHER_DOCTOR"].id, site="Sitio Ajeno")
    login("doctor")
    html = client.get(LIST).get_data(as_text=True)
    assert f'/instalacion/orden/{mine.id}"' in html and f'/instalacion/orden/{other.id}"' not in html
    assert client.get(details(other.id)).status_code == 404
    login("otro_tecnico")
    assert 'class="btn btn-sm btn-primary order-details-link"' not in client.get(LIST).get_data(as_text=True)
    login("tecnico")
    html = client.get(LIST).get_data(as_text=True)
    assert f'/instalacion/orden/{mine.id}"' in html and f'/instalacion/orden/{other.id}"' not in html
    login("gestor_operaciones")
    html = client.get(LIST).get_data(as_text=True)
    assert f'/instalacion/orden/{mine.id}"' in html and f'/instalacion/orden/{other.id}"' in html
    from app.installation.orders.views import state_filter_arg

    html = client.get(f"{LIST}?{state_filter_arg()}=ORDER_LOADED").get_data(as_text=True)
    assert f'/instalacion/orden/{mine.id}"' in html and f'/instalacion/orden/{other.id}"' not in html
    # the doctor filter offers the company's doctors only
    assert "otro_doctor" in html or "Otro_Doctor" in html
    assert "Doctor_Sur" not in html


def test_list_board_and_details_queries_do_not_grow_with_rows(world, client, login, count_queries):
    login("gestor_operaciones")

    def measure(url):
        client.get(url)  # warm-up (first-request caches)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    world.order_in("CREATED")
    first = world.order_in("ORDER_LOADED")
    small = [measure(LIST), measure("/instalacion/tablero"), measure(details(first.id))]
    for i in range(25):
        world.create(doctor=(world.users["DOCTOR"] if i % 2 else world.users["OTHER_DOCTOR"]).id)
    big = [measure(LIST), measure("/instalacion/tablero"), measure(details(first.id))]
    assert big == small, (small, big)


def test_details_queries_do_not_grow_with_buttons(world, client, login, count_queries):
    """CREATED shows two buttons with forms (EDIT needs doctors and equipment); CLOSED one."""
    created, closed = world.order_in("CREATED"), world.order_in("ORDER_CLOSED")
    login("gestor_operaciones")
    counts = []
    for order in (created, closed, created):
        with count_queries() as counter:
            client.get(details(order.id))
        counts.append(counter.count)
    assert counts[0] == counts[2] and counts[0] <= counts[1] + 3, counts


def test_board_has_one_column_per_state(world, client, login):
    world.order_in("ACCEPTED")
    world.order_in("ORDER_LOADED")
    login("gestor_cuenta")
    html = client.get("/instalacion/tablero").get_data(as_text=True)
    assert re.findall(r'class="board-column[^"]*" data-state="([A-Z_]+)"', html) == list(WF.states)
    # issue 9 #11: a column without orders collapses to its title
    assert re.findall(r'class="board-column" data-state="([A-Z_]+)"', html) == ["ACCEPTED", "ORDER_LOADED"]
    assert "?next=/instalacion/tablero" in html  # a card opened as a page comes back to the board
    columns = queries.board(session=world.session, user=world.users["GESTOR_CUENTA"])
    assert {c["state"]: c["count"] for c in columns if c["count"]} == {"ACCEPTED": 1, "ORDER_LOADED": 1}


def test_board_of_company_b_shows_nothing_of_company_a(world, client, login):
    world.order_in("ACCEPTED")
    login("gestor_sur")
    html = client.get("/instalacion/tablero").get_data(as_text=True)
    assert 'class="board-card' not in html and 'data-state="ACCEPTED"' in html


def test_board_cards_are_the_first_of_each_state_in_the_active_company(world, session):
    """Company A's 23 accepted orders never take company B's places on B's board."""
    from app.core.tenancy import company_scope

    for _ in range(23):
        world.order_in("ACCEPTED")
    with company_scope(world.other.id):
        sur = services.create_order(session=session, user=world.users["SUR_GESTOR"], company=world.other,
                                    today=dt.date.today(), data={
            "doctor": world.users["SUR_DOCTOR"].id, "address": "Calle Sur", "scheduled_for": TOMORROW.isoformat()})
        sur.state = "ACCEPTED"
        session.commit()
        [column] = [c for c in queries.board(session=session, user=world.users["SUR_GESTOR"]) if c["count"]]
        assert (column["state"], column["count"], [o.id for o in column["orders"]]) == ("ACCEPTED", 1, [sur.id])
    with company_scope(world.company.id):
        columns = {c["state"]: c for c in queries.board(session=session, user=world.users["GESTOR_CUENTA"])}
        accepted = columns["ACCEPTED"]
        assert accepted["count"] == 23 and len(accepted["orders"]) == queries.BOARD_CARDS_PER_STATE
        dates = [(o.scheduled_for, o.number) for o in accepted["orders"]]
        assert dates == sorted(dates) and all(o.company_id == world.company.id for o in accepted["orders"])


def test_new_order_form(world, client, login):
    login("gestor_general")
    html = client.get("/instalacion/orden/nueva").get_data(as_text=True)
    assert "MON-01" in html and "OLD-03" not in html and "doctor_sur" not in html
    r = client.post("/instalacion/orden/nueva", data={"doctor": str(world.users["DOCTOR"].id), "address": "",
                                                     "scheduled_for": TOMORROW.isoformat()})
    assert r.status_code == 422 and "El campo «Dirección» es obligatorio" in r.get_data(as_text=True)
    assert world.count_orders() == 0
    r = client.post("/instalacion/orden/nueva", data={
        "doctor": str(world.users["DOCTOR"].id), "address": "Calle Web 1", "site": "Clínica Web",
        "scheduled_for": (TOMORROW + dt.timedelta(days=2)).isoformat(), f"lines-{world.equipment[0].id}": "3",
    })
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Orden 1 creada en «Orden Creada»" in html and "3 × MON-01" in html


def test_inst_001_admin_is_sent_back_from_the_new_order_form(world, client, login):
    login("admin_inst")
    r = client.get("/instalacion/orden/nueva", follow_redirects=True)
    assert "tampoco el administrador" in r.get_data(as_text=True) and 'id="new-order-form"' not in r.get_data(as_text=True)
    r = client.post("/instalacion/orden/nueva", data={"doctor": str(world.users["DOCTOR"].id), "address": "x",
                                                     "scheduled_for": TOMORROW.isoformat()})
    assert r.status_code == 302 and world.count_orders() == 0


def test_technician_cannot_open_the_new_order_form_nor_the_catalog(world, client, login):
    login("tecnico")
    assert client.get("/instalacion/orden/nueva").status_code in (302, 403)
    assert client.get("/instalacion/equipos/list/").status_code in (302, 403)
    html = client.get(LIST).get_data(as_text=True)
    assert "Nueva orden" not in html and "Catálogo de equipos" not in html and "Tablero de órdenes" in html


def test_workflow_page_draws_the_installation_diagram(world, client, login):
    login("tecnico")
    html = client.get("/flujos/installation").get_data(as_text=True)
    assert "Órdenes de instalación (matriz TUMEX)" in html
    assert r'\"PENDING_ACCEPTANCE\" -\u003e \"ACCEPTED\"' in html
    assert "Diagrama del flujo" in html  # the link in the module's menu


def test_a_doctor_opening_the_new_order_form_finds_themself_chosen_as_its_doctor(world, client, login):
    """Issue 9, item 12: the doctor who creates an order is preselected as its doctor; a manager
    chooses one."""
    login("doctor")
    html = client.get("/instalacion/orden/nueva").get_data(as_text=True)
    assert f'<option value="{world.users["DOCTOR"].id}" selected>' in html
    login("gestor_general")
    html = client.get("/instalacion/orden/nueva").get_data(as_text=True)
    assert f'<option value="{world.users["DOCTOR"].id}" selected>' not in html


@pytest.mark.parametrize("state", ["REJECTED", "ORDER_CLOSED"])
def test_only_the_holders_of_view_order_history_read_the_timeline_page_and_endpoint(world, client, login, api, app, state):
    """Issue 9 #10: the managers of ORDER_CLOSED read the full timeline (page and /history);
    every other role, and any role before ORDER_CLOSED, sees the order's data and its current
    reasons but no timeline (403 on /history). Admin reads the audit."""
    order = world.order_in("PENDING_ACCEPTANCE")
    go = api(world.users["GESTOR_OPERACIONES"], world.company)
    assert go.post(f"/api/v1/installation_order/{order.id}/actions/REJECT_ORDER",
                   json={"reason": "Sin acceso al edificio"}).status_code == 200
    if state == "ORDER_CLOSED":
        with company_scope(world.company.id):
            row = world.session.get(type(order), order.id)
            row.state = "ORDER_CLOSED"
            world.session.commit()
    for code in ("GESTOR_CUENTA", "GESTOR_OPERACIONES", "GESTOR_GENERAL", "DOCTOR", "TECNICO", "ADMIN"):
        holder = state == "ORDER_CLOSED" and code in ("GESTOR_CUENTA", "GESTOR_OPERACIONES")
        login(world.users[code].username)
        html = client.get(details(order.id)).get_data(as_text=True)
        assert ("order-timeline" in html) == holder, (state, code)
        assert ("Crear la orden" in html) == holder, (state, code)
        if state == "REJECTED":
            assert "Motivo del rechazo" in html and "Sin acceso al edificio" in html, code
        r = api(world.users[code], world.company).get(f"/api/v1/installation_order/{order.id}/history")
        assert r.status_code == (200 if holder else 403), (state, code)
        if holder:
            assert [h["action"] for h in r.get_json()["history"]] == ["CREATE_ORDER", "REJECT_ORDER"]
    go = api(world.users["GESTOR_OPERACIONES"], world.company)  # signing in on the web ended the old token
    reasons = go.get(f"/api/v1/installation_order/{order.id}").get_json()["result"]["reasons"]
    assert reasons == ([{"label": "Motivo del rechazo", "text": "Sin acceso al edificio"}] if state == "REJECTED" else [])


def test_the_list_sorts_by_state_in_the_flows_order_and_shows_the_chosen_state(world, client, login):
    """Issue 9 #11: "Estado" sorts as the flow goes (Orden Creada before Pendiente de
    Aceptación before Orden Cerrada), not by the codes' alphabet; a state shortcut shows
    which state the list is filtered by."""
    for state in ("ORDER_CLOSED", "CREATED", "PENDING_ACCEPTANCE", "ACCEPTED"):
        world.order_in(state)
    login("gestor_operaciones")
    html = client.get(LIST + "?_oc_InstallationOrderView=state&_od_InstallationOrderView=asc").get_data(as_text=True)
    shown = re.findall(r'<span class="state-label [^"]*" title="([A-Z_]+)"', html)
    assert shown == ["CREATED", "PENDING_ACCEPTANCE", "ACCEPTED", "ORDER_CLOSED"]
    from app.installation.orders.views import state_filter_arg

    with client.application.test_request_context():
        arg = state_filter_arg()
    html = client.get(f"{LIST}?{arg}=ACCEPTED").get_data(as_text=True)
    assert re.findall(r'state-shortcut btn-primary active" data-state="([A-Z_]+)"', html) == ["ACCEPTED"]
    assert "Estado: <strong>Orden Aceptada</strong>" in html
