"""Exit 0 when the PostgreSQL of TEST_DATABASE_URL answers, 1 otherwise (used by make test)."""
import os
import sys

from sqlalchemy import create_engine, text

url = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
try:
    with create_engine(url, connect_args={"connect_timeout": 3}).connect() as conn:
        conn.execute(text("SELECT 1"))
except Exception as exc:  # any failure means "not available"
    print(f"PostgreSQL not available: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
