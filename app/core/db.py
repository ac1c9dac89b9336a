"""Database plumbing: SQLite pragmas and write locks, row locking for PostgreSQL and SQLite."""
from contextvars import ContextVar

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session

from app.core.errors import NotFound

_begin_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


def configure_engine(engine: Engine) -> None:
    """On SQLite: foreign keys on, WAL, busy timeout, and explicit BEGIN so that a
    writer can take the database lock up front (BEGIN IMMEDIATE)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


@event.listens_for(Session, "after_flush")
def _mark_written(session, _context):
    session.info["has_written"] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_written(session, transaction):
    if transaction.parent is None:
        session.info.pop("has_written", None)


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """Make the current transaction a writer before reading what it will change.

    PostgreSQL needs nothing here (rows are locked with FOR UPDATE). SQLite ignores
    FOR UPDATE, so the transaction is restarted as BEGIN IMMEDIATE, which waits for
    other writers; a transaction with pending changes flushes instead, which takes
    the same lock."""
    if isinstance(session, scoped_session):
        session = session()
    if not is_sqlite(session):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.get("has_written"):
        return  # the flush already holds SQLite's write lock
    if session.in_transaction():
        session.commit()  # ends a read-only transaction; nothing pending to commit
    token = _begin_immediate.set(True)
    try:
        session.connection()
    finally:
        _begin_immediate.reset(token)


def lock_row(session: Session, model, pk):
    """Re-read one row for update, fresh from the database (None when not visible)."""
    begin_write(session)
    return session.execute(
        select(model)
        .where(model.id == pk)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def lock_visible(session: Session, model, pk):
    """`lock_row`, or NotFound (404) when the row is gone or not visible: a record deleted
    while the request ran is a refusal, never an AttributeError."""
    row = lock_row(session, model, pk)
    if row is None:
        raise NotFound("El registro ya no existe en la empresa activa.")
    return row


# PostgreSQL SQLSTATEs of a lost race: serialization_failure, deadlock_detected, lock_not_available
LOCK_SQLSTATES = {"40001", "40P01", "55P03"}


def is_lock_failure(exc: DBAPIError) -> bool:
    """True only for a lock or serialisation failure (a race the user may retry: 409), never
    for any other database error (a broken query must stay a 500 that someone fixes)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in LOCK_SQLSTATES or getattr(orig, "pgcode", None) in LOCK_SQLSTATES:
        return True
    return type(orig).__name__ == "OperationalError" and "database is locked" in str(orig)
