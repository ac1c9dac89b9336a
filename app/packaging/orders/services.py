"""Packaging work orders: the commands (spec packaging-work-orders.md; DESIGN "Packaging work
orders"): create and edit an OT, record a management entry (types 1, 2, 3, 4, 9, 10, 11;
6 and 8 in samples/services.py), assign an OT (ASIG-001), save a user's packaging profile.

Keyword-only `session`, `user`, `company`, `today`; no Flask; they flush, the caller commits
once per user action. The rules themselves are in rules.py and workflow.py (WF-001..004, the state machine)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import User
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit, sequences
from app.core.db import begin_write, lock_visible
from app.core.errors import ActionNotAllowed, Conflict, ValidationError
from app.core.models import utcnow
from app.core.tenancy import Membership, TenantViolation
from app.core.validation import (
    Checker,
    choice,
    date,
    integer,
    message,
    record_id,
    refuse_unknown,
    text,
    visible,
)
from app.core.workflow import STALE_MESSAGE
from app.packaging import rules
from app.packaging.cascade import services as cascade
from app.packaging.cascade.models import LEVELS
from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import Area, RequestType
from app.packaging.orders.models import ENTITY, Assignment, Management, WorkOrder
from app.packaging.orders.models import FIELD_LABELS as L
from app.packaging.orders.workflow import (
    APPROVE,
    WF,
    action_for,
    allowed_management_types,
    bound_samples,
    same_state,
    target_of,
)

ORDER_SEQUENCE = "packaging_work_order"
PRODUCT_FIELDS = ("product_type", "printing", "fsc", "tape", "coverage_internal", "coverage_external", "plant",
                  "carton_color")
ORDER_FIELDS = ("client", "description", "request_type", *PRODUCT_FIELDS)
ORDER_REQUIRED = frozenset({"client", "description", "request_type"})  # refused without; the form marks them
LOG_VALUE_LENGTH = 300  # a value longer than this is cut in the change log («…»)
LOG_NOTE_LENGTH = 4000  # the note's limit (Management.note)
MANAGEMENT_FIELDS = {"work_order", "management_type", "state", "note", "provider", "event_date", "consulted_area",
                     "sample", "samples"}


def company_id_of(company) -> int:
    """The active company's id (TenantViolation without one): every command asks it first."""
    if company is None:
        raise TenantViolation("No hay una empresa activa.")
    return company.id


def _order_fields(session: Session, data: dict, *, partial: bool) -> dict:
    """The OT's fields from a payload or form, every error at once (422 naming the label)."""
    refuse_unknown(data, ORDER_FIELDS)
    check, clean = Checker(), {}
    for name, limit in (("client", 150), ("description", 4000)):
        if not partial or name in data:
            clean[name] = check(text, data.get(name), name, L[name], required=name in ORDER_REQUIRED, max_length=limit)
    if not partial or "request_type" in data:
        clean["request_type"] = check(lambda v, n, label: visible(session, RequestType, v, n, label),
                                      data.get("request_type"), "request_type", L["request_type"])
    for name in PRODUCT_FIELDS:  # option ids; the combination is checked by _product (CASC-001/002)
        if name in data:
            raw = data.get(name)
            clean[f"{name}_id"] = None if raw in (None, "") else check(record_id, raw, name, L[name])
    check.done()
    return clean


def _product(session: Session, clean: dict, ot: WorkOrder | None = None) -> None:
    """CASC-001/002 on save: when a product field changes, the OT's eight levels (the new
    values over the saved ones) must be an allowed prefix of the cascade (422 naming the field)."""
    given = {f: clean[f"{f}_id"] for f in PRODUCT_FIELDS if f"{f}_id" in clean}
    if not any(v is not None for v in given.values()) and ot is None:
        return
    saved = {f: getattr(ot, f"{f}_id") if ot is not None else None for f in PRODUCT_FIELDS}
    if ot is not None and all(saved[f] == v for f, v in given.items()):
        return  # unchanged: an OT keeps an option deactivated after it was saved
    cascade.check_order(session, {**saved, **given})


