"""Nobody locks the administrators out (issue 22): whatever changes roles or users (FAB's
security API and pages, the CLI, a script), the transaction is refused at commit (422, nothing
written) when it would leave the Admin role without a permission of role and user management,
delete it, leave no active user holding it, or name a role with nothing."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.core.errors import ValidationError

# The views through which roles and users are administered (FAB's API and pages)
ADMINISTRATION_VIEWS = ("Role", "RoleModelView", "User", "UserDBModelView")
CHANGED = "security_rows_changed"


def _security_manager():
    try:
        return current_app.appbuilder.sm
    except (RuntimeError, AttributeError):  # no app (a bare script's session): nothing to guard
        return None


def _risks(obj, sm, admin_name: str, deleted: bool) -> set[str]:
    """What a flushed role or user row may have taken from the administrators: the Admin role
    itself ("role"), a permission of it ("permissions") or a user holding it ("holders")."""
    state = inspect(obj)
    if isinstance(obj, sm.role_model):
        names = state.attrs.name.history
        if admin_name not in (*names.unchanged, *names.deleted):
            return set()
        if deleted or names.deleted:
            return {"role"}
        return ({"permissions"} if state.attrs.permissions.history.deleted else set()) | (
            {"holders"} if state.attrs.user.history.deleted else set())
    if isinstance(obj, sm.user_model):
        roles = state.attrs.roles.history
        held = any(r.name == admin_name for r in (*roles.unchanged, *roles.deleted))
        return {"holders"} if held and (deleted or roles.deleted or state.attrs.active.history.deleted) else set()
    return set()


def _note_changes(session: Session, _flush_context) -> None:
    """After each flush: an empty role name is refused; what may have taken something from the
    administrators is remembered for the check at commit."""
    sm = _security_manager()
    if sm is None:
        return
    if any(isinstance(obj, sm.role_model) and not (obj.name or "").strip() for obj in (*session.new, *session.dirty)):
        raise ValidationError("El nombre del rol es obligatorio.", field="name")
    admin_name = current_app.config.get("AUTH_ROLE_ADMIN", "Admin")
    risks = session.info.setdefault(CHANGED, set())
    for obj in session.dirty:
        risks |= _risks(obj, sm, admin_name, deleted=False)
    for obj in session.deleted:
        risks |= _risks(obj, sm, admin_name, deleted=True)


def _check_before_commit(session: Session) -> None:
    risks = session.info.pop(CHANGED, None)
    sm = _security_manager()
    if not risks or sm is None:
        return
    session.flush()
    ensure_administrable(session, sm, holders="holders" in risks)


def ensure_administrable(session: Session, sm, *, holders: bool = True) -> None:
    """The Admin role exists, holds every permission of role and user management, and (when
    `holders`) at least one active user holds it."""
    admin_name = current_app.config.get("AUTH_ROLE_ADMIN", "Admin")
    role = session.scalars(select(sm.role_model).where(sm.role_model.name == admin_name)).first()
    if role is None:
        raise ValidationError(f"El rol «{admin_name}» no se puede eliminar: sin él nadie podría administrar roles y usuarios.")
    pv, view = sm.permissionview_model, sm.viewmenu_model
    needed = set(session.scalars(select(pv.id).join(view, pv.view_menu_id == view.id)
                                 .where(view.name.in_(ADMINISTRATION_VIEWS))))
    missing = needed - {p.id for p in role.permissions}
    if missing:
        raise ValidationError(
            f"El rol «{admin_name}» debe conservar los permisos de administración de roles y usuarios "
            f"({len(missing)} se quitarían): sin ellos nadie podría devolverlos.", field="permission_view_menu_ids")
    if holders and not session.scalar(select(func.count(sm.user_model.id)).where(
            sm.user_model.active.is_(True), sm.user_model.roles.any(sm.role_model.id == role.id))):
        raise ValidationError(f"Debe quedar al menos un usuario activo con el rol «{admin_name}».", field="roles")


def install() -> None:
    """Listen on every session (once per process)."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "before_commit", _check_before_commit)
        event.listen(Session, "after_rollback", _forget)


def _forget(session: Session) -> None:
    session.info.pop(CHANGED, None)
