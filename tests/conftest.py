"""Test fixtures: one app and one database per test run, emptied after each test.

TEST_DB=sqlite (default) uses a temporary SQLite file; TEST_DB=postgres creates a fresh
database next to TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
and drops it at the end. The schema is made by `flask db upgrade` (Alembic), as in
production."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import flask_migrate
import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_appbuilder.models.sqla import Model
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from app import create_app
from app.core.cli import seed_reference
from app.core.modules import installed
from app.extensions import db
from tests import factories

KEEP_TABLES = {
    "alembic_version", "ab_permission", "ab_view_menu", "ab_permission_view",
    "ab_role", "ab_permission_view_role",
}
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _backend() -> str:
    return os.environ.get("TEST_DB", "sqlite")


@contextmanager
def _database_url(tmp_path_factory):
    if _backend() == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        return
    base = make_url(os.environ.get("TEST_DATABASE_URL", PG_DEFAULT))
    name = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        # a database thrown away at the end: its commits need not wait for the disk
        url = base.set(database=name).update_query_dict({"options": "-c synchronous_commit=off"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A new, empty database of the suite's kind (SQLite file or PostgreSQL database)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(database_url: str, command: str, revision: str = "head") -> None:
    """`flask db <command> <revision>` on `database_url`, in this process (the migrations as
    Flask-Migrate runs them, without a new interpreter's start-up per call)."""
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with other.app_context():
        getattr(flask_migrate, command)(revision=revision)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with _database_url(tmp_path_factory) as url:
        yield url


class RequestClient(FlaskClient):
    """Each request runs in its own app context, so its own database session, as in
    production. The test's session is committed before the request (what the test set up
    is visible to it) and after it (the test then reads what the request wrote)."""

    def open(self, *args, **kwargs):
        if _cv_app.get(None) is None:
            return super().open(*args, **kwargs)
        db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.commit()


@contextmanager
def started_app(database_url, make_schema, extra_modules=()):
    """The testing app on `database_url`, its schema made by `make_schema()` (in its app
    context) and its reference data seeded; its engine disposed at the end."""

    application = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, extra_modules=extra_modules)
    application.test_client_class = RequestClient
    with application.app_context():
        make_schema()
        seed_reference(application.appbuilder, installed(application))
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(database_url):
    with started_app(database_url, flask_migrate.upgrade) as application:
        yield application


_SEQUENCES: list[str] = []


def _restart_sequences(conn, tables) -> str:
    """One statement that sets every table's id sequence back to 1 (looked up once)."""
    if not _SEQUENCES:
        for table in tables:
            name = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar() \
                if conn.execute(text("SELECT 1 FROM information_schema.columns WHERE table_name = :t AND "
                                     "column_name = 'id'"), {"t": table}).first() else None
            if name:
                _SEQUENCES.append(name)
    return "SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in _SEQUENCES)


def _empty_tables(app):
    db.session.remove()
    tables = [t.name for t in reversed(Model.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        # DELETE, children first: on PostgreSQL a TRUNCATE of every table (new files for each
        # table and index) cost ~0.2 s per test; ids then restart at 1, as SQLite's do
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        if conn.dialect.name == "postgresql":
            conn.execute(text(_restart_sequences(conn, tables)))
    for module in installed(app):
        if module.seed is not None:
            module.seed(db.session)
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Each test runs in its own app context and leaves every table as it found it."""
    with app.app_context():
        yield
        _empty_tables(app)


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def postgres_only(app):
    """For tests of row locking under real concurrency: they need PostgreSQL."""

    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is proved on PostgreSQL (the suite's PostgreSQL pass runs it)")


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter:` counts the SQL statements run inside the block."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


# --- people and companies --------------------------------------------------------------

@pytest.fixture
def make_company(session):
    return factories.make_company


@pytest.fixture
def make_user(session):
    return factories.make_user


@pytest.fixture
def login(client):
    def do_login(username, password=factories.PASSWORD, test_client=None):
        c = test_client or client
        response = c.post("/login/", data={"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return do_login


@pytest.fixture
def relogin(login, client):
    """`login` that signs the client's current user out first: FAB's login form ignores a user
    who is already signed in (tests where the page changes hands)."""
    def again(username):
        client.post("/logout/")
        return login(username)

    return again


@pytest.fixture
def api(app):
    """api(user, company) -> an ApiClient with a JWT and the X-Company-Id header, on a test
    client of its own (no web session cookie rides along)."""
    return lambda user, company=None: factories.ApiClient(app.test_client(), user, company)
