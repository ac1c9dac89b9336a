"""Samples of packaging OTs: the commands (spec packaging-work-orders.md, module MUESTRAS).

- MUE-001: Crear Muestra (Jefe de Desarrollo, Ingeniero) creates full samples; Editar Muestra
  for the roles that may not create them (Jefe/Técnico de Muestras) changes only the unit time,
  the cutting-date checkboxes, the quantities and the sample carton: any other field is refused
  naming it (403), whatever the form shows. A technician edits the samples cut in their room.
- MUE-002: a new sample is En progreso when the OT is in the Samples area (6), else Pendiente.
- MUE-003: several recipients make one sample per recipient, in one transaction.
- Management types 6 (Solicitud Muestra: the request creates the samples) and 8 (Envío Sala
  Muestra: the pending samples go to the cutting room, En progreso).
- The OT's states 18 (Muestra Terminada: open samples end Terminada) and 22 (Muestra Anulada:
  open samples end Anulada), called by orders/workflow.py through the manifest's binding; 17
  (Sala Muestra) leaves them as they are.

Keyword-only session/user/company/today; no Flask; they flush, the caller commits."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.db import begin_write, lock_visible
from app.core.errors import ActionNotAllowed, ValidationError
from app.core.models import utcnow
from app.core.validation import (
    Checker,
    boolean,
    decimal,
    ids,
    integer,
    message,
    refuse_unknown,
    text,
    visible,
)
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import CuttingRoom
from app.packaging.orders import filters
from app.packaging.orders.models import Management, WorkOrder
from app.packaging.samples.models import (
    DESTINATIONS,
    SAMPLE_CANCELLED,
    SAMPLE_DONE,
    SAMPLE_ENTITY,
    SAMPLE_IN_PROGRESS,
    SAMPLE_OPEN,
    SAMPLE_PENDING,
    SAMPLE_STATES,
    Sample,
    SampleCad,
    SampleCarton,
    SampleGluing,
    destination_label,
    field_label,
)

SAMPLE_REQUEST, SAMPLE_SEND = 6, 8  # management types (spec §4)
OT_SAMPLES_DONE, OT_SAMPLES_CANCELLED = 18, 22
PER_DESTINATION = tuple(f"{p}_{k}" for p in ("room", "quantity", "cut") for k in DESTINATIONS)
CATALOG_FIELDS = {"cad": SampleCad, "carton": SampleCarton, "gluing": SampleGluing, "sample_carton": SampleCarton}
REQUIRED_CATALOGS = ("cad", "carton")
DESTINATION_REQUIRED = ("room", "quantity")  # of each recipient marked, on creation (the form marks them)
EDIT_FIELDS = frozenset({*CATALOG_FIELDS, "unit_time", *PER_DESTINATION})
CREATE_FIELDS = frozenset({*EDIT_FIELDS, "work_order", "recipients", "note"})
FIXED_FIELDS = frozenset({"work_order", "recipients", "recipient", "state"})
# MUE-001: what Jefe/Técnico de Muestras may change
LIMITED_FIELDS = frozenset({"unit_time", "sample_carton",
                            *(f"{p}_{k}" for p in ("quantity", "cut") for k in DESTINATIONS)})
MAX_QUANTITY = 100000


def _split(name: str) -> tuple[str, str] | None:
    """("quantity", "lab") for "quantity_lab"; None for a field that is not per destination."""
    for prefix in ("room", "quantity", "cut"):
        if name.startswith(prefix + "_") and name[len(prefix) + 1:] in DESTINATIONS:
            return prefix, name[len(prefix) + 1:]
    return None


def _given(name: str, value) -> bool:
    """A value was given for `name` (an unchecked box or an empty input is none)."""
    if value is None or value is False or (isinstance(value, str) and not value.strip()):
        return False
    return not (name.startswith("cut_") and isinstance(value, str) and value.strip().lower() in
                ("0", "false", "no", "off", "n"))


def _closed_refusal(session: Session, ot: WorkOrder) -> None:
    if cat.states()[int(ot.state)]["closed"]:
        raise ActionNotAllowed(f"La OT {ot.number} está cerrada («{cat.labels(session).state(ot.state)}»): sus "
                               "muestras no se modifican.")


def limited(actor: rules.Actor) -> bool:
    """MUE-001: may edit samples but not create them (Jefe/Técnico de Muestras)."""
    return rules.can(actor, "EDITAR_MUESTRA") and not rules.can(actor, "CREAR_MUESTRA")


def may_create(actor: rules.Actor, ot: WorkOrder) -> bool:
    """MUE-001: Crear Muestra, on an OT not closed (what `create` enforces)."""
    return rules.can(actor, "CREAR_MUESTRA") and not cat.states()[int(ot.state)]["closed"]


def edit_refusal(session: Session, actor: rules.Actor, sample: Sample, ot: WorkOrder) -> str | None:
    """Why `actor` may not edit `sample` now (None: they may): the matrix's Editar Muestra, the
    OT not closed, the sample still open, and a technician's own cutting room (FLT-004)."""
    if not rules.can(actor, "EDITAR_MUESTRA"):
        return rules.role_refusal(actor, "EDITAR_MUESTRA")
    if cat.states()[int(ot.state)]["closed"]:
        return (f"La OT {ot.number} está cerrada («{cat.labels(session).state(ot.state)}»): sus muestras no se "
                "modifican.")
    if not sample.is_open:
        return f"La muestra {sample.id} está «{sample.state_label}»: ya no se modifica."
    if actor.role == filters.TECHNICIAN:
        room = actor.profile.cutting_room_id if actor.profile else None
        if room is None or room not in sample.room_ids():
            return f"La muestra {sample.id} no se corta en tu sala de corte."
    return None


