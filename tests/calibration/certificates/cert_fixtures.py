"""Fixtures of cal-cert's tests (certificates, sharing, verification, legacy paths): two
companies, the four calibration roles, an instrument and an order with results, built directly
(the services under test start where the order is APPROVED)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.calibration.certificates.models import CalibrationSettings
from app.calibration.instruments.models import Instrument
from app.calibration.orders.models import CalibrationOrder, CalibrationResult
from app.core.storage import FilesystemStorage
from app.core.tenancy import company_scope
from app.extensions import db
from tests.factories import make_company, make_user

TODAY = dt.date(2026, 11, 20)
ROLES = {"CLIENTE": "CAL_CLIENTE", "RESPONSABLE": "CAL_RESPONSABLE", "SUPERVISOR": "CAL_SUPERVISOR",
         "TECNICO": "CAL_TECNICO"}


class CertWorld:
    def __init__(self, tmp_path):
        self.company = make_company(name="Hospital Norte")
        self.other = make_company(name="Clínica Sur")
        self.users = {code: make_user(roles=[role], companies=[self.company], username=f"cal_{code.lower()}")
                      for code, role in ROLES.items()}
        self.stranger = make_user(roles=["CAL_SUPERVISOR"], companies=[self.other], username="cal_otro")
        self.storage = FilesystemStorage(str(tmp_path / "files"))
        self._n = 0
        with company_scope(self.company.id):
            db.session.add(CalibrationSettings(
                company_id=self.company.id, lab_name="Laboratorio Metrológico Sur",
                lab_address="Calle Mayor 1, Sevilla", accreditation_number="ENAC 123/LC10.456",
                certificate_contacts="calidad@norte.example.com\nmantenimiento@norte.example.com",
                decision_rule="",
            ))
            db.session.commit()

    def order(self, company=None, state="APPROVED", results=2, tag=None) -> CalibrationOrder:
        company = company or self.company
        self._n += 1
        with company_scope(company.id):
            instrument = Instrument(company_id=company.id, tag=tag or f"MN-{self._n:02d}",
                                    description="Manómetro digital", make="Druck", model="DPI 104",
                                    serial=f"SN-{self._n:04d}", range_low=Decimal("0"), range_high=Decimal("100"),
                                    unit="bar", resolution=Decimal("0.001"), location="Quirófano 2",
                                    interval_days=365, active=True, validated_at=dt.datetime(2026, 10, 1, 9, 0),
                                    validated_by_id=self.users["CLIENTE"].id)  # «Recepción» done
            order = CalibrationOrder(
                company_id=company.id, number=f"OC-2026-{self._n:05d}", instrument=instrument, state=state,
                requested_on=TODAY - dt.timedelta(days=20), requested_by_id=self.users["CLIENTE"].id,
                received_on=TODAY - dt.timedelta(days=18), started_on=TODAY - dt.timedelta(days=10),
                completed_on=TODAY - dt.timedelta(days=8), method="PC-014 comparación directa",
                environment="23,0 °C ± 1 °C; 45 %HR", standards="Patrón P-07 (ENAC 1234/2026)",
                place="CLIENT_SITE", place_detail="Quirófano 2, Hospital Norte",
                condition_on_receipt="Sin daños visibles", deviations="Ninguna",
                wants_due_date=True,
            )
            for i in range(1, results + 1):
                order.results.append(CalibrationResult(
                    company_id=company.id, position=i, measurand=f"Presión P{i}", nominal=Decimal(10 * i),
                    as_found=Decimal(10 * i) + Decimal("0.031"), as_left=Decimal(10 * i) + Decimal("0.002"),
                    error=Decimal("0.002"), uncertainty=Decimal("0.015"), k=Decimal("2"), unit="bar",
                    tolerance=Decimal("0.020") if i == 1 else None,
                ))
            db.session.add(order)
            db.session.commit()
            return order


@pytest.fixture
def cert_world(session, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path / "files"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://lab.example.com")
    return CertWorld(tmp_path)
