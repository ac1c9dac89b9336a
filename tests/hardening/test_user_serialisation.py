"""Issue 8, finding 6: no API answer carries a password hash or a whole user: a nested user
is id + name, plus the username for an Admin caller."""
from __future__ import annotations

from flask import current_app
from flask_appbuilder.api import ModelRestApi


def walk(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def leaks(body, user_admin_api=False) -> list:
    """Password hashes anywhere; a user's private fields outside FAB's user admin API."""
    private = ("password",) if user_admin_api else ("password", "email", "login_count", "fail_login_count")
    return [(k, v) for k, v in walk(body)
            if k in private or (isinstance(v, str) and v.startswith(("scrypt:", "pbkdf2:")))]


def test_membership_api_shows_the_user_as_id_and_name(api, make_user, make_company):
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company], username="member_admin")
    member = make_user(roles=["AUDITOR"], companies=[company], username="member_one")
    listing = api(admin, company).get("/api/v1/membership/").get_json()
    users = sorted((row["user"] for row in listing["result"]), key=lambda u: u["id"])
    assert users == [
        {"id": admin.id, "name": "Member_Admin Prueba", "username": "member_admin"},
        {"id": member.id, "name": "Member_One Prueba", "username": "member_one"},
    ]
    one = api(admin, company).get(f"/api/v1/membership/{listing['ids'][0]}").get_json()
    assert leaks(listing) == [] and leaks(one) == []


def test_no_api_list_or_record_carries_a_password_hash(api, make_user, make_company):
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company])
    client = api(admin, company)
    checked = 0
    for view in current_app.appbuilder.baseviews:
        if not isinstance(view, ModelRestApi):
            continue
        base = f"/api/v1/{view.resource_name}/"
        user_admin = view.resource_name.startswith("security/")
        r = client.get(base)
        if r.status_code != 200:
            continue
        checked += 1
        body = r.get_json()
        assert leaks(body, user_admin) == [], base
        for pk in body.get("ids", [])[:1]:
            assert leaks(client.get(f"{base}{pk}").get_json(), user_admin) == [], base
    assert checked >= 10