def create_order(*, session: Session, user, company, today: dt.date, data: dict) -> WorkOrder:
    """Crear OT (function matrix): in state 1 (Proceso de Ventas), area 1, the creator the
    current user; numbered per company by the core sequence; approved at once when its
    creator holds «Aprobar OT» (issue 21 · 2); audited."""
    company_id = company_id_of(company)
    actor = rules.actor_for(session, user, company_id)
    rules.require(actor, "CREAR_OT")
    clean = _order_fields(session, data, partial=False)
    _product(session, clean)
    begin_write(session)
    initial = int(WF.initial_state)
    ot = WorkOrder(company_id=company_id, state=WF.initial_state, version=1, creator_id=user.id,
                   current_area_id=cat.states()[initial]["area"], request_type_id=clean.pop("request_type").id,
                   **clean)
    if rules.can(actor, "APROBAR_OT"):  # issue 21 · 2: who may approve needs no one's approval
        ot.approved_by_id, ot.approved_by_name, ot.approved_at = user.id, audit.actor_name(user), utcnow()
    ot.number = sequences.next_number(session, company_id=company_id, name=ORDER_SEQUENCE, start=1)
    session.add(ot)
    session.flush()
    audit.record(session, entity=ENTITY, entity_id=ot.id, company_id=company_id, action="CREAR_OT",
                 to_state=ot.state, data={**clean, "request_type": ot.request_type_id, "number": ot.number,
                                          "approved": ot.approved_at is not None},
                 workflow_version=WF.version, user=user)
    session.flush()
    return ot


def edit_order(*, session: Session, user, company, today: dt.date, ot: WorkOrder, data: dict) -> WorkOrder:
    """Editar OT: the edit rule (rules.edit_refusal) refuses with its reason; audited, and each
    edit that changes something adds a «Log de Cambios» (type 4) entry naming every field
    changed «Campo: antes → después» by labels (issue 21 · 4); an edit that changes nothing
    writes nothing."""
    company_id = company_id_of(company)
    actor = rules.actor_for(session, user, company_id)
    reason = rules.edit_refusal(session, actor, ot)
    if reason:
        raise ActionNotAllowed(reason)
    clean = _order_fields(session, data, partial=True)
    _product(session, clean, ot)
    names = cat.labels(session)
    changes, lines = {}, []
    for name, value in clean.items():
        if name == "request_type":
            name, value = "request_type_id", value.id
        before = getattr(ot, name)
        if before != value:
            changes[name] = [before, value]
            lines.append(change_line(session, names, name, before, value))
            setattr(ot, name, value)
    if changes:
        ot.updated_at = utcnow()
        Management.record(session, ot, user, cat.LOG, note=change_note(lines))
        audit.record(session, entity=ENTITY, entity_id=ot.id, company_id=company_id, action="EDITAR_OT",
                     from_state=ot.state, to_state=ot.state, data=changes, workflow_version=WF.version, user=user)
    session.flush()
    return ot


def change_line(session: Session, names: cat.Labels, column: str, before, after) -> str:
    """«Campo: antes → después» for one field of the OT (its label in Spanish, the language of
    the OT's log; a catalog value by its name, an empty one «—», a long text cut)."""
    field = column.removesuffix("_id")
    with force_locale("es"):
        label = str(L[field])
    return f"{label}: {_logged_value(session, names, field, before)} → {_logged_value(session, names, field, after)}"


