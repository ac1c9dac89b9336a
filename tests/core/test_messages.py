"""Issue 9, item 8: what a user is told after an action names what happened in their words
("Orden 1 eliminada", "Inspección del 12/11/2026 de Lucía Martín anulada"), never an internal
id, FAB's "Added Row" or the state the record left."""
from __future__ import annotations

import datetime as dt

from flask import get_flashed_messages  # noqa: F401  (messages are read from the pages)

from tests.certification.conftest import TODAY
from tests.certification.conftest import build_world as cert_world
from tests.installation.conftest import build_world as inst_world


def _flashes(client) -> list[str]:
    with client.session_transaction() as s:
        return [text for _cat, text in s.pop("_flashes", [])]

def test_inspection_registered_and_annulled_are_named_by_date_and_operator(session, make_company, make_user,
                                                                            client, login):
    w = cert_world(session, make_company, make_user, country_code="ES", subdivision="MD")
    login(w.user.username)
    day = TODAY - dt.timedelta(days=1 if TODAY.weekday() else 3)
    a = w.assign(day - dt.timedelta(days=7), today=TODAY)
    r = client.post("/certificaciones/inspecciones/registrar", data={
        "operator": w.operator.id, "assignment": a.id, "audit_type": w.audit_type.id, "auditor": w.auditor.id,
        "date": day.isoformat(), "pieces": "3", "result": "OK", "observations": ""})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert _flashes(client) == [f"Inspección del {day:%d/%m/%Y} de Lucía Martín registrada."]
    inspection = w.inspect(a, day, today=TODAY)
    client.post(f"/certificaciones/inspecciones/{inspection.id}/anular", data={"reason": "Lote equivocado"})
    assert _flashes(client) == [f"Inspección del {day:%d/%m/%Y} de Lucía Martín anulada."]

def test_catalog_add_and_edit_name_the_row(session, make_company, make_user, client, login):
    w = cert_world(session, make_company, make_user, country_code="ES", subdivision="MD")
    login(w.user.username)
    client.post("/certificaciones/operarios/add", data={"first_name": "Ana", "last_name": "Ruiz", "code": "OP-9", "active": "y"})
    assert _flashes(client) == ["Se ha añadido «Ana Ruiz (OP-9)»."]
    client.post(f"/certificaciones/auditores/edit/{w.auditor.id}",
                data={"first_name": "Andrés", "last_name": "Gil Sanz", "code": "AU-1", "active": "y"})
    assert _flashes(client) == ["Se han guardado los cambios de «Andrés Gil Sanz (AU-1)»."]

def test_order_actions_say_what_happened_to_which_order(session, make_company, make_user, client, login, app):
    w = inst_world(session, make_company, make_user)
    order = w.order_in("CREATED")
    login("doctor")
    client.post(f"/instalacion/orden/{order.id}/accion/DELETE_ORDER", data={"version": "1"})
    assert _flashes(client) == [f"Orden {order.number} eliminada."]
    loaded = w.order_in("TECHNICIAN_ASSIGNMENT")
    client = login("gestor_operaciones", test_client=app.test_client())
    r = client.post(f"/instalacion/orden/{loaded.id}/accion/LOAD_ORDER", data={"version": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    assert _flashes(client) == [f"Orden {loaded.number} cargada."]

def test_switching_company_names_the_company(session, make_company, make_user, client, login):
    north, south = make_company(name="Demo Norte"), make_company(name="Demo Sur")
    user = make_user(roles=["CERT_USUARIO"], companies=[north, south])
    login(user.username)
    client.post("/empresa/activa", data={"company_id": south.id})
    assert _flashes(client) == ["Ahora trabajas en Demo Sur."]
