"""Stateful test of packaging work orders (OTs, issue 19): random creations, state changes
(management type 1, decided by WF-001..WF-004 as the workflow's guards), other management
entries and assignments, by random users of the ENV roles (and Admin) of two companies,
through the services as the API runs them (the OT read as the user sees it). After every step:
states of seed/workflows/packaging.yaml, one audit entry per applied action, refusals change
nothing, OT numbers 1..n per company, no user acts on the other company's OTs."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from app.core.tenancy import company_scope
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.orders import queries, services
from app.packaging.orders.models import ENTITY, Assignment, Management, WorkOrder
from app.packaging.orders.workflow import WF, action_for, allowed_states
from tests.stateful.base import PICK, TODAY, Refused, WalkingMachine, run

ROLES = {role: [role] for role in (
    "ENV_VENDEDOR", "ENV_JEFE_VENTAS", "ENV_JEFE_DESARROLLO", "ENV_INGENIERO", "ENV_DISENADOR", "ENV_JEFE_DISENO",
    "ENV_PRECATALOGADOR", "ENV_CATALOGADOR", "ENV_JEFE_MUESTRAS", "ENV_TECNICO_MUESTRAS", "ENV_VENDEDOR_EXTERNO",
    "ENV_GERENTE", "ENV_ADMINISTRADOR",
)} | {"ADMIN": ["Admin"]}
# management entries other than a state change: type -> the payload's other fields
ENTRIES = {2: {"note": "¿Medidas confirmadas?"}, 4: {"note": "Llamé al cliente"}, 9: {"provider": "Imprenta Sur"},
           10: {"provider": "Imprenta Sur"}}
ACTIONS = [action_for(s) for s in cat.states()] + [f"GESTION_{t}" for t in ENTRIES] + ["ASIGNAR_OT"]


class PackagingMachine(WalkingMachine):
    tables = (WorkOrder, Management, Assignment)
    model, entity = WorkOrder, ENTITY
    max_examples = 6  # an OT's state change costs several times another module's (its 400-edge machine)
    detours = frozenset(action_for(s) for s, spec in cat.states().items() if spec["closed"])

    def graph_states(self):
        return set(WF.states)

    def side(self, company) -> str:
        return "A" if company is self.companies[0] else "B"

    # --- rules ------------------------------------------------------------------------------
    @initialize()
    def first(self):
        """Each example starts with one valid OT of company A (then anything goes)."""
        self.create("ENV_VENDEDOR", "A", 1, True)

    @precondition(lambda self: len(self.records) < 3)
    @rule(who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), request_type=st.sampled_from([1, 3, 6, 99]),
          complete=st.sampled_from([True, True, False]))
    def create(self, who, side, request_type, complete):
        """Anyone creates an OT ("Crear OT" in the function matrix), with or without a client,
        of a request type that exists or not."""
        name = f"{who}@{side}"
        company = self.home[name]
        data = {"client": "Cliente Uno" if complete else "", "description": "Caja 30x20", "request_type": request_type}

        def go(user):
            return services.create_order(session=self.session, user=user, company=company, today=TODAY, data=data).id

        out = self.act(name, company, go)
        if out is not Refused:
            assert complete and request_type in cat.request_types(), f"an OT was created from {data}"
            self.created(out, company, WF.initial_state, "CREAR_OT")

    def offered(self, rid):
        """The states the OT page's "Crear Gestión" offers each user of its company (WF-001..004)."""
        company = self.company_of[rid]
        out = []
        with company_scope(company.id):
            ot = self.session.get(WorkOrder, rid)
            for name in self.user_names(company):
                role = cat.role_of(self.users[name])
                if cat.role_area(role) != ot.current_area_id and not cat.is_admin_role(role):
                    continue  # WF-004: only the OT's area changes its state (no profiles in this world)
                actor = rules.actor_for(self.session, self.users[name], company.id)
                out += [(name, action_for(s)) for s in allowed_states(self.session, actor, ot).states]
        return out

    @precondition(lambda self: self.records)
    @rule(pick=PICK, who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), action=st.sampled_from(ACTIONS))
    def act_any(self, pick, who, side, action):
        """Any user of either company tries any state change, entry or assignment on any OT."""
        rid = self.records[pick % len(self.records)]
        name = f"{who}@{side}"
        self.perform(rid, name, action, self.home[name])

    def professional(self, ot, company) -> int:
        """A user of the company in the OT's area (the one an assignment names)."""
        for name in self.user_names(company):
            if cat.role_area(cat.role_of(self.users[name])) == ot.current_area_id and "JEFE" not in name:
                return self.users[name].id
        return self.users[f"ENV_VENDEDOR@{self.side(company)}"].id

    def perform(self, rid, name, action, company):
        foreign = company is not self.company_of[rid]

        def go(user):
            actor = rules.actor_for(self.session, user, company.id)
            if foreign:  # the other company's OT, as an object: the services must refuse it
                with company_scope(None):
                    ot = self.session.get(WorkOrder, rid)
            else:  # as the API: the OT as this user sees it (404 otherwise)
                ot = queries.get_order(session=self.session, actor=actor, order_id=rid)
            if action == "ASIGNAR_OT":
                return services.assign(session=self.session, user=user, company=company, today=TODAY, ot=ot,
                                       data={"asignado_id": self.professional(ot, company)})
            if action.startswith("CAMBIO_"):
                data = {"management_type": 1, "state": int(action.removeprefix("CAMBIO_"))}
            else:
                kind = int(action.removeprefix("GESTION_"))
                data = {"management_type": kind, **ENTRIES[kind]}
            return services.add_management(session=self.session, user=user, company=company, today=TODAY, ot=ot,
                                           data=data)

        if self.act(name, company, go, foreign=foreign, what=f"{action} on {rid}") is Refused:
            return
        if action.startswith("CAMBIO_"):
            assert not cat.states()[int(self.state[rid])]["closed"], f"{action} applied on a closed OT"
            self.transition_applied(WF, rid, name, action)
        else:
            self.applied(rid, action)


def test_packaging_work_orders_keep_their_invariants(session):
    """Issue 19: OTs under random state changes, entries and assignments keep state, audit,
    numbering and isolation."""
    run(PackagingMachine, ROLES, "senv")
