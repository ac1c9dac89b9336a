"""Issue 8, finding 14: X-Forwarded-For is trusted only from PROXY_FIX_X_FOR proxies (0 by
default); the audit of logins and workflow actions records the client address; the login
rate limit counts each real client apart, and a forged header bypasses nothing."""
from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.tenancy import company_scope
from tests.core.test_security import make_app  # noqa: F401 (fixture)
from tests.factories import PASSWORD


def login_entries(session, user_id):
    session.rollback()  # a new transaction sees what the other app committed
    with company_scope(None):
        return session.scalars(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == user_id,
                                                        AuditEntry.action == "LOGIN")).all()


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, make_user, make_company, session):
    user = make_user(roles=["AUDITOR"], companies=[make_company()], username="direct")
    client.post("/login/", data={"username": "direct", "password": PASSWORD},
                headers={"X-Forwarded-For": "203.0.113.9"})
    [entry] = login_entries(session, user.id)
    assert entry.client_address == "127.0.0.1" and entry.actor_name == "Direct Prueba"


def test_behind_one_proxy_logins_and_actions_record_the_client(make_app, make_user, make_company, session):  # noqa: F811
    proxied = make_app(PROXY_FIX_X_FOR=1)
    company = make_company()
    user = make_user(roles=["Admin"], companies=[company], username="proxied")
    web = proxied.test_client()
    web.post("/login/", data={"username": "proxied", "password": PASSWORD},
             headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    [entry] = login_entries(session, user.id)
    assert entry.client_address == "203.0.113.7"  # the one proxy's own report, not what the client claimed
    api = proxied.test_client()
    token = api.post("/api/v1/security/login", json={"username": "proxied", "password": PASSWORD, "provider": "db"},
                     environ_base={"REMOTE_ADDR": "10.0.0.2"}, headers={"X-Forwarded-For": "192.0.2.44"}).get_json()
    r = api.post("/api/v1/non_working_day/", json={"date": "2026-12-07", "description": "Puente"},
                 headers={"Authorization": f"Bearer {token['access_token']}", "X-Company-Id": str(company.id),
                          "X-Forwarded-For": "192.0.2.45"})
    assert r.status_code == 201
    session.rollback()  # a new transaction sees what the other app committed
    with company_scope(None):
        created = session.scalar(select(AuditEntry).where(AuditEntry.entity == "non_working_day"))
    assert created.client_address == "192.0.2.45" and created.actor_name == "Proxied Prueba"


def test_rate_limits_count_each_real_client_and_a_forged_header_does_not_escape(make_app, make_user):  # noqa: F811
    make_user(roles=["AUDITOR"], username="limited_proxy")
    behind = make_app(PROXY_FIX_X_FOR=1, AUTH_RATE_LIMIT="3 per minute")
    web = behind.test_client()
    bad = {"username": "limited_proxy", "password": "bad"}
    codes = [web.post("/login/", data=bad, headers={"X-Forwarded-For": "203.0.113.1"}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    other = web.post("/login/", data=bad, headers={"X-Forwarded-For": "203.0.113.2"})
    assert other.status_code == 302  # another client behind the same proxy is not locked out
    direct = make_app(AUTH_RATE_LIMIT="3 per minute").test_client()
    codes = [direct.post("/login/", data=bad, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
             for i in range(4)]
    assert codes == [302, 302, 302, 429]  # without a trusted proxy, a changing header changes nothing
