"""Issue 8, finding 1: no server signs with a key written in the code. Development makes a
random key in instance/ (mode 600) on first run and reuses it; tests get their own."""
from __future__ import annotations

import os
import stat

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_jwt_extended import JWTManager, create_access_token

from config import TestConfig, instance_secret_key

OLD_DEVELOPMENT_KEY = "dev-only-not-secret"  # the constant config.py used to hold


def forged_cookie(key: str, user_id: int) -> str:
    forger = Flask("forger")
    forger.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"_user_id": str(user_id), "_fresh": True})


def forged_jwt(key: str, user_id: int) -> str:
    forger = Flask("forger")
    forger.config["JWT_SECRET_KEY"] = key
    JWTManager(forger)
    with forger.app_context():
        return create_access_token(identity=str(user_id), fresh=True)


@pytest.fixture
def development_app(monkeypatch, tmp_path, database_url):
    """A development app started as `make run` starts it: no SECRET_KEY in the environment."""
    import app as app_package
    from app import create_app
    from app.extensions import db

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(app_package, "INSTANCE_DIR", str(tmp_path))
    dev = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=False)
    yield dev
    with dev.app_context():
        db.session.remove()


def test_a_development_server_refuses_a_session_and_a_token_signed_with_the_old_constant(
    development_app, make_user
):
    admin = make_user(roles=["Admin"], username="forged_admin")
    browser = development_app.test_client()
    browser.set_cookie("session", forged_cookie(OLD_DEVELOPMENT_KEY, admin.id), domain="localhost")
    page = browser.get("/companyview/list/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    api = development_app.test_client().get(
        "/api/v1/company/", headers={"Authorization": f"Bearer {forged_jwt(OLD_DEVELOPMENT_KEY, admin.id)}"}
    )
    assert api.status_code == 401


def test_the_development_key_is_random_kept_in_instance_with_mode_600_and_reused(development_app, tmp_path):
    path = tmp_path / "secret_key"
    key = development_app.config["SECRET_KEY"]
    assert key != OLD_DEVELOPMENT_KEY and len(key) >= 32
    assert path.read_text() == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert instance_secret_key(str(tmp_path)) == key  # the next start reuses it
    assert instance_secret_key(str(tmp_path / "other")) != key  # another checkout gets its own


def test_tests_use_a_random_key_of_their_own(app):
    assert app.config["SECRET_KEY"] == TestConfig.SECRET_KEY
    assert "secret" not in TestConfig.SECRET_KEY and len(TestConfig.SECRET_KEY) >= 32
