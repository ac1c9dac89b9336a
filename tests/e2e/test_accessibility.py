"""Accessibility (issue 19): axe-core, run in Chromium by Playwright, finds no serious or
critical violation on the login and landing pages and on every page of each module.

A module's pages are found from the app, not from a list kept here: the menu an administrator
sees (each link mapped to the module that registered its view through the app's URL map), then
one page of each route one click away from those (add and edit forms, detail pages, reached
from the lists' own links). On each page the hidden parts that a user opens are opened first
(collapsed panels such as FAB's search, and one row of every search filter). A module that
app/core/modules.py discovers is audited, with its demo data, with no new test code.

axe-core comes bundled in axe-playwright-python (axe.min.js in the package), injected into the
page: nothing is fetched from the network."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException

from app import load_modules
from app.core.cli import DEMO_PASSWORD, seed_demo
from app.core.modules import installed
from app.core.roles import load_roles
from app.core.seeds import load_seed

FAILING_IMPACTS = ("serious", "critical")
# routes that are not pages to read: they delete, run an action or send a file
NOT_PAGES = {"delete", "action", "action_post", "download"}
# FAB's own pages of a model: built alike whoever reads them (another role sees fewer buttons)
CRUD = {"list", "show", "add", "edit"}
AXE = Axe()

# Opens what a user would open before reading the page: collapsed panels (FAB's search), the
# dialogs (workflow actions), shown in the page's flow so that they cover nothing, the tabs, and
# every search filter of a FAB list (ab_filters.js builds each row on a click; FAB's date
# filters then call a date picker FAB does not ship, hence the try).
OPEN_HIDDEN_PARTS = """() => {
  document.querySelectorAll('.collapse').forEach(e => e.classList.add('in'));
  document.querySelectorAll('main .tab-pane').forEach(e => e.classList.add('active', 'in'));
  document.querySelectorAll('.modal').forEach(e => {
    e.classList.add('in');
    e.style.cssText = 'display: block; position: static; overflow: visible;';
  });
  document.querySelectorAll('#filter_form a.filter').forEach(a => {
    try { window.jQuery(a).trigger('click'); } catch (e) {}
  });
}"""


def violations(page) -> list[str]:
    """The page's serious and critical axe violations, one line each: rule, impact, the
    elements (CSS selectors) and axe's help."""
    results = AXE.run(page).response
    return [
        f"{v['id']} ({v['impact']}) on {', '.join(' '.join(n['target']) for n in v['nodes'][:8])}"
        f"{' …' if len(v['nodes']) > 8 else ''} — {v['help']} ({v['helpUrl']})"
        for v in results["violations"] if v["impact"] in FAILING_IMPACTS
    ]


