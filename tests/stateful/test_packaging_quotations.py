"""Stateful test of packaging quotations (module COTIZADOR, issue 19): random drafts (with or
without lines), edits, submissions, approvals and rejections by random users of the ENV roles
(and Admin) of two companies, through the services as the API runs them. After every step:
states of seed/workflows/packaging_quotation.yaml, one audit entry per applied action, refusals
change nothing, quotation numbers 1..n per company, no user acts across companies; only the
creator (or an admin) edits or submits, and nothing without lines is submitted."""
from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.errors import NotFound
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.packaging import rules
from app.packaging.quotations import queries as qq
from app.packaging.quotations import services as quotations
from app.packaging.quotations.models import QUOTATION_ENTITY, Quotation, QuotationLine
from app.packaging.quotations.workflow import QWF, offered_actions
from tests.stateful.base import PICK, TODAY, Refused, WalkingMachine, run

ROLES = {role: [role] for role in (
    "ENV_VENDEDOR", "ENV_JEFE_VENTAS", "ENV_GERENTE", "ENV_GERENTE_COMERCIAL", "ENV_ADMINISTRADOR", "ENV_INGENIERO",
)} | {"ADMIN": ["Admin"]}
LINE = {"item": "Caja 30x20x15", "quantity": "1000", "unit_price": "350.5", "currency": "CLP"}
EDIT = "EDITAR_COTIZACION"
ACTIONS = QWF.action_codes + [EDIT]
ADMINS = {"ADMIN", "ENV_ADMINISTRADOR"}


class QuotationMachine(WalkingMachine):
    tables = (Quotation, QuotationLine)
    model, entity = Quotation, QUOTATION_ENTITY
    max_examples = 8
    detours = frozenset({"REJECT", EDIT})

    def __init__(self):
        super().__init__()
        self.creator: dict[int, str] = {}  # quotation -> its creator's role name
        self.lines: dict[int, bool] = {}  # quotation -> has lines

    def graph_states(self):
        return set(QWF.states)

    # --- rules ------------------------------------------------------------------------------
    @initialize()
    def first(self):
        """Each example starts with a draft with lines of company A (then anything goes)."""
        self.create("ENV_VENDEDOR", "A", True)

    @precondition(lambda self: len(self.records) < 3)
    @rule(who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), lines=st.booleans())
    def create(self, who, side, lines):
        """Anyone creates a draft ("Crear Cotización"), with or without lines."""
        name = f"{who}@{side}"
        company = self.home[name]
        data = {"client": "Cliente Uno", "lines": [dict(LINE)] if lines else []}

        def go(user):
            return quotations.create_quotation(session=self.session, user=user, company=company, today=TODAY,
                                               data=data).id

        out = self.act(name, company, go)
        if out is not Refused:
            self.created(out, company, QWF.initial_state, "CREAR_COTIZACION")
            self.creator[out], self.lines[out] = who, lines

    def offered(self, rid):
        """The quotation page's buttons for each user of its company, and "edit" for the creator."""
        company = self.company_of[rid]
        with company_scope(company.id):
            q = self.session.get(Quotation, rid)
            out = [(name, action) for name in self.user_names(company)
                   for action in offered_actions(self.session, q, self.users[name])]
        if self.state[rid] == "DRAFT":
            out.append((f"{self.creator[rid]}@{'A' if company is self.companies[0] else 'B'}", EDIT))
        return out

    @precondition(lambda self: self.records)
    @rule(pick=PICK, who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), action=st.sampled_from(ACTIONS))
    def act_any(self, pick, who, side, action):
        """Any user of either company tries any action on any quotation."""
        rid = self.records[pick % len(self.records)]
        name = f"{who}@{side}"
        self.perform(rid, name, action, self.home[name])

    def perform(self, rid, name, action, company):
        foreign = company is not self.company_of[rid]

        def go(user):
            actor = rules.actor_for(self.session, user, company.id)
            if foreign:  # the other company's quotation, as an object: the services must refuse it
                with company_scope(None):
                    q = self.session.get(Quotation, rid)
            else:  # as the API: the quotation as this user sees it (404 otherwise)
                q = qq.get_quotation(session=self.session, actor=actor, company_id=company.id, quotation_id=rid)
            if action == EDIT:
                return quotations.edit_quotation(session=self.session, user=user, company=company, today=TODAY,
                                                 quotation=q, data={"lines": [dict(LINE), dict(LINE)]})
            payload = {"reason": "Precio fuera de rango"} if action == "REJECT" else {}
            return QWF.perform(q, action, user, session=self.session, payload=payload, today=TODAY)

        if self.act(name, company, go, foreign=foreign, what=f"{action} on {rid}") is Refused:
            return
        who = name.split("@")[0]
        if action in (EDIT, "SUBMIT"):
            assert who == self.creator[rid] or who in ADMINS, f"{name} changed another's draft ({action})"
        if action == EDIT:
            assert self.state[rid] == "DRAFT", f"edited a quotation in {self.state[rid]}"
            self.applied(rid, EDIT)
            self.lines[rid] = True
            return
        if action == "SUBMIT":
            assert self.lines[rid], "a quotation without lines was submitted"
        self.transition_applied(QWF, rid, name, action)


def test_packaging_quotations_keep_their_invariants(session):
    """Issue 19: quotations under random actions keep state, audit, numbering and isolation."""
    run(QuotationMachine, ROLES, "squot")


def test_editing_another_companys_quotation_is_refused_not_a_500(session, make_company, make_user):
    """Found by the machine above: edit_quotation given another company's quotation (its row
    locked as the active company sees it: none) raised AttributeError (a 500); it is a 404
    now, as the quotation's lookup answers, and nothing changes."""
    north, south = make_company(), make_company()
    seller = make_user(roles=["ENV_VENDEDOR"], companies=[north])
    admin_south = make_user(roles=["ENV_ADMINISTRADOR"], companies=[south])
    with company_scope(north.id), acting_as(seller):
        q = quotations.create_quotation(session=session, user=seller, company=north, today=TODAY,
                                        data={"client": "Cliente Uno", "lines": [dict(LINE)]})
        session.commit()
    with company_scope(None):
        audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
        quotation = session.get(Quotation, q.id)
    with company_scope(south.id), acting_as(admin_south):
        with pytest.raises(NotFound, match="No existe esa cotización"):
            quotations.edit_quotation(session=session, user=admin_south, company=south, today=TODAY,
                                      quotation=quotation, data={"client": "Otro"})
        session.rollback()
    with company_scope(None):
        stored = session.get(Quotation, q.id)
        assert (stored.client, stored.version) == ("Cliente Uno", 1)
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
