"""Demo data (`flask seed --demo`): instruments and orders in several states, from
seed/demo/calibration.yaml, walked through the services and the workflow engine as the demo
user holding each role, so their timelines are real."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calibration.certificates import services as certificates
from app.calibration.instruments import services as instrument_services
from app.calibration.instruments.models import Instrument
from app.calibration.orders import checklist, execution, services
from app.calibration.orders.models import CalibrationOrder, ChecklistItem
from app.calibration.orders.workflow import WF, company_technicians
from app.core.cli import demo_for_company
from app.core.identity import acting_as
from app.core.seeds import load_seed
from app.core.storage import get_storage
from app.core.tenancy import Membership

DEMO_FILE = "demo/calibration.yaml"
EVIDENCE = b"%PDF-1.4\n% demo: hoja de datos de la calibracion\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _people(session: Session, company) -> dict | None:
    from flask_appbuilder.security.sqla.models import Role, User

    people = {}
    for code, spec in WF.roles.items():
        user = session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                              .where(Membership.company_id == company.id, User.roles.any(Role.name == spec["role"]))
                              .order_by(User.id).limit(1))
        if user is None:
            return None
        people[code] = user
    return people


def load(session: Session, company) -> None:
    """Idempotent: instruments by tag, validated by the demo client («Recepción», issue 21
    item 12: an order of an unvalidated instrument waits); orders only when the company has none."""
    today = dt.date.today()
    data = demo_for_company(load_seed(DEMO_FILE), company)
    people = _people(session, company)
    instruments = {i.tag: i for i in session.scalars(select(Instrument))}
    for spec in data["instruments"]:
        if spec["tag"] in instruments:
            continue
        spec = dict(spec)
        due_in = spec.pop("due_in")
        instrument = Instrument(company_id=company.id, active=True, **{k: (Decimal(str(v)) if isinstance(v, float) else v)
                                                                      for k, v in spec.items()})
        instrument.next_due_on = today + dt.timedelta(days=due_in)
        instrument.last_calibrated_on = instrument.next_due_on - dt.timedelta(days=instrument.interval_days)
        instrument_services.check_instrument(instrument)
        session.add(instrument)
        session.flush()
        if people is not None:
            with acting_as(people["CLIENTE"]):
                instrument_services.validate_instrument(session=session, user=people["CLIENTE"], instrument=instrument)
        instruments[spec["tag"]] = instrument
    session.flush()
    if session.scalar(select(CalibrationOrder.id).limit(1)) is not None:
        return
    if people is None:
        return
    if certificates.missing_lab_identity(session, company.id):
        certificates.save_settings(session, company=company, user=people["SUPERVISOR"], values=data["lab"])
    for spec in data["orders"]:
        instrument = instruments[spec["instrument"]]
        with acting_as(people["RESPONSABLE"]):
            order = services.create_order(session=session, user=people["RESPONSABLE"], company=company, today=today, data={
                "instrument": instrument.id, "observations": spec.get("observations"),
                "wants_due_date": spec.get("wants_due_date", False), "received_on": today.isoformat(),
            })
        for step in spec["steps"]:
            order = _step(session, order, step, people=people, company=company, today=today, spec=spec,
                          results=data["results"].get(instrument.tag) or data["results"]["default"])


def _step(session, order, step, *, people, company, today, spec, results):
    tech = people["TECNICO"]
    if step == "EXECUTE":
        with acting_as(tech):
            services.update_order(session=session, user=tech, order=order, data={
                "method": "Comparación directa contra patrón de referencia (PEC-07)",
                "environment": "23,0 °C ± 1,0 °C; 45 %HR ± 10 %HR",
                "standards": "Patrón PR-12, certificado CAL-2026-00012, trazable al CENAM",
                "place": "LAB", "condition_on_receipt": "Sin daños visibles; funcionamiento correcto a la recepción.",
                "deviations": "Ninguna."})
            execution.add_progress(session=session, user=tech, order=order, today=today,
                                   data={"text": "Instrumento estabilizado y puntos medidos."})
            for point in results:
                execution.add_result(session=session, user=tech, order=order, data={k: str(v) for k, v in point.items()})
            execution.add_evidence(session=session, user=tech, order=order, filename="hoja-de-datos.pdf", data=EVIDENCE,
                                   storage=get_storage())
        return order
    if step == "CHECKLIST":
        sup = people["SUPERVISOR"]
        codes = session.scalars(select(ChecklistItem.code).where(ChecklistItem.active.is_(True))).all()
        with acting_as(sup):
            checklist.set_ticks(session, user=sup, order=order, items={c: True for c in codes})
        return order
    transition = WF.transitions_for(order.state, step)[0]
    code = next(c for c, s in WF.roles.items() if s["role"] in transition.roles)
    actor = people[code]
    payload = {
        "SCHEDULE": {"target_date": (today + dt.timedelta(days=spec["days"])).isoformat(),
                     "window_start": today.isoformat(), "window_end": (today + dt.timedelta(days=spec["days"])).isoformat(),
                     "technicians": [t.id for t in company_technicians(session, company_id=company.id)[:1]],
                     "notes": "Coordinar con mantenimiento del cliente.", "observations": spec.get("observations")},
        "CANCEL": {"reason": "El cliente retira el instrumento del servicio."},
    }.get(step, {})
    with acting_as(actor):
        return WF.perform(order, step, actor, session=session, payload=payload, today=today)
