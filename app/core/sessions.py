"""Per-user session version (issue 8, finding 9): a session cookie or a JWT carries the
version its user had when it was issued, and each request checks it. Logout, a password
change, deactivation and a role change bump it, so every copy of an older session or token
stops working at once."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_appbuilder.security.sqla.models import User
from flask_login import current_user as login_user
from flask_login import logout_user, user_logged_in
from sqlalchemy import ForeignKey, Integer, event, inspect, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column

from app.core.models import Model

SESSION_KEY = "_sv"
CLAIM = "sv"
WATCHED = ("password", "active", "roles")


class SessionVersion(Model):
    __tablename__ = "session_version"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


def load_user(db_session: Session, user_id) -> User | None:
    """The user with roles and groups, and their session version (kept for the request), in one
    statement: each request needs all four (issue 13)."""
    with db_session.no_autoflush:
        row = db_session.execute(
            select(User, SessionVersion.version)
            .outerjoin(SessionVersion, SessionVersion.user_id == User.id)
            .options(joinedload(User.roles), joinedload(User.groups))
            .where(User.id == int(user_id))
        ).unique().first()
    if has_request_context():
        g.setdefault("session_versions", {})[int(user_id)] = (row.version or 0) if row else 0
        g.setdefault("loaded_users", []).append(row[0] if row else None)  # held for the request
    return row[0] if row else None


def current_version(db_session: Session, user_id) -> int:
    """The user's session version, read once per request (a JWT is checked by our tenancy hook
    and again by FAB's @protect; issue 13), with the user's row (FAB loads it next)."""
    if user_id is None:
        return 0
    cache = g.setdefault("session_versions", {}) if has_request_context() else {}
    if int(user_id) not in cache:
        if has_request_context():
            load_user(db_session, user_id)
        else:
            with db_session.no_autoflush:
                found = db_session.scalar(select(SessionVersion.version).where(SessionVersion.user_id == int(user_id)))
            cache[int(user_id)] = found or 0
    return cache[int(user_id)]


def bump(db_session: Session, user_id: int) -> None:
    """Invalidate every session and token of the user (in the caller's transaction)."""
    if has_request_context():
        g.get("session_versions", {}).pop(int(user_id), None)
    with db_session.no_autoflush:
        row = db_session.get(SessionVersion, user_id)
    if row is None:
        db_session.add(SessionVersion(user_id=user_id, version=1))
    else:
        row.version = (row.version or 0) + 1


@event.listens_for(Session, "before_flush")
def _bump_on_user_change(db_session: Session, _context, _instances) -> None:
    for obj in list(db_session.dirty):
        if isinstance(obj, User) and obj.id is not None:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in WATCHED):
                bump(db_session, obj.id)


def _remember_version(_sender, user, **_extra) -> None:
    session[SESSION_KEY] = current_version(current_app.appbuilder.session, user.id)


def check_session_version() -> None:
    """before_request: a cookie session issued before the user's last bump is logged out."""
    if request.path.startswith("/static") or "Authorization" in request.headers:
        return
    if not (login_user and login_user.is_authenticated):
        return
    if session.get(SESSION_KEY) != current_version(current_app.appbuilder.session, login_user.id):
        logout_user()
        session.pop(SESSION_KEY, None)


def register(app) -> None:
    """Cookie sessions remember the version at login; JWTs carry it as a claim and a token
    with an older one is treated as revoked."""
    user_logged_in.connect(_remember_version, getattr(app, "_get_current_object", lambda: app)())
    app.before_request(check_session_version)
    jwt = app.appbuilder.sm.jwt_manager

    @jwt.additional_claims_loader
    def _claims(identity):
        return {CLAIM: current_version(current_app.appbuilder.session, identity)}

    @jwt.token_in_blocklist_loader
    def _revoked(_header, payload) -> bool:
        return payload.get(CLAIM) != current_version(current_app.appbuilder.session, payload.get("sub"))
