"""Browser (issue 9, items 1-2 and 20): every menu page in each language shows no word of the
other; at 1366 px the navbar is one line and tables stay within the page; a favicon; nothing
loaded from the internet. Screenshots of every page go to $SCREENSHOTS (default /tmp/screenshots)."""
from __future__ import annotations

import os
import re

import pytest

SHOTS = os.environ.get("SCREENSHOTS", "/tmp/screenshots")
# words of one language that must not appear on a page in the other: menu labels, FAB's buttons
ENGLISH = ["Companies", "Memberships", "Days off", "Workflows", "Operators", "Auditors", "Assignments",
           "Inspections", "Installation orders", "Order board", "Equipment catalog", "List Users", "Add",
           "Search", "Cancel", "Save", "Edit", "Delete", "Show", "Records", "Logout", "Profile",
           "List Company", "Login Count", "Not Ends with"]
SPANISH = ["Empresas", "Membresías", "Días no laborables", "Flujos de trabajo", "Operarios", "Auditores",
           "Asignaciones", "Inspecciones", "Órdenes de instalación", "Tablero", "Catálogo de equipos",
           "Añadir", "Buscar", "Cancelar", "Guardar", "Atrás", "Editar", "Borrar", "Registros", "Salir",
           "Perfil", "Lista de usuarios", "Empresa activa"]
OTHER = {"es": ENGLISH, "en": SPANISH}


def menu_urls(page, base) -> list[str]:
    hrefs = page.eval_on_selector_all(".navbar .dropdown-menu a[href]", "els => els.map(e => e.getAttribute('href'))")
    urls = []
    for href in hrefs:
        # FAB's roles page lists permission names, which are stable menu names (data, not text)
        if href and href.startswith("/") and not re.match(r"^/(lang|logout|users/userinfo|roles/)", href) and href not in urls:
            urls.append(href)
    return urls


def words_found(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w·]){re.escape(w)}(?![\w])", text)]


@pytest.fixture
def admin_page(page, live_server, login_page, make_company, make_user):
    company = make_company(name="Acme")
    make_user(roles=["Admin"], companies=[company], username="admin_idiomas")
    login_page(page, "admin_idiomas")
    return page


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_menu_page_speaks_one_language(admin_page, live_server, lang):
    page = admin_page
    os.makedirs(SHOTS, exist_ok=True)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) and r.url.startswith("http") else None)
    page.goto(f"{live_server}/lang/{lang}")  # a confirmation page: the switch itself is a POST
    page.click("#confirm-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.set_viewport_size({"width": 1366, "height": 900})
    urls = menu_urls(page, live_server)
    assert len(urls) >= 15, urls
    problems = {}
    for url in urls:
        page.goto(f"{live_server}{url}")  # waits for the load event: the pages are drawn by the server
        text = page.inner_text("body")
        found = words_found(text, OTHER[lang])
        if found:
            problems[url] = found
        name = re.sub(r"[^a-z0-9]+", "_", url.lower()).strip("_") or "home"
        page.screenshot(path=os.path.join(SHOTS, f"{lang}_1366_{name}.png"), full_page=False)
        navbar = page.locator(".navbar").bounding_box()
        assert navbar["height"] < 70, f"{url}: the navbar wraps ({navbar['height']} px)"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"{url}: the page is {width} px wide"
    assert not problems, "\n".join(f"{u}: {w}" for u, w in problems.items())
    assert not outside, outside


def test_phone_width_and_favicon(admin_page, live_server):
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/", "/users/list/", "/auditview/list/"):
        page.goto(f"{live_server}{url}")
        name = re.sub(r"[^a-z0-9]+", "_", url.lower()).strip("_") or "home"
        page.screenshot(path=os.path.join(SHOTS, f"es_390_{name}.png"), full_page=False)
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server}{icon}").status == 200
    assert page.request.get(f"{live_server}/users/userstats/").status in (403, 404)  # FAB's online chart is gone


def test_swagger_badges_are_readable(admin_page, live_server):
    """Issue 9, item 20: Swagger UI's "v1" and "OAS 3.0" badges are white on a dark badge, not
    hidden in Bootstrap's light-grey `pre` box."""
    page = admin_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/swagger/v1")
    page.wait_for_selector(".swagger-ui .info .title small pre")
    colours = page.eval_on_selector_all(".swagger-ui .info .title small", """els => els.map(e => [
        getComputedStyle(e.querySelector('pre')).color, getComputedStyle(e.querySelector('pre')).backgroundColor,
        getComputedStyle(e).backgroundColor])""")
    assert len(colours) == 2
    for text, pre_background, badge in colours:
        assert text == "rgb(255, 255, 255)" and pre_background in ("rgba(0, 0, 0, 0)", "transparent")
        assert sum(int(c) for c in re.findall(r"\d+", badge)[:3]) < 450  # a dark badge under white text
