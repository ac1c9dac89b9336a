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
    old_first = world.operator.first_name
    world.operator.first_name = "Nuevo"
    session.commit()
    login(world.user.username)
    page = text_of(client.get(f"/auditview/historial/operator/{world.operator.id}"))
    assert "Cambio" in page and f"Nombre: {old_first} → Nuevo" in page, page[-800:]
    [change] = session.scalars(select(AuditEntry).where(AuditEntry.entity == "operator",
                                                        AuditEntry.action == "update")).all()
    assert change.data["first_name"] == [old_first, "Nuevo"]


def test_record_pages_link_to_their_history(world, client, login):
    login(world.user.username)
    html = client.get(f"/certificaciones/operarios/show/{world.operator.id}", follow_redirects=True).get_data(as_text=True)
    assert f"/auditview/historial/operator/{world.operator.id}" in html
    assert "Historial" in html
    html = client.get(f"/certificaciones/auditores/show/{world.auditor.id}", follow_redirects=True).get_data(as_text=True)
    assert f"/auditview/historial/auditor/{world.auditor.id}" in html  # every detail page built on core's views


def _history_naming_auditors(world, session, n: int) -> int:
    """An inspection's history of `n` entries, each naming another auditor and made by
    another user; returns the inspection's id."""
    from app.certification.catalogs.models import Auditor
    from app.core import audit
    from app.core.tenancy import company_scope
    from tests.factories import make_user

    with company_scope(world.company.id):
        inspection_id = 900000 + n  # the entries alone make the history page
        for i in range(n):
            auditor = Auditor(first_name="Aud", last_name=f"{n}-{i}", code=f"HA-{n}-{i}")
            session.add(auditor)
            session.flush()
            user = make_user(roles=["AUDITOR"], companies=[world.company], username=f"hist_{n}_{i}")
            audit.record(session, entity="inspection", entity_id=inspection_id, action="update",
                         company_id=world.company.id, data={"auditor_id": [None, auditor.id]}, user=user)
        session.commit()
        return inspection_id


def test_a_history_page_runs_the_same_queries_for_2_and_8_entries(world, client, login, session, count_queries):
    """Related rows are named from one query per related model, and the actor is the name
    written at the time: no query per entry."""
    small, large = _history_naming_auditors(world, session, 2), _history_naming_auditors(world, session, 8)
    login(world.user.username)
    counts = []
    for pk in (small, large):
        with count_queries() as counter:
            page = text_of(client.get(f"/auditview/historial/inspection/{pk}"))
        counts.append(counter.count)
    assert "Aud 8-7" in page and "Aud 8-0" in page  # related rows by name
    assert counts[0] == counts[1], counts
