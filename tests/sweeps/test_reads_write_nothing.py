"""Issue 20 point 4: a company created at any time has its reference data from the flush that
creates it (the manifests' `seed_company`), so opening any page or GET endpoint writes
nothing. Every GET route without path arguments (lists, boards, forms, settings, the REST
lists and _info), discovered from the app, is opened by an administrator of a company created
after `flask seed`; no table gains or loses a row."""
from __future__ import annotations

from flask import current_app

from app.core.tenancy import company_scope
from app.extensions import db
from tests.factories import make_company, make_user
from tests.sweeps import discovery


def test_issue_20_opening_every_page_of_a_new_company_writes_nothing(app, world, timed):
    with company_scope(None):
        company = make_company(name="Empresa creada después del seed")
        admin = make_user(roles=["Admin"], companies=[company], username="admin_empresa_nueva")
        db.session.commit()
    browser = world.browser(app, admin.username, company)
    api = world.api(app, admin.username, company)
    routes = [r for r in discovery.routes(current_app) if r.method == "GET" and not r.int_args and not r.text_args]
    before = world.counts()
    answers = {}
    for route in routes:
        response = (api if route.api else browser).get(route.rule)
        answers[route.rule] = response.status_code
    after = world.counts()
    changed = {table: (before.get(table), n) for table, n in after.items() if before.get(table) != n}
    discovery.SWEPT["(d) GET routes opened in a new company"] += len(routes)
    assert changed == {}, f"opening the pages wrote rows: {changed}"
    assert len(routes) > 50 and sum(1 for status in answers.values() if status == 200) > 50, answers
    assert not [rule for rule, status in answers.items() if status >= 500]
