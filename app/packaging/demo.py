"""Demo data (`flask seed --demo`) from seed/demo/packaging.yaml: cutting rooms, the sample
technician's profile and OTs that walk their state changes through the services as the
demo user of each area (their management history is real); from seed/demo/packaging_samples.yaml
the sample catalogs and the samples the engineer requests before an OT goes to 17; quotations
(quotations/demo.py)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.cli import demo_for_company
from app.core.identity import acting_as
from app.core.seeds import load_seed
from app.core.tenancy import Membership
from app.packaging.catalogs.models import CuttingRoom, PackagingProfile
from app.packaging.materials import services as materials
from app.packaging.orders import services
from app.packaging.orders.models import WorkOrder
from app.packaging.orders.workflow import APPROVE
from app.packaging.quotations import demo as quotation_demo
from app.packaging.samples import services as samples
from app.packaging.samples.models import SampleCad, SampleCarton, SampleGluing

DEMO_FILE = "demo/packaging.yaml"
SAMPLES_FILE = "demo/packaging_samples.yaml"


def _user_with_role(session: Session, role: str, company_id: int):
    return session.scalar(select(User).join(User.roles).join(Membership, Membership.user_id == User.id)
                          .where(Role.name == role, Membership.company_id == company_id).order_by(User.id).limit(1))


def _sales(session: Session, company_id: int) -> dict:
    return {role: _user_with_role(session, role, company_id) for role in ("ENV_VENDEDOR", "ENV_JEFE_VENTAS")}


def load(session: Session, company, today: dt.date | None = None) -> None:
    """Idempotent: rooms by name; the OTs only when the company has none."""
    today = today or dt.date.today()
    data = demo_for_company(load_seed(DEMO_FILE), company)
    rooms = {r.name: r for r in session.scalars(select(CuttingRoom))}
    for name in data["cutting_rooms"]:
        if name not in rooms:
            rooms[name] = CuttingRoom(company_id=company.id, name=name)
            session.add(rooms[name])
    sample_data = load_seed(SAMPLES_FILE)
    catalogs = _sample_catalogs(session, company, sample_data)
    session.flush()
    materials.load_demo(session, company)  # MAT-001 prefixes and suffixes
    if session.scalar(select(WorkOrder.id).limit(1)) is not None:
        return quotation_demo.load(session, company, today, _sales(session, company.id))
    users = {}
    for role in ("ENV_VENDEDOR", "ENV_INGENIERO", "ENV_DISENADOR", "ENV_PRECATALOGADOR", "ENV_CATALOGADOR",
                 "ENV_TECNICO_MUESTRAS", "ENV_JEFE_DESARROLLO", "ENV_JEFE_VENTAS"):
        users[role] = _user_with_role(session, role, company.id)
    if not all(users.values()):
        return  # the demo users of every area are needed
    first_room = rooms[data["cutting_rooms"][0]]
    if session.scalar(select(PackagingProfile).where(PackagingProfile.user_id == users["ENV_TECNICO_MUESTRAS"].id)) is None:
        session.add(PackagingProfile(company_id=company.id, user_id=users["ENV_TECNICO_MUESTRAS"].id,
                                     cutting_room_id=first_room.id))
    for spec in data["orders"]:
        seller = users["ENV_VENDEDOR"]
        with acting_as(seller):
            ot = services.create_order(session=session, user=seller, company=company, today=today, data={
                "client": spec["client"], "description": spec["description"], "request_type": spec["request_type"]})
        if spec["path"]:  # Aprobar OT (issue 21 · 2): the sales chief lets it leave Sales
            chief = users["ENV_JEFE_VENTAS"]
            with acting_as(chief):
                services.act(session=session, user=chief, company=company, today=today, ot=ot,
                             action=APPROVE, data={})
        for role, state in spec["path"]:
            if state == 17:
                _request_samples(session, company, today, users["ENV_INGENIERO"], ot, catalogs,
                                 [rooms[name] for name in data["cutting_rooms"]], sample_data)
            with acting_as(users[role]):
                services.add_management(session=session, user=users[role], company=company, today=today, ot=ot,
                                        data={"management_type": 1, "state": state, "note": "Demo"})
            session.refresh(ot)
        if int(ot.state) == 17 and ot.client in {d["client"] for d in sample_data["samples"]}:
            tech = users["ENV_TECNICO_MUESTRAS"]  # Envío Sala Muestra: the samples are being cut
            with acting_as(tech):
                services.add_management(session=session, user=tech, company=company, today=today, ot=ot,
                                        data={"management_type": 8, "note": "Demo"})
        for chief, professional in spec.get("assign", []):
            with acting_as(users[chief]):
                services.assign(session=session, user=users[chief], company=company, today=today, ot=ot,
                                data={"asignado_id": users[professional].id})
    session.flush()
    quotation_demo.load(session, company, today, _sales(session, company.id))


def _sample_catalogs(session: Session, company, data: dict) -> dict[str, list]:
    """The company's CADs, cartons and gluing types of the demo, by name (idempotent)."""
    out = {}
    for key, model in (("cads", SampleCad), ("cartons", SampleCarton), ("gluings", SampleGluing)):
        existing = {r.name: r for r in session.scalars(select(model))}
        for name in data[key]:
            if name not in existing:
                existing[name] = model(company_id=company.id, name=name)
                session.add(existing[name])
        out[key] = [existing[name] for name in data[key]]
    session.flush()
    return out


def _request_samples(session: Session, company, today, engineer, ot, catalogs, rooms, data) -> None:
    """The engineer's sample requests of the OT's client (MUE-001..003), before it goes to 17."""
    for spec in data["samples"]:
        if spec["client"] != ot.client:
            continue
        payload = {"recipients": spec["recipients"], "cad": catalogs["cads"][spec["cad"]].id,
                   "carton": catalogs["cartons"][spec["carton"]].id, "gluing": catalogs["gluings"][spec["gluing"]].id,
                   "unit_time": spec.get("unit_time")}
        for key in spec["recipients"]:
            payload[f"room_{key}"] = rooms[spec["rooms"][key]].id
            payload[f"quantity_{key}"] = spec["quantities"][key]
        with acting_as(engineer):
            samples.create(session=session, user=engineer, company=company, today=today, ot=ot, data=payload)
