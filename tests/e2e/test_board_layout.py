"""Browser (issue 9, item 11): the installation board fits the screen at 1366 px and at a
phone's width: empty columns collapse to their title, cards wrap, and the technician and the
doctor see their orders without scrolling sideways."""
from __future__ import annotations

import os

import pytest

from tests.installation.conftest import build_world

SHOTS = os.environ.get("SCREENSHOTS", "/tmp/screenshots")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_board_fits_the_screen_for_technician_and_doctor(page, live_server, login_page, logout_page, session,
                                                             make_company, make_user, width):
    w = build_world(session, make_company, make_user)
    orders = [w.order_in(state) for state in ("ORDER_LOADED", "ORDER_IN_TRANSIT", "ORDER_COMPLETED", "ACCEPTED")]
    page.set_viewport_size({"width": width, "height": 900})
    for user in ("tecnico", "doctor"):
        login_page(page, user)
        page.goto(f"{live_server}/instalacion/tablero")
        page.wait_for_selector(".board")
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"board_{user}_{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (user, width)
        cards = page.locator(".board-card")
        assert cards.count() == len(orders)
        for i in range(cards.count()):
            box = cards.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (user, width, i)
        empty = page.locator(".board-column.board-empty").first.bounding_box()
        full = page.locator(".board-column:not(.board-empty)").first.bounding_box()
        assert empty["height"] < full["height"]  # an empty column is only its title
        logout_page(page)
