"""Tenancy: companies, memberships and central row isolation (DESIGN "Platform core").

Every operational model inherits `TenantMixin`. Isolation is enforced here, once:
- every ORM select/update/delete gets `company_id = <active company>` (do_orm_execute);
- new rows take the active company, and a flush refusing any row, or any reference to a
  row, of another company (before_flush).
The active company comes from `company_scope()` (CLI, jobs, tests) or, in a request, from
`g.company_id`, which `resolve_active_company()` sets from the X-Company-Id header (API)
or the session (web). Outside both, nothing is filtered (system context).

Rows every company shares are `SharedCatalog`: read by all, written only by a platform
administrator (Admin) or the system (issue 19: a tenant's admin edited what every tenant
sees). A module gives each new company its own rows with `on_company_created`.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from itertools import chain

import holidays
from flask import g, has_request_context
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    String,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import (
    MANYTOONE,
    Mapped,
    Session,
    mapped_column,
    relationship,
    validates,
    with_loader_criteria,
)

from app.core.errors import ActionNotAllowed, DomainError, ValidationError
from app.core.identity import current_user, is_admin
from app.core.localization import check_tax_id, check_timezone, default_timezone
from app.core.models import Model
from app.extensions import db

NO_COMPANY = 0  # a request whose user has no company: sees nothing, creates nothing
_UNSET = object()
_company_override: ContextVar[object] = ContextVar("company_override", default=_UNSET)


class TenantViolation(DomainError):
    """A write that would mix companies (a row or a foreign key of another company)."""

    status = 422


def _zone_of_country(context) -> str:
    country = context.get_current_parameters().get("country_code") if context is not None else None
    return default_timezone(country)  # FAB's forms call it without a context: the default zone


class Company(Model):
    """Empresa: a tenant. Country and subdivision choose its public holidays; the country its
    tax id's rules and default time zone (issue 9, items 4 and 17)."""

    __tablename__ = "company"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    tax_id: Mapped[str] = mapped_column(String(30))
    country_code: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), default=_zone_of_country)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @validates("name", "tax_id")
    def _required_text(self, key, value):
        if value is None or not str(value).strip():
            raise ValidationError(f"El campo '{key}' es obligatorio.", field=key)
        value = str(value).strip()
        if key == "tax_id" and self.country_code:
            return check_tax_id(self.country_code, value.upper())
        return value.upper() if key == "tax_id" else value

    @validates("timezone")
    def _known_zone(self, key, value):
        return check_timezone(value) if (value or "").strip() else default_timezone(self.country_code)

    @validates("country_code")
    def _known_country(self, key, value):
        """Holidays come from the `holidays` package: the country must be one it knows."""
        code = (value or "").strip().upper()
        if code not in holidays.list_supported_countries():
            raise ValidationError(
                f"El país '{value}' no es un código ISO 3166-1 alfa-2 con calendario de festivos (p. ej. ES, MX, CL).",
                field=key,
            )
        if self.subdivision:
            self.subdivision = self._check_subdivision(code, self.subdivision)
        if self.tax_id:
            check_tax_id(code, self.tax_id)
        return code

    @validates("subdivision")
    def _known_subdivision(self, key, value):
        value = (value or "").strip() or None
        if value and self.country_code:
            return self._check_subdivision(self.country_code, value)
        return value

    @staticmethod
    def _check_subdivision(country: str, subdivision: str) -> str:
        known = holidays.list_supported_countries().get(country, [])
        for candidate in (subdivision, subdivision.upper()):
            if candidate in known:
                return candidate
        raise ValidationError(
            f"La región '{subdivision}' no existe en el calendario de {country}"
            + (f" (p. ej. {', '.join(known[:5])})." if known else " (este país no tiene regiones)."),
            field="subdivision",
        )

    def __repr__(self) -> str:
        return self.name


