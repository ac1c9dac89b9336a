"""Security (DESIGN "Platform core: Security"): session cookie flags, and production refusing
to start without SECRET_KEY or DATABASE_URL."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config import BASE_DIR, ProductionConfig
from tests.factories import PASSWORD

# --- cookies and secrets ----------------------------------------------------------------

def test_session_cookie_flags(client, make_user):
    make_user(roles=["AUDITOR"], username="cookie")
    r = client.post("/login/", data={"username": "cookie", "password": PASSWORD})
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development/testing run on plain http
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_cookie_is_secure(monkeypatch, database_url):
    from app import create_app
    from app.extensions import db

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", database_url)
    prod = create_app("production")
    assert prod.config["SECRET_KEY"] == "x" * 40
    assert prod.config["FAB_PASSWORD_COMPLEXITY_ENABLED"] is True
    with prod.app_context():
        r = prod.test_client().get("/login/")
        cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        db.session.remove()


def test_production_without_secret_key_refuses_to_start(monkeypatch, database_url):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "   ")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_without_database_url_refuses_to_start(monkeypatch):
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_wsgi_import_in_production_without_secret_key_prints_the_message():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    env.update(APP_CONFIG="production", DATABASE_URL="sqlite://")
    proc = subprocess.run(
        [sys.executable, "-c", "from run import app"], cwd=BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr
    assert "APP_CONFIG=production" in proc.stderr
