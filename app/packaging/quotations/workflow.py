"""Binding of seed/workflows/packaging_quotation.yaml to the quotation (module COTIZADOR):
the roles of each action are the function matrix's (SUBMIT = Crear Cotización, APPROVE and
REJECT = Aprobar Cotización); the guards: only the creator (or an admin) submits, and a
quotation without lines is not submitted; the effects record who decided and when, and the
reason of a rejection."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.models import utcnow
from app.core.workflow import get_workflow
from app.packaging import rules
from app.packaging.quotations.models import APPROVE_ACTIONS, Quotation, QuotationLine

QWF = get_workflow("packaging_quotation")


def creator_or_admin_refusal(session, quotation: Quotation, user) -> str | None:
    """Only the quotation's creator, or an admin (Admin, Administrador, Super Administrador),
    changes a draft: its data, its lines, sending it."""
    if user is not None and quotation.creator_id == user.id:
        return None
    if rules.actor_for(session, user, quotation.company_id).is_admin:
        return None
    return f"Solo quien creó la cotización {quotation.number} (o un administrador) puede modificarla o enviarla."


def guard_creator(quotation, *, user, session, **_):
    return creator_or_admin_refusal(session, quotation, user)


def guard_has_lines(quotation, *, session, **_):
    """A quotation with no lines cannot be submitted."""
    count = session.scalar(select(func.count()).select_from(QuotationLine)
                           .where(QuotationLine.quotation_id == quotation.id))
    return None if count else f"La cotización {quotation.number} no tiene líneas: agrega al menos una antes de enviarla."


def decide(quotation: Quotation, *, user, payload, transition, **_):
    """APPROVE / REJECT: who decided and when; a rejection keeps its reason."""
    quotation.decided_by_id, quotation.decided_at = user.id, utcnow()
    if transition.action == "REJECT":
        quotation.reject_reason = payload.get("reason")
    return {}


def offered_actions(session, quotation: Quotation, user) -> list[str]:
    """The actions to show `user` on `quotation`: the engine's (state and the matrix's roles),
    minus SUBMIT when the user is neither its creator nor an admin."""
    actions = [t.action for t in QWF.available_actions(quotation, user)]
    if "SUBMIT" in actions and creator_or_admin_refusal(session, quotation, user):
        actions.remove("SUBMIT")
    return actions


def bind() -> None:
    """The module's manifest binds the engine to its model, guards and effects."""
    QWF.bind(Quotation, guards={"creator": guard_creator, "has_lines": guard_has_lines},
             effects={action: decide for action in APPROVE_ACTIONS})