def _catalog(session, check: Checker, data: dict, name: str, *, required: bool, current=None):
    """A catalog row (CAD, cartón, pegado) of the company, active unless it is the current one."""
    raw = data.get(name)
    if raw in (None, ""):
        if required:
            check.add(name, message("required", label=field_label(name)))
        return None
    row = check(lambda v, n, label: visible(session, CATALOG_FIELDS[name], v, n, label), raw, name, field_label(name))
    if row is not None and not row.active and row.id != current:
        check.add(name, f"«{row.name}» está inactivo en el catálogo «{field_label(name)}».")
        return None
    return row


def _room(session, check: Checker, raw, name: str, *, required: bool, current=None):
    if raw in (None, ""):
        if required:
            check.add(name, message("required", label=field_label(name)))
        return None
    room = check(lambda v, n, label: visible(session, CuttingRoom, v, n, label), raw, name, field_label(name))
    if room is not None and not room.active and room.id != current:
        check.add(name, f"La sala de corte «{room.name}» está inactiva.")
        return None
    return room


def _recipients(check: Checker, raw) -> list[str]:
    """MUE-003's recipients: a list of destinations (seller, designer, lab, 1..4,
    designer_review), at least one, none repeated."""
    label = field_label("recipients")
    if isinstance(raw, str):
        raw = [raw] if raw else []
    if not isinstance(raw, list) or not raw:
        check.add("recipients", message("at_least_one", label=label) if raw in (None, [], "") else
                  message("choice", label=label, choices=", ".join(str(v) for v in DESTINATIONS.values())))
        return []
    keys = [str(k) if isinstance(k, (str, int)) and not isinstance(k, bool) else "?" for k in raw]
    wrong = [k for k in keys if k not in DESTINATIONS]
    if wrong:
        check.add("recipients", message("choice", label=label, choices=", ".join(
            f"{k} ({v})" for k, v in DESTINATIONS.items())))
        return []
    if len(set(keys)) != len(keys):
        check.add("recipients", f"El campo «{label}» repite un destinatario.")
        return []
    return keys


