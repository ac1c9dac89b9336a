"""Issue 29 item 1: the OT list and the assignments page read the company's people (their
roles and packaging profiles) in a fixed number of statements, whatever their number."""
from __future__ import annotations

from collections import Counter

import pytest
from flask_appbuilder.security.sqla.models import User

from app.core.tenancy import Membership, company_scope
from app.extensions import db
from app.packaging.catalogs.models import PackagingProfile

ROLES = ("ENV_VENDEDOR", "ENV_INGENIERO", "ENV_DISENADOR", "ENV_TECNICO_MUESTRAS")


def add_people(world, count: int) -> None:
    """`count` more members of the company, each with a packaging role and a profile (the
    password hash copied: hashing it a hundred times would be the test's whole cost)."""
    template = world.u("vendedor")
    roles = {name: db.session.scalar(db.select(type(template.roles[0])).filter_by(name=name)) for name in ROLES}
    start = db.session.scalar(db.select(db.func.count(User.id)))
    users = []
    for i in range(count):
        n = start + i
        u = User(first_name=f"Persona{n}", last_name="Prueba", username=f"persona{n}", email=f"persona{n}@example.test",
                 password=template.password, active=True, roles=[roles[ROLES[i % len(ROLES)]]])
        users.append(u)
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(Membership(user_id=u.id, company_id=world.company.id) for u in users)
    with company_scope(world.company.id):
        db.session.add_all(PackagingProfile(user_id=u.id, area_id=None) for u in users)
        db.session.commit()


def statements(count_queries, client, path) -> tuple[int, Counter, str]:
    """The page's statement count, the count per table read first, and its text."""
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    tables = Counter(s.split(" FROM ", 1)[1].split()[0] if " FROM " in s else s[:20] for s in counter.statements)
    return counter.count, tables, response.get_data(as_text=True)


@pytest.mark.parametrize("who, path", [("vendedor", "/envases/ots/"), ("jefe_diseno", "/envases/asignaciones"),
                                       ("gerente", "/envases/ots/")])
def test_issue_29_1_the_page_reads_the_same_statements_with_10_and_100_people(world, login, client,
                                                                              count_queries, who, path):
    for state in (1, 2, 5, 20):
        world.ot(state, creator=world.u("vendedor"))
    world.ot(5, area=3, creator=world.u("vendedor"))  # one in Design: the assignments page lists it
    add_people(world, 10)
    login(who)
    client.get(path)
    few, few_tables, _ = statements(count_queries, client, path)
    add_people(world, 90)
    many, many_tables, page = statements(count_queries, client, path)
    assert many == few, (few_tables, many_tables)
    newest = db.session.scalar(db.select(User).where(User.username.like("persona%"), User.roles.any(name="ENV_DISENADOR"))
                               .order_by(User.id.desc()).limit(1))
    assert f"{newest.first_name} {newest.last_name}" in page  # the people are there, read at once
