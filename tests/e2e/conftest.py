"""Browser tests: the app served on a real port, driven by Playwright in Debian's Chromium.

The app here keeps CSRF on, as in production. Data is created through the `session`
fixture (committed) before the page is opened."""
from __future__ import annotations

import os

import pytest

from tests.kit import serving

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from app import create_app
    from app.core.cli import seed_reference
    from app.core.modules import installed
    from app.extensions import db

    application = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    with application.app_context():
        upgrade()
        seed_reference(application.appbuilder, installed(application))
        db.session.remove()
    yield application


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the app served by a real HTTP server in a thread."""
    with serving(app) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's Chromium is required at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login_page(live_server):
    """login_page(page, username, password): signs in through the login form."""
    from tests.factories import PASSWORD

    def do_login(page, username, password=PASSWORD):
        page.goto(f"{live_server}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form[name=login] [type=submit]")  # the navbar has forms too (language)
        page.wait_for_load_state("networkidle")
        assert "/login" not in page.url, f"login failed for {username}"
        return page

    return do_login


@pytest.fixture
def logout_page(live_server):
    """logout_page(page): signs out through the confirmation page (logout is a POST)."""

    def do_logout(page):
        page.goto(f"{live_server}/logout/")
        page.click("#confirm-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do_logout
