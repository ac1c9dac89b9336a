"""Issue 9, item 6: the audit read as a history; a module's users read their records' entries."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.core.audit import AuditEntry
from tests.certification.conftest import TODAY


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_cert_user_reads_the_history_of_an_inspection_with_names_and_labels(world, client, login, session):
    assignment = world.assign(TODAY)
    inspection = world.inspect(assignment, TODAY)
    world.company.name = "Empresa Renombrada"  # an entry of a kind CERT_USUARIO may not read
    session.commit()
    login(world.user.username)

    html = client.get("/auditview/list/").get_data(as_text=True)
    cells = [c.strip() for c in re.findall(r"<td>\s*([^<]*?)\s*</td>", html)]
    assert "Inspecciones" in cells and "Asignaciones" in cells and "Alta" in cells
    assert "inspection" not in cells and "Empresas" not in cells and "company" not in cells

    html = client.get(f"/auditview/historial/inspection/{inspection.id}")
    assert html.status_code == 200
    page = text_of(html)
    assert world.user.get_full_name() in page
    assert world.operator.full_name in page or world.auditor.full_name in page
    table = page.split("Historial", 1)[1].split("(function", 1)[0]
    assert "{" not in table and "Registro" in table and "register" not in table, table
    assert "Realizadas: 1" in table and "Required" not in table, table

    company_history = text_of(client.get(f"/auditview/historial/company/{world.company.id}"))
    assert "Sin entradas en el historial." in company_history


def test_changes_read_as_before_and_after(world, client, login, session):
    world.operator.first_name = "Nuevo"
    old_last = world.operator.last_name
    session.commit()
    login(world.user.username)
    page = text_of(client.get(f"/auditview/historial/operator/{world.operator.id}"))
    assert "Cambio" in page and re.search(r"Nombre: \S+ → Nuevo", page), page[-800:]
    assert old_last
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "operator")).all()
    assert entries


def test_record_pages_link_to_their_history(world, client, login):
    login(world.user.username)
    html = client.get(f"/certificaciones/operarios/show/{world.operator.id}", follow_redirects=True).get_data(as_text=True)
    assert f"/auditview/historial/operator/{world.operator.id}" in html
    assert "Historial" in html
    html = client.get(f"/certificaciones/auditores/show/{world.auditor.id}", follow_redirects=True).get_data(as_text=True)
    assert f"/auditview/historial/auditor/{world.auditor.id}" in html  # every detail page built on core's views
