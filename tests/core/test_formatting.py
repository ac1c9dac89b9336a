"""Issue 9, items 4 and 5: dates dd/mm/aaaa, timestamps to the minute in the company's zone,
Sí/No, empty cells for none, states by label coloured by kind, `company_today`."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.core.formatting import state_badge, state_kind
from app.core.localization import company_today, format_datetime
from app.core.workflow import get_workflow


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def admin_client(client, make_company, make_user, login):
    company = make_company(name="Empresa Fechas")
    make_user(roles=["Admin"], companies=[company], username="fechas")
    login("fechas")
    return client, company


def test_company_today_is_the_local_date_of_its_zone(make_company):
    late_utc = dt.datetime(2026, 11, 24, 3, 30, tzinfo=dt.timezone.utc)  # 21:30 of the 23rd in Mexico City
    mexico = make_company(country_code="MX", subdivision=None, tax_id="DSU010101AB1", timezone="America/Mexico_City")
    assert company_today(mexico, late_utc) == dt.date(2026, 11, 23)
    assert company_today(make_company(timezone="Europe/Madrid"), late_utc) == dt.date(2026, 11, 24)  # 04:30 of the 24th


def test_timestamps_read_to_the_minute_in_the_zone():
    from zoneinfo import ZoneInfo

    stamp = dt.datetime(2026, 7, 1, 10, 5, 59)  # stored naive, UTC
    assert format_datetime(stamp, ZoneInfo("Europe/Madrid")) == "01/07/2026 12:05"
    assert format_datetime(None) == ""


def test_lists_show_dates_booleans_and_no_none(admin_client, session):
    from app.core.tenancy import NonWorkingDay

    client, company = admin_client
    session.add(NonWorkingDay(company_id=company.id, date=dt.date(2026, 12, 7), description=None))
    session.commit()
    page = text_of(client.get("/nonworkingdayview/list/"))
    assert "07/12/2026" in page and "2026-12-07" not in page and "None" not in page
    companies = text_of(client.get("/companyview/list/"))
    assert " Sí " in companies and "True" not in companies


def test_audit_list_reads_times_in_the_company_zone(admin_client, session):
    client, company = admin_client
    html = client.get("/auditview/list/").get_data(as_text=True)
    cells = re.findall(r"<td>\s*([^<]*?)\s*</td>", html)
    assert any(re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", c) for c in cells), cells
    assert not any(re.match(r"\d{4}-\d{2}-\d{2}", c) for c in cells)


def test_states_have_a_colour_per_kind():
    workflow = get_workflow("installation")
    kinds = {state_kind(workflow, code) for code in workflow.states}
    assert kinds == {"initial", "progress", "waiting", "final", "cancelled"}
    badge = str(state_badge(workflow, "ORDER_CANCELLED"))
    assert "Orden Cancelada" in badge and "state-cancelled" in badge and 'title="ORDER_CANCELLED"' in badge


def test_diagram_arrows_carry_labels_and_codes_in_tooltips():
    dot = get_workflow("installation").dot()
    accept = next(line for line in dot.splitlines() if '"PENDING_ACCEPTANCE" -> "ACCEPTED"' in line)
    assert "ACCEPT_ORDER" not in accept.split("tooltip")[0]  # the label is the action's label
    assert "Gestor de operaciones" in accept and 'tooltip="ACCEPT_ORDER · GESTOR_OPERACIONES"' in accept
    created = next(line for line in dot.splitlines() if line.strip().startswith('"CREATED" ['))
    assert 'label="Orden Creada"' in created and 'tooltip="CREATED"' in created


def test_users_list_shows_role_labels(admin_client, make_user):
    client, company = admin_client
    make_user(roles=["INST_TECNICO"], companies=[company], username="tecnico9")
    html = client.get("/users/list/").get_data(as_text=True)
    cells = [c.strip() for c in re.findall(r"<td>\s*([^<]*?)\s*</td>", html)]
    assert "Instalación · Técnico" in cells and "INST_TECNICO" not in cells
