"""Idempotent workflow actions (issue 8 item 12): a client (or a web form, one key per
rendered form) sends an `Idempotency-Key`; the same key of the same user within 24 hours
returns the first answer again and repeats nothing.

The key row is written first, in the same transaction as the action: a second request with
the same key waits on the unique index until the first one ends (PostgreSQL) or on the
write lock (SQLite), then finds the stored answer; a failed action rolls its key back too,
so a retry after a refusal runs again."""
from __future__ import annotations

import datetime as dt
import json
from typing import Callable

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import begin_write
from app.core.errors import ValidationError
from app.core.models import Model, utcnow

KEY_TTL = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 200


class IdempotencyKey(Model):
    """One answered request: who, which key, for what request, and the answer given."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),)
    __audited__ = False
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


def clean_key(raw: str | None) -> str | None:
    """The key as sent, or None when absent; a 422 naming the header when unusable."""
    if raw is None or not raw.strip():
        return None
    key = raw.strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError(
            f"La clave de idempotencia debe ser un texto imprimible de como mucho {MAX_KEY_LENGTH} caracteres.",
            field="Idempotency-Key",
        )
    return key


def _stored(session: Session, user_id: int, key: str, request: str, *, now: dt.datetime):
    row = session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).first()
    if row is None:
        return None
    if row.created_at < now - KEY_TTL:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row.id))
        return None
    if row.request != request:
        raise ValidationError(
            "Esa clave de idempotencia ya se usó para otra petición; usa una clave nueva.", field="Idempotency-Key"
        )
    return row.status, json.loads(row.body)


def once(
    *, session: Session, user, key: str | None, request: str, action: Callable[[], tuple[int, dict]],
) -> tuple[int, dict, bool]:
    """A command for the request boundary (`run(once, key=..., request=..., action=...)`): run
    `action` (which returns (status, body) and never commits) once per (user, key) within 24 h;
    returns (status, body, replayed). The boundary commits the action with its key, or rolls
    both back on a refusal (so a retry after a refusal runs again)."""
    if key is None:
        return (*action(), False)
    begin_write(session)  # SQLite: take the write lock before reading, as twins race here
    now = utcnow()
    found = _stored(session, user.id, key, request, now=now)
    if found is not None:
        session.rollback()
        return (*found, True)
    row = IdempotencyKey(user_id=user.id, key=key, request=request, status=0, body="{}", created_at=now)
    session.add(row)
    try:
        session.flush()  # the unique index: a concurrent twin waits here for this one
    except IntegrityError:
        session.rollback()
        found = _stored(session, user.id, key, request, now=now)
        session.rollback()
        if found is None:  # pragma: no cover - the twin vanished between the two reads
            raise
        return (*found, True)
    status, body = action()
    row.status, row.body = status, json.dumps(body, default=str)
    return status, body, False
