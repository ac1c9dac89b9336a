"""Stateful test of operator certifications (issue 19): the life cycle of validation periods
(open -> completed by the inspection that reaches the count, open -> lapsed when its end passes
short of it, the assignment then expiring) under random assignments, inspections, annulments,
days passing and the nightly expiry job, by the CERT_USUARIO users of two companies, through
the services as the pages and API run them (a refusal's aftermath included). After every step:
period statuses of the graph below, as predicted; one audit entry per applied event (period
open/complete, assignment expire, inspection register/annul), none for a refused action;
refusals change nothing; period numbers 1..n per assignment; at most one open period per
assignment; no user acts on the other company's rows."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule
from sqlalchemy import select

from app.certification.assignments import services as assignment_services
from app.certification.assignments.models import (
    COMPLETED,
    LAPSED,
    OPEN,
    CertificationAssignment,
    ValidationPeriod,
)
from app.certification.catalogs.models import (
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.certification.inspections import services as inspection_services
from app.certification.inspections.models import Inspection
from app.certification.rules.services import current_rules
from app.core.tenancy import company_scope
from tests.stateful.base import TODAY, Refused, WorkflowMachine, run

GRAPH = {OPEN: {COMPLETED, LAPSED}, COMPLETED: set(), LAPSED: set()}  # the period's life (spec §3.6)
REQUIRED_INSPECTIONS, REQUIRED_WORKDAYS = 3, 10  # small rules: periods complete and lapse within a run
ROLES = {"USUARIO": ["CERT_USUARIO"]}
SIDES = st.sampled_from("AB")
PICK = st.integers(0, 10**6)


class CertificationMachine(WorkflowMachine):
    tables = (CertificationAssignment, ValidationPeriod, Inspection)
    model, entity = ValidationPeriod, "validation_period"
    state_field, group_field = "status", "assignment_id"  # numbered 1..n per assignment

    @classmethod
    def setup(cls, session, companies, users):
        """Small rules; in each company two operators, an auditor, a certification with an audit type."""
        rules = current_rules(session)
        rules.required_inspections, rules.required_workdays = REQUIRED_INSPECTIONS, REQUIRED_WORKDAYS
        out = {}
        for company in companies:
            with company_scope(company.id):
                ops = [Operator(first_name="Lucía", last_name="Martín", code="OP-1"),
                       Operator(first_name="Pablo", last_name="Ruiz", code="OP-2")]
                cert = Certification(name="Laboratorio", description="Certificación de laboratorio")
                kind, auditor = ProductAuditType(certification=cert, name="Dientes"), Auditor(first_name="Andrés",
                                                                                              last_name="Gil", code="AU-1")
                session.add_all([*ops, cert, kind, auditor])
                session.commit()
                out[company.id] = {"ops": [o.id for o in ops], "cert": cert.id, "type": kind.id, "auditor": auditor.id}
        return out

    def __init__(self):
        super().__init__()
        self.today = TODAY
        self.assignments: dict[int, dict] = {}  # id -> company, operator, active, open period
        self.assignment_trail: dict[int, list[str]] = defaultdict(list)
        self.inspections: dict[int, dict] = {}  # id -> period, annulled
        self.inspection_trail: dict[int, list[str]] = defaultdict(list)
        self.done: dict[int, int] = defaultdict(int)  # counted inspections of each period
        self.end: dict[int, dt.date] = {}  # each period's end (the company calendar's)
        self.owner: dict[int, int] = {}  # each period's assignment

    def graph_states(self):
        return set(GRAPH)

    def side_of(self, side: str):
        return self.companies[0 if side == "A" else 1]

    # --- the model ---------------------------------------------------------------------------
    def opened(self, aid: int) -> None:
        """The assignment's newest period was opened: numbered after the last, open."""
        with company_scope(None):
            period = self.session.scalars(select(ValidationPeriod).where(ValidationPeriod.assignment_id == aid)
                                          .order_by(ValidationPeriod.number.desc())).first()
        assert period.status == OPEN and period.id not in self.state
        self.created(period.id, self.assignments[aid]["company"], OPEN, "open")
        self.end[period.id], self.owner[period.id] = period.end, aid
        self.assignments[aid]["open"] = period.id
        self.session.rollback()

    def expired(self, aid: int) -> None:
        """CERT-PER-3: the open period lapses, the assignment expires (one audit entry, its own)."""
        pid = self.assignments[aid]["open"]
        self.state[pid] = LAPSED
        self.assignments[aid].update(active=False, open=None)
        self.assignment_trail[aid].append("expire")

    def lapsed(self, aid: int) -> bool:
        pid = self.assignments[aid]["open"]
        return self.assignments[aid]["active"] and self.end[pid] < self.today

    def refused(self, exc, user, company):
        """A registration or annulment on a lapsed assignment is refused; its aftermath writes
        the expiry, in a transaction of its own (app/core/pages.py rollback_after)."""
        if getattr(exc, "aftermath", None) is None:
            return
        with company_scope(company.id):
            exc.aftermath(self.session)
            self.session.commit()
        assert self.lapsed(exc.assignment_id), "an assignment whose period had not lapsed was expired"
        self.expired(exc.assignment_id)

    # --- rules ------------------------------------------------------------------------------
    @initialize()
    def first(self):
        """Each example starts with one valid record of company A (then anything goes)."""
        self.assign("A", False, 0, 0)

    @precondition(lambda self: len(self.assignments) < 4)
    @rule(side=SIDES, foreign=st.sampled_from([False, False, True]), op=st.sampled_from([0, 1]),
          back=st.sampled_from([0, 2, 5, 20]))
    def assign(self, side, foreign, op, back):
        """A user assigns an operator (of their company, or of the other) the certification,
        dated `back` days ago."""
        company, owner = self.side_of(side), self.side_of("BA"["AB".index(side)] if foreign else side)
        operator = self.catalog[owner.id]["ops"][op]
        on = self.today - dt.timedelta(days=back)

        def go(user):
            return assignment_services.assign_certification(
                session=self.session, user=user, company=company, operator=operator,
                certification=self.catalog[company.id]["cert"], assigned_on=on.isoformat(), today=self.today).id

        aid = self.act(f"USUARIO@{side}", company, go, foreign=owner is not company)
        if aid is Refused:
            return
        for other, a in self.assignments.items():  # the one it replaces had lapsed, and expired now
            if a["operator"] == operator and a["active"]:
                assert self.lapsed(other), "a second active assignment of the same certification"
                self.expired(other)
        self.assignments[aid] = {"company": company, "operator": operator, "active": True, "open": None}
        self.assignment_trail[aid].append("create")  # the automatic audit of a new row
        self.opened(aid)

    @precondition(lambda self: self.assignments)
    @rule(pick=PICK, side=SIDES, batch=st.lists(st.tuples(st.sampled_from([0, 0, 1, 3]), st.sampled_from(["OK", "NO_OK"])),
                                                min_size=1, max_size=4))
    def inspect(self, pick, side, batch):
        """A user registers inspections on an assignment, one after the other, each dated some
        days ago (the invariants are checked after each)."""
        aid = sorted(self.assignments)[pick % len(self.assignments)]
        for i, (back, result) in enumerate(batch):
            if i:
                self.check_all()
            self.register(aid, side, back, result)

    def register(self, aid, side, back, result):
        company, a = self.side_of(side), self.assignments[aid]
        cat = self.catalog[company.id]
        day = self.today - dt.timedelta(days=back)

        def go(user):
            return inspection_services.register_inspection(
                session=self.session, user=user, company=company, assignment=aid, audit_type=cat["type"],
                auditor=cat["auditor"], date=day.isoformat(), pieces=5, result=result, today=self.today).id

        iid = self.act(f"USUARIO@{side}", company, go, foreign=a["company"] is not company)
        if iid is Refused:
            return
        pid = a["open"]
        assert a["active"] and not self.lapsed(aid), "an inspection was registered on an expired assignment"
        self.inspections[iid] = {"period": pid, "annulled": False}
        self.inspection_trail[iid].append("register")
        self.done[pid] += 1
        if self.done[pid] == REQUIRED_INSPECTIONS:  # CERT-PER-2: completed, the next one opens
            self.applied(pid, "complete", COMPLETED)
            self.opened(aid)

    @precondition(lambda self: self.inspections)
    @rule(pick=PICK, side=SIDES)
    def annul(self, pick, side):
        """A user annuls an inspection (only one of the open period, not yet annulled)."""
        iid = sorted(self.inspections)[pick % len(self.inspections)]
        company, found = self.side_of(side), self.inspections[iid]
        pid = found["period"]
        aid = self.owner[pid]

        def go(user):
            return inspection_services.annul_inspection(session=self.session, user=user, company=company, inspection=iid,
                                             reason="Registrada por error", today=self.today)

        if self.act(f"USUARIO@{side}", company, go, foreign=self.assignments[aid]["company"] is not company) is Refused:
            return
        assert not found["annulled"] and self.assignments[aid]["open"] == pid and not self.lapsed(aid), \
            "annulled an inspection outside the open period"
        found["annulled"] = True
        self.inspection_trail[iid].append("annul")
        self.done[pid] -= 1

    @rule(days=st.sampled_from([15, 3, 7, 1]), job=st.sampled_from(["A", None, "B"]))
    def days_pass(self, days, job):
        """Days pass; the nightly expiry job may run over one company."""
        self.today += dt.timedelta(days=days)
        if job:
            self.nightly_job(job)

    def nightly_job(self, side):
        """The expiry job (cron) over one company: every lapsed period of it lapses, once."""
        company = self.side_of(side)
        expected = [aid for aid, a in self.assignments.items() if a["company"] is company and self.lapsed(aid)]
        count = self.act(f"USUARIO@{side}", company, lambda user: assignment_services.expire_assignments(
            session=self.session, user=user, today=self.today))
        assert count == len(expected), f"the job expired {count}, expected {len(expected)}"
        for aid in expected:
            self.expired(aid)

    # --- invariants beyond the base's ----------------------------------------------------------
    def check_all(self):
        """The base's (periods), and: the assignments' and inspections' audit, one open period
        per active assignment and none for an expired one, each period's count."""
        super().check_all()
        for entity, expected in (("certification_assignment", self.assignment_trail),
                                 ("inspection", self.inspection_trail)):
            actual = self.audit_trail(entity)
            assert dict(actual) == {k: v for k, v in expected.items() if v}, f"{entity}: audit {dict(actual)}"
        with company_scope(None):
            rows = self.session.execute(select(ValidationPeriod.id, ValidationPeriod.assignment_id,
                                               ValidationPeriod.status, ValidationPeriod.done)
                                        .where(ValidationPeriod.company_id.in_(self.company_ids))).all()
            active = dict(self.session.execute(select(CertificationAssignment.id, CertificationAssignment.active)
                                               .where(CertificationAssignment.company_id.in_(self.company_ids))).all())
        assert active == {aid: a["active"] for aid, a in self.assignments.items()}, f"assignments {active}"
        for aid, a in self.assignments.items():
            open_ = [pid for pid, owner, status, _ in rows if owner == aid and status == OPEN]
            assert open_ == ([a["open"]] if a["active"] else []), f"assignment {aid}: open periods {open_}"
        for pid, _, _, done in rows:
            assert done == self.done[pid], f"period {pid}: count {done}, expected {self.done[pid]}"


def test_certification_periods_keep_their_invariants(session):
    """Issue 19: validation periods under random inspections, annulments, time and the job
    keep their life cycle, audit, numbering and isolation."""
    run(CertificationMachine, ROLES, "scert")
