"""Fixtures of the installation tests: a company with one user per matrix role, an equipment
catalog, and `order_in(state)`, which builds an order directly in any state of the matrix
(with what that state implies: a doctor contact from ACCEPTED on, templates from
EQUIPMENT_TEMPLATES on, its technician assigned) instead of walking the path."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.installation.equipment.models import Equipment
from app.installation.orders import services
from app.installation.orders import workflow as matrix
from app.installation.orders.models import (
    ENTITY,
    DoctorContact,
    EquipmentTemplate,
    InstallationOrder,
)

WF = matrix.WF
ROLE_CODES = list(WF.roles)  # GESTOR_CUENTA, GESTOR_OPERACIONES, GESTOR_GENERAL, DOCTOR, TECNICO
TOMORROW = dt.date.today() + dt.timedelta(days=1)
# States an order reaches only after CONFIRM_ORDER created its equipment templates.
_STATES = list(WF.states)
WITH_TEMPLATES = [s for s in _STATES[_STATES.index("EQUIPMENT_TEMPLATES"):] if s != "ORDER_CANCELLED"]


def fab_role(code: str) -> str:
    return WF.roles[code]["role"]


@dataclass
class World:
    session: object
    company: object
    other: object
    users: dict = field(default_factory=dict)  # role code (and ADMIN, OTHER_DOCTOR, OTHER_TECNICO) -> user
    equipment: list = field(default_factory=list)
    other_equipment: object = None

    def order_data(self, **overrides) -> dict:
        data = {
            "doctor": self.users["DOCTOR"].id, "address": "Calle Mayor 1, Madrid", "site": "Clínica Norte",
            "patient_ref": "PAC-001", "scheduled_for": TOMORROW.isoformat(),
            "lines": {str(self.equipment[0].id): 2, str(self.equipment[1].id): 1},
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    def create(self, user=None, **overrides) -> InstallationOrder:
        """An order in CREATED, made through the service as a manager (committed)."""
        user = user or self.users["GESTOR_GENERAL"]
        with company_scope(self.company.id), acting_as(user):
            order = services.create_order(session=self.session, user=user, company=self.company,
                                          today=dt.date.today(), data=self.order_data(**overrides))
            self.session.commit()
            return order

    def order_in(self, state: str, technician: bool = True) -> InstallationOrder:
        """An order put directly in `state`, satisfying what the matrix's path would have left."""
        order = self.create()
        with company_scope(self.company.id):
            order = self.session.get(InstallationOrder, order.id)
            order.state = state
            if state != "CREATED":
                self.session.add(DoctorContact(order=order, company_id=self.company.id, channel="PHONE", note="ok"))
            if state in WITH_TEMPLATES:
                self.session.flush()
                for line in order.lines:
                    self.session.add(EquipmentTemplate(order=order, company_id=self.company.id, line_id=line.id,
                                                       equipment_id=line.equipment_id, quantity=line.quantity))
            if technician:
                order.technicians = [self.users["TECNICO"]]
            self.session.commit()
            return order

    def reload(self, order_id: int) -> InstallationOrder:
        self.session.rollback()
        with company_scope(None):
            return self.session.get(InstallationOrder, order_id)

    def audit(self, order_id: int) -> list[AuditEntry]:
        self.session.rollback()
        with company_scope(None):
            return self.session.scalars(
                select(AuditEntry).where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == order_id)
                .order_by(AuditEntry.id)
            ).all()

    def count_orders(self) -> int:
        self.session.rollback()
        with company_scope(None):
            return self.session.scalar(select(func.count()).select_from(InstallationOrder))

    def count_audit(self) -> int:
        self.session.rollback()
        with company_scope(None):
            return self.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == ENTITY)
            )


def build_world(session, make_company, make_user) -> World:
    """Two companies; in the first one user per matrix role (username = role code in lower
    case), Admin, a second doctor and technician and an equipment catalog; in the second a
    doctor, a manager, a technician and one equipment item."""
    company = make_company(name="Clínicas Norte")
    other = make_company(name="Clínicas Sur")
    w = World(session=session, company=company, other=other)
    for code in ROLE_CODES:
        w.users[code] = make_user(roles=[fab_role(code)], companies=[company], username=code.lower())
    w.users["ADMIN"] = make_user(roles=["Admin"], companies=[company, other], username="admin_inst")
    w.users["OTHER_DOCTOR"] = make_user(roles=[fab_role("DOCTOR")], companies=[company], username="otro_doctor")
    w.users["OTHER_TECNICO"] = make_user(roles=[fab_role("TECNICO")], companies=[company], username="otro_tecnico")
    w.users["SUR_DOCTOR"] = make_user(roles=[fab_role("DOCTOR")], companies=[other], username="doctor_sur")
    w.users["SUR_GESTOR"] = make_user(roles=[fab_role("GESTOR_OPERACIONES")], companies=[other], username="gestor_sur")
    w.users["SUR_TECNICO"] = make_user(roles=[fab_role("TECNICO")], companies=[other], username="tecnico_sur")
    with company_scope(company.id):
        w.equipment = [Equipment(code="MON-01", name="Monitor de signos vitales"),
                       Equipment(code="BOM-02", name="Bomba de infusión"),
                       Equipment(code="OLD-03", name="Equipo retirado", active=False)]
        session.add_all(w.equipment)
        session.commit()
    with company_scope(other.id):
        w.other_equipment = Equipment(code="MON-01", name="Monitor (Sur)")
        session.add(w.other_equipment)
        session.commit()
    return w


@pytest.fixture
def world(session, make_company, make_user):
    return build_world(session, make_company, make_user)


def valid_payload(action: str, world: World) -> dict:
    """A valid payload for `action`, generated from the matrix's payload fields."""
    samples = {"string": "x", "text": "texto de prueba", "date": (TOMORROW + dt.timedelta(days=7)).isoformat(),
               "integer": 1, "object": {}}
    payload = {}
    for name, spec in (WF.actions[action].get("payload") or {}).items():
        if not spec.get("required"):
            continue
        if spec.get("type") == "ids":
            payload[name] = [world.users["TECNICO"].id]
        else:
            payload[name] = list(spec["choices"])[0] if spec.get("choices") else samples[spec.get("type", "string")]
    return payload
