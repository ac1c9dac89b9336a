"""Every web page and form a role may open, given junk by a user of that role, answers
without a 500. The roles are the first of each seed/roles file (one per module, and the
platform's auditor); each walks only the routes its permissions open (the refusals of the
others are the permission sweep's, tests/sweeps/test_permission_sweep.py). The
administrator's walk of every route with ids beyond INTEGER and NUL bytes is
tests/core/test_junk_everywhere.py."""
import os
import re

from flask import current_app

from app.core.seeds import load_seed, seed_path
from tests.factories import PASSWORD
from tests.sweeps.discovery import routes

# FAB's own security pages (users, roles...) are exercised by tests/core/test_security.py;
# deleting and logging out would end the walk early.
SKIP = ("/api", "/static", "/appbuilder", "/login", "/logout", "/swagger", "/users", "/roles", "/groups",
        "/permissions", "/viewmenus", "/permissionviews", "/resetpassword", "/resetmypassword",
        "/userinfoeditview", "/lang")
JUNK_FORMS = [
    {},
    {"date": "x", "pieces": "-5", "operator": "abc", "company_id": "999999999999", "scheduled_for": "ayer",
     "doctor": "0", "version": "z", "reason": "", "assignment": "1e9", "result": "QUIZÁS", "quantity": "1,5.3",
     "target_date": "31/02/2026", "technicians": "x", "client": "\x00", "description": "a" * 5000},
]


def one_role_per_file() -> list[str]:
    """The first role of each seed/roles/*.yaml."""
    names = sorted(n for n in os.listdir(seed_path("roles")) if n.endswith(".yaml"))
    return [next(iter(load_seed(f"roles/{name}")["roles"])) for name in names]


def test_no_web_route_answers_junk_with_a_server_error(make_company, make_user):
    company = make_company()
    server_errors, walked = [], 0
    roles = one_role_per_file()
    assert len(roles) >= 5
    for role in roles:
        user = make_user(roles=[role], companies=[company])
        granted = {(pv.permission.name, pv.view_menu.name) for r in user.roles for pv in r.permissions}
        browser = current_app.test_client()
        browser.post("/login/", data={"username": user.username, "password": PASSWORD})
        for route in routes(current_app):
            if route.rule.startswith(SKIP) or "delete" in route.rule or route.method not in ("GET", "POST"):
                continue
            if route.permission is not None and route.permission not in granted:
                continue
            url = re.sub(r"<(?:\w+:)?\w+>", "1", route.rule)
            for form in JUNK_FORMS if route.method == "POST" else [None]:
                walked += 1
                response = browser.open(url, method=route.method, data=form)
                if response.status_code >= 500:
                    server_errors.append((role, route.method, url, response.status_code))
    assert walked > 100
    assert server_errors == []
