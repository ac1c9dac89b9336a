"""Independence of the review (issue 19 #4; ISO/IEC 17025 §7.7): whoever did the work of an
order may not approve it. "Did the work" is read from the order's audit trail, not from who is
assigned today (docs/decisions.md, "Issue 19"):

- performed it: START or SUBMIT_REVIEW, or a progress entry (PROGRESS, calibration_progress);
- entered results: RESULT_ADDED / RESULT_CHANGED / RESULT_DELETED, or any entry of one of the
  order's calibration_result rows;
- entered the execution data printed on the certificate: UPDATE_ORDER changing the method,
  the environmental conditions or the standards;
- entered or uploaded evidence: EVIDENCE_ADDED, any entry of one of the order's
  calibration_evidence rows, or being the evidence's `uploaded_by`;
- and, as before, being one of the order's assigned technicians.

Scheduling, logistics, ticking the checklist and editing notes are management or the review
itself, not the work. A file of its own beside workflow.py: the rule behind its APPROVE guard."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.calibration.orders.models import (
    ENTITY,
    CalibrationEvidence,
    CalibrationProgress,
    CalibrationResult,
)
from app.core.audit import AuditEntry, entity_name

PERFORMED, RESULTS, EXECUTION_DATA, EVIDENCE, ASSIGNED = "performed", "results", "execution_data", "evidence", "assigned"
# the order's own entries that are the work, by what they prove
ORDER_ACTIONS = {
    "START": PERFORMED, "SUBMIT_REVIEW": PERFORMED, "PROGRESS": PERFORMED,
    "RESULT_ADDED": RESULTS, "RESULT_CHANGED": RESULTS, "RESULT_DELETED": RESULTS,
    "EVIDENCE_ADDED": EVIDENCE, "UPDATE_ORDER": EXECUTION_DATA,
}
EXECUTION_FIELDS = frozenset({"method", "environment", "standards"})
CHILDREN = {CalibrationResult: RESULTS, CalibrationEvidence: EVIDENCE, CalibrationProgress: PERFORMED}
REASONS = {  # in the order the refusal lists them
    ASSIGNED: _l("eres técnico asignado de esta orden"),
    PERFORMED: _l("ejecutaste esta orden (inicio, avances o envío a revisión)"),
    RESULTS: _l("registraste resultados de esta orden"),
    EXECUTION_DATA: _l("registraste el método, las condiciones ambientales o los patrones de esta orden"),
    EVIDENCE: _l("adjuntaste evidencias de esta orden"),
}


def work_done_by(session: Session, *, order, user) -> list[str]:
    """What `user` did on `order` that makes them not independent (REASONS keys, in order);
    [] when they may review it. One query on the audit trail and one on the evidence."""
    if user is None or getattr(user, "id", None) is None:
        return []
    found: set[str] = set()
    if any(t.id == user.id for t in order.technicians):
        found.add(ASSIGNED)
    of_children = [
        and_(AuditEntry.entity == entity_name(model),
             AuditEntry.entity_id.in_(select(model.id).where(model.order_id == order.id)))
        for model in CHILDREN
    ]
    rows = session.execute(
        select(AuditEntry.entity, AuditEntry.action, AuditEntry.data).where(
            AuditEntry.company_id == order.company_id, AuditEntry.user_id == user.id,
            or_(and_(AuditEntry.entity == ENTITY, AuditEntry.entity_id == order.id,
                     AuditEntry.action.in_(sorted(ORDER_ACTIONS))), *of_children),
        )
    ).all()
    by_entity = {entity_name(model): reason for model, reason in CHILDREN.items()}
    for entity, action, data in rows:
        if entity != ENTITY:
            found.add(by_entity[entity])
        elif action != "UPDATE_ORDER" or EXECUTION_FIELDS & set(((data or {}).get("changes") or {})):
            found.add(ORDER_ACTIONS[action])
    uploaded = select(CalibrationEvidence.id).where(CalibrationEvidence.order_id == order.id,
                                                    CalibrationEvidence.uploaded_by_id == user.id).limit(1)
    if EVIDENCE not in found and session.scalar(uploaded) is not None:
        found.add(EVIDENCE)
    return [reason for reason in REASONS if reason in found]


def refusal(reasons: list[str]) -> str | None:
    """The refusal naming the rule and every reason, or None."""
    if not reasons:
        return None
    texts = [str(REASONS[r]) for r in reasons]
    joined = texts[0] if len(texts) == 1 else str(_l("%(first)s y %(last)s", first=", ".join(texts[:-1]),
                                                      last=texts[-1]))
    return str(_l("No puedes aprobar: %(reasons)s. La revisión debe ser independiente de quien hizo el trabajo "
                  "(ISO/IEC 17025 §7.7).", reasons=joined))
