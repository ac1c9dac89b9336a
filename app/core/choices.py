"""Which users a relation column offers (issue 19, point 3; issue 8, finding 8).

Every choice FAB offers for a relation column comes from `SQLAInterface.get_related_interface`:
the filter drop-downs and selects of a page's search, add and edit forms (through
fab_speed.related_rows_query), the values a REST API's `_info` lists, and the check of a
submitted choice (`QuerySelectField` looks it up there). FAB's interface queries the related
model as it is, and users are not tenant rows: a page of company A offered company B's people.

`install()` makes that one method return, for a relation to users from any model that is
not the platform's people management (memberships, FAB's users, roles and groups), an
interface that offers the active company's members only. Outside a company (system
context) every user is offered, as tenancy itself does."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.core.tenancy import Membership, current_company_id

# where Admin manages people across companies: every user is offered there
PLATFORM_PEOPLE_MODELS = {Membership}


class CompanyMembersInterface(SQLAInterface):
    """Users, as choices: the members of the active company (every query FAB builds over it:
    choices, their count, a submitted choice's lookup)."""

    def _apply_inner_all(self, query, *args, **kwargs):
        return super()._apply_inner_all(members_only(query), *args, **kwargs)


def members_only(query):
    """`query` over User narrowed to the active company's members."""
    company_id = current_company_id()
    if company_id is None:
        return query
    return query.filter(User.id.in_(select(Membership.user_id).where(Membership.company_id == company_id)))


def offers_company_members(model) -> bool:
    """Does a relation to users from `model` offer only the active company's members?"""
    return model not in PLATFORM_PEOPLE_MODELS and not model.__module__.startswith("flask_appbuilder.")


_fab_related_interface = SQLAInterface.get_related_interface


def related_interface(self, col_name: str):
    model = self.get_related_model(col_name)
    if issubclass(model, User) and offers_company_members(self.obj):
        return CompanyMembersInterface(model)
    return _fab_related_interface(self, col_name)


def install() -> None:
    SQLAInterface.get_related_interface = related_interface
