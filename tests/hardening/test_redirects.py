"""Issue 8, finding 2: a `next` leads only to this site or an allowed host, compared after
parsing (scheme, userinfo, host, port), never as a glob over the netloc."""
from __future__ import annotations

import pytest

from app.core.redirects import is_safe_redirect
from tests.factories import PASSWORD

UNSAFE = [
    "http://127.0.0.1:1@evil.example/",          # userinfo: the host is evil.example
    "http://127.0.0.1@evil.example/",
    "http://user:pw@127.0.0.1/",                  # userinfo is never needed here
    "https://evil.example/phish",
    "//evil.example/phish",
    "///evil.example/phish",
    "/\\evil.example",                            # browsers read /\ as //
    "\\\\evil.example",
    "http:\\\\evil.example",
    "http://127.0.0.1.evil.example/",
    "http://127.0.0.1:99999/",                    # not a port
    "http://еvil.example/",                       # IDN (Cyrillic е)
    "http://lоcalhost/",                          # IDN look-alike of an allowed host
    "javascript:alert(1)",
    "JavaScript://127.0.0.1/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://127.0.0.1/",
    "\x00/flujos/",
    " //evil.example",
    "\t//evil.example",
]
SAFE = ["/flujos/", "/instalacion/ordenes/list/?x=1", "http://127.0.0.1:5000/flujos/", "http://localhost/flujos/",
        "https://localhost:8443/"]


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_are_refused(app, target):
    with app.test_request_context("/"):
        assert not is_safe_redirect(target)


def test_own_paths_and_allowed_hosts_on_any_port_are_accepted(app):
    with app.test_request_context("/"):
        assert all(is_safe_redirect(t) for t in SAFE)


def test_a_host_with_a_port_allows_that_port_only(app):
    with app.test_request_context("/"):
        app.config["SAFE_REDIRECT_HOSTS"] = ["backoffice.example:8443"]
        try:
            assert is_safe_redirect("https://backoffice.example:8443/x")
            assert not is_safe_redirect("https://backoffice.example/x")
            assert not is_safe_redirect("https://backoffice.example:8444/x")
        finally:
            app.config["SAFE_REDIRECT_HOSTS"] = ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("target", UNSAFE[:8])
def test_login_never_redirects_to_an_unsafe_next(client, make_user, target):
    make_user(roles=["AUDITOR"], username="nexter")
    for method in ("get", "post"):
        browser = client.application.test_client()
        browser.post("/login/", data={"username": "nexter", "password": PASSWORD})
        r = getattr(browser, method)("/login/", query_string={"next": target},
                                     data={"username": "nexter", "password": PASSWORD})
        assert r.status_code == 302
        assert "evil" not in r.headers["Location"] and "@" not in r.headers["Location"], (method, target)


def test_company_switch_refuses_a_backslash_next(client, make_user, make_company, login):
    company = make_company()
    make_user(roles=["AUDITOR"], companies=[company], username="switcher")
    login("switcher")
    r = client.post("/empresa/activa", data={"company_id": company.id, "next": "/\\evil.example"})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]
