"""Issue 29 · 7 (installation): a self-transition (CONTACT_DOCTOR keeps the order «Aceptada»)
reads as its event on the audit's history page, with no «desde → hasta»; the creation
reads «Crear la orden: <número>» with «— → Orden Creada»."""
from __future__ import annotations

import re

import pytest

from app.installation.orders.models import ENTITY


@pytest.fixture
def login(relogin):
    """Each login in these tests signs the previous user out first."""
    return relogin


def history_rows(html: str) -> dict[str, str]:
    """The history table's rows as {event: states}."""
    body = html[html.index('id="history"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    cells = [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return {row[2]: row[3] for row in cells}


def test_a_contact_with_the_doctor_reads_as_its_event_not_as_a_transition(world, client, login):
    order = world.order_in("ACCEPTED")
    login("gestor_cuenta")
    r = client.post(f"/instalacion/orden/{order.id}/accion/CONTACT_DOCTOR",
                    data={"channel": "PHONE", "note": "Confirma la visita", "version": world.reload(order.id).version})
    assert r.status_code in (200, 302) and world.reload(order.id).state == "ACCEPTED"
    login("admin_inst")
    rows = history_rows(client.get(f"/auditview/historial/{ENTITY}/{order.id}").get_data(as_text=True))
    assert rows["Contactar al doctor"] == ""
    assert rows[f"Crear la orden: {order.number}"] == "— → Orden Creada"
    assert all(v.split(" → ")[0] != v.split(" → ")[-1] for v in rows.values() if v)  # no «X → X» anywhere
