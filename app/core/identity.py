"""Identity (issue 7 item 7): who is acting - the request's user (session or JWT) or the one
`acting_as()` names (CLI, jobs) - and their roles. Security and tenancy both read it here,
so neither imports the other."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context
from flask_login import current_user as login_user

ADMIN_ROLE = "Admin"
_acting_user: ContextVar[object] = ContextVar("acting_user", default=None)


def role_names(user) -> set[str]:
    return {r.name for r in getattr(user, "roles", None) or []}


def is_admin(user) -> bool:
    return ADMIN_ROLE in role_names(user)


def current_user():
    """The acting user: `acting_as()` (CLI, jobs), else the request's user (session or JWT)."""
    user = _acting_user.get()
    if user is not None:
        return user
    if has_request_context():
        user = g.get("actor")
        if user is None and login_user and login_user.is_authenticated:
            user = login_user._get_current_object()
        return user
    return None


@contextmanager
def acting_as(user):
    token = _acting_user.set(user)
    try:
        yield user
    finally:
        _acting_user.reset(token)


def display_name(user) -> str:
    """How a person reads everywhere: their full name, else their username ("" for nobody)."""
    if user is None:
        return ""
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


def user_ref(user) -> dict | None:
    """How every API shows a user (issue 8, finding 6): id and name, plus the username for
    an Admin caller; never the model (its password hash, e-mail, login counts)."""
    if user is None:
        return None
    ref = {"id": user.id, "name": f"{user.first_name} {user.last_name}".strip()}
    if is_admin(current_user()):
        ref["username"] = user.username
    return ref