def _per_destination(session, check: Checker, data: dict, key: str, *, required: bool, sample=None) -> dict:
    """Room, quantity and cutting date (checkbox) of one destination, as column values."""
    out = {}
    room_name, qty_name, cut_name = f"room_{key}", f"quantity_{key}", f"cut_{key}"
    if required or room_name in data:
        room = _room(session, check, data.get(room_name), room_name, required=required and "room" in DESTINATION_REQUIRED,
                     current=getattr(sample, f"room_{key}_id", None))
        if check.ok(room_name):
            out[f"room_{key}_id"] = room.id if room else None
    if required or qty_name in data:
        qty = check(integer, data.get(qty_name), qty_name, field_label(qty_name),
                    required=required and "quantity" in DESTINATION_REQUIRED, min=1,
                    max=MAX_QUANTITY)
        if check.ok(qty_name):
            out[qty_name] = qty
    if cut_name in data:
        cut = check(boolean, data.get(cut_name), cut_name, field_label(cut_name))
        if check.ok(cut_name):
            out[f"cut_{key}_on"] = cut
    return out


def _cut_dates(values: dict, sample: Sample | None, today: dt.date) -> dict:
    """A checked box keeps the date already recorded, else today; an unchecked one clears it."""
    for name in [n for n in values if n.startswith("cut_") and n.endswith("_on")]:
        if values[name] is True:
            values[name] = getattr(sample, name, None) or today
        elif values[name] is False:
            values[name] = None
    return values


def _request_entry(session, ot, user, type_id: int, note: str | None):
    entry = Management.record(session, ot, user, type_id, note=note or None)
    locked = lock_visible(session, WorkOrder, ot.id)
    locked.version = (locked.version or 1) + 1  # another user's stale page sees the change
    return entry


def _describe(samples: list[Sample], rooms: dict[int, str] | None = None) -> str:
    parts = []
    for s in samples:
        room = rooms.get(getattr(s, f"room_{s.recipient}_id")) if rooms and s.recipient else None
        parts.append(f"{s.id} ({destination_label(s.recipient)}{', ' + room if room else ''})")
    return ", ".join(parts)


def create(*, session: Session, user, company, today: dt.date, ot: WorkOrder, data: dict, type_id: int =
           SAMPLE_REQUEST):
    """MUE-001..003: Crear Muestra on `ot` (not closed). CAD and carton required, gluing,
    unit time and sample carton optional; each recipient needs its cutting room and quantity;
    a destination that is not a recipient takes no data. One sample per recipient in the given
    order, En progreso when the OT is in the Samples area else Pendiente; the request is
    recorded as a management entry of type 6 naming the samples. Returns (samples, entry)."""
    if company is None:
        raise ValidationError("No hay una empresa activa.")
    actor = rules.actor_for(session, user, company.id)
    rules.require(actor, "CREAR_MUESTRA")
    refuse_unknown(data, CREATE_FIELDS)
    _closed_refusal(session, ot)
    check = Checker()
    recipients = _recipients(check, data.get("recipients"))
    common = {}
    for name in CATALOG_FIELDS:
        row = _catalog(session, check, data, name, required=name in REQUIRED_CATALOGS)
        common[f"{name}_id"] = row.id if row else None
    common["unit_time"] = check(decimal, data.get("unit_time"), "unit_time", field_label("unit_time"),
                                required=False, min=0, max=999999)
    note = check(text, data.get("note"), "note", field_label("note"), max_length=3000)
    per_dest = {k: _per_destination(session, check, data, k, required=True) for k in recipients}
    for name in PER_DESTINATION:
        _prefix, key = _split(name)
        if key not in recipients and _given(name, data.get(name)) and check.ok("recipients"):
            check.add(name, f"«{field_label(name)}» no aplica: «{destination_label(key)}» no está entre los "
                            "destinatarios.")
    check.done()
    # the OT locked, then read again: a close committed meanwhile is seen, and MUE-002 reads the
    # area the OT has now
    ot = lock_visible(session, WorkOrder, ot.id)
    _closed_refusal(session, ot)
    state = SAMPLE_IN_PROGRESS if ot.current_area_id == cat.SAMPLES else SAMPLE_PENDING  # MUE-002
    made = []
    for key in recipients:
        values = _cut_dates(dict(per_dest[key]), None, today)
        sample = Sample(company_id=company.id, work_order_id=ot.id, state=state, recipient=key,
                        creator_id=user.id, **common, **values)
        session.add(sample)
        made.append(sample)
    session.flush()
    rooms = dict(session.execute(select(CuttingRoom.id, CuttingRoom.name)).all())
    text_ = f"Muestras {_describe(made, rooms)}: {SAMPLE_STATES[state]}."
    entry = _request_entry(session, ot, user, type_id, f"{text_} {note}" if note else text_)
    for sample in made:
        audit.record(session, entity=SAMPLE_ENTITY, entity_id=sample.id, company_id=company.id,
                     action="CREAR_MUESTRA", to_state=str(state),
                     data={"work_order": ot.id, "recipient": sample.recipient, **common, **per_dest[sample.recipient]},
                     user=user)
    session.flush()
    return made, entry


