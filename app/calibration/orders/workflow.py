"""Calibration's binding to the workflow engine (issue 10; seed/workflows/calibration.yaml):
its roles, row ownership (a TECNICO acts only on orders assigned to them), the guards
(SUBMIT_REVIEW needs results and evidence; APPROVE the whole checklist, evidence and an
independent reviewer; CLOSE a shared certificate; SCHEDULE, START and ISSUE_CERTIFICATE an
instrument the client validated) and the effects. Guards and effects get
`today` from the engine (read where the request starts)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.calibration.certificates import services as certificates
from app.calibration.orders import independence
from app.calibration.orders.models import (
    CalibrationEvidence,
    CalibrationOrder,
    CalibrationResult,
    ChecklistItem,
    ChecklistTick,
    missing_certificate_data,
)
from app.core.errors import ValidationError
from app.core.identity import is_admin, role_names
from app.core.models import utcnow
from app.core.tenancy import Membership
from app.core.workflow import get_workflow

WF = get_workflow("calibration")

CLIENTE_ROLE = WF.roles["CLIENTE"]["role"]
RESPONSABLE_ROLE = WF.roles["RESPONSABLE"]["role"]
SUPERVISOR_ROLE = WF.roles["SUPERVISOR"]["role"]
TECNICO_ROLE = WF.roles["TECNICO"]["role"]
MANAGER_ROLES = {RESPONSABLE_ROLE, SUPERVISOR_ROLE}
STAFF_ROLES = MANAGER_ROLES | {TECNICO_ROLE}


def is_manager(user) -> bool:
    """Work-order manager or supervisor (or Admin): sees and manages every order of the company."""
    return is_admin(user) or bool(role_names(user) & MANAGER_ROLES)


def sees_internal_notes(user) -> bool:
    """The lab's internal notes (the order's `notes`, and every `notes` its audit entries
    carry) are for lab staff only: Admin, the manager, the supervisor, a technician. The one
    rule of the order page, the order's JSON and its history (issue 19 #1)."""
    return is_manager(user) or bool(role_names(user) & STAFF_ROLES)


def is_assigned(order: CalibrationOrder, user) -> bool:
    return user is not None and any(t.id == user.id for t in order.technicians)


def owns(order: CalibrationOrder, user, roles: set[str]) -> bool:
    """Managers act on any order of the company; a TECNICO only on orders assigned to them."""
    if roles & MANAGER_ROLES or roles & {CLIENTE_ROLE}:
        return True
    return TECNICO_ROLE in roles and is_assigned(order, user)


def company_technicians(session: Session, *, company_id: int, ids: list[int] | None = None) -> list[User]:
    """The spec's list_technicians: active members of the company holding CAL_TECNICO."""
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == company_id, User.active.is_(True), User.roles.any(Role.name == TECNICO_ROLE))
        .order_by(User.first_name, User.last_name, User.username)
    )
    if ids is not None:
        stmt = stmt.where(User.id.in_(ids))
    return list(session.scalars(stmt))


# --- guards ---------------------------------------------------------------------------

def _count(session: Session, model, order) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.order_id == order.id)) or 0


def _guard_ready_for_review(order, *, user, session, payload, today):
    """SUBMIT_REVIEW needs at least one result and one evidence file."""
    missing = []
    if not _count(session, CalibrationResult, order):
        missing.append("al menos un resultado")
    if not _count(session, CalibrationEvidence, order):
        missing.append("al menos un archivo de evidencia")
    if missing:
        return f"Para «{WF.action_label('SUBMIT_REVIEW')}» la orden necesita " + " y ".join(missing) + "."
    return None


def _guard_independent_reviewer(order, *, user, session, payload, today):
    """APPROVE: the review is independent: whoever did the work of the order, as its audit
    trail and its technicians say (app/calibration/orders/independence.py), may not approve it."""
    return independence.refusal(independence.work_done_by(session, order=order, user=user))


def _guard_has_evidence(order, *, user, session, payload, today):
    """APPROVE needs at least one evidence file."""
    if not _count(session, CalibrationEvidence, order):
        return "Para aprobar, la orden necesita al menos un archivo de evidencia."
    return None