def _logged_value(session: Session, names: cat.Labels, field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "request_type":
        return names.request_types.get(value) or str(value)
    level = next((lv for lv in LEVELS if lv.field == field), None)
    if level is not None:
        row = session.get(level.model, value)
        return row.label if row is not None else str(value)
    text_value = " ".join(str(value).split())
    return text_value if len(text_value) <= LOG_VALUE_LENGTH else text_value[:LOG_VALUE_LENGTH - 1] + "…"


def change_note(lines: list[str]) -> str:
    """The change log's note: one line per field, within the note's limit."""
    note = "\n".join(lines)
    return note if len(note) <= LOG_NOTE_LENGTH else note[:LOG_NOTE_LENGTH - 1] + "…"


def add_management(*, session: Session, user, company, today: dt.date, ot: WorkOrder, data: dict,
                   upload=None, storage=None) -> Management | None:
    """Crear Gestión on `ot`: the type must be one WF-004 offers this user; type 1 changes the
    state through the workflow (WF-001/002/003 as guards) and the area follows; 2 asks
    another area (consulted area optional); 3 stores a checked file (`upload`: a CheckedUpload
    and its bytes or spooled file, by the caller through check_upload); 9 records a design sent to an
    external provider (pending until a 10 receives it: WF-002); 10 receives it. Audited."""
    company_id = company_id_of(company)
    refuse_unknown(data, MANAGEMENT_FIELDS)
    actor = rules.actor_for(session, user, company_id)
    rules.require(actor, "CREAR_GESTION")
    names = cat.labels(session)
    check = Checker()
    type_id = check(choice, check(integer, data.get("management_type"), "management_type", L["management_type"]),
                    "management_type", L["management_type"], choices=names.management_types)
    note = check(text, data.get("note"), "note", L["note"], max_length=4000)
    check.done()
    require_type(session, actor, ot, type_id, names)
    if type_id == cat.STATE_CHANGE:
        target = choice(integer(data.get("state"), "state", L["state"]), "state", L["state"],
                        choices={sid: names.state(sid) for sid in cat.states()})
        act(session=session, user=user, company=company, today=today, ot=ot, action=action_for(target),
            data={"note": note} if note else {})
        return None
    if type_id in (6, 8):  # Solicitud Muestra, Envío Sala Muestra (samples/services.py)

        return bound_samples().management(session=session, user=user, company=company, today=today, ot=ot,
                                          type_id=type_id, data=data, note=note)
    begin_write(session)
    fields = _entry_fields(session, ot, type_id, data, note=note, today=today, upload=upload, storage=storage,
                           company_id=company_id)
    entry = Management.record(session, ot, user, type_id, **fields)
    locked = lock_visible(session, WorkOrder, ot.id)
    locked.version = (locked.version or 1) + 1  # another user's stale page sees the change
    session.flush()
    audit.record(session, entity=ENTITY, entity_id=ot.id, company_id=company_id, action=f"GESTION_{type_id}",
                 from_state=ot.state, to_state=ot.state,
                 data={k: v for k, v in fields.items() if k != "file_key" and v is not None},
                 workflow_version=WF.version, user=user)
    session.flush()
    return entry


def require_type(session: Session, actor: rules.Actor, ot: WorkOrder, type_id: int, names: cat.Labels) -> None:
    """WF-004: the management type is one the user may record on the OT now (403 naming those allowed)."""
    allowed = allowed_management_types(session, actor, ot)
    if type_id not in allowed:
        shown = ", ".join(names.management_type(t) for t in allowed) or "ninguno"
        raise ActionNotAllowed(f"No puedes registrar «{names.management_type(type_id)}» en la OT {ot.number} "
                               f"(tipos permitidos: {shown}).")


def act(*, session: Session, user, company, today: dt.date, ot: WorkOrder, action: str, data: dict,
        expected_version: int | None = None) -> WorkOrder:
    """An action of the OT's workflow, one command for the shared actions endpoints and for a
    management entry of type 1 (issue 29 item 5). CAMBIO_<id>: a state change, refused as the
    entry is (the matrix's «Crear Gestión», WF-004's type 1, «La OT ya está en …»), then the
    engine's guards (WF-001..003, WF-002), its effect writing the type 1 entry and its audit.
    APROBAR_OT: «Aprobar OT» (the matrix, then workflow.approval_refusal). A stale
    `expected_version` is a 409 before any rule."""
    company_id = company_id_of(company)
    if expected_version is not None and ot.version != expected_version:
        raise Conflict(STALE_MESSAGE)
    actor = rules.actor_for(session, user, company_id)
    names = cat.labels(session)
    target = target_of(action)
    if action == APPROVE:
        rules.require(actor, "APROBAR_OT")
    elif target is not None:
        rules.require(actor, "CREAR_GESTION")
        require_type(session, actor, ot, cat.STATE_CHANGE, names)
        if target == int(ot.state):  # the machine has no such action: say it in the OT's words
            raise ActionNotAllowed(same_state(names, target))
    return WF.perform(ot, action, user, session=session, expected_version=expected_version, payload=data or {},
                      today=today)


def _entry_fields(session: Session, ot: WorkOrder, type_id: int, data: dict, *, note, today: dt.date, upload, storage,
                  company_id: int) -> dict:
    """What a management entry of type 2, 3, 4, 9 or 10 records besides its note: the
    consulted area (2, the note required), the checked file (3), the note (4, required), the
    provider and date of an external design (9 sent, pending; 10 received: the pending ones
    of the OT are received, WF-002)."""
    fields: dict = {"note": note or None}
    required = cat.ENTRY_REQUIRED.get(type_id, ())
    if "note" in required and not note:
        raise ValidationError(message("required", label=L["note"]), field="note")
    if type_id == cat.CONSULTATION:
        if data.get("consulted_area") not in (None, ""):
            fields["consulted_area_id"] = visible(session, Area, data.get("consulted_area"), "consulted_area",
                                                  L["consulted_area"]).id
    elif type_id == cat.FILE:
        if "file" in required and upload is None:
            raise ValidationError(message("required", label=L["file"]), field="file")
        checked, content = upload
        key = storage.save(company_id, checked.filename, content)
        fields.update(file_key=key, file_name=checked.filename, file_size=checked.size)
    elif type_id in (cat.EXTERNAL_SENT, cat.EXTERNAL_RECEIVED):
        check = Checker()
        provider = check(text, data.get("provider"), "provider", L["provider"], required="provider" in required,
                         max_length=150)
        when = check(date, data.get("event_date") or today.isoformat(), "event_date", L["event_date"])
        check.done()
        fields.update(provider=provider, event_date=when)
        if type_id == cat.EXTERNAL_SENT:
            fields["external_received"] = False
        else:
            for sent in session.scalars(select(Management).where(
                    Management.work_order_id == ot.id, Management.management_type_id == cat.EXTERNAL_SENT,
                    Management.external_received.is_(False))):
                sent.external_received = True
    return fields


def assign(*, session: Session, user, company, today: dt.date, ot: WorkOrder, data: dict) -> Assignment:
    """ASIG-001: a chief (Asignar OT in the matrix) assigns an OT in their own area (Admin:
    any) to a professional of that area, member of the company, when the OT is not closed.
    One responsible per area: a new assignment replaces the previous one. Audited."""
    company_id = company_id_of(company)
    refuse_unknown(data, {"asignado_id", "id"})
    actor = rules.actor_for(session, user, company_id)
    rules.require(actor, "ASIGNAR_OT")
    pid = integer(data.get("asignado_id"), "asignado_id", L["asignado_id"], min=1)
    names = cat.labels(session)
    if cat.states()[int(ot.state)]["closed"]:
        raise ActionNotAllowed(f"La OT {ot.number} está en «{names.state(ot.state)}»: no admite asignaciones.")
    area = ot.current_area_id
    area_name = names.area(area)
    if not actor.is_admin and actor.area != area:
        raise ActionNotAllowed(f"La OT {ot.number} está en «{area_name}»: solo la asigna el jefe de esa área.")
    member = session.scalar(select(Membership).where(Membership.user_id == pid, Membership.company_id == company_id))
    professional = session.get(User, pid) if member else None
    if professional is None or not professional.active:
        raise ValidationError(message("not_visible", label=L["asignado_id"]), field="asignado_id")
    if rules.actor_for(session, professional, company_id).area != area:
        raise ActionNotAllowed(f"{audit.actor_name(professional)} no pertenece a «{area_name}», el área de la OT.")
    begin_write(session)
    row = session.scalar(select(Assignment).where(Assignment.work_order_id == ot.id, Assignment.area_id == area))
    previous = row.user_id if row else None
    if row is None:
        row = Assignment(company_id=company_id, work_order_id=ot.id, area_id=area, user_id=pid)
        session.add(row)
    row.user_id, row.assigned_by_id, row.assigned_at = pid, user.id, utcnow()
    session.flush()
    audit.record(session, entity=ENTITY, entity_id=ot.id, company_id=company_id, action="ASIGNAR_OT",
                 from_state=ot.state, to_state=ot.state,
                 data={"area": area, "asignado": pid, "anterior": previous}, workflow_version=WF.version, user=user)
    session.flush()
    return row