def edit(*, session: Session, user, company, today: dt.date, sample: Sample, ot: WorkOrder, data: dict) -> Sample:
    """MUE-001: Editar Muestra. Jefe/Técnico de Muestras change only unit time, cutting-date
    checkboxes, quantities and sample carton (any other field: 403 naming it); the creators
    change any field but the recipient (fixed: one sample per recipient, MUE-003). Data per
    destination only for the sample's recipient. Audited with the changes."""
    if company is None:
        raise ValidationError("No hay una empresa activa.")
    actor = rules.actor_for(session, user, company.id)
    rules.require(actor, "EDITAR_MUESTRA")
    refuse_unknown(data, EDIT_FIELDS | FIXED_FIELDS)
    if limited(actor):
        for name in sorted(data, key=lambda n: (n in LIMITED_FIELDS, n)):
            if name not in LIMITED_FIELDS:
                raise ActionNotAllowed(
                    f"Tu rol solo cambia en una muestra el tiempo unitario, las fechas de corte, las cantidades y el "
                    f"cartón muestra: no «{field_label(name)}».", field=name)
    reason = edit_refusal(session, actor, sample, ot)
    if reason:
        raise ActionNotAllowed(reason)
    fixed = sorted(set(data) & FIXED_FIELDS)
    if fixed:
        raise ValidationError(f"«{field_label(fixed[0])}» de una muestra no se cambia (una muestra por "
                              "destinatario: crea otra).", field=fixed[0])
    values = _edit_values(session, sample, data)
    ot = lock_visible(session, WorkOrder, ot.id)  # a close (18/22 end the samples) waits or is seen
    session.refresh(sample)
    reason = edit_refusal(session, actor, sample, ot)
    if reason:
        raise ActionNotAllowed(reason)
    _cut_dates(values, sample, today)
    changes = {}
    for column, value in values.items():
        if getattr(sample, column) != value:
            changes[column] = value
            setattr(sample, column, value)
    if changes:
        sample.updated_at = utcnow()
        audit.record(session, entity=SAMPLE_ENTITY, entity_id=sample.id, company_id=sample.company_id,
                     action="EDITAR_MUESTRA", from_state=str(sample.state), to_state=str(sample.state), data=changes,
                     user=user)
    session.flush()
    return sample


def _edit_values(session: Session, sample: Sample, data: dict) -> dict:
    """The checked column values of an edit of `sample` (every error at once): catalogs, unit
    time and the data per destination, only for the sample's recipient, whose room and
    quantity stay required."""
    check, values = Checker(), {}
    for name in sorted(set(data) & set(PER_DESTINATION)):
        _prefix, key = _split(name)
        if sample.recipient and key != sample.recipient:
            check.add(name, f"«{field_label(name)}» no aplica: la muestra {sample.id} es para "
                            f"«{destination_label(sample.recipient)}».")
    for name in CATALOG_FIELDS:
        if name in data:
            row = _catalog(session, check, data, name, required=name in REQUIRED_CATALOGS,
                           current=getattr(sample, f"{name}_id"))
            if check.ok(name):
                values[f"{name}_id"] = row.id if row else None
    if "unit_time" in data:
        values["unit_time"] = check(decimal, data.get("unit_time"), "unit_time", field_label("unit_time"),
                                    required=False, min=0, max=999999)
    for key in DESTINATIONS:
        if check.ok(*(f"{p}_{key}" for p in ("room", "quantity", "cut"))):
            values.update(_per_destination(session, check, data, key, required=False, sample=sample))
    for key in [sample.recipient] if sample.recipient else []:
        for name in (f"room_{key}", f"quantity_{key}"):
            column = f"{name}_id" if name.startswith("room_") else name
            if column in values and values[column] is None:
                check.add(name, message("required", label=field_label(name)))
    check.done()
    return values


