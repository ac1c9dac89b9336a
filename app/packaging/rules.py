"""The packaging access rules (spec packaging-work-orders.md): who acts (their role, area and
profile in the company), the function x role matrix and the edit rule (`*`). Every aggregate
asks them; the OT's own rules (WF-001..004) are in orders/workflow.py, its row rules
(FLT-001..005) in orders/filters.py. Plain functions over models and a session; no Flask."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import ActionNotAllowed
from app.packaging.catalogs import queries as cat
from app.packaging.catalogs.models import PackagingProfile


@dataclass
class Actor:
    """Who acts, as the rules see them: the user, their packaging role and their area in
    the company (the profile's area, else the role's)."""

    user: object
    role: str | None
    area: int | None
    profile: PackagingProfile | None = None

    @property
    def is_admin(self) -> bool:
        return cat.is_admin_role(self.role)

    @property
    def is_super_admin(self) -> bool:
        return self.role == cat.SUPER_ADMIN

    def area_for(self, ot) -> int | None:
        """The area the user acts from on the OT `ot` (orders' WorkOrder, not imported: orders
        builds on these rules): Admin and Super Admin act in the OT's area."""
        return ot.current_area_id if self.is_admin else self.area


def profile_of(session: Session, user, company_id: int) -> PackagingProfile | None:
    return session.scalar(select(PackagingProfile).where(
        PackagingProfile.user_id == user.id, PackagingProfile.company_id == company_id))


def _actor(user, profile: PackagingProfile | None) -> Actor:
    role = cat.role_of(user)
    area = profile.area_id if profile and profile.area_id else cat.role_area(role)
    return Actor(user=user, role=role, area=area, profile=profile)


def actor_for(session: Session, user, company_id: int | None) -> Actor:
    profile = profile_of(session, user, company_id) if company_id and user is not None else None
    return _actor(user, profile)


def actors_for(session: Session, users, company_id: int) -> list[Actor]:
    """`actor_for` for many users with one statement for all their profiles (the users'
    roles loaded by the caller, e.g. selectinload(User.roles)): issue 29 item 1."""
    ids = [u.id for u in users]
    profiles = {p.user_id: p for p in session.scalars(select(PackagingProfile).where(
        PackagingProfile.company_id == company_id, PackagingProfile.user_id.in_(ids)))} if ids else {}
    return [_actor(u, profiles.get(u.id)) for u in users]


# --- the function matrix -------------------------------------------------------------------

def role_refusal(actor: Actor, function: str) -> str:
    return f"Tu rol no permite «{cat.function_label(function)}»."


def can(actor: Actor, function: str) -> bool:
    """The matrix's cell is X or * (the * is checked per OT by the rule it names)."""
    return cat.cell(actor.role, function) in (cat.YES, cat.EDIT_RULE)


def require(actor: Actor, function: str) -> None:
    """The function x role matrix: refuse with the function's name when the cell is "-"."""
    if not can(actor, function):
        raise ActionNotAllowed(role_refusal(actor, function))


def edit_refusal(session: Session, actor: Actor, ot) -> str | None:
    """The edit rule (the matrix's `*` for Editar OT, DESIGN): the user's area is the OT's
    current area and the OT is not closed; Admin edits in any area; Super Administrator
    also edits closed OTs. None when allowed, else the reason."""
    mark = cat.cell(actor.role, "EDITAR_OT")
    if mark not in (cat.YES, cat.EDIT_RULE):
        return role_refusal(actor, "EDITAR_OT")
    names = cat.labels(session)
    if cat.states()[int(ot.state)]["closed"] and not actor.is_super_admin:
        return f"La OT {ot.number} está cerrada («{names.state(ot.state)}»): solo el Super Administrador la modifica."
    if mark == cat.EDIT_RULE and actor.area != ot.current_area_id:
        return (f"La OT {ot.number} está en «{names.area(ot.current_area_id)}»: solo se edita desde "
                "el área en que está.")
    return None
