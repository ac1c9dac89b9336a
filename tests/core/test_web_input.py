"""Every web page and form, given junk by each kind of user, answers without a 500."""
import re

from flask import current_app

from tests.factories import PASSWORD

# FAB's own security pages (users, roles...) are exercised by tests/core/test_security.py;
# deleting and logging out would end the walk early.
SKIP = ("/api", "/static", "/appbuilder", "/login", "/logout", "/swagger", "/users", "/roles", "/groups",
        "/permissions", "/viewmenus", "/permissionviews", "/resetpassword", "/resetmypassword",
        "/userinfoeditview", "/lang")
JUNK_FORMS = [
    {},
    {"date": "x", "pieces": "-5", "operator": "abc", "company_id": "999999999999", "scheduled_for": "ayer",
     "doctor": "0", "version": "z", "reason": "", "assignment": "1e9", "result": "QUIZÁS"},
]


def test_no_web_route_answers_junk_with_a_server_error(make_company, make_user):
    company = make_company()
    roles = ("Admin", "CERT_USUARIO", "INST_GESTOR_OPERACIONES", "INST_DOCTOR", "INST_TECNICO", "AUDITOR")
    server_errors = []
    for role in roles:
        user = make_user(roles=[role], companies=[company])
        browser = current_app.test_client()
        browser.post("/login/", data={"username": user.username, "password": PASSWORD})
        for rule in current_app.url_map.iter_rules():
            if rule.rule.startswith(SKIP) or "delete" in rule.rule:
                continue
            url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
            calls = [("POST", form) for form in JUNK_FORMS] if "POST" in rule.methods else []
            for method, form in [("GET", None)] * ("GET" in rule.methods) + calls:
                response = browser.open(url, method=method, data=form)
                if response.status_code >= 500:
                    server_errors.append((role, method, url, response.status_code))
    assert server_errors == []
