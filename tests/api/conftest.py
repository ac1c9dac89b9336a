"""Who fuzzes the REST API (issue 19): the platform's Admin, member of a company, and one
restricted role per module, each with its JWT and X-Company-Id. They are made once for the
package (the suite's per-test emptying would make a company, users and tokens again for each
test) and remade only when a fuzzed request changed one of them (a PUT or DELETE of a user,
a membership or the company that happened to draw its id). The tables are emptied when the
package ends.

FUZZ_PROFILE picks how hard: `ci` (the default, `make test`) or `long` (`make fuzz`)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

import pytest
import schemathesis
from flask_appbuilder.security.sqla.models import User
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from sqlalchemy import select

from app.core.tenancy import Company, Membership
from app.extensions import db
from tests.conftest import _empty_tables
from tests.factories import PASSWORD, make_company, make_user
from tests.sweeps.discovery import required_permission

# module (app/<module>) -> the restricted role fuzzed over that module's operations
RESTRICTED = {
    "certification": "CERT_USUARIO",
    "installation": "INST_TECNICO",
    "calibration": "CAL_TECNICO",
    "packaging": "ENV_TECNICO_MUESTRAS",
}
PROFILES = {
    # per operation and identity: a few generated requests of each mode, fuzzing phase only
    # (refusals: one plain request per permission the role lacks, not per operation)
    "ci": {"max_examples": 2, "phases": ("fuzzing",), "deterministic": True, "refusals": "permission"},
    # `make fuzz`: explicit examples, schemathesis's coverage phase and many random requests
    "long": {"max_examples": 60, "phases": ("examples", "coverage", "fuzzing"), "deterministic": False,
             "refusals": "operation"},
}
PROFILE_NAME = os.environ.get("FUZZ_PROFILE", "ci")
assert PROFILE_NAME in PROFILES, f"FUZZ_PROFILE must be one of {sorted(PROFILES)}, not {PROFILE_NAME!r}"
PROFILE = PROFILES[PROFILE_NAME]
HYPOTHESIS = settings(max_examples=PROFILE["max_examples"], deadline=None, derandomize=PROFILE["deterministic"],
                      database=None, suppress_health_check=list(HealthCheck), print_blob=True)


@dataclass
class Identity:
    name: str  # "admin" or the module
    role: str
    module: str | None  # None: the whole API
    username: str
    user_id: int
    company_id: int
    token: str
    granted: frozenset  # (permission, view menu) pairs of the role

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}", "X-Company-Id": str(self.company_id)}


class FuzzWorld:
    """The identities, and a fingerprint of their rows to notice when a request changed them."""

    def __init__(self, app):
        self.app = app
        self.identities: dict[str, Identity] = {}
        self.build()

    def build(self) -> None:
        company = make_company(name="Empresa fuzz")
        people = {"admin": ("Admin", None), **{m: (role, m) for m, role in RESTRICTED.items()}}
        client = self.app.test_client()
        for name, (role, module) in people.items():
            user = make_user(roles=[role], companies=[company], username=f"fuzz_{name}")
            r = client.post("/api/v1/security/login",
                            json={"username": user.username, "password": PASSWORD, "provider": "db"})
            assert r.status_code == 200, r.get_json()
            granted = frozenset((pv.permission.name, pv.view_menu.name) for pv in user.roles[0].permissions)
            self.identities[name] = Identity(name, role, module, user.username, user.id, company.id,
                                             r.get_json()["access_token"], granted)
        self.print = self.fingerprint()

    def fingerprint(self) -> tuple:
        db.session.rollback()
        ids = [i.user_id for i in self.identities.values()]
        users = db.session.execute(select(User.id, User.username, User.active, User.password)
                                   .where(User.id.in_(ids)).order_by(User.id)).all()
        roles = sorted((u.id, r.name) for u in db.session.scalars(select(User).where(User.id.in_(ids)))
                       for r in u.roles)
        members = db.session.execute(select(Membership.user_id, Membership.company_id)
                                     .where(Membership.user_id.in_(ids)).order_by(Membership.user_id)).all()
        company = db.session.get(Company, next(iter(self.identities.values())).company_id)
        db.session.rollback()
        return tuple(users), tuple(roles), tuple(members), company is not None and company.active

    def ensure_intact(self) -> None:
        """After a write that succeeded: remake everyone if it touched one of them."""
        if self.fingerprint() != self.print:
            _empty_tables(self.app)
            self.identities.clear()
            self.build()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Each test in its own app context; the tables keep the identities until the package
    ends (`fuzz_world`)."""
    with app.app_context():
        yield


@pytest.fixture(scope="package")
def fuzz_world(app):
    with app.app_context():
        world = FuzzWorld(app)
    yield world
    with app.app_context():
        _empty_tables(app)


@pytest.fixture(scope="package")
def api_schema(app, fuzz_world):
    """The whole schema as the app publishes it, with the profile's phases and both modes."""
    with app.app_context():
        headers = fuzz_world.identities["admin"].headers()
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=PROFILE["max_examples"], deterministic=PROFILE["deterministic"])
    for phase in ("examples", "coverage", "fuzzing"):
        getattr(schema.config.phases, phase).enabled = phase in PROFILE["phases"]
    return schema


# --- what an operation is: its module and the permission FAB checks --------------------

@cache
def _endpoint(app, method: str, path: str):
    url = re.sub(r"\{[^}]+\}", "1", path)
    endpoint, _ = app.url_map.bind("localhost").match(url, method=method.upper())
    function = app.view_functions[endpoint]
    return getattr(function, "__self__", None), endpoint.rsplit(".", 1)[-1]


def operation_module(app, method: str, path: str) -> str:
    """app.<module> of the view serving the operation ("core", "menu"... for the platform's)."""
    view, _ = _endpoint(app, method, path)
    return type(view).__module__.split(".")[1] if view is not None else "?"


def operation_permission(app, method: str, path: str) -> tuple[str, str] | None:
    view, name = _endpoint(app, method, path)
    return required_permission(view, name)


def granted(app, identity: Identity, method: str, path: str) -> bool:
    needed = operation_permission(app, method, path)
    return identity.module is None or needed is None or needed in identity.granted
