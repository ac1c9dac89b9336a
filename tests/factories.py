"""Factories for tests: companies, users with roles and memberships, an API client."""
from __future__ import annotations

from contextlib import contextmanager

import factory
from flask import current_app

from app.core.tenancy import Company, Membership
from app.extensions import db

PASSWORD = "secret-Pass-1"


def valid_tax_id(n: int, country: str = "ES") -> str:
    """A tax id valid for the country (company tax ids are validated, issue 9 item 17)."""
    from stdnum.cl import rut
    from stdnum.es import cif
    from stdnum.mx import rfc

    if country == "MX":
        body = f"ABC010101{chr(65 + n % 26)}{(n // 26) % 10}"
        return body + rfc.calc_check_digit(body)
    if country == "CL":
        body = f"{76000000 + n % 1000000}"
        return body + rut.calc_check_digit(body)
    body = f"B{n % 10_000_000:07d}"
    return body + cif.calc_check_digits(body)[0]


class CompanyFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = Company
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    name = factory.Sequence(lambda n: f"Empresa {n}")
    tax_id = factory.LazyAttributeSequence(lambda o, n: valid_tax_id(n, o.country_code))
    country_code = "ES"
    # Tests date their rows with the server's date.today() (UTC here); a company in UTC keeps
    # that "today" equal to the company's local date at any hour (a late run once saw
    # Madrid's tomorrow). Time-zone tests set their own zone.
    timezone = "UTC"
    subdivision = "MD"
    active = True


def make_company(**kwargs) -> Company:
    return CompanyFactory(**kwargs)


_counter = iter(range(1, 10**9))


def make_user(roles=("AUDITOR",), companies=(), username=None, password=PASSWORD):
    """A user with these FAB roles, member of these companies (committed)."""
    sm = current_app.appbuilder.sm
    username = username or f"user{next(_counter)}"
    role_objs = []
    for name in roles:
        role = sm.find_role(name)
        assert role is not None, f"role {name} is not seeded"
        role_objs.append(role)
    user = sm.add_user(username, username.title(), "Prueba", f"{username}@example.test", role_objs, password)
    assert user, f"could not create user {username}"
    for company in companies:
        db.session.add(Membership(user_id=user.id, company_id=company.id))
    db.session.commit()
    return user


class ApiClient:
    """Calls /api/v1 as `user` (JWT) in `company` (X-Company-Id)."""

    def __init__(self, client, user, company=None, password=PASSWORD):
        self.client = client
        response = client.post(
            "/api/v1/security/login",
            json={"username": user.username, "password": password, "provider": "db"},
        )
        assert response.status_code == 200, response.get_json()
        self.token = response.get_json()["access_token"]
        self.company = company

    def headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.company is not None:
            headers["X-Company-Id"] = str(self.company.id)
        headers.update(extra or {})
        return headers

    def get(self, url, **kw):
        return self.client.get(url, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def put(self, url, json=None, **kw):
        return self.client.put(url, json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self.headers(kw.pop("headers", None)), **kw)


@contextmanager
def app_with_api(database_url, api_class, metadata, setup=None):
    """A second app on the suite's database with one more REST API (for the core's own
    test-only models, whose tables `metadata` holds and which are dropped afterwards)."""
    from app import create_app

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with other.app_context():
        other.appbuilder.add_api(api_class)
        other.appbuilder.add_permissions(update_perms=True)
        if setup:
            setup(other.appbuilder.sm)
        metadata.create_all(db.engine)
        db.session.commit()
        db.session.remove()
    try:
        yield other
    finally:
        with other.app_context():
            metadata.drop_all(db.engine)


def api_clients(other_app):
    """make(user, company) -> an ApiClient on `other_app`."""
    client = other_app.test_client()

    def make(user, company):
        with other_app.app_context():
            return ApiClient(client, user, company)

    return make
