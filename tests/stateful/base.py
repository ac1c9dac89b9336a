"""Shared base of the stateful tests (issue 19): a Hypothesis RuleBasedStateMachine that drives
a module's services as the web and API do (one committed transaction per user action, rolled
back when refused) and checks, after every step, the invariants every workflow keeps:

- each record's state is a state of its drawn graph, and the one the applied steps predict;
- the audit trail of each record is exactly the actions applied to it, in order: one entry per
  applied transition, none for a refused one;
- a refused action (DomainError: ActionNotAllowed, ValidationError, Conflict, NotFound,
  TenantViolation) changes nothing the module stores (its tables, the audit, the counters);
- each company's numbers are 1..n, gap-free, even when creations were refused;
- a user of one company never acts on the other company's records (refused, nothing changes).

Rules: create records (valid or not, by any role); walk a record along the buttons its page
offers its company's users (`offered`, most steps; invariants after each click); any user of
either company tries any action (`act_any`); the same role of the other company tries an
offered button (`intrude`, always refused).

The world (two companies, a user per role in each, the module's catalogs) is made once per
test; each Hypothesis example starts by deleting the module's rows, audit entries and number
counters of those two companies (`reset`), so it numbers from 1 again and sees nothing of an
earlier example. The suite's cleanup empties every table after the test."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select

from app.core.audit import AuditEntry
from app.core.errors import DomainError
from app.core.identity import acting_as, role_names
from app.core.models import Model
from app.core.sequences import SequenceCounter
from app.core.tenancy import company_scope
from app.extensions import db
from tests import factories

# Measured (issue 19, quiet 2-core machine): the four machines 24 s on SQLite, 35 s on PostgreSQL,
# quotations 2-3 s more; a machine whose steps cost more sets a lower `max_examples`.
SETTINGS = settings(max_examples=15, stateful_step_count=12, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=False)
TODAY = dt.date(2026, 3, 2)  # a fixed Monday: the services take `today`, no test reads the clock


def run(machine_class, roles: dict[str, list[str]], prefix: str) -> None:
    """Run `machine_class` with the suite's settings, in a world made once for the test: two
    companies, one user per entry of `roles` ({name: [FAB roles]}) in each ("<name>@A",
    "<name>@B"), and the module's catalogs (`machine_class.setup`)."""
    session = db.session
    companies = [factories.make_company(), factories.make_company()]
    users, home = {}, {}
    for side, company in zip("AB", companies):
        for name, fab_roles in roles.items():
            key = f"{name}@{side}"
            users[key] = factories.make_user(roles=fab_roles, companies=[company],
                                             username=f"{prefix}_{name.lower()}_{side.lower()}")
            home[key] = company
    for user in users.values():  # loaded once and detached: a commit or rollback does not expire them
        session.refresh(user)
        role_names(user)
    for user in users.values():
        for role in user.roles:
            if role in session:
                session.expunge(role)
        session.expunge(user)
    machine_class.companies, machine_class.company_ids = companies, [c.id for c in companies]
    machine_class.users, machine_class.home = users, home
    machine_class.catalog = machine_class.setup(session, companies, users)
    session.commit()
    run_state_machine_as_test(machine_class, settings=settings(SETTINGS, max_examples=machine_class.max_examples))


PICK = st.integers(0, 10**6)  # which record: modulo the records there are
WALK = st.lists(st.integers(0, 11), min_size=1, max_size=6)  # which offered button, at each step of a walk


class Refused(Exception):
    """Raised by `WorkflowMachine.act` for the caller that wants to know (never escapes a rule)."""


