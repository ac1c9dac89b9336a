"""The order list asks for the company's doctors and technicians once per request (issue 13):
FAB's search form filters its choices by them twice per field, for its count and its rows."""
from __future__ import annotations

LIST = "/instalacion/ordenes/list/"


def test_role_members_are_read_once_per_list_page(world, client, login, count_queries):
    login("gestor_operaciones")
    world.order_in("CREATED")
    client.get(LIST)  # warm-up
    with count_queries() as counter:
        assert client.get(LIST).status_code == 200
    role_lookups = [s for s in counter.statements if "JOIN membership" in s and "ab_role.name" in s]
    assert len(role_lookups) == 2, role_lookups  # doctors once, technicians once
