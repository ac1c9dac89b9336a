"""Issue 29 · 7 (packaging): on the audit's history page a management entry that changes no
state reads as its event with its note («Gestión registrada: …»), with no «desde → hasta», and a
sample's events and states read by their labels (declared on the model: samples have no
workflow) instead of their codes."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.core.tenancy import company_scope
from app.packaging.orders.models import ENTITY
from app.packaging.samples.models import SAMPLE_ENTITY, Sample
from tests.packaging.samples import test_samples as base
from tests.packaging.samples.test_samples import payload

cats = base.cats  # the catalogs fixture
MGMT = "/api/v1/packaging_management/"


def history_rows(html: str) -> dict[str, str]:
    body = html[html.index('id="history"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    cells = [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return {row[2]: row[3] for row in cells}


def test_management_entries_and_samples_read_as_events_on_the_history_page(world, api, cats, login, client):
    ot = world.ot(2)
    c = api(world.u("ingeniero"), world.company)
    body = payload(world, cats, ot, recipients=("seller",))
    del body["work_order"]
    assert c.post(MGMT, json={"work_order": ot.id, "management_type": 6, "note": "Para feria",
                              "sample": body}).status_code == 201
    assert c.post(MGMT, json={"work_order": ot.id, "management_type": 2, "note": "¿Color del cartón?"}).status_code == 201
    login("admin_env")
    rows = history_rows(client.get(f"/auditview/historial/{ENTITY}/{ot.id}").get_data(as_text=True))
    assert rows["Gestión registrada: ¿Color del cartón?"] == ""
    assert not any(code.startswith("GESTION_") for code in rows)
    world.session.rollback()
    with company_scope(None):
        sample = world.session.scalars(select(Sample).where(Sample.work_order_id == ot.id)).first()
    rows = history_rows(client.get(f"/auditview/historial/{SAMPLE_ENTITY}/{sample.id}").get_data(as_text=True))
    assert rows["Crear la muestra"] == "— → Pendiente"
