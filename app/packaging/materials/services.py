"""SAP material codes (MAT-001; spec INTEGRACIONES EXTERNAS / SAP): "Crear código material"
on an OT, the choices it offers, the read models, and the demo catalogs.

Keyword-only `session`, `user`, `company`, `today`; no Flask; they flush, the caller commits
once per user action."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from app.core import audit, sequences
from app.core.cli import demo_for_company
from app.core.db import lock_visible
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.identity import user_ref
from app.core.seeds import load_seed
from app.core.validation import Checker, refuse_unknown, visible
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.materials.models import MATERIAL_LABELS as L
from app.packaging.materials.models import Material, MaterialPrefix, MaterialSuffix
from app.packaging.orders import filters
from app.packaging.orders.models import ENTITY, WorkOrder
from app.packaging.orders.services import company_id_of

FUNCTION = "CREAR_CODIGO_SAP"
CODE_REQUIRED = frozenset({"prefix_id", "suffix_id"})  # both chosen, always (the form marks them)
SEQUENCE = "packaging_material_code"  # the spec's materials_codes
FIRST_NUMBER = 700000
DEMO_FILE = "demo/packaging_materials.yaml"


def material_of(session: Session, ot: WorkOrder) -> Material | None:
    return session.scalar(select(Material).where(Material.work_order_id == ot.id))


def creation_refusal(session: Session, ot: WorkOrder) -> str | None:
    """Where a code is created (decisions): the OT is in the Cataloguing area (4) and not
    closed. None when it may be created, else the reason."""
    names = cat.labels(session)
    if cat.states()[int(ot.state)]["closed"]:
        return (f"La OT {ot.number} está cerrada («{names.state(ot.state)}»): ya no se le crea un código "
                "de material.")
    if ot.current_area_id != cat.CATALOGUING:
        return (f"La OT {ot.number} está en «{names.area(ot.current_area_id)}»: el código de material "
                f"se crea cuando está en «{names.area(cat.CATALOGUING)}».")
    return None


def _choose(session: Session, model, value, name: str):
    """An active catalog row of the active company, named by its id (422 on `name` else)."""
    row = visible(session, model, value, name, L[name])
    if not row.active:
        raise ValidationError(f"El {str(L[name]).lower()} «{row.code}» está inactivo: elige uno activo.", field=name)
    return row


def create_code(*, session: Session, user, company, today: dt.date, ot: WorkOrder,
                data: dict) -> tuple[Material, bool]:
    """MAT-001 "Crear código material": code = PREFIX + NUMBER + SUFFIX, the number the next
    of the company's sequence (>= 700000). One code per OT: when the OT has one, it is the
    answer (created False) and no number is drawn, whatever `data` says. The OT row is locked
    before the materials row is checked, so concurrent requests for one OT give one code.
    Who: the matrix's CREAR_CODIGO_SAP; where: creation_refusal. Audited."""
    company_id = company_id_of(company)
    actor = rules.actor_for(session, user, company_id)
    rules.require(actor, FUNCTION)
    refuse_unknown(data, {"prefix_id", "suffix_id"})
    existing = material_of(session, ot)
    if existing is not None:
        return existing, False
    reason = creation_refusal(session, ot)
    if reason:
        raise ActionNotAllowed(reason)
    check = Checker()
    prefix = check(lambda v, n, _l: _choose(session, MaterialPrefix, v, n), data.get("prefix_id"), "prefix_id",
                   L["prefix_id"])
    suffix = check(lambda v, n, _l: _choose(session, MaterialSuffix, v, n), data.get("suffix_id"), "suffix_id",
                   L["suffix_id"])
    check.done()
    prefix_code, suffix_code, prefix_id, suffix_id = prefix.code, suffix.code, prefix.id, suffix.id
    locked = lock_visible(session, WorkOrder, ot.id)  # waits for a concurrent request on this OT
    existing = material_of(session, locked)
    if existing is not None:
        return existing, False
    reason = creation_refusal(session, locked)  # the OT may have moved while we waited
    if reason:
        raise ActionNotAllowed(reason)
    number = sequences.next_number(session, company_id=company_id, name=SEQUENCE, start=FIRST_NUMBER)
    material = Material(company_id=company_id, work_order_id=locked.id, prefix_id=prefix_id, suffix_id=suffix_id,
                        number=number, code=f"{prefix_code}{number}{suffix_code}", created_by_id=user.id)
    session.add(material)
    session.flush()
    audit.record(session, entity=ENTITY, entity_id=locked.id, company_id=company_id, action=FUNCTION,
                 from_state=locked.state, to_state=locked.state,
                 data={"code": material.code, "number": number, "prefix": prefix_code, "suffix": suffix_code},
                 user=user)
    session.flush()
    return material, True


@dataclass
class Panel:
    """What the OT page shows about the material code to this user."""

    material: Material | None
    required: frozenset = CODE_REQUIRED  # the form's marks (issue 29 · 8)
    can_create: bool = False
    refusal: str | None = None
    prefixes: list = field(default_factory=list)
    suffixes: list = field(default_factory=list)


def panel(*, session: Session, actor: rules.Actor, ot: WorkOrder) -> Panel:
    material = material_of(session, ot)
    if material is not None or not rules.can(actor, FUNCTION):
        return Panel(material)
    reason = creation_refusal(session, ot)
    if reason:
        return Panel(None, refusal=reason)
    return Panel(None, can_create=True, prefixes=active_rows(session, MaterialPrefix),
                 suffixes=active_rows(session, MaterialSuffix))


def active_rows(session: Session, model) -> list:
    return list(session.scalars(select(model).where(model.active.is_(True)).order_by(model.code)))


def list_materials(*, session: Session, actor: rules.Actor) -> list[Material]:
    """The company's materials of the OTs the user sees (FLT rules), newest number first."""
    rules.require(actor, "VER_OTS")
    # the OT's number comes in the same statement, and nothing else of the OT (its own
    # relationships would add a query each): the list costs the same at any length
    return list(session.scalars(
        select(Material).join(WorkOrder, WorkOrder.id == Material.work_order_id)
        .options(contains_eager(Material.work_order).load_only(WorkOrder.id, WorkOrder.number).lazyload("*"))
        .where(filters.visibility_clause(actor, listing=False)).order_by(Material.number.desc())))


def to_dict(m: Material, *, full: bool = False) -> dict:
    out = {"code": m.code, "number": m.number}
    if full:
        out.update(id=m.id, work_order=m.work_order_id, work_order_number=m.work_order.number,
                   prefix=m.prefix.code, suffix=m.suffix.code, created_by=user_ref(m.created_by),
                   created_at=m.created_at.isoformat(timespec="minutes") if m.created_at else None)
    return out


def load_demo(session: Session, company) -> None:
    """The demo prefixes and suffixes of seed/demo/packaging_materials.yaml (idempotent: by
    code, adds what is missing)."""
    data = demo_for_company(load_seed(DEMO_FILE), company)
    for model, key in ((MaterialPrefix, "prefixes"), (MaterialSuffix, "suffixes")):
        have = {r.code for r in session.scalars(select(model))}
        for row in data.get(key, []):
            if str(row["code"]).upper() not in have:
                session.add(model(company_id=company.id, code=str(row["code"]), description=row["description"],
                                  active=row.get("active", True)))
    session.flush()