class Membership(Model):
    """A user belongs to one or more companies."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "company_id", name="uq_membership_user_company"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship(User)
    company: Mapped[Company] = relationship(Company)

    def __repr__(self) -> str:
        return f"{self.user} @ {self.company}"


class TenantMixin:
    """company_id not null and indexed; rows are seen and written only in their company."""

    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)


class SharedCatalog:
    """Reference rows every company shares (a module's structure: its states, areas, request
    types...). Every company reads them; only a platform administrator (Admin) or the system
    (seed, migrations, a CLI command acting as nobody) writes them: the flush refuses anyone
    else (403), whatever page, API or service tries."""


SHARED_CATALOG_ONLY_ADMIN = _l("«%(catalog)s» es común a todas las empresas: solo un administrador de la "
                               "plataforma lo modifica.")


class NonWorkingDay(TenantMixin, Model):
    """A company's own day off, on top of the public holidays of its country."""

    __tablename__ = "non_working_day"
    __table_args__ = (UniqueConstraint("company_id", "date", name="uq_non_working_day_company_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.description}"


# --- the active company -------------------------------------------------------------

def current_company_id() -> int | None:
    """The active company id; None means system context (no filter)."""
    override = _company_override.get()
    if override is not _UNSET:
        return override  # type: ignore[return-value]
    if has_request_context():
        return g.get("company_id", NO_COMPANY)
    return None


def active_company(session: Session) -> "Company | None":
    """The active company's row (None in system context), for services that take `company`."""
    company_id = current_company_id()
    return session.get(Company, company_id) if company_id else None


@contextmanager
def company_scope(company_id: int | None):
    """Run a block as company `company_id` (None: system context, all companies)."""
    token = _company_override.set(company_id)
    try:
        yield
    finally:
        _company_override.reset(token)


def user_companies(session: Session, user) -> list["Company"]:
    """Active companies the user may act in: their memberships; every company for Admin."""
    stmt = select(Company).where(Company.active.is_(True)).order_by(Company.id)
    if not is_admin(user):
        stmt = stmt.join(Membership, Membership.company_id == Company.id).where(
            Membership.user_id == user.id
        )
    return list(session.scalars(stmt))


def user_company_ids(session: Session, user) -> list[int]:
    """The ids of `user_companies`."""
    return [company.id for company in user_companies(session, user)]


def company_user_ids() -> list[int]:
    """Users who are members of the active company (issue 8, finding 8: pickers and filters
    offer only these); every user in system context."""
    stmt = select(User.id)
    company_id = current_company_id()
    if company_id is not None:
        stmt = stmt.join(Membership, Membership.user_id == User.id).where(Membership.company_id == company_id)
    return list(db.session.scalars(stmt))


# --- what a new company gets --------------------------------------------------------

_company_setups: dict[str, Callable] = {}


def on_company_created(name: str, setup: Callable) -> None:
    """Register `setup(connection, company_id)`, run in the flush that inserts a company,
    however it is created (Empresas page or API, `flask seed --demo`, tests), with Core
    statements on that flush's connection. Registering `name` again replaces it."""
    _company_setups[name] = setup


@event.listens_for(Company, "after_insert")
def _set_up_new_company(_mapper, connection, company) -> None:
    for setup in _company_setups.values():
        setup(connection, company.id)


# --- isolation hooks ----------------------------------------------------------------

@event.listens_for(Session, "do_orm_execute")
def _scope_statements(state):
    """Add the active company to every ORM statement over tenant rows."""
    if state.is_column_load or state.execution_options.get("all_companies"):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    company_id = current_company_id()
    if company_id is None:
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantMixin, lambda cls: cls.company_id == company_id, include_aliases=True
        )
    )


def _company_of(session: Session, target_cls, pk) -> int | None:
    if pk is None:
        return None
    pk_col = inspect(target_cls).primary_key[0]
    return session.execute(
        select(target_cls.company_id).where(pk_col == pk).execution_options(all_companies=True)
    ).scalar()


def _check_references(session: Session, obj) -> None:
    """Refuse a reference from `obj` to a tenant row of another company."""
    state = inspect(obj)
    for rel in state.mapper.relationships:
        target_cls = rel.mapper.class_
        if not issubclass(target_cls, TenantMixin) or rel.viewonly:
            continue
        attr = state.attrs[rel.key]
        loaded = rel.key in state.dict
        if loaded:
            for target in attr.history.added:
                if target is not None and target.company_id not in (None, obj.company_id):
                    raise TenantViolation(_msg_other_company(rel.key), field=rel.key)
            if rel.direction is not MANYTOONE or attr.history.added:
                continue
        if rel.direction is not MANYTOONE:
            continue
        column = next(iter(rel.local_columns))
        key = state.mapper.get_property_by_column(column).key
        if not state.attrs[key].history.added:
            continue
        value = state.dict.get(key)
        if value is not None and _company_of(session, target_cls, value) != obj.company_id:
            raise TenantViolation(_msg_other_company(rel.key), field=rel.key)


def _msg_other_company(field: str) -> str:
    return f"El campo '{field}' apunta a un registro que no existe en la empresa activa."


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, flush_context, instances) -> None:
    """New rows take the active company; no write crosses companies; shared catalogs are
    written by a platform administrator only."""
    _guard_shared_catalogs(session)
    company_id = current_company_id()
    for obj in session.new:
        if isinstance(obj, TenantMixin) and obj.company_id is None:
            if not company_id:
                raise TenantViolation("No hay una empresa activa para crear el registro.")
            obj.company_id = company_id
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantMixin):
            continue
        if company_id is not None and obj.company_id != company_id:
            raise TenantViolation("El registro pertenece a otra empresa.")
        if obj not in session.deleted:
            _check_references(session, obj)


def _guard_shared_catalogs(session: Session) -> None:
    """A SharedCatalog row added, changed or deleted by a user who is not Admin: 403."""
    user = current_user()
    if user is None or is_admin(user):
        return
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, SharedCatalog) and (obj not in session.dirty or session.is_modified(obj)):
            label = getattr(obj, "__catalog_label__", None) or obj.__tablename__
            raise ActionNotAllowed(str(SHARED_CATALOG_ONLY_ADMIN) % {"catalog": label})
