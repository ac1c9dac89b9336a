"""Issue 8, finding 11: every answer forbids framing and MIME sniffing, carries a CSP that
allows only this site's files (inline scripts need the request's nonce) and a Referrer-Policy;
production adds HSTS. The browser tests (tests/e2e) prove the pages still work under it."""
from __future__ import annotations

import re

from tests.core.test_security import make_app  # noqa: F401 (fixture)


def test_pages_api_and_errors_carry_the_security_headers(client, make_user, make_company, login):
    make_user(roles=["Admin"], companies=[make_company()], username="headers")
    login("headers")
    for url in ("/", "/flujos/installation", "/api/v1/company/", "/no-existe", "/login/"):
        r = client.get(url)
        assert r.headers["X-Frame-Options"] == "DENY", url
        assert r.headers["X-Content-Type-Options"] == "nosniff", url
        assert r.headers["Referrer-Policy"] == "same-origin", url
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, url
        assert "http" not in csp and "*" not in csp and "unsafe-eval" not in csp.replace("wasm-unsafe-eval", "")
        assert "Strict-Transport-Security" not in r.headers  # plain http in development


def test_every_inline_script_of_a_page_carries_that_pages_nonce(client, make_user, make_company, login):
    make_user(roles=["Admin"], companies=[make_company()], username="nonces")
    login("nonces")
    for url in ("/flujos/installation", "/companyview/list/", "/instalacion/ordenes/list/",
                "/certificaciones/inspecciones/registrar"):
        r = client.get(url)
        nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1)
        scripts = re.findall(r"<script([^>]*)>", r.get_data(as_text=True))
        assert scripts, url
        assert all(f'nonce="{nonce}"' in attrs for attrs in scripts), (url, scripts)


def test_production_adds_hsts(make_app, monkeypatch, database_url):  # noqa: F811
    prod = make_app(ENV_NAME="production")
    r = prod.test_client().get("/login/")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
