"""Issue 10 pages of instruments: Recepción, due within 30 days, the instrument form's rules."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.calibration.instruments.models import Instrument
from app.core.tenancy import company_scope
from tests.calibration.conftest import TODAY


def test_instruments_reception_and_due_list(world, client, login):
    with company_scope(world.company.id):
        world.session.add_all([
            Instrument(tag="TER-01", description="Termómetro", interval_days=180, next_due_on=TODAY + dt.timedelta(days=10)),
            Instrument(tag="BAL-01", description="Balanza", interval_days=365, next_due_on=TODAY + dt.timedelta(days=90)),
            Instrument(tag="OLD-01", description="Vencido", interval_days=365, next_due_on=TODAY - dt.timedelta(days=2)),
        ])
        world.session.commit()
    login("cal_cliente")
    html = client.get("/calibracion/vencimientos").get_data(as_text=True)
    assert 'data-tag="TER-01"' in html and 'data-tag="OLD-01"' in html and "BAL-01" not in html and "Vencido" in html
    r = client.post(f"/calibracion/recepcion/{world.instrument.id}", follow_redirects=True)
    assert "Instrumento MAN-001 validado" in r.get_data(as_text=True)
    r = client.post("/calibracion/instrumentos/add", data={"tag": "MAN-001", "description": "Otro", "interval_days": "30",
                                                          "active": "y"})
    assert "Ya existe un instrumento con la etiqueta MAN-001" in r.get_data(as_text=True)
    r = client.post("/calibracion/instrumentos/add", data={"tag": "MAN-002", "description": "Otro", "interval_days": "30",
                                                          "range_low": "10", "range_high": "1", "active": "y"})
    assert "no puede ser menor" in r.get_data(as_text=True)
    with company_scope(world.company.id):
        assert world.session.scalar(select(Instrument).where(Instrument.tag == "MAN-002")) is None
    client.post("/logout/")
    login("cal_responsable")
    r = client.post(f"/calibracion/recepcion/{world.instrument.id}", follow_redirects=True)
    assert "Solo un usuario del cliente" in r.get_data(as_text=True)


def test_issue_29_3_the_edit_page_says_a_validated_instrument_went_back_to_reception(world, client, login):
    login("cal_cliente")
    assert client.post(f"/calibracion/recepcion/{world.instrument.id}").status_code == 302
    form = {"tag": "MAN-001", "description": "Manómetro", "make": "Otra marca", "interval_days": "365", "active": "y"}
    page = client.post(f"/calibracion/instrumentos/edit/{world.instrument.id}", data=form, follow_redirects=True)
    assert "vuelve a Recepción: cambió su marca" in page.get_data(as_text=True)
    with company_scope(world.company.id):
        world.session.expire_all()
        instrument = world.session.scalar(select(Instrument).where(Instrument.id == world.instrument.id))
    assert instrument.validated_at is None and instrument.make == "Otra marca"
