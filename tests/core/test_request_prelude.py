"""What every authenticated request reads before its own work (issue 13): the user with roles,
groups and session version in one statement, the user's companies in one (whose rows then
serve the active company), the roles' permissions in one. Plain FAB reads the user, roles and
groups in three statements and the permissions in a fourth."""
from __future__ import annotations

import pytest

from app.core.sessions import bump

NWD = "/api/v1/non_working_day/"


def _prelude(statements: list[str]) -> dict[str, int]:
    def count(*needles):
        return len([s for s in statements if all(n in s for n in needles)])

    return {
        "user": count("FROM ab_user"),
        "session_version alone": len([s for s in statements if "session_version" in s and "ab_user" not in s]),
        "roles alone": count("FROM ab_role, ab_user_role"),
        "companies": count("FROM company"),
    }


@pytest.mark.parametrize("auth", ["jwt", "cookie"])
def test_the_user_and_the_companies_are_read_once_each(auth, api, client, login, make_user, make_company,
                                                       count_queries):
    company = make_company()
    user = make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[company])
    if auth == "jwt":
        c = api(user, company)
        headers = c.headers()  # read the company id now, not inside the count
        url, get = NWD, lambda u: c.client.get(u, headers=headers)
    else:
        login(user.username)
        url, get = "/", client.get
    get(url)
    with count_queries() as counter:
        assert get(url).status_code == 200
    assert _prelude(counter.statements) == {"user": 1, "session_version alone": 0, "roles alone": 0,
                                            "companies": 1}, counter.statements


def test_a_bumped_session_version_still_stops_the_token_and_the_cookie(api, client, login, make_user,
                                                                       make_company, session):
    company = make_company()
    user = make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[company])
    c = api(user, company)
    login(user.username)
    assert c.get(NWD).status_code == 200 and client.get("/").status_code == 200
    bump(session, user.id)
    session.commit()
    assert c.get(NWD).status_code == 401
    assert "/login/" in client.get("/instalacion/ordenes/list/").headers.get("Location", "")
