"""Users with history are deactivated, never deleted (issue 8, finding 5): deleting one
would set audit_entry.user_id to NULL and drop them from the rows they worked on."""
from __future__ import annotations

from flask_appbuilder.models.sqla import Model
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.errors import ValidationError
from app.core.tenancy import Membership, company_scope

# Links that are not history: they go with the user.
NOT_HISTORY = {"membership", "ab_user_role", "ab_user_group", "session_version"}
LABELS = {"audit_entry": "entradas de auditoría", "ab_user": "usuarios que creó o cambió"}


def user_history(db_session: Session, user_id: int) -> dict[str, int]:
    """Rows of every table that reference the user (all companies), by table."""
    found = {}
    for table in Model.metadata.sorted_tables:
        if table.name in NOT_HISTORY:
            continue
        columns = [fk.parent for fk in table.foreign_keys if fk.column.table.name == "ab_user"]
        if not columns:
            continue
        where = or_(*(c == user_id for c in columns))
        if table.name == "ab_user":
            where = where & (table.c.id != user_id)
        count = db_session.execute(select(func.count()).select_from(table).where(where)).scalar()
        if count:
            found[table.name] = count
    return found


def refuse_delete_with_history(db_session: Session, user) -> None:
    history = user_history(db_session, user.id)
    if history:
        what = ", ".join(f"{LABELS.get(name, name)}: {count}" for name, count in sorted(history.items()))
        raise ValidationError(
            f"No se puede borrar al usuario '{user.username}' porque tiene historial ({what}); "
            "desactívalo (Activo = no): no podrá entrar y su historial seguirá intacto.",
            field="active",
        )


def record_login(db_session: Session, user) -> None:
    """An audit entry per company the user is a member of (issue 8, finding 14: with the
    client address, which audit.record() reads from the request)."""
    company_ids = db_session.scalars(select(Membership.company_id).where(Membership.user_id == user.id)).all()
    with company_scope(None):
        for company_id in company_ids:
            audit.record(db_session, entity="user", entity_id=user.id, action="LOGIN", company_id=company_id, user=user)
        db_session.commit()