def management(*, session: Session, user, company, today: dt.date, ot: WorkOrder, type_id: int, data: dict,
               note: str | None):
    """Management types 6 and 8 (WF-004 already offered them to the user): 6 "Solicitud
    Muestra" carries the sample (`sample`: the fields of create) and creates it; 8 "Envío Sala
    Muestra" sends the OT's pending samples (all, or the ids in `samples`) to the cutting
    room: they become En progreso. Returns the management entry."""
    if type_id == SAMPLE_REQUEST:
        sample = data.get("sample")
        if not isinstance(sample, dict):
            raise ValidationError("Una «Solicitud Muestra» lleva los datos de la muestra: usa el formulario «Nueva "
                                  "muestra» de la sección Muestras de la OT (en la API, el objeto «sample»).",
                                  field="management_type")
        _made, entry = create(session=session, user=user, company=company, today=today, ot=ot,
                              data={**sample, **({"note": note} if note else {})}, type_id=SAMPLE_REQUEST)
        return entry
    stmt = select(Sample).where(Sample.work_order_id == ot.id, Sample.state == SAMPLE_PENDING).order_by(Sample.id)
    if data.get("samples") not in (None, "", []):
        wanted = ids(data.get("samples"), "samples", field_label("samples"))
        stmt = stmt.where(Sample.id.in_(wanted))
    begin_write(session)
    pending = list(session.scalars(stmt.with_for_update()))
    if not pending:
        raise ValidationError(f"La OT {ot.number} no tiene muestras pendientes que enviar a la sala de corte.",
                              field="samples" if data.get("samples") else "management_type")
    for sample in pending:
        sample.state, sample.updated_at = SAMPLE_IN_PROGRESS, utcnow()
        audit.record(session, entity=SAMPLE_ENTITY, entity_id=sample.id, company_id=sample.company_id,
                     action="ENVIO_SALA_MUESTRA", from_state=str(SAMPLE_PENDING), to_state=str(SAMPLE_IN_PROGRESS),
                     user=user)
    rooms = dict(session.execute(select(CuttingRoom.id, CuttingRoom.name)).all())
    text_ = f"Enviadas a la sala de corte: muestras {_describe(pending, rooms)}."
    entry = _request_entry(session, ot, user, SAMPLE_SEND, f"{text_} {note}" if note else text_)
    session.flush()
    return entry


def follow_ot_state(session: Session, ot: WorkOrder, target: int) -> dict | None:
    """The OT's samples follow its state (orders/workflow.py, on every state change): 18 Muestra
    Terminada ends the open ones Terminada, 22 Muestra Anulada ends them Anulada (17 Sala
    Muestra moves none: a type 8 sends the pending ones to be cut). Returns {"samples": ids,
    "sample_state": new} or None."""
    moves = {OT_SAMPLES_DONE: (SAMPLE_OPEN, SAMPLE_DONE),
             OT_SAMPLES_CANCELLED: (SAMPLE_OPEN, SAMPLE_CANCELLED)}
    if target not in moves:
        return None
    sources, new = moves[target]
    changed = list(session.scalars(select(Sample).where(Sample.work_order_id == ot.id, Sample.state.in_(sources))
                                   .order_by(Sample.id)))
    for sample in changed:
        sample.state, sample.updated_at = new, utcnow()
    return {"samples": [s.id for s in changed], "sample_state": new} if changed else None
