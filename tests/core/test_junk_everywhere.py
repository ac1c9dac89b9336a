"""Issue 8, finding 7: whatever shape the input takes - ids beyond INTEGER, FAB list
parameters out of range or naming unknown columns, NUL bytes, deeply nested or non-object
JSON, lone surrogates, Rison queries of the wrong shape - no registered route answers 5xx.
Pages and API, for an Admin (who reaches every route); tests/core/test_web_input.py walks the
pages as each role, tests/api/test_schema_fuzz.py the documented API inputs, and
tests/sweeps/test_filter_sweep.py every filter of every list with each operator and junk."""
from __future__ import annotations

import re

import pytest
from flask import current_app
from flask_appbuilder import ModelView

from tests.factories import PASSWORD

BIG_IDS = ("2147483648", "-1")  # the first id beyond INTEGER; a negative one
SKIP = ("/static", "/appbuilder", "/swagger", "/logout", "/lang")
NUL = "a\x00b"
RELATED = ("operator", "assignment", "doctor", "certification", "audit_type", "auditor", "user", "company",
           "equipment", "technicians", "period")


def _url(rule, value) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", value, rule)


@pytest.fixture
def admin_browser(make_user, make_company):
    company = make_company()
    make_user(roles=["Admin"], companies=[company], username="junk_admin")
    browser = current_app.test_client()
    assert browser.post("/login/", data={"username": "junk_admin", "password": PASSWORD}).status_code == 302
    assert browser.get("/companyview/list/").status_code == 200  # signed in: the routes are reached
    return browser, company


def _check(server_errors, response, *what):
    if response.status_code >= 500:
        server_errors.append((*what, response.status_code))


def test_web_routes_with_ids_beyond_integer_and_nul_bytes(admin_browser):
    browser, _company = admin_browser
    errors = []
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith(SKIP) or rule.rule.startswith("/api"):
            continue
        for value in BIG_IDS:
            url = _url(rule.rule, value)
            if "GET" in rule.methods and "delete" not in rule.rule:
                _check(errors, browser.get(url), "GET", url)
                # the AJAX option endpoints and preset forms take ids as query arguments
                _check(errors, browser.get(url, query_string={name: value for name in RELATED}), "GET?", url)
            if "POST" in rule.methods and "delete" not in rule.rule:
                form = {name: NUL for name in ("name", "description", "date", "reason", "observations", "username")}
                form.update({name: value for name in RELATED})
                _check(errors, browser.post(url, data=form), "POST", url)
    assert errors == []


def test_every_list_parameter_family_of_every_model_view(admin_browser):
    browser, _company = admin_browser
    errors = []
    for view in current_app.appbuilder.baseviews:
        if not isinstance(view, ModelView) or "list" not in view.__class__.__dict__.get("include_route_methods", {"list"}):
            continue
        url = f"{view.route_base}/list/"
        name = view.__class__.__name__
        columns = list(view.datamodel.list_columns)
        relation = next((c for c in columns if view.datamodel.is_relation(c)), "nope")
        params = [
            {f"page_{name}": "-1"}, {f"page_{name}": "abc"}, {f"page_{name}": "99999999999"},
            {f"psize_{name}": "abc"}, {f"psize_{name}": "-5"}, {f"psize_{name}": "0"},
            {f"_oc_{name}": "no_such_column"}, {f"_oc_{name}": relation}, {f"_oc_{name}": columns[0], f"_od_{name}": "x"},
        ] + [{"_flt_99_nope": "x"}, {"_flt_x_active": "y"}]  # each filter: tests/sweeps/test_filter_sweep.py
        for query in params:
            r = browser.get(url, query_string=query)
            _check(errors, r, url, query)
    assert errors == []


JSON_BODIES = ["[]", "5", "null", '"x"', "[" * 5000 + "]" * 5000, '{"name": "\\ud800", "description": "\\udfff"}',
               '{"description": "a\\u0000b"}', '{"a": ' * 3000 + "1" + "}" * 3000]


def test_every_api_resource_with_junk_queries_and_bodies(api, make_user, make_company):
    from flask_appbuilder.api import ModelRestApi

    company = make_company()
    client = api(make_user(roles=["Admin"], companies=[company]), company)
    errors = []
    for view in current_app.appbuilder.baseviews:
        if not isinstance(view, ModelRestApi):
            continue
        base = f"/api/v1/{view.resource_name}/"
        # each filter with each operator and junk: tests/sweeps/test_filter_sweep.py
        queries = ["(page:-1)", "(page_size:-1)", "(filters:!((col:data,opr:eq,value:x)))", "(filters:x)",
                   "(filters:!((col:nope,opr:eq,value:x)))", "(filters:!((col:id,opr:zz,value:(a:b))))"]
        for q in queries:
            _check(errors, client.get(base, query_string={"q": q}), "GET", base, q)
        for body in JSON_BODIES:
            for method, url in (("post", base), ("put", f"{base}1"), ("put", f"{base}99999999999")):
                r = getattr(client, method)(url, data=body, headers={"Content-Type": "application/json"})
                _check(errors, r, method, url, body[:20])
    assert errors == []
