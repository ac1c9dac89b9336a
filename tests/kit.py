"""The tests' one vocabulary for every module (issue 20 point 9): a `World` of companies and
users by FAB role; act as a user in a company; run a service command as one user action (the
same boundary as app/core/commands.py: the context filled in, one commit, a rollback on
refusal); perform a workflow action; reach a state along the drawn graph; read a record's
audit; a logged-in browser or API client for a user; read a page as its user sees it (`Page`:
its action buttons, the errors beside its fields, its messages); what a FAB role holds.
Dates are fixed (`TODAY`), never the
clock, so no day of the year turns a test red."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from werkzeug.serving import make_server

from app.core.audit import AuditEntry, entity_name
from app.core.commands import RequestContext, run_in
from app.core.identity import acting_as
from app.core.tenancy import company_scope
from app.core.workflow import all_workflows
from app.extensions import db
from tests import factories

TODAY = dt.date(2026, 3, 2)  # a Monday of an ordinary week


def workflow_of(record):
    """The workflow bound to the record's model (by its manifest)."""
    for workflow in all_workflows():
        if workflow.binding is not None and workflow.binding.model is type(record):
            return workflow
    raise LookupError(f"no workflow is bound to {type(record).__name__}")


@dataclass
class World:
    """Companies (index 0, 1, ...) and one user per FAB role in each ("<ROLE>@<index>")."""

    session: object
    companies: list
    users: dict = field(default_factory=dict)

    @classmethod
    def build(cls, roles, companies: int = 2, prefix: str = "kit") -> "World":
        made = [factories.make_company() for _ in range(companies)]
        world = cls(db.session, made)
        for index, company in enumerate(made):
            for role in roles:
                world.users[f"{role}@{index}"] = factories.make_user(
                    roles=[role], companies=[company], username=f"{prefix}_{role.lower()}_{index}")
        db.session.commit()
        return world

    def user(self, role: str, company: int = 0):
        return self.users[f"{role}@{company}"]

    @contextmanager
    def acting(self, user, company: int = 0):
        """As `user` (a user or a role name) working in company `company`."""
        user = self.user(user, company) if isinstance(user, str) else user
        with company_scope(self.companies[company].id), acting_as(user):
            yield user

    def run(self, command, *, by, company: int = 0, today: dt.date = TODAY, **arguments):
        """`command` as one user action of `by` in `company`: session, user, company and today
        given where its signature names them, one commit, or a rollback and the error raised."""
        with self.acting(by, company) as user:
            context = RequestContext(session=self.session, user=user, company=self.companies[company], today=today)
            return run_in(context, command, **arguments)

    def perform(self, record, action: str, *, by, company: int = 0, today: dt.date = TODAY, **payload):
        """A workflow action on `record` as `by`, as the action endpoints run it."""
        workflow = workflow_of(record)

        def act(*, session, user, today):
            return workflow.perform(session.merge(record), action, user, session=session, payload=payload,
                                    today=today)

        return self.run(act, by=by, company=company, today=today)

    def reach(self, record, state: str, *, company: int = 0, today: dt.date = TODAY, payloads=None):
        """Walk `record` to `state` along the shortest path of the drawn graph, each step by a
        user of the world holding a role the step allows; `payloads` gives an action's input."""
        workflow, payloads = workflow_of(record), payloads or {}
        path = self.path(workflow, workflow.state_of(record), state)
        for transition in path:
            role = next((r for r in transition.roles if f"{r}@{company}" in self.users), None)
            if role is None:
                raise LookupError(f"no user of the world may {transition.action}")
            record = self.perform(record, transition.action, by=role, company=company, today=today,
                                  **payloads.get(transition.action, {}))
        return record

    @staticmethod
    def path(workflow, source: str, target: str) -> list:
        """The fewest state-changing transitions from `source` to `target` (breadth first)."""
        queue, seen = deque([(source, [])]), {source}
        while queue:
            state, steps = queue.popleft()
            if state == target:
                return steps
            for transition in workflow.transitions_for(state):
                if transition.target and transition.target not in seen:
                    seen.add(transition.target)
                    queue.append((transition.target, steps + [transition]))
        raise LookupError(f"{workflow.code}: no path from {source} to {target}")

    def audit(self, record) -> list[str]:
        """The actions of the record's audit trail, oldest first."""
        query = (select(AuditEntry.action).where(AuditEntry.entity == entity_name(record),
                                                 AuditEntry.entity_id == record.id)
                 .order_by(AuditEntry.created_at, AuditEntry.id).execution_options(all_companies=True))
        return list(self.session.scalars(query))

    def browser(self, user, company: int = 0):
        """A logged-in web client of `user` (a user or a role name) working in `company`."""
        user = self.user(user, company) if isinstance(user, str) else user
        client = current_app.test_client()
        assert client.post("/login/", data={"username": user.username,
                                            "password": factories.PASSWORD}).status_code == 302
        client.post("/empresa/activa", data={"company_id": self.companies[company].id})
        return client

    def api(self, user, company: int = 0) -> factories.ApiClient:
        """A JWT client of `user` with X-Company-Id of `company`."""
        user = self.user(user, company) if isinstance(user, str) else user
        return factories.ApiClient(current_app.test_client(), user, self.companies[company])

    def page(self, user, url: str, *, company: int = 0, form: dict | None = None) -> "Page":
        """`url` as `user` sees it in `company`: a GET, or a POST of `form` (the CSRF token taken
        from the page first, as a browser sends it)."""
        client = self.browser(user, company)
        if form is None:
            return Page.of(client.get(url))
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))
        return Page.of(client.post(url, data={**form, **({"csrf_token": token.group(1)} if token else {})}))


@dataclass
class Page:
    """A page as its user reads it: its status, its text, the workflow buttons it offers, the
    errors beside its fields and the messages above it."""

    status: int
    html: str
    location: str | None = None

    @classmethod
    def of(cls, response) -> "Page":
        return cls(response.status_code, response.get_data(as_text=True), response.headers.get("Location"))

    @property
    def actions(self) -> list[str]:
        """The workflow actions offered (one button each), in the page's order."""
        return list(dict.fromkeys(re.findall(r'class="[^"]*action-button[^"]*" data-action="([A-Z_0-9]+)"', self.html)))

    @property
    def field_errors(self) -> dict:
        """{field: message} for each error drawn beside its field."""
        found = re.findall(r'form-group field-([\w-]+) has-error.*?<p class="help-block field-error[^"]*">(.*?)</p>',
                           self.html, flags=re.S)
        return {name: html_lib.unescape(message) for name, message in found}

    @property
    def messages(self) -> list[str]:
        """The alerts shown above the content (flashes and form-wide refusals)."""
        return [html_lib.unescape(re.sub(r"<[^>]+>", "", m)).strip()
                for m in re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', self.html, flags=re.S)]


@contextmanager
def serving(app):
    """`app` served by a real HTTP server in a thread: its base URL (browsers, curl examples)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def role_permissions(role_name: str) -> set[tuple[str, str]]:
    """(permission, view) pairs the FAB role holds, as the security tables say."""
    role = current_app.appbuilder.sm.find_role(role_name)
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def role_may(role_name: str, permission: str, view: str) -> bool:
    """Whether the FAB role holds `permission` on `view` (e.g. "can_write", "InstallationOrder")."""
    return (permission, view) in role_permissions(role_name)

