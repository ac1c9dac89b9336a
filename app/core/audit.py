"""Audit trail: AuditEntry is append-only and written in the same transaction as the
change it records (DESIGN "Platform core: Audit").

Two writers: `record()` for explicit business events (workflow transitions, annulments...),
and the session hooks below, which record every create/update/delete of an audited model
(tenant rows, companies, memberships). The automatic entries are written when the
transaction commits, and a record with an explicit entry in the same transaction gets no
automatic one, whichever came first."""
from __future__ import annotations

import datetime as dt
import decimal
import enum

from flask import has_request_context, request
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.core.identity import current_user, display_name
from app.core.models import Model, utcnow
from app.core.tenancy import Company, Membership, TenantMixin, TenantViolation


class AuditEntry(TenantMixin, Model):
    """Who did what, when, to which record, from which state to which."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "company_id", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    user: Mapped[User | None] = relationship(User)
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict | None] = mapped_column(JSON)
    workflow_version: Mapped[int | None] = mapped_column(Integer)
    # As written at the time (issue 8, findings 5 and 14): the trail reads the same forever,
    # whatever later happens to the user, and says from which address the action came.
    actor_name: Mapped[str | None] = mapped_column(String(150))
    client_address: Mapped[str | None] = mapped_column(String(45))

    def __repr__(self) -> str:
        return f"{self.entity}#{self.entity_id} {self.action}"


def json_safe(value):
    """Dates as ISO strings, decimals as strings, enums by value, models by id."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if isinstance(value, Model):
        return getattr(value, "id", str(value))
    return value


def entity_name(obj_or_cls) -> str:
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return getattr(cls, "__entity__", cls.__tablename__)


def actor_name(user) -> str | None:
    """The actor's name as written now: the trail keeps it whatever happens to the user."""
    if user is None:
        return None
    return display_name(user)[:150]


def client_address() -> str | None:
    """The client's address (after ProxyFix, when PROXY_FIX_X_FOR trusts a proxy)."""
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:45] or None


def record(
    session: Session,
    *,
    entity: str,
    entity_id: int | None,
    action: str,
    company_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict | None = None,
    workflow_version: int | None = None,
    user=None,
) -> AuditEntry:
    """Add one audit entry to the current transaction."""
    session.info.setdefault("audit_explicit", set()).add((entity, entity_id))
    with session.no_autoflush:
        user = user if user is not None else current_user()
        user_id = getattr(user, "id", None)
    entry = AuditEntry(
        company_id=company_id,
        user_id=user_id,
        actor_name=actor_name(user),
        client_address=client_address(),
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        data=json_safe(data) if data is not None else None,
        workflow_version=workflow_version,
    )
    session.add(entry)
    return entry


# --- automatic entries for plain CRUD ----------------------------------------------

def _is_audited(obj) -> bool:
    if isinstance(obj, AuditEntry):
        return False
    if not getattr(type(obj), "__audited__", True):
        return False
    return isinstance(obj, (TenantMixin, Company, Membership))


def _company_of(obj) -> int | None:
    if isinstance(obj, Company):
        return obj.id
    return getattr(obj, "company_id", None)


def _column_values(obj) -> dict:
    mapper = inspect(obj).mapper
    return {attr.key: json_safe(getattr(obj, attr.key)) for attr in mapper.column_attrs}


def _changes(obj) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.added or hist.deleted:
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                changes[attr.key] = [json_safe(old), json_safe(new)]
    return changes


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise TenantViolation("La auditoría no se puede modificar ni borrar.")
    pending = session.info.setdefault("audit_pending", [])
    for obj in session.new:
        if _is_audited(obj):
            pending.append(("create", obj, None))
    for obj in session.dirty:
        if _is_audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _changes(obj)
            if changes:
                pending.append(("update", obj, changes))
    for obj in session.deleted:
        if _is_audited(obj):
            pending.append(("delete", obj, _column_values(obj)))


@event.listens_for(Session, "after_flush")
def _resolve(session: Session, _context) -> None:
    """Ids exist now: turn the collected changes into rows, written at commit."""
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    user = current_user()
    rows = session.info.setdefault("audit_rows", [])
    for action, obj, data in pending:
        company_id = _company_of(obj)
        if company_id is None:
            continue
        rows.append(
            dict(
                company_id=company_id,
                created_at=utcnow(),
                user_id=getattr(user, "id", None),
                actor_name=actor_name(user),
                client_address=client_address(),
                entity=entity_name(obj),
                entity_id=getattr(obj, "id", None),
                action=action,
                data=data if data is not None else _column_values(obj),
            )
        )


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    """Write the automatic entries with the transaction's last flush, leaving out the
    records an explicit entry of this transaction already describes."""
    session.flush()
    rows = session.info.pop("audit_rows", [])
    explicit = session.info.get("audit_explicit", set())
    rows = [row for row in rows if (row["entity"], row["entity_id"]) not in explicit]
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        for key in ("audit_explicit", "audit_pending", "audit_rows"):
            session.info.pop(key, None)
