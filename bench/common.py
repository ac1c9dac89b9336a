"""Shared helpers for benchmarks: an app on its own database, timing and query counting."""
from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager

from sqlalchemy import event


def bench_app(name: str):
    """A fresh app on bench/<name>.db (or BENCH_DATABASE_URL), migrated and seeded."""
    from flask_migrate import upgrade

    from app import create_app
    from app.core.cli import seed_reference
    from app.core.modules import installed

    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        url = _fresh_postgres(url, f"bench_{name}")
    else:
        path = os.path.join(os.path.dirname(__file__), f"{name}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        url = "sqlite:///" + path
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        seed_reference(app.appbuilder, installed(app))
    return app


def _fresh_postgres(base_url: str, name: str) -> str:
    """An empty database `name` beside BENCH_DATABASE_URL's (a previous run's is dropped), so
    each run starts from the same state, as the SQLite file does."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@contextmanager
def count_statements(engine):
    statements = []

    def on_execute(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def timed(fn, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"