class WorkflowMachine(RuleBasedStateMachine):
    """Subclasses set `tables`, `model` and `entity`, and implement `setup` and `graph_states`."""

    users: dict = {}  # set by run(): "<name>@A" / "<name>@B" -> user
    home: dict = {}  # user name -> company
    companies: list = []
    company_ids: list[int] = []
    catalog = None  # what setup() made
    tables: tuple = ()  # models (or link tables) a refusal must leave untouched; reset per example
    model = None  # the records' model; its state, numbering group and number columns:
    state_field, group_field = "state", "company_id"
    entity = ""  # the records' audit entity
    max_examples = SETTINGS.max_examples  # a machine whose steps cost more runs fewer examples
    detours: frozenset = frozenset()  # actions a walk takes last (cancel, reject...): walks go deep

    def __init__(self):
        super().__init__()
        self.session = db.session
        self.reset()
        self.records: list[int] = []  # ids of the records created, in order
        self.company_of: dict[int, object] = {}
        self.state: dict[int, str] = {}  # predicted state of each record
        self.trail: dict[int, list[str]] = defaultdict(list)  # predicted audit actions of each record

    def reset(self) -> None:
        """The example starts with none of the module's rows, audit entries or counters in
        the two companies (the catalogs made by `setup` stay)."""
        self.session.rollback()
        with company_scope(None):
            for table in self.reset_tables():
                self.session.execute(delete(table).where(self.in_companies(table)))
        self.session.commit()
        models = tuple(m for m in self.tables if isinstance(m, type))
        for obj in [o for o in self.session.identity_map.values() if isinstance(o, models)]:
            self.session.expunge(obj)  # ids are given again (SQLite): forget the deleted rows

    def reset_tables(self) -> list:
        """The tables `reset` empties, children first."""
        mine = {m.__table__ if hasattr(m, "__table__") else m for m in (*self.tables, AuditEntry, SequenceCounter)}
        return [t for t in reversed(Model.metadata.sorted_tables) if t in mine]

    def in_companies(self, table):
        """Rows of `table` in the two companies (a link table: through its parent's company)."""
        if "company_id" in table.c:
            return table.c.company_id.in_(self.company_ids)
        fk = next(fk for fk in table.foreign_keys if "company_id" in fk.column.table.c)
        parent = fk.column.table
        return fk.parent.in_(select(fk.column).where(parent.c.company_id.in_(self.company_ids)))

    # --- what subclasses provide ----------------------------------------------------------
    @classmethod
    def setup(cls, session, companies, users):
        """The module's catalogs in the two companies, made once per test (returned: `catalog`)."""

    def graph_states(self) -> set[str]:
        raise NotImplementedError

    def number_value(self, number) -> int:
        """The record's number as an integer (a module may format it, e.g. "OC-2026-00042")."""
        return number

    # --- acting ---------------------------------------------------------------------------
    def user_names(self, company=None) -> list[str]:
        return sorted(n for n, c in self.home.items() if company is None or c is company)

    def act(self, name: str, company, fn, *, foreign: bool = False, what: str = ""):
        """Run `fn()` as user `name` in `company`, one transaction; a refusal is rolled back and
        must have changed nothing. `foreign`: the action targets the other company's record
        and must be refused. Returns fn's result, or Refused (the exception's class)."""
        before = self.snapshot()
        user = self.users[name]
        try:
            with company_scope(company.id), acting_as(user):
                out = fn(user)
                self.session.commit()
        except DomainError as exc:
            self.session.rollback()
            assert self.snapshot() == before, f"a refused action changed data: {exc}"
            self.refused(exc, user, company)
            return Refused
        assert not foreign, f"{name} of company {company.id} acted on another company's record ({what})"
        return out

    def refused(self, exc: DomainError, user, company) -> None:
        """Hook: what a refusal sets off after its rollback (certification's expiry)."""

    def applied(self, record_id: int, action: str, to_state: str | None = None) -> None:
        self.trail[record_id].append(action)
        if to_state is not None:
            self.state[record_id] = to_state

    def created(self, record_id: int, company, state: str, action: str) -> None:
        self.records.append(record_id)
        self.company_of[record_id] = company
        self.state[record_id] = state
        self.applied(record_id, action)

    def transition_applied(self, wf, rid: int, name: str, action: str) -> None:
        """`action` of workflow `wf` succeeded on `rid` as `name`: it must be an edge of the graph
        from the state the record was in, of a role `name` holds; the record is now in its target."""
        edges = wf.transitions_for(self.state[rid], action)
        assert edges, f"{action} applied in {self.state[rid]}: not an edge of the graph"
        assert role_names(self.users[name]) & {r for t in edges for r in t.roles}, f"{name} applied {action} without its role"
        if not edges[0].is_read:  # a read action writes nothing
            self.applied(rid, action, edges[0].target)

    # --- walking the graph ------------------------------------------------------------------
    def offered(self, rid: int) -> list[tuple[str, str]]:
        """(user name, action) pairs the record's page offers its company's users now."""
        raise NotImplementedError

    def perform(self, rid: int, name: str, action: str, company) -> None:
        raise NotImplementedError

    def walk_record(self, pick: int, choices: list[int]) -> None:
        """Users of a record's company press, one after the other, buttons its page offers them;
        the invariants are checked after each."""
        rid = self.records[pick % len(self.records)]
        for i, choice in enumerate(choices):
            if i:
                self.check_all()
            offered = self.offered(rid)
            self.session.rollback()
            if not offered:
                return
            offered.sort(key=lambda pair: pair[1] in self.detours)  # small choices go forward
            name, action = offered[choice % len(offered)]
            self.perform(rid, name, action, self.company_of[rid])

    # --- reading --------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """Every row of the module's tables, the audit and the counters of the two companies."""
        self.session.rollback()
        out = {}
        with company_scope(None):
            for table in self.reset_tables():
                rows = self.session.execute(
                    select(table).where(self.in_companies(table)).order_by(*table.primary_key)
                ).all()
                out[table.name] = [tuple(r) for r in rows]
        return out

    def audit_trail(self, entity: str | None = None) -> dict[int, list[str]]:
        """{record id: [audit actions, oldest first]} of `entity` (the records') in the two companies."""
        with company_scope(None):
            rows = self.session.execute(
                select(AuditEntry.entity_id, AuditEntry.action)
                .where(AuditEntry.entity == (entity or self.entity), AuditEntry.company_id.in_(self.company_ids))
                .order_by(AuditEntry.id)
            ).all()
        out: dict[int, list[str]] = defaultdict(list)
        for entity_id, action in rows:
            out[entity_id].append(action)
        return out

    def stored(self) -> dict[int, tuple]:
        """{id: (numbering group, state, number)} of every record of the two companies."""
        m = self.model
        with company_scope(None):
            rows = self.session.execute(
                select(m.id, getattr(m, self.group_field), getattr(m, self.state_field), m.number)
                .where(m.company_id.in_(self.company_ids))
            ).all()
        return {r[0]: tuple(r[1:]) for r in rows}

    # --- the invariants --------------------------------------------------------------------
    @invariant()
    def invariants(self) -> None:
        self.check_all()

    def check_all(self) -> None:
        """The invariants, after every step (and inside a walk, after every action of it):
        - the records stored are the ones created, each in a state of the graph, the one the
          applied actions predict;
        - each record's audit is the applied actions, in order (one entry each, none refused);
        - each group's numbers (a company's orders) are 1..n, without gaps or repeats."""
        self.session.rollback()
        stored, trail = self.stored(), self.audit_trail()
        assert sorted(stored) == sorted(self.records), f"records stored {sorted(stored)} != created {self.records}"
        numbers: dict[int, list[int]] = defaultdict(list)
        for rid, (group, state, number) in stored.items():
            assert state in self.graph_states(), f"record {rid} in {state!r}, not a state of the graph"
            assert state == self.state[rid], f"record {rid} in {state!r}, expected {self.state[rid]!r}"
            numbers[group].append(self.number_value(number))
        assert set(trail) <= set(self.records), f"audit entries of records never created: {set(trail) - set(self.records)}"
        for rid in self.records:
            assert trail.get(rid, []) == self.trail[rid], f"record {rid}: audit {trail.get(rid)} != applied {self.trail[rid]}"
        for group, values in numbers.items():
            assert sorted(values) == list(range(1, len(values) + 1)), f"group {group}: numbers {sorted(values)}"

    def teardown(self) -> None:
        self.session.rollback()


class WalkingMachine(WorkflowMachine):
    """A machine whose records have pages offering actions (`offered`): most steps walk them."""

    @precondition(lambda self: self.records)
    @rule(pick=PICK, choices=WALK)
    def walk(self, pick, choices):
        """Users of a record's company press, one after the other, buttons its page offers them."""
        self.walk_record(pick, choices)

    @precondition(lambda self: self.records)
    @rule(pick=PICK, choices=WALK)
    def walk_more(self, pick, choices):
        """The same rule again: walks take twice the steps random actions take."""
        self.walk_record(pick, choices)

    @precondition(lambda self: self.records)
    @rule(pick=PICK, choice=st.integers(0, 11))
    def intrude(self, pick, choice):
        """The user with the same role in the other company tries a button the record's page
        offers now (the right role, the right state, the wrong company): always refused."""
        rid = self.records[pick % len(self.records)]
        offered = self.offered(rid)
        self.session.rollback()
        if offered:
            name, action = offered[choice % len(offered)]
            intruder = name[:-1] + ("B" if name.endswith("@A") else "A")
            self.perform(rid, intruder, action, self.home[intruder])

