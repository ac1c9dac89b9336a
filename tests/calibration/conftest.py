"""Fixtures of the calibration tests: two companies (the lab's clients) with one user per
role, instruments, and helpers that walk an order through the services as the right users
(`world.to(state)`), so every test starts from a path a user could have taken."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.calibration.certificates import services as certificate_services
from app.calibration.instruments import services as instrument_services
from app.calibration.instruments.models import Instrument
from app.calibration.orders import checklist, execution, services
from app.calibration.orders.models import ENTITY, CalibrationOrder, ChecklistItem
from app.calibration.orders.workflow import WF
from app.core.audit import AuditEntry
from app.core.identity import acting_as
from app.core.storage import FilesystemStorage
from app.core.tenancy import company_scope

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ROLE_CODES = list(WF.roles)  # CLIENTE, RESPONSABLE, SUPERVISOR, TECNICO


def fab_role(code: str) -> str:
    return WF.roles[code]["role"]


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<Types><Override ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/></Types>')
    return buf.getvalue()


RESULT = {"measurand": "Presión", "nominal": "10", "as_found": "10.02", "error": "0.02", "uncertainty": "0.01",
          "k": "2", "unit": "bar", "tolerance": "0.05"}
LAB = {"lab_name": "Laboratorio Metrológico Central", "lab_address": "Calle Mayor 1, Sevilla",
       "accreditation_number": "ENAC 123/LC10.456"}
# what the certificate prints besides the results (issue 21 item 10: required before APPROVE)
CERTIFICATE_DATA = {"received_on": TODAY.isoformat(), "method": "PC-014 comparación directa",
                    "environment": "23,0 °C ± 1 °C; 45 %HR", "standards": "Patrón P-07 (trazable al CENAM)",
                    "place": "LAB", "condition_on_receipt": "Sin daños visibles", "deviations": "Ninguna"}


@dataclass
class World:
    session: object
    company: object
    other: object
    storage: object
    users: dict = field(default_factory=dict)
    instrument: object = None
    other_instrument: object = None

    def run(self, fn, user=None, scope=None, **kw):
        """Call a service as `user` in company `scope` (default: this world's), commit, return."""
        user = user or self.users["RESPONSABLE"]
        with company_scope((scope or self.company).id), acting_as(user):
            out = fn(session=self.session, user=user, **kw)
            self.session.commit()
            return out

    def order(self, order_id: int, company=None) -> CalibrationOrder:
        self.session.rollback()
        with company_scope((company or self.company).id):
            return self.session.get(CalibrationOrder, order_id)

    def create(self, user=None, company=None, **data) -> CalibrationOrder:
        company = company or self.company
        instrument = self.instrument if company is self.company else self.other_instrument
        user = user or (self.users["RESPONSABLE"] if company is self.company else self.users["SUR_RESPONSABLE"])
        return self.run(services.create_order, user=user, scope=company, **{"company": company, "today": TODAY,
                        "data": {"instrument": instrument.id, **data}})

    def act(self, order, action, user, company=None, **payload):
        company = company or self.company
        with company_scope(company.id), acting_as(user):
            fresh = self.session.get(CalibrationOrder, order.id)
            done = services.perform(session=self.session, user=user, order=fresh, action=action, payload=payload,
                                    today=TODAY)
            self.session.commit()
            return done

    def in_company(self, fn, user, company=None, **kw):
        with company_scope((company or self.company).id), acting_as(user):
            order = kw.pop("order", None)
            if order is not None:
                kw["order"] = self.session.get(CalibrationOrder, order.id)
            out = fn(session=self.session, user=user, **kw)
            self.session.commit()
            return out

    def schedule(self, order, technicians=None):
        return self.act(order, "SCHEDULE", self.users["RESPONSABLE"], target_date=(TODAY + dt.timedelta(days=7)).isoformat(),
                        technicians=[u.id for u in (technicians or [self.users["TECNICO"]])], notes="Interna",
                        observations="Traer certificado anterior")

    def execute(self, order, tech=None):
        """START, the certificate's data, a result, an evidence file (as the assigned technician)."""
        tech = tech or self.users["TECNICO"]
        self.act(order, "START", tech)
        self.in_company(services.update_order, tech, order=order, data=dict(CERTIFICATE_DATA))
        self.in_company(execution.add_result, tech, order=order, data=dict(RESULT))
        self.in_company(execution.add_evidence, tech, order=order, filename="informe.pdf", data=PDF, storage=self.storage)

    def tick_all(self, order, user=None):
        user = user or self.users["SUPERVISOR"]
        with company_scope(self.company.id):
            codes = self.session.scalars(select(ChecklistItem.code).where(ChecklistItem.active.is_(True))).all()
        return self.in_company(checklist.set_ticks, user, order=order, items={c: True for c in codes})

    def to(self, state: str, company=None):
        """An order walked to `state` (RECEIVED .. APPROVED) by the right users."""
        order = self.create()
        if state == "RECEIVED":
            return self.order(order.id)
        self.schedule(order)
        if state == "SCHEDULED":
            return self.order(order.id)
        self.execute(order)
        if state == "IN_PROGRESS":
            return self.order(order.id)
        self.act(order, "SUBMIT_REVIEW", self.users["TECNICO"])
        if state == "IN_REVIEW":
            return self.order(order.id)
        self.tick_all(order)
        self.act(order, "APPROVE", self.users["SUPERVISOR"])
        return self.order(order.id)

    def audit(self, order_id: int) -> list[AuditEntry]:
        self.session.rollback()
        with company_scope(None):
            return self.session.scalars(select(AuditEntry).where(AuditEntry.entity == ENTITY,
                                                                 AuditEntry.entity_id == order_id).order_by(AuditEntry.id)).all()


@pytest.fixture
def world(session, make_company, make_user, tmp_path, app):
    app.config["FILES_DIR"] = str(tmp_path / "files")
    company = make_company(name="Laboratorio Cliente Norte")
    other = make_company(name="Laboratorio Cliente Sur")
    w = World(session=session, company=company, other=other, storage=FilesystemStorage(str(tmp_path / "files")))
    for code in ROLE_CODES:
        w.users[code] = make_user(roles=[fab_role(code)], companies=[company], username=f"cal_{code.lower()}")
    w.users["OTRO_TECNICO"] = make_user(roles=[fab_role("TECNICO")], companies=[company], username="cal_otro_tecnico")
    w.users["SUPER_TECNICO"] = make_user(roles=[fab_role("SUPERVISOR"), fab_role("TECNICO")], companies=[company],
                                         username="cal_super_tecnico")
    w.users["ADMIN"] = make_user(roles=["Admin"], companies=[company, other], username="cal_admin")
    for code in ROLE_CODES:
        w.users[f"SUR_{code}"] = make_user(roles=[fab_role(code)], companies=[other], username=f"sur_{code.lower()}")
    with company_scope(company.id):
        w.instrument = Instrument(tag="MAN-001", description="Manómetro digital", make="WIKA", model="CPG1500",
                                  serial="SN-1", unit="bar", interval_days=365, active=True)
        session.add(w.instrument)
        session.commit()
    with company_scope(other.id):
        w.other_instrument = Instrument(tag="MAN-001", description="Manómetro (Sur)", unit="bar", interval_days=180,
                                        active=True)
        session.add(w.other_instrument)
        session.commit()
    # the lab's identity, set before any certificate (issue 21 item 10)
    for scope, sup in ((company, w.users["SUPERVISOR"]), (other, w.users["SUR_SUPERVISOR"])):
        with company_scope(scope.id), acting_as(sup):
            certificate_services.save_settings(session, company=scope, user=sup, values=LAB)
            session.commit()
    # the client validates its instruments («Recepción», issue 21 item 12) as a user would
    w.run(instrument_services.validate_instrument, user=w.users["CLIENTE"], instrument=w.instrument)
    w.run(instrument_services.validate_instrument, user=w.users["SUR_CLIENTE"], scope=other,
          instrument=w.other_instrument)
    return w
