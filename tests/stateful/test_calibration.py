"""Stateful test of calibration orders (issue 10's workflow, issue 19): random creations,
workflow actions and the work between them (results, evidence, the review checklist) by
random users of the four calibration roles, a supervisor who is also a technician, and Admin,
of two companies, through the services as the API runs them. After every step: states of
seed/workflows/calibration.yaml, one audit entry per applied action, refusals change nothing,
order and certificate numbers 1..n per company, no user acts across companies, and no one
who did an order's work approved it (the independence rule, issue 19 #4)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule
from sqlalchemy import select

from app.calibration.certificates.models import CalibrationSettings, Certificate
from app.calibration.instruments.models import Instrument
from app.calibration.orders import checklist, execution, queries, services
from app.calibration.orders.models import (
    ENTITY,
    CalibrationEvidence,
    CalibrationOrder,
    CalibrationResult,
    ChecklistItem,
    ChecklistTick,
    order_technician,
)
from app.calibration.orders.workflow import WF
from app.core.storage import FilesystemStorage
from app.core.tenancy import company_scope
from tests.stateful.base import PICK, TODAY, Refused, WalkingMachine, run

ROLES = {code: [spec["role"]] for code, spec in WF.roles.items()} | {
    "SUPER_TECNICO": [WF.roles["SUPERVISOR"]["role"], WF.roles["TECNICO"]["role"]], "ADMIN": ["Admin"],
}
# the work between the workflow's actions, each one audited on the order
WORK = {"+RESULT": "RESULT_ADDED", "+EVIDENCE": "EVIDENCE_ADDED", "+TICKS": "CHECKLIST", "-TICK": "CHECKLIST"}
WORK_STATES = {"+RESULT": execution.RESULT_STATES, "+EVIDENCE": execution.EVIDENCE_STATES,
               "+TICKS": checklist.TICKABLE_STATES, "-TICK": checklist.TICKABLE_STATES}
DOERS = {"START", "SUBMIT_REVIEW", "+RESULT", "+EVIDENCE"}  # the work of the order (independence)
ACTIONS = WF.action_codes + sorted(WORK)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CERTIFICATE_DATA = {"received_on": TODAY, "method": "PC-014", "environment": "23 °C", "standards": "Patrón P-07",
                    "place": "LAB", "condition_on_receipt": "Sin daños", "deviations": "Ninguna"}
RESULT = {"measurand": "Presión", "nominal": "10", "as_found": "10.02", "error": "0.02", "uncertainty": "0.01",
          "unit": "bar"}


class CalibrationMachine(WalkingMachine):
    tables = (CalibrationOrder, order_technician, CalibrationResult, CalibrationEvidence, ChecklistTick, Certificate)
    model, entity = CalibrationOrder, ENTITY
    detours = frozenset({"CANCEL", "REJECT", "AMEND", "RESCHEDULE", "-TICK"})

    @classmethod
    def setup(cls, session, companies, users):
        """An instrument in each company (the review checklist comes with the company): {company id: (instrument, item codes)}."""
        out = {}
        for company in companies:
            with company_scope(company.id):
                instrument = Instrument(tag="MAN-001", description="Manómetro", unit="bar", interval_days=365,
                                        active=True, validated_at=dt.datetime(2026, 1, 5, 9, 0))  # «Recepción» done
                session.add(instrument)
                session.add(CalibrationSettings(company_id=company.id, lab_name="Laboratorio", certificate_contacts="",
                                                lab_address="Calle 1", accreditation_number="ENAC 1", decision_rule=""))
                session.commit()
                codes = session.scalars(select(ChecklistItem.code).where(ChecklistItem.active.is_(True))).all()
                out[company.id] = (instrument.id, sorted(codes))
        return out

    def __init__(self):
        super().__init__()
        self.ticks: dict[int, set[str]] = defaultdict(set)  # ticked checklist codes of each order
        self.workers: dict[int, set[int]] = defaultdict(set)  # who did each order's work (user ids)

    def graph_states(self):
        return set(WF.states)

    def number_value(self, number):
        return int(number.rsplit("-", 1)[1])  # "OC-2026-00042" -> 42

    def user_id(self, role: str, company) -> int:
        return self.users[f"{role}@{'A' if company is self.companies[0] else 'B'}"].id

    def payload(self, action: str, company, choice: int = 0) -> dict:
        """A valid payload: technicians are the technician, sometimes with the supervisor-technician."""
        if action in ("SCHEDULE", "RESCHEDULE"):
            names = ["TECNICO"] + (["SUPER_TECNICO"] if choice % 3 == 0 else [])
            return {"target_date": (TODAY + dt.timedelta(days=7)).isoformat(),
                    "technicians": [self.user_id(n, company) for n in names]}
        return {"reason": "Motivo de prueba"} if action in ("REJECT", "CANCEL", "AMEND") else {}

    # --- rules ------------------------------------------------------------------------------
    @initialize()
    def first(self):
        """Each example starts with one valid record of company A (then anything goes)."""
        self.create("RESPONSABLE", "A", 0)

    @precondition(lambda self: len(self.records) < 2)
    @rule(who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), foreign_instrument=st.sampled_from([0, 0, 0, 1]))
    def create(self, who, side, foreign_instrument):
        """Anyone creates an order; the client and the manager can, with their company's instrument."""
        name = f"{who}@{side}"
        company = self.home[name]
        other = self.companies[1] if company is self.companies[0] else self.companies[0]
        instrument = self.catalog[(other if foreign_instrument else company).id][0]

        def go(user):
            order = services.create_order(session=self.session, user=user, company=company, today=TODAY,
                                          data={"instrument": instrument})
            for name, value in CERTIFICATE_DATA.items():  # what the certificate prints (issue 21 item 10)
                setattr(order, name, value)
            self.session.flush()
            return order.id

        out = self.act(name, company, go)
        if out is not Refused:
            assert not foreign_instrument, "an order was created for another company's instrument"
            self.created(out, company, WF.initial_state, "CREATE_ORDER")

    def offered(self, rid):
        """The buttons of the order page, plus the work its state admits (a first result and
        evidence by the assigned technicians, the checklist by the supervisor)."""
        company = self.company_of[rid]
        with company_scope(company.id):
            order = self.session.get(CalibrationOrder, rid)
            out = [(name, t.action) for name in self.user_names(company)
                   for t in WF.available_actions(order, self.users[name])]
            assigned = [n for n in self.user_names(company) if self.users[n].id in {t.id for t in order.technicians}]
        for work, states in WORK_STATES.items():
            if order.state in states and not (work in ("+RESULT", "+EVIDENCE") and WORK[work] in self.trail[rid]):
                for name in (assigned if work in ("+RESULT", "+EVIDENCE") else self.user_names(company)):
                    if work[1:] != "TICKS" and work != "-TICK" or name.startswith("SUPERVISOR"):
                        out.append((name, work))
        return out

    @precondition(lambda self: self.records)
    @rule(pick=PICK, who=st.sampled_from(list(ROLES)), side=st.sampled_from("AB"), action=st.sampled_from(ACTIONS))
    def act_any(self, pick, who, side, action):
        """Any user of either company tries any action or work on any order."""
        rid = self.records[pick % len(self.records)]
        name = f"{who}@{side}"
        self.perform(rid, name, action, self.home[name], choice=pick)

    def work(self, action: str, order, user, storage):
        company_codes = self.catalog[order.company_id][1]
        if action == "+RESULT":
            return execution.add_result(session=self.session, user=user, order=order, data=dict(RESULT))
        if action == "+EVIDENCE":
            return execution.add_evidence(session=self.session, user=user, order=order, filename="informe.pdf",
                                          data=PDF, storage=storage)
        items = {c: True for c in company_codes} if action == "+TICKS" else {company_codes[0]: False}
        return checklist.set_ticks(self.session, user=user, order=order, items=items)

    def perform(self, rid, name, action, company, choice=0):
        foreign = company is not self.company_of[rid]
        storage = FilesystemStorage(self.files_dir)

        def go(user):
            if foreign:  # the other company's order, as an object: the services must refuse it
                with company_scope(None):
                    order = self.session.get(CalibrationOrder, rid)
            else:  # as the API: the order as this user sees it (404 otherwise)
                order = queries.get_order(session=self.session, user=user, order_id=rid)
            if action in WORK:
                return self.work(action, order, user, storage)
            return services.perform(session=self.session, user=user, order=order, action=action,
                                    payload=self.payload(action, company, choice), today=TODAY)

        out = self.act(name, company, go, foreign=foreign, what=f"{action} on {rid}")
        if out is Refused:
            return
        user_id = self.users[name].id
        if action in WORK:
            assert self.state[rid] in WORK_STATES[action], f"{action} done in {self.state[rid]}"
            codes = self.catalog[company.id][1]
            before = set(self.ticks[rid])
            if action == "+TICKS":
                self.ticks[rid] = set(codes)
            elif action == "-TICK":
                self.ticks[rid].discard(codes[0])
            if action in ("+RESULT", "+EVIDENCE") or self.ticks[rid] != before:
                self.applied(rid, WORK[action])  # CHECKLIST only when a tick changed
        else:
            if action == "APPROVE":
                assert user_id not in self.workers[rid], f"{name} approved an order whose work they did"
                assert self.ticks[rid] == set(self.catalog[company.id][1]), "approved with the checklist incomplete"
            if action in ("SCHEDULE", "RESCHEDULE"):
                self.workers[rid] |= set(self.payload(action, company, choice)["technicians"])
            self.transition_applied(WF, rid, name, action)
        if action in DOERS:
            self.workers[rid].add(user_id)

    def check_all(self):
        """The base's invariants, and certificate numbers CAL-<year>-1..n per company."""
        super().check_all()
        with company_scope(None):
            rows = self.session.execute(select(Certificate.company_id, Certificate.number)
                                        .where(Certificate.company_id.in_(self.company_ids))).all()
        for company_id in self.company_ids:
            values = sorted(self.number_value(n) for c, n in rows if c == company_id)
            assert values == list(range(1, len(values) + 1)), f"company {company_id}: certificates {values}"


def test_calibration_orders_keep_their_invariants(session, app, tmp_path, monkeypatch):
    """Issue 19: calibration orders under random actions keep state, audit, numbering, isolation
    and the independence of the review."""
    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path / "files"))
    CalibrationMachine.files_dir = str(tmp_path / "files")
    run(CalibrationMachine, ROLES, "scal")
