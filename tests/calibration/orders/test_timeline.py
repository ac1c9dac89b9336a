"""Issue 29 · 7: a history row names its event («Resultado añadido: Presión 10 bar») and shows
«desde → hasta» only when the state changed, on the order's page and on the audit's history
page (both read app/core/history.py)."""
from __future__ import annotations

import re

import pytest

from tests.calibration.conftest import TODAY


@pytest.fixture
def login(relogin):
    """Each login in these tests signs the previous user out first."""
    return relogin


def rows(html: str, table_id: str | None = None) -> list[list[str]]:
    """The table's body rows as lists of cell texts (tags dropped, spaces collapsed)."""
    if table_id:
        html = html[html.index(f'id="{table_id}"'):]
    else:
        html = html[html.index("order-timeline"):]
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_events_that_change_no_state_show_no_transition_on_the_order_page(world, client, login):
    """Issue 29 · 7: the result, the evidence file and the edit of an order in execution read as
    their events; only START shows «Programada → En ejecución»."""
    order = world.to("IN_PROGRESS")
    login("cal_tecnico")
    html = client.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    table = rows(html)
    events = {row[2]: row[3] for row in table}
    assert events["Resultado añadido: Presión 10 bar"] == ""
    assert events["Evidencia adjunta: informe.pdf"] == ""
    assert events["Modificar la orden"] == ""
    assert events["Iniciar la calibración"] == "Programada → En ejecución"
    assert events[f"Programar: {(world.order(order.id).target_date).strftime('%d/%m/%Y')}"] == "Recibida → Programada"
    assert events[f"Crear la orden: {order.number}"] == "— → Recibida"
    assert "En ejecución → En ejecución" not in html


def test_a_self_transition_reads_as_its_event(world, client, login):
    """RESCHEDULE keeps the order «Programada»: its row says what it did, not «Programada →
    Programada»; the internal notes of its payload stay out of the summary."""
    order = world.to("SCHEDULED")
    new_day = TODAY.replace(year=TODAY.year + 1, month=1, day=15)
    world.act(order, "RESCHEDULE", world.users["RESPONSABLE"], target_date=new_day.isoformat(),
              technicians=[world.users["TECNICO"].id], notes="Solo para el laboratorio")
    login("cal_cliente")
    html = client.get(f"/calibracion/orden/{order.id}").get_data(as_text=True)
    events = {row[2]: row[3] for row in rows(html)}
    assert events[f"Reprogramar: {new_day.strftime('%d/%m/%Y')}"] == ""
    assert "Programada → Programada" not in html and "Solo para el laboratorio" not in html


def test_the_audit_history_page_names_the_events(world, client, login):
    """The audit's history page of the same order: events with their summaries, states only on
    transitions."""
    order = world.to("IN_PROGRESS")
    login("cal_admin")
    html = client.get(f"/auditview/historial/calibration_order/{order.id}").get_data(as_text=True)
    events = {row[2]: row[3] for row in rows(html, "history")}
    assert events["Resultado añadido: Presión 10 bar"] == ""
    assert events["Evidencia adjunta: informe.pdf"] == ""
    assert events["Iniciar la calibración"] == "Programada → En ejecución"
    assert "RESULT_ADDED" not in html and "En ejecución → En ejecución" not in html
