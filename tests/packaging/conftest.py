"""Fixtures of the packaging tests: two companies; in the first one user per ENV role
(username = role name in lower case without ENV_), a second engineer and technician, two
cutting rooms, profiles; `w.ot(state, ...)` builds an OT directly in any state and area
(with the state changes its past implies), `w.dataset()` spreads OTs over every area, state
and request type."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import CuttingRoom, PackagingProfile
from app.packaging.orders import services
from app.packaging.orders.models import Assignment, Management, WorkOrder
from app.packaging.samples.models import Sample

ROLES = list(cat.roles())
TODAY = dt.date.today()


def short(role: str) -> str:
    return role.removeprefix("ENV_").lower()


@dataclass
class World:
    session: object
    company: object
    other: object
    users: dict = field(default_factory=dict)
    rooms: dict = field(default_factory=dict)

    def u(self, name: str):
        return self.users[name]

    def create(self, user=None, **data):
        user = user or self.users["vendedor"]
        payload = {"client": "Cliente Uno", "description": "Caja 30x20", "request_type": 1, **data}
        with company_scope(self.company.id), acting_as(user):
            ot = services.create_order(session=self.session, user=user, company=self.company, today=TODAY,
                                       data=payload)
            self.session.commit()
            return ot

    def ot(self, state: int = 1, area: int | None = None, request_type: int = 1, creator=None, visited=(),
           approved: bool = True, **data) -> WorkOrder:
        """An OT put in `state` (area: the state's default, else `area`); `visited` lists the
        areas past state changes took it to (WF-001's first hop); `approved`: «Aprobar OT»
        done (issue 21 · 2; its own tests approve through the action)."""
        ot = self.create(request_type=request_type, **data)
        with company_scope(self.company.id):
            ot = self.session.get(WorkOrder, ot.id)
            ot.creator_id = (creator or self.users["vendedor"]).id  # e.g. an external seller's (no Crear OT)
            ot.state = str(state)
            ot.current_area_id = area or cat.states()[state]["area"] or 1
            if approved:
                ot.approved_by_id, ot.approved_by_name = self.users["jefe_ventas"].id, "Jefe Ventas"
                ot.approved_at = dt.datetime(2026, 3, 2, 9, 0)
            for a in visited:
                self.session.add(Management(company_id=self.company.id, work_order_id=ot.id, management_type_id=1,
                                            state_from="1", state_to="2", area_from_id=1, area_to_id=a))
            self.session.commit()
            return ot

    def assign(self, ot, user, area=None):
        with company_scope(self.company.id):
            self.session.add(Assignment(company_id=self.company.id, work_order_id=ot.id,
                                        area_id=area or ot.current_area_id, user_id=user.id))
            self.session.commit()

    def sample(self, ot, state=0, **rooms):
        """A sample of `ot` (by default cut in room A, the technician's)."""
        rooms = rooms or {"room_1_id": self.rooms["A"]}
        with company_scope(self.company.id):
            self.session.add(Sample(company_id=self.company.id, work_order_id=ot.id, state=state,
                                    **{k: v.id for k, v in rooms.items()}))
            self.session.commit()

    def reload(self, ot_id):
        self.session.rollback()
        with company_scope(None):
            return self.session.get(WorkOrder, ot_id)

    def entries(self, ot_id):
        self.session.rollback()
        with company_scope(None):
            return self.session.scalars(select(Management).where(Management.work_order_id == ot_id)
                                        .order_by(Management.id)).all()

    def dataset(self) -> list[WorkOrder]:
        """One OT per state (every area that state implies) and per request type, created by
        the seller or the external seller, some assigned."""
        out = []
        types = list(cat.request_types())
        for i, sid in enumerate(cat.states()):
            creator = self.users["vendedor" if i % 3 else "vendedor_externo"]
            out.append(self.ot(sid, request_type=types[i % len(types)], creator=creator, visited=(2, 3)))
        for area in range(1, 10):
            out.append(self.ot(20, area=area, visited=(2,)))  # a state without area, in every area
        return out


def build_world(session, make_company, make_user) -> World:
    company = make_company(name="Envases Norte")
    other = make_company(name="Envases Sur")
    w = World(session=session, company=company, other=other)
    for role in ROLES:
        w.users[short(role)] = make_user(roles=[role], companies=[company], username=short(role))
    w.users["ingeniero2"] = make_user(roles=["ENV_INGENIERO"], companies=[company], username="ingeniero2")
    w.users["tecnico2"] = make_user(roles=["ENV_TECNICO_MUESTRAS"], companies=[company], username="tecnico2")
    w.users["admin"] = make_user(roles=["Admin"], companies=[company, other], username="admin_env")
    w.users["sur_vendedor"] = make_user(roles=["ENV_VENDEDOR"], companies=[other], username="vendedor_sur")
    w.users["sur_ingeniero"] = make_user(roles=["ENV_INGENIERO"], companies=[other], username="ingeniero_sur")
    with company_scope(company.id):
        w.rooms = {"A": CuttingRoom(name="Sala Norte A"), "B": CuttingRoom(name="Sala Norte B")}
        session.add_all(w.rooms.values())
        session.flush()
        session.add(PackagingProfile(user_id=w.users["tecnico_muestras"].id, cutting_room_id=w.rooms["A"].id,
                                     boss_id=w.users["jefe_muestras"].id))
        session.add(PackagingProfile(user_id=w.users["tecnico2"].id, cutting_room_id=w.rooms["B"].id))
        session.commit()
    return w


@pytest.fixture
def world(session, make_company, make_user):
    return build_world(session, make_company, make_user)
