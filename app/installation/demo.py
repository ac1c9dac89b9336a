"""Demo data (`flask seed --demo`): the equipment catalog and orders in various states of the
matrix, from seed/demo/installation.yaml. Orders walk their actions through the workflow
engine as the demo user holding each role, so their timelines are real."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.cli import demo_for_company
from app.core.identity import acting_as
from app.core.seeds import load_seed
from app.installation.equipment.models import Equipment
from app.installation.orders import queries, services
from app.installation.orders.models import InstallationOrder
from app.installation.orders.workflow import DOCTOR_ROLE, TECNICO_ROLE, WF

DEMO_FILE = "demo/installation.yaml"


def _payload(action: str, technician) -> dict:
    return {
        "REJECT_ORDER": {"reason": "Falta confirmar el acceso al edificio."},
        "REJECT_RESCHEDULE": {"reason": "El paciente no puede en la nueva fecha."},
        "REOPEN_ORDER": {"reason": "El doctor pide retomar la instalación."},
        "CONTACT_DOCTOR": {"channel": "PHONE", "note": "El doctor confirma los equipos y el horario."},
        "ASSIGN_TECHNICIANS": {"technicians": [technician.id]},
    }.get(action, {})


def load(session: Session, company) -> None:
    """Idempotent: the catalog by code; the orders only when the company has none. Dates
    count from today, read here (the start of `flask seed --demo`)."""
    today = dt.date.today()
    data = demo_for_company(load_seed(DEMO_FILE), company)
    catalog = {e.code: e for e in session.scalars(select(Equipment))}
    for spec in data["equipment"]:
        if spec["code"] not in catalog:
            catalog[spec["code"]] = Equipment(company_id=company.id, **spec)
            session.add(catalog[spec["code"]])
    session.flush()
    if session.scalar(select(InstallationOrder.id).limit(1)) is not None:
        return
    people = {code: queries.company_users(session=session, role=spec["role"], company_id=company.id)
              for code, spec in WF.roles.items()}
    if not all(people.values()):
        return  # the demo users of every matrix role are needed
    by_role = {WF.roles[code]["role"]: users[0] for code, users in people.items()}
    creator = by_role[WF.roles["GESTOR_GENERAL"]["role"]]
    technician = by_role[TECNICO_ROLE]
    for spec in data["orders"]:
        with acting_as(creator):
            order = services.create_order(session=session, user=creator, company=company, today=today, data={
                "doctor": by_role[DOCTOR_ROLE].id, "site": spec["site"], "address": spec["address"],
                "patient_ref": spec["patient_ref"], "scheduled_for": today + dt.timedelta(days=spec["days"]),
                "lines": {str(catalog[code].id): qty for code, qty in spec["lines"].items()},
            })
        for action in spec["actions"]:
            transition = WF.transitions_for(order.state, action)[0]
            actor = next(by_role[role] for role in transition.roles)
            with acting_as(actor):
                order = WF.perform(order, action, actor, session=session, payload=_payload(action, technician), today=today)
