"""Read models of packaging OTs for the pages and the REST API: the filtered list (FLT rules
plus the user's filters), one OT with its responsible per area and management history, and
the dictionaries the API answers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.audit import AuditEntry
from app.core.errors import NotFound
from app.core.history import preload_related, readable_entry
from app.core.identity import display_name, user_ref
from app.core.validation import Checker, date, integer, lookup_id, text
from app.packaging import rules
from app.packaging.cascade.models import LEVELS
from app.packaging.catalogs import queries as cat
from app.packaging.orders import filters
from app.packaging.orders.models import ENTITY, HISTORY_LABELS, Assignment, Management, WorkOrder

LIST_PARAMS = ("state", "area", "client", "seller", "responsible", "date_from", "date_to", "asignado", "page",
               "page_size")
PARAM_LABELS = {"state": "Estado", "area": "Área", "client": "Cliente", "seller": "Vendedor",
                "responsible": "Responsable", "date_from": "Desde", "date_to": "Hasta", "asignado": "Asignado",
                "page": "Página", "page_size": "Filas por página"}


@dataclass
class ListFilters:
    states: list[str] | None = None
    area: int | None = None
    client: str = ""
    seller: int | None = None
    responsible: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    asignado: str = ""
    page: int = 0
    page_size: int = 25
    state_given: bool = False


def parse_filters(args) -> ListFilters:
    """The list's query parameters, checked (422 naming the filter by its label)."""
    check, f = Checker(), ListFilters()
    states = [s for s in (args.getlist("state") if hasattr(args, "getlist") else [args.get("state")]) if s]
    if states:
        f.state_given = True
        f.states = [str(check(integer, s, "state", PARAM_LABELS["state"], min=1, max=99)) for s in states]
    f.area = check(integer, args.get("area"), "area", PARAM_LABELS["area"], required=False, min=1, max=99)
    f.client = check(text, args.get("client"), "client", PARAM_LABELS["client"], max_length=150) or ""
    f.seller = check(integer, args.get("seller"), "seller", PARAM_LABELS["seller"], required=False, min=1)
    f.responsible = check(integer, args.get("responsible"), "responsible", PARAM_LABELS["responsible"],
                          required=False, min=1)
    f.date_from = check(date, args.get("date_from"), "date_from", PARAM_LABELS["date_from"], required=False)
    f.date_to = check(date, args.get("date_to"), "date_to", PARAM_LABELS["date_to"], required=False)
    f.asignado = check(text, args.get("asignado"), "asignado", PARAM_LABELS["asignado"], max_length=2) or ""
    f.page = check(integer, args.get("page"), "page", PARAM_LABELS["page"], required=False, min=0, max=100000) or 0
    f.page_size = check(integer, args.get("page_size"), "page_size", PARAM_LABELS["page_size"], required=False,
                        min=1, max=100) or 25
    check.done()
    return f


def list_statement(actor: rules.Actor, f: ListFilters):
    """FLT-001..FLT-004 (visibility_clause), FLT-005 (default states when none chosen) and the
    user's filters, as one SELECT of OTs."""
    stmt = select(WorkOrder).where(filters.visibility_clause(actor, assigned=f.asignado,
                                                             responsible_id=f.responsible))
    states = f.states if f.state_given else filters.default_states(actor)
    if states is not None:
        stmt = stmt.where(WorkOrder.state.in_(states))
    if f.area:
        stmt = stmt.where(WorkOrder.current_area_id == f.area)
    if f.client:
        stmt = stmt.where(func.lower(WorkOrder.client).contains(f.client.lower(), autoescape=True))
    if f.seller:
        stmt = stmt.where(WorkOrder.creator_id == f.seller)
    if f.responsible and actor.role not in filters.ASSIGNED_ONLY:
        stmt = stmt.where(filters.assigned_to(f.responsible))
    if f.date_from:
        stmt = stmt.where(WorkOrder.created_at >= dt.datetime.combine(f.date_from, dt.time.min))
    if f.date_to:
        stmt = stmt.where(WorkOrder.created_at < dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min))
    return stmt


# a list page reads its rows' product labels (CASC-001 levels) in the rows' own statement
PRODUCT_LABELS = [joinedload(getattr(WorkOrder, level.field)) for level in LEVELS]


def list_orders(*, session: Session, actor: rules.Actor, f: ListFilters) -> tuple[int, list[WorkOrder]]:
    """One page of the OTs `actor` sees, newest first, with their responsible per area
    (a constant number of queries whatever the number of rows)."""
    stmt = list_statement(actor, f)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(
        stmt.options(selectinload(WorkOrder.assignments), *PRODUCT_LABELS).order_by(WorkOrder.number.desc())
        .offset(f.page * f.page_size).limit(f.page_size)
    ).unique().all()
    return total, list(rows)


def get_order(*, session: Session, actor: rules.Actor, order_id) -> WorkOrder:
    """The OT if `actor` sees it (FLT rules, but not FLT-005's default states), else 404."""
    pk = lookup_id(order_id)
    ot = session.scalar(select(WorkOrder).where(WorkOrder.id == pk, filters.visibility_clause(actor, listing=False))
                        .options(selectinload(WorkOrder.assignments))) if pk else None
    if ot is None:
        raise NotFound("No existe esa OT en la empresa activa o no la puedes ver.")
    return ot


def history(*, session: Session, ot: WorkOrder) -> list[Management]:
    return list(session.scalars(select(Management).where(Management.work_order_id == ot.id)
                                .order_by(Management.created_at, Management.id)))


