"""The ISO/IEC 17025 §7.7/§7.8 review checklist (issue 10, item 5): each company gets the
items of seed/catalogs/calibration.yaml when it is created (the manifest's `seed_company`;
`flask seed` for a company still without them), edited by Admin; ticks per order, each change
audited. Reading a checklist never writes. A file of its own beside services.py: the order rule
with its own seed (the manifest's `seed` and `seed_company`)."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.calibration.orders.models import (
    ENTITY,
    CalibrationOrder,
    ChecklistItem,
    ChecklistTick,
)
from app.calibration.orders.workflow import SUPERVISOR_ROLE, WF
from app.core import audit
from app.core.db import lock_row
from app.core.errors import ActionNotAllowed, NotFound, ValidationError
from app.core.identity import is_admin, role_names
from app.core.models import utcnow
from app.core.seeds import load_seed
from app.core.tenancy import Company

TICKABLE_STATES = ("IN_REVIEW",)


def copy_checklist(connection: Connection, company_id: int) -> None:
    """The seed's items as rows of company `company_id` (one INSERT, in the flush that
    creates the company)."""
    items = load_seed("catalogs/calibration.yaml").get("checklist", [])
    if items:
        connection.execute(insert(ChecklistItem.__table__), [
            {"company_id": company_id, "code": item["code"], "label": item["label"],
             "clause": str(item.get("clause") or ""), "position": position, "active": True}
            for position, item in enumerate(items, start=1)
        ])


def seed(session: Session) -> None:
    """`flask seed`: every company without checklist items gets the seed's (idempotent)."""
    have = set(session.scalars(select(ChecklistItem.company_id).distinct().execution_options(all_companies=True)))
    for company_id in session.scalars(select(Company.id).order_by(Company.id)):
        if company_id not in have:
            copy_checklist(session.connection(), company_id)
    session.flush()


def checklist(session: Session, *, order: CalibrationOrder) -> list[dict]:
    """The company's active items with the order's ticks, in order (two queries)."""
    items = session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))
                            .order_by(ChecklistItem.position, ChecklistItem.id)).all()
    ticks = {t.item_id: t for t in session.scalars(select(ChecklistTick).where(ChecklistTick.order_id == order.id))}
    out = []
    for item in items:
        tick = ticks.get(item.id)
        out.append({
            "code": item.code, "label": item.label, "clause": item.clause,
            "checked": bool(tick and tick.checked),
            "checked_by": (tick.checked_by.username if tick and tick.checked and tick.checked_by else None),
            "checked_at": tick.checked_at if tick and tick.checked else None,
        })
    return out


def set_ticks(session: Session, *, user, order: CalibrationOrder, items) -> dict:
    """A supervisor ticks or unticks items of an order in review (`{"<code>": true}`); each
    change is one audit entry on the order (CHECKLIST). Unknown codes are refused.
    The order is locked first and its state read fresh (issue 19 #5): an approval running at
    the same time holds the same lock, so the two serialise; an untick after the approval
    finds the order approved and is refused."""
    if not (is_admin(user) or SUPERVISOR_ROLE in role_names(user)):
        raise ActionNotAllowed("Solo un supervisor de calibración marca la lista de revisión.")
    locked = lock_row(session, CalibrationOrder, order.id)
    if locked is None:
        raise NotFound("No existe esa orden de calibración o no tienes acceso a ella en la empresa activa.")
    order = locked
    if order.state not in TICKABLE_STATES:
        raise ActionNotAllowed(
            f"La lista de revisión se marca con la orden «{WF.state_label('IN_REVIEW')}»; "
            f"está «{WF.state_label(order.state)}»."
        )
    if not isinstance(items, dict) or not items:
        raise ValidationError("Lista de revisión: envía los puntos como {\"items\": {\"<código>\": true}}.", field="items")
    by_code = {i.code: i for i in session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True)))}
    unknown = sorted(str(c) for c in items if c not in by_code)
    if unknown:
        raise ValidationError(f"Lista de revisión: el punto «{unknown[0]}» no existe.", field="items")
    for code, value in items.items():
        if not isinstance(value, bool):
            raise ValidationError(f"Lista de revisión: el punto «{code}» debe ser true o false.", field="items")
    ticks = {t.item_id: t for t in session.scalars(select(ChecklistTick).where(ChecklistTick.order_id == order.id))}
    changed = {}
    for code, value in items.items():
        item = by_code[code]
        tick = ticks.get(item.id)
        if tick is None:
            if not value:
                continue
            tick = ChecklistTick(company_id=order.company_id, order_id=order.id, item_id=item.id)
            session.add(tick)
        elif tick.checked == value:
            continue
        tick.checked = value
        tick.checked_by_id = user.id
        tick.checked_at = utcnow()
        changed[code] = value
    if changed:
        audit.record(session, entity=ENTITY, entity_id=order.id, company_id=order.company_id, action="CHECKLIST",
                     from_state=order.state, to_state=order.state, data={"items": changed},
                     workflow_version=WF.version, user=user)
    session.flush()
    return changed
