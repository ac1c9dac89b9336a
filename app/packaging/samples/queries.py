"""Read models of packaging samples for the OT page and the REST API: the samples a user sees
(those of the OTs the FLT rules let them see: a sample technician, FLT-004, the OTs with a
sample in their cutting room), one sample (else 404) and the dictionaries the API answers,
with labels beside the codes; and what the OT's rules ask of its samples (WF-004, WF-001,
FLT-004's clause), bound to orders by the module's manifest."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.core.errors import NotFound
from app.core.validation import Checker, integer, lookup_id
from app.packaging import rules
from app.packaging.catalogs.models import CuttingRoom
from app.packaging.orders import filters
from app.packaging.orders.models import WorkOrder
from app.packaging.samples.models import (
    DESTINATIONS,
    SAMPLE_IN_PROGRESS,
    SAMPLE_PENDING,
    SAMPLE_ROOM_COLUMNS,
    Sample,
    destination_label,
)

# the rows listed are an alias: FLT-004's EXISTS over packaging_sample must not correlate to them
Listed = aliased(Sample, name="listed_sample")


def samples_pending(session: Session, ot: WorkOrder) -> bool:
    """WF-004's "hay muestras pendientes": a sample of the OT pending or in progress."""
    return bool(session.scalar(select(exists().where(
        Sample.work_order_id == ot.id, Sample.state.in_([SAMPLE_PENDING, SAMPLE_IN_PROGRESS])))))


def has_samples(session: Session, ot: WorkOrder) -> bool:
    return bool(session.scalar(select(exists().where(Sample.work_order_id == ot.id))))


def cut_in_room(room: int):
    """FLT-004's clause on the OT: a sample whose cutting room (seller's, designer's,
    laboratory's, 1 to 4, designer's review) is `room`."""
    return exists().where(Sample.work_order_id == WorkOrder.id,
                          or_(*(getattr(Sample, column) == room for column in SAMPLE_ROOM_COLUMNS)))


def visible_samples(actor: rules.Actor):
    """Samples of the OTs `actor` may open (FLT-001..FLT-004, not FLT-005's default states)."""
    return (select(Listed).join(WorkOrder, WorkOrder.id == Listed.work_order_id)
            .where(filters.visibility_clause(actor, listing=False)))


def parse_list_args(args) -> dict:
    check = Checker()
    out = {
        "work_order": check(integer, args.get("work_order"), "work_order", "OT", required=False, min=1),
        "state": check(integer, args.get("state"), "state", "Estado de la muestra", required=False, min=0, max=3),
        "page": check(integer, args.get("page"), "page", "Página", required=False, min=0, max=100000) or 0,
        "page_size": check(integer, args.get("page_size"), "page_size", "Filas por página", required=False,
                           min=1, max=100) or 25,
    }
    check.done()
    return out


def list_samples(*, session: Session, actor: rules.Actor, work_order: int | None = None, state: int | None = None,
                 page: int = 0, page_size: int = 25) -> tuple[int, list[Sample]]:
    stmt = visible_samples(actor)
    if work_order:
        stmt = stmt.where(Listed.work_order_id == work_order)
    if state is not None:
        stmt = stmt.where(Listed.state == state)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.order_by(Listed.id).offset(page * page_size).limit(page_size)).all()
    return total, list(rows)


def order_samples(*, session: Session, ot: WorkOrder) -> list[Sample]:
    return list(session.scalars(select(Sample).where(Sample.work_order_id == ot.id).order_by(Sample.id)))


def get_sample(*, session: Session, actor: rules.Actor, sample_id) -> tuple[Sample, WorkOrder]:
    """The sample and its OT if `actor` sees the OT, else 404 (another company's: 404 too)."""
    pk = lookup_id(sample_id)
    row = session.execute(visible_samples(actor).add_columns(WorkOrder).where(Listed.id == pk)).first() \
        if pk else None
    if row is None:
        raise NotFound("No existe esa muestra en la empresa activa o no la puedes ver.")
    return row[0], row[1]


def room_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(CuttingRoom.id, CuttingRoom.name)).all())


def destination_rows(sample: Sample, rooms: dict[int, str]) -> list[dict]:
    """The destinations the sample has data for, with labels (its recipient first)."""
    out = []
    for key in sample.destinations():
        room = getattr(sample, f"room_{key}_id")
        cut = getattr(sample, f"cut_{key}_on")
        out.append({"key": key, "label": destination_label(key), "room": room, "room_label": rooms.get(room),
                    "quantity": getattr(sample, f"quantity_{key}"), "cut": cut is not None, "cut_on": cut})
    return out


def sample_to_dict(sample: Sample, rooms: dict[int, str]) -> dict:
    """The API's sample: the fields as they are written (room_<k>, quantity_<k>, cut_<k>) and
    the destinations with their labels."""
    body = {
        "id": sample.id, "work_order": sample.work_order_id, "state": sample.state, "state_label": sample.state_label,
        "recipient": sample.recipient, "recipient_label": destination_label(sample.recipient) if sample.recipient
        else None,
        "cad": sample.cad_id, "carton": sample.carton_id, "gluing": sample.gluing_id,
        "sample_carton": sample.sample_carton_id,
        **{f"{name}_label": getattr(sample, name).name if getattr(sample, name) else None
           for name in ("cad", "carton", "gluing", "sample_carton")},
        "unit_time": float(sample.unit_time) if sample.unit_time is not None else None,
        "created_at": sample.created_at.isoformat(timespec="minutes") if sample.created_at else None,
    }
    for key in DESTINATIONS:
        cut = getattr(sample, f"cut_{key}_on")
        body[f"room_{key}"] = getattr(sample, f"room_{key}_id")
        body[f"quantity_{key}"] = getattr(sample, f"quantity_{key}")
        body[f"cut_{key}"] = cut is not None
        body[f"cut_{key}_on"] = cut.isoformat() if cut else None
    body["destinations"] = [{**d, "cut_on": d["cut_on"].isoformat() if d["cut_on"] else None}
                            for d in destination_rows(sample, rooms)]
    return body