def missing_checklist(session: Session, order, *, lock: bool = False) -> list[ChecklistItem]:
    """Active checklist items of the company not ticked on the order. `lock` (APPROVE, issue 19
    #5): the order's ticks are locked FOR UPDATE and the items FOR SHARE, both re-read fresh in
    the caller's transaction, which already holds the order's lock (lock_row in the engine;
    set_ticks takes the same lock first, so an untick and an approval run one after the other).
    SQLite has no FOR UPDATE: its transaction is BEGIN IMMEDIATE already (app/core/db.py)."""
    items = select(ChecklistItem).where(ChecklistItem.active.is_(True)).order_by(ChecklistItem.position, ChecklistItem.id)
    ticks = select(ChecklistTick).where(ChecklistTick.order_id == order.id).order_by(ChecklistTick.id)
    if lock:
        items = items.with_for_update(read=True).execution_options(populate_existing=True)
        ticks = ticks.with_for_update().execution_options(populate_existing=True)
    ticked = {t.item_id for t in session.scalars(ticks) if t.checked}
    return [item for item in session.scalars(items) if item.id not in ticked]


def _guard_checklist_complete(order, *, user, session, payload, today):
    """APPROVE needs every active item of the ISO/IEC 17025 review checklist ticked, as the
    locked rows say now (not as they were when the page was drawn)."""
    missing = missing_checklist(session, order, lock=True)
    if missing:
        return ("Para aprobar, marca todos los puntos de la lista de revisión; faltan: "
                + "; ".join(item.label for item in missing) + ".")
    return None


def _guard_certificate_data(order, *, user, session, payload, today):
    """APPROVE: the data the certificate prints exists (missing_certificate_data), not only
    the checklist's ticks."""
    missing = missing_certificate_data(order)
    if missing:
        return ("Para aprobar, la orden necesita los datos que imprime el certificado (ISO/IEC 17025 §7.8.2.1 y "
                "§7.8.4.1); faltan: " + "; ".join(missing) + ". Complétalos en «Datos de la calibración».")
    return None


def _guard_lab_identity(order, *, user, session, payload, today):
    """ISSUE_CERTIFICATE: the company's lab identity (name, address, accreditation number) is
    set before its first certificate (§7.8.2.1 b)."""
    missing = certificates.missing_lab_identity(session, order.company_id)
    if missing:
        return ("Antes de emitir certificados, configura la identidad del laboratorio en «Ajustes de calibración»; "
                "faltan: " + "; ".join(missing) + ".")
    return None


def reception_refusal(order) -> str | None:
    """Issue 21 item 12 (reception gates orders): an order of an instrument the client has not
    validated in «Recepción» (never, or sent back by an edit of its identity) is not accepted
    (SCHEDULE), executed (START) or certified (ISSUE_CERTIFICATE): the sentence saying so, the
    one the guard, the order's JSON and its page show; None once the instrument is validated."""
    instrument = order.instrument
    if instrument is None or instrument.validated_at is not None:
        return None
    sentence = (f"el instrumento {instrument.tag} no está validado por el cliente en «Recepción». Regla de "
                "recepción: una orden no se acepta, ejecuta ni certifica hasta que el cliente valide su instrumento.")
    if order.state == WF.initial_state:
        return f"La orden espera en «Recibida»: {sentence}"
    return sentence[:1].upper() + sentence[1:]


def _guard_instrument_validated(order, *, user, session, payload, today):
    """SCHEDULE, START and ISSUE_CERTIFICATE need the instrument validated (reception_refusal)."""
    return reception_refusal(order)


def _guard_certificate_shared(order, *, user, session, payload, today):
    """CLOSE needs the current certificate shared with the client."""
    current = certificates.current(session, order)
    if current is None or current.shared_at is None:
        return f"Para cerrar, el certificado debe estar compartido con el cliente («{WF.action_label('SHARE_CERTIFICATE')}»)."
    return None


# --- effects --------------------------------------------------------------------------

def _check_window(order, *, today: dt.date) -> None:
    if order.window_start and order.window_end and order.window_start > order.window_end:
        raise ValidationError("El inicio de la ventana de ejecución no puede ser posterior a su fin.", field="window_start")


