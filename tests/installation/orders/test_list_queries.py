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


def test_board_cards_link_each_order_and_load_no_user_rows(world, client, login, count_queries):
    """Issue 13: the cards' addresses are built once per page, and a card reads only what it
    shows (never the doctor's whole user row, password hash included)."""
    login("gestor_operaciones")
    orders = [world.order_in("ACCEPTED"), world.order_in("ORDER_LOADED")]
    client.get("/instalacion/tablero")
    with count_queries() as counter:
        html = client.get("/instalacion/tablero").get_data(as_text=True)
    for order in orders:
        assert f'href="/instalacion/orden/{order.id}?next=/instalacion/tablero"' in html
        assert f'data-modal-url="/instalacion/orden/{order.id}/modal"' in html
    assert str(2**31 - 1) not in html
    assert not [s for s in counter.statements if "installation_order" in s and ".password" in s]


def test_the_search_form_reads_its_choices_without_counting_them(world, client, login, count_queries):
    """FAB counted each relation field's choices before reading them (issue 13); the counts of
    the page are the orders' own."""
    login("gestor_operaciones")
    world.order_in("CREATED")
    client.get(LIST)
    with count_queries() as counter:
        html = client.get(LIST).get_data(as_text=True)
    counts = [s for s in counter.statements if "count(*)" in s]
    assert len(counts) == 1 and "FROM installation_order" in counts[0], counts
    assert world.users["DOCTOR"].first_name in html  # the doctor filter still offers the doctors