def audit(page, url: str) -> list[str]:
    """Opens the page and its hidden parts; its violations, each after the page's path."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    page.evaluate(OPEN_HIDDEN_PARTS)
    return [f"{urlsplit(url).path}: {line}" for line in violations(page)]


# What a page is built from: each element of <main> as its tag, type and classes (not its text,
# ids or how many rows). Two pages of one kind of route (list, show, edit...) built alike read
# alike to axe, so the second is not audited again: a module's twenty catalogs of the same
# list, show and form cost one audit each, not twenty.
SHAPE = """() => Array.from(new Set(Array.from(document.querySelectorAll('main *'),
  e => e.tagName + (e.type ? '[' + e.type + ']' : '') + '.' + Array.from(e.classList).sort().join('.'))))
  .sort().join(' ')"""


class Sweep:
    """The pages visited, those audited (one per shape) and what axe found on them."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.shapes: set[tuple[str, str]] = set()
        self.audited: list[str] = []
        self.alike: list[str] = []
        self.forms: list[str] = []
        self.problems: list[str] = []

    def visit(self, path: str, kind: str) -> bool:
        """Opens the page and audits it unless built alike one audited before. False when the
        link is not a page (a file, an error), which a menu link must be."""
        page = self.page
        try:
            response = page.goto(self.base + path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                return False  # a PDF or CSV
            raise
        if response is not None and response.status >= 500:
            self.problems.append(f"{path}: answered {response.status}")
        if response is None or not response.ok or "text/html" not in response.headers.get("content-type", ""):
            return False
        page.evaluate(OPEN_HIDDEN_PARTS)
        if has_form(page):
            self.forms.append(path)
        shape = (kind, page.evaluate(SHAPE))
        if shape in self.shapes:
            self.alike.append(path)
            return True
        self.shapes.add(shape)
        self.audited.append(path)
        self.problems += [f"{path}: {line}" for line in violations(page)]
        return True


def has_form(page) -> bool:
    """A form a user fills in: a POST form with a visible field to type in or choose from."""
    return page.locator("main form[method=post] :is(input:not([type=hidden]), select, textarea):visible").count() > 0


class Routes:
    """Which module registered the view behind a path, read from the app's URL map and
    Flask-AppBuilder's registered views."""

    def __init__(self, app):
        self.adapter = app.url_map.bind("localhost")
        self.module_of_view = {
            view.blueprint.name: type(view).__module__.split(".")[1]
            for view in app.appbuilder.baseviews if getattr(view, "blueprint", None) is not None
        }

    def endpoint(self, href: str) -> str | None:
        try:
            endpoint, _args = self.adapter.match(urlsplit(href).path, method="GET")
        except HTTPException:
            return None
        return endpoint

    def module(self, endpoint: str | None) -> str | None:
        return self.module_of_view.get(endpoint.split(".")[0]) if endpoint else None

    def page_of(self, href: str | None, module: str) -> str | None:
        """The endpoint of a link to a readable page of `module`, else None."""
        if not href or not href.startswith("/") or href.startswith("//"):
            return None
        endpoint = self.endpoint(href)
        if self.module(endpoint) != module or endpoint.split(".")[-1] in NOT_PAGES:
            return None
        return endpoint


def links(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")


def module_users(app, routes: Routes, module: str) -> list[str]:
    """The administrator, then the first demo company's user of each role that reads or writes
    one of the module's views (seed/roles/*.yaml): some pages and buttons show only to the roles
    of a workflow (an administrator creates no calibration order)."""
    entities = {view.class_permission_name for view in app.appbuilder.baseviews
                if routes.module_of_view.get(getattr(view.blueprint, "name", None)) == module}
    prefix = load_seed("demo/companies.yaml")["companies"][0]["prefix"]
    roles = [name for name, spec in load_roles()["roles"].items()
             if entities & set((spec or {}).get("read", []) + (spec or {}).get("write", []))]
    return ["admin"] + [f"{prefix}.{role.lower()}" for role in roles]


@pytest.mark.parametrize("module", [m.name for m in load_modules()])
def test_accessibility_19_module_pages_have_no_serious_axe_violation(module, app, page, live_server, login_page):
    seed_demo([m for m in installed(app) if m.name == module])
    routes = Routes(app)
    sweep = Sweep(page, live_server)
    seen: set[str] = set()  # endpoints: one page of each route (each role's own menu pages again)
    menus: set[str] = set()
    for username in module_users(app, routes, module):
        page.context.clear_cookies()
        login_page(page, username, DEMO_PASSWORD)
        menu = [href for href in links(page, ".navbar-nav:not(.navbar-right) .dropdown-menu a[href]")
                if routes.page_of(href, module)]
        menus |= {routes.endpoint(href) for href in menu}
        todo = [(href, 0) for href in menu]  # the menu's pages, then up to two clicks away
        while todo:
            href, depth = todo.pop(0)
            endpoint = routes.page_of(href, module)
            if endpoint is None or (endpoint in seen and (depth or endpoint.split(".")[-1] in CRUD)):
                continue  # a route seen already; a menu page seen again only when it is not FAB's list
            if not sweep.visit(href, endpoint.split(".")[-1]):
                assert depth, f"the menu's {href} is not a page"
                continue  # a file (PDF, CSV) or an error: not a page
            seen.add(endpoint)
            if depth < 2:
                todo += [(sub, depth + 1) for sub in links(page, "main a[href]")]
    print(f"\n{module}: {len(seen)} routes; axe ran on {len(sweep.audited)} pages "
          f"({len(sweep.alike)} more built alike): " + ", ".join(sweep.audited))
    assert menus, f"no menu page of {module} found"
    # the sweep reached the module's forms and records, not only its menu
    assert len(seen) > len(menus) and sweep.forms, f"{module}: only {sweep.audited} found"
    assert not sweep.problems, (f"{len(sweep.problems)} serious or critical axe violations:\n"
                                + "\n".join(sweep.problems))


def test_accessibility_19_login_and_landing_pages_have_no_serious_axe_violation(
        page, live_server, login_page, make_company, make_user):
    company = make_company(name="Accesible SA")
    make_user(roles=["Admin"], companies=[company], username="admin_axe")
    problems = audit(page, f"{live_server}/login/")
    login_page(page, "admin_axe")
    problems += audit(page, f"{live_server}/")
    # the navbar's menus open (the same navbar on every page)
    page.evaluate("() => document.querySelectorAll('.navbar .dropdown').forEach(d => d.classList.add('open'))")
    problems += [f"/ (menus open): {line}" for line in violations(page)]
    # at phone width the menu is behind a button
    page.set_viewport_size({"width": 390, "height": 844})
    problems += [f"/ (390 px): {line}" for line in audit(page, f"{live_server}/")]
    assert not problems, f"{len(problems)} serious or critical axe violations:\n" + "\n".join(problems)


def test_accessibility_19_page_language_follows_the_user(page, live_server, login_page, make_company, make_user):
    company = make_company(name="Idioma SA")
    make_user(roles=["Admin"], companies=[company], username="admin_lang")
    page.goto(f"{live_server}/login/")
    assert page.get_attribute("html", "lang") == "es"
    login_page(page, "admin_lang")
    assert page.get_attribute("html", "lang") == "es"
    page.goto(f"{live_server}/lang/en")  # a confirmation page: the switch itself is a POST
    page.click("#confirm-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator(".navbar-toggle").get_attribute("aria-label") == "Menu"
    page.goto(f"{live_server}/companyview/list/")
    assert page.get_attribute("html", "lang") == "en"