def _effect_schedule(order, *, user, session, payload, transition, today):
    """SCHEDULE / RESCHEDULE: target date (not in the past), execution window, internal notes,
    client-visible observations and the technicians (active CAL_TECNICO members of the company)."""
    ids = list(dict.fromkeys(payload["technicians"]))
    found = {u.id: u for u in company_technicians(session, company_id=order.company_id, ids=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            f"Técnicos: el usuario {missing[0]} no es un técnico de calibración de la empresa activa.", field="technicians"
        )
    if payload["target_date"] < today and payload["target_date"] != order.target_date:
        raise ValidationError("La fecha objetivo no puede ser una fecha pasada.", field="target_date")
    previous = {"target_date": order.target_date, "technicians": [t.username for t in order.technicians]}
    order.target_date = payload["target_date"]
    for name in ("window_start", "window_end", "notes", "observations"):
        if name in payload:
            setattr(order, name, payload[name])
    _check_window(order, today=today)
    order.technicians = [found[i] for i in ids]
    return {"previous": previous, "technicians": [found[i].username for i in ids]}


def _effect_start(order, *, user, session, payload, transition, today):
    """START: the calibration begins today (first start only)."""
    order.started_on = order.started_on or today
    return {"started_on": order.started_on}


def _effect_submit(order, *, user, session, payload, transition, today):
    """SUBMIT_REVIEW: the calibration ends today."""
    order.completed_on = today
    return {"completed_on": today}


def _effect_approve(order, *, user, session, payload, transition, today):
    """APPROVE: who authorised the results, and when (printed on the certificate)."""
    order.approved_by_id = user.id
    order.approved_at = utcnow()
    return {"approved_by": user.username}


def _effect_reason(order, *, user, session, payload, transition, today):
    """REJECT / CANCEL / AMEND: the reason is kept on the order and shown on its page."""
    order.reason = payload["reason"]
    if transition.action == "AMEND":
        order.approved_by_id = None  # the amended results need a new approval
        order.approved_at = None
    return {}


def _effect_issue(order, *, user, session, payload, transition, today):
    """ISSUE_CERTIFICATE: the PDF (an amendment when the order already has one; cal-cert)."""
    cert = certificates.issue(session, order=order, user=user, today=today)
    return {"certificate": cert.number}


def _effect_share(order, *, user, session, payload, transition, today):
    """SHARE_CERTIFICATE: visible to the client's users and mailed to its contacts."""
    cert = certificates.share(session, order=order, user=user)
    return {"certificate": cert.number}


def _effect_close(order, *, user, session, payload, transition, today):
    """CLOSE: the instrument's last calibration is the order's calibration date and its next
    due date that plus the instrument's interval."""
    instrument = order.instrument
    calibrated = order.completed_on or today
    instrument.last_calibrated_on = calibrated
    if instrument.interval_days:
        instrument.next_due_on = calibrated + dt.timedelta(days=instrument.interval_days)
    return {"last_calibrated_on": calibrated, "next_due_on": instrument.next_due_on}


def bind() -> None:
    """The module's manifest binds the engine to the orders, their guards and effects."""
    WF.bind(
        CalibrationOrder,
        state_field="state",
        owns=owns,
        guards={
            "ready_for_review": _guard_ready_for_review,
            "independent_reviewer": _guard_independent_reviewer,
            "has_evidence": _guard_has_evidence,
            "checklist_complete": _guard_checklist_complete,
            "certificate_shared": _guard_certificate_shared,
            "instrument_validated": _guard_instrument_validated,
            "certificate_data": _guard_certificate_data,
            "lab_identity": _guard_lab_identity,
        },
        effects={
            "SCHEDULE": _effect_schedule,
            "RESCHEDULE": _effect_schedule,
            "START": _effect_start,
            "SUBMIT_REVIEW": _effect_submit,
            "APPROVE": _effect_approve,
            "REJECT": _effect_reason,
            "CANCEL": _effect_reason,
            "AMEND": _effect_reason,
            "ISSUE_CERTIFICATE": _effect_issue,
            "SHARE_CERTIFICATE": _effect_share,
            "CLOSE": _effect_close,
        },
    )
