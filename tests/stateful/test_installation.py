"""Stateful test of installation orders (issue 19): random creations and matrix actions by
random users of the five matrix roles (and Admin) of two companies, through the services as
the API runs them (the order read as the user sees it, then the engine's `perform`). After
every step: states of seed/workflows/installation.yaml, one audit entry per applied action,
refusals change nothing, numbers 1..n per company, no user acts across companies."""
from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from app.core.tenancy import company_scope
from app.installation.equipment.models import Equipment
from app.installation.orders import queries, services
from app.installation.orders.models import (
    ENTITY,
    DoctorContact,
    EquipmentTemplate,
    InstallationOrder,
    OrderLine,
    order_technician,
)
from app.installation.orders.workflow import WF
from tests.stateful.base import PICK, TODAY, Refused, WalkingMachine, run

ROLES = {code: [spec["role"]] for code, spec in WF.roles.items()} | {"ADMIN": ["Admin"]}
ACTIONS = WF.action_codes


class InstallationMachine(WalkingMachine):
    tables = (InstallationOrder, OrderLine, DoctorContact, EquipmentTemplate, order_technician)
    model, entity = InstallationOrder, ENTITY
    detours = frozenset({"DELETE_ORDER", "REJECT_ORDER", "REJECT_RESCHEDULE", "CONTACT_DOCTOR"})

    @classmethod
    def setup(cls, session, companies, users):
        """Each company's equipment catalog: {company id: [equipment ids]}."""
        equipment = {}
        for company in companies:
            with company_scope(company.id):
                items = [Equipment(code="MON-01", name="Monitor"), Equipment(code="BOM-02", name="Bomba")]
                session.add_all(items)
                session.commit()
                equipment[company.id] = [e.id for e in items]
        return equipment

    def __init__(self):
        super().__init__()
        self.deleted: set[int] = set()

    def graph_states(self):
        return set(WF.states)

    def side(self, company) -> str:
        return "A" if company is self.companies[0] else "B"

    def user_id(self, role: str, company) -> int:
        return self.users[f"{role}@{self.side(company)}"].id

    def payload(self, action: str, company) -> dict:
        """A valid payload for `action` in `company` (the matrix's required fields)."""
        later = (TODAY + dt.timedelta(days=14)).isoformat()
        return {
            "REJECT_ORDER": {"reason": "Sin stock"}, "REJECT_RESCHEDULE": {"reason": "No puede"},
            "REOPEN_ORDER": {"reason": "El cliente insiste"}, "RESCHEDULE_ORDER": {"scheduled_for": later},
            "CONTACT_DOCTOR": {"channel": "PHONE", "note": "Confirmado por teléfono"},
            "ASSIGN_TECHNICIANS": {"technicians": [self.user_id("TECNICO", company)]},
        }.get(action, {})

    def order_data(self, company, variant: int) -> dict:
        """Valid order data (variant 0) or one mistake: no address, the other company's doctor
        or equipment, a date in the past."""
        other = self.companies[1] if company is self.companies[0] else self.companies[0]
        data = {"doctor": self.user_id("DOCTOR", company), "address": "Calle Mayor 1",
                "scheduled_for": (TODAY + dt.timedelta(days=7)).isoformat(),
                "lines": {str(self.catalog[company.id][0]): 2}}
        if variant == 1:
            del data["address"]
        elif variant == 2:
            data["doctor"] = self.user_id("DOCTOR", other)
        elif variant == 3:
            data["lines"] = {str(self.catalog[other.id][0]): 1}
        elif variant == 4:
            data["scheduled_for"] = (TODAY - dt.timedelta(days=1)).isoformat()
        return data

    # --- rules ------------------------------------------------------------------------------
    @initialize()
    def first(self):
        """Each example starts with one valid record of company A (then anything goes)."""
        self.create("GESTOR_GENERAL", "A", 0)

    @precondition(lambda self: len(self.records) < 2)
    @rule(who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), variant=st.sampled_from([0, 0, 0, 1, 2, 3, 4]))
    def create(self, who, side, variant):
        """Anyone creates an order; only the creator roles, with valid data, succeed."""
        name = f"{who}@{side}"
        company = self.home[name]

        def go(user):
            return services.create_order(session=self.session, user=user, company=company, today=TODAY,
                                         data=self.order_data(company, variant)).id

        out = self.act(name, company, go)
        if out is not Refused:
            assert variant == 0, f"created with invalid data (variant {variant})"
            self.created(out, company, WF.initial_state, "CREATE_ORDER")

    def offered(self, rid):
        if rid in self.deleted:
            return []  # gone from every list and page
        company = self.company_of[rid]
        with company_scope(company.id):
            order = self.session.get(InstallationOrder, rid)
            return [(name, t.action) for name in self.user_names(company)
                    for t in WF.available_actions(order, self.users[name])]

    @precondition(lambda self: self.records)
    @rule(pick=PICK, who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), action=st.sampled_from(ACTIONS))
    def act_any(self, pick, who, side, action):
        """Any user of either company tries any action on any order."""
        rid = self.records[pick % len(self.records)]
        name = f"{who}@{side}"
        self.perform(rid, name, action, self.home[name])

    def perform(self, rid: int, name: str, action: str, company) -> None:
        foreign = company is not self.company_of[rid]

        def go(user):
            if foreign:  # the other company's order, as an object: the engine must refuse it
                with company_scope(None):
                    order = self.session.get(InstallationOrder, rid)
            else:  # as the API: the order as this user sees it (404 otherwise)
                order = queries.get_order(session=self.session, user=user, order_id=rid)
            return WF.perform(order, action, user, session=self.session, payload=self.payload(action, company),
                              today=TODAY)

        if self.act(name, company, go, foreign=foreign, what=f"{action} on {rid}") is Refused:
            return
        self.transition_applied(WF, rid, name, action)
        if action == "DELETE_ORDER":
            self.deleted.add(rid)


def test_installation_orders_keep_their_invariants(session):
    """Issue 19: installation orders under random actions keep state, audit, numbering and isolation."""
    run(InstallationMachine, ROLES, "sinst")