def attached_file(*, session: Session, ot: WorkOrder, entry_id) -> Management:
    """The file of a management entry of `ot` (found by the caller with get_order: the OT's
    visibility), else 404: an entry of another OT, without a file, or unknown."""
    pk = lookup_id(entry_id)
    entry = session.scalar(select(Management).where(Management.id == pk, Management.work_order_id == ot.id,
                                                    Management.file_key.is_not(None))) if pk else None
    if entry is None:
        raise NotFound(str(_l("No existe ese archivo en la OT %(n)s.", n=ot.number)))
    return entry


def file_content(entry: Management, *, storage) -> bytes:
    """The bytes of the entry's file, read from its company's folder only."""
    return storage.open(entry.company_id, entry.file_key)


# the OT's own audit actions (the workflow names CAMBIO_<id> and APROBAR_OT), by their labels
ACTION_LABELS = {"CREAR_OT": _l("Crear OT"), "EDITAR_OT": _l("Editar OT"), "ASIGNAR_OT": _l("Asignar OT"),
                 "CREAR_CODIGO_SAP": _l("Crear Código SAP")}  # the material code (materials/, on the OT)


def audit_trail(*, session: Session, ot: WorkOrder, names: cat.Labels) -> list[dict]:
    """The OT's audit entries as its history page reads them (core/history.py: who, when,
    action, «antes → después», data by labels), oldest first (issue 21 · 4). The rows the data
    names are read once for all entries and kept while the entries are read."""
    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == ot.id)
                                   .order_by(AuditEntry.created_at, AuditEntry.id)))
    related = preload_related(entries, session)
    people = _assigned_people(session, entries)
    rows = []
    for entry in entries:
        row = readable_entry(entry)
        if entry.action in ACTION_LABELS:
            row["action_label"] = str(ACTION_LABELS[entry.action])
        if entry.action == "ASIGNAR_OT":
            row["data_text"] = _assignment_lines(entry.data or {}, names, people)
        elif entry.action.startswith("GESTION_") and entry.action.removeprefix("GESTION_").isdigit():
            row["action_label"] = names.management_type(int(entry.action.removeprefix("GESTION_")))
        rows.append(row)
    del related  # kept alive until every entry was read (the identity map holds rows weakly)
    return rows


def _assigned_people(session: Session, entries: list[AuditEntry]) -> dict[int, str]:
    """The names of the people the OT's assignments name (one statement for all of them)."""
    ids = {v for e in entries if e.action == "ASIGNAR_OT"
           for v in ((e.data or {}).get("asignado"), (e.data or {}).get("anterior")) if isinstance(v, int)}
    if not ids:
        return {}
    return {u.id: display_name(u) for u in session.scalars(select(User).where(User.id.in_(sorted(ids))))}


def _assignment_lines(data: dict, names: cat.Labels, people: dict[int, str]) -> list[str]:
    """An assignment's audit data by names: the area, who is responsible now and before (the
    entry keeps their ids, which are no foreign keys of the OT for the core to follow)."""
    def person(pk):
        return people.get(pk, str(pk)) if pk is not None else "—"
    return [f"{HISTORY_LABELS['area']}: {names.area(data.get('area')) or data.get('area')}",
            f"{HISTORY_LABELS['asignado']}: {person(data.get('asignado'))}",
            f"{HISTORY_LABELS['anterior']}: {person(data.get('anterior'))}"]


def responsibles(ot: WorkOrder) -> dict[int, Assignment]:
    return {a.area_id: a for a in ot.assignments}


def order_to_dict(ot: WorkOrder, names: cat.Labels) -> dict:
    """The OT as the API answers it; `names`: cat.labels(session), read once per request."""
    return {
        "id": ot.id, "number": ot.number, "client": ot.client, "description": ot.description,
        "state": int(ot.state), "state_label": names.state(ot.state),
        "current_area": ot.current_area_id, "current_area_label": names.areas.get(ot.current_area_id),
        "request_type": ot.request_type_id, "request_type_label": names.request_types.get(ot.request_type_id),
        "creator": user_ref(ot.creator),
        "responsible": [{"area": a.area_id, "area_label": names.areas.get(a.area_id), "user": user_ref(a.user)}
                        for a in ot.assignments],
        **{k: v for lv in LEVELS for k, v in ((lv.field, getattr(ot, lv.column)),
                                                (f"{lv.field}_label", getattr(getattr(ot, lv.field), "label", None)))},
        "created_at": ot.created_at.isoformat(timespec="minutes") if ot.created_at else None,
        "approved": ot.approved_at is not None, "approved_by": ot.approved_by_name,
        "approved_at": ot.approved_at.isoformat(timespec="minutes") if ot.approved_at else None,
        "version": ot.version,
    }


FILES_API = f"/api/v1/{ENTITY}"  # GET <id>/files/<entry>: the entry's file (api.py)


def management_to_dict(m: Management, names: cat.Labels) -> dict:
    return {
        "id": m.id, "work_order": m.work_order_id, "management_type": m.management_type_id,
        "management_type_label": names.management_type(m.management_type_id), "user": m.user_name,
        "created_at": m.created_at.isoformat(timespec="minutes") if m.created_at else None,
        "note": m.note, "state_from": int(m.state_from) if m.state_from else None,
        "state": int(m.state_to) if m.state_to else None, "area_from": m.area_from_id, "area": m.area_to_id,
        "consulted_area": m.consulted_area_id, "provider": m.provider,
        "event_date": m.event_date.isoformat() if m.event_date else None,
        "external_received": m.external_received, "file_name": m.file_name,
        "file_url": f"{FILES_API}/{m.work_order_id}/files/{m.id}" if m.file_key else None,
    }
