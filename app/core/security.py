"""Security: FAB's security manager with our pieces (DESIGN "Platform core: Security").

- the active company of each request (session or X-Company-Id header), checked against
  the user's memberships;
- CSRF on every API call authenticated by the session cookie;
- the API login rate-limited like the login page;
- roles and their permissions synchronised from seed/roles/*.yaml.
"""
from __future__ import annotations

import functools
import sys

from flask import current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.apis import GroupApi as FabGroupApi
from flask_appbuilder.security.sqla.apis import PermissionApi as FabPermissionApi
from flask_appbuilder.security.sqla.apis import (
    PermissionViewMenuApi as FabPermissionViewMenuApi,
)
from flask_appbuilder.security.sqla.apis import RoleApi as FabRoleApi
from flask_appbuilder.security.sqla.apis import UserApi as FabUserApi
from flask_appbuilder.security.sqla.apis import ViewMenuApi as FabViewMenuApi
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext as _
from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request
from flask_limiter.util import get_remote_address
from flask_login import current_user as login_user
from flask_login import logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from app.core import security_views
from app.core.endpoint_docs import STANDARD_SUMMARIES, spec_methods
from app.core.errors import DomainError, NotFound, ValidationError
from app.core.fab_lists import RestFilters
from app.core.roles import load_roles
from app.core.sessions import bump, load_user
from app.core.tenancy import NO_COMPANY, user_companies
from app.core.users import record_login, refuse_delete_with_history
from app.core.validation import typed_int
from app.extensions import csrf

# One map for every view and API: FAB methods -> the two permissions a role is given.
READ_WRITE = {
    "get": "read", "get_list": "read", "info": "read", "show": "read", "list": "read",
    "download": "read", "api_read": "read", "api_get": "read", "related": "read",
    "distinct": "read", "api": "read", "api_column_add": "read", "api_column_edit": "read",
    "post": "write", "put": "write", "delete": "write", "add": "write", "edit": "write",
    "api_create": "write", "api_update": "write", "api_delete": "write", "action": "write",
    "action_post": "write",
}


# Shared route-method sets of REST APIs (include_route_methods; issue 7 item 6).
READ_ONLY_ROUTES = frozenset({"get", "get_list", "info"})
READ_WRITE_ROUTES = READ_ONLY_ROUTES | {"post", "put", "delete"}


class Forbidden(DomainError):
    status = 403


# --- per request --------------------------------------------------------------------

def _request_user():
    if login_user and login_user.is_authenticated:
        return login_user._get_current_object()
    if "Authorization" not in request.headers:
        return None
    try:
        verify_jwt_in_request(optional=True)
        identity = get_jwt_identity()
    except Exception:  # a bad token: the view's own @protect answers 401
        return None
    if identity is None:
        return None
    return current_app.appbuilder.sm.load_user(identity)


def resolve_active_company() -> None:
    """Set g.actor and g.company_id for this request (403 for a company not the user's)."""
    g.company_id = NO_COMPANY
    if request.endpoint in ("static", "appbuilder.static") or request.path.startswith("/static"):
        return
    user = _request_user()
    g.actor = user
    if user is None:
        return
    # the rows stay referenced for the request: active_company() then finds its row in the
    # session's identity map instead of asking again (issue 13)
    g.companies = user_companies(current_app.appbuilder.session, user)
    allowed = g.company_ids = [company.id for company in g.companies]
    if request.path.startswith("/api/") and "X-Company-Id" in request.headers:
        raw = request.headers["X-Company-Id"].strip()
        chosen = typed_int(raw)  # "²" passes str.isdigit but not int()
        if chosen is None:
            raise ValidationError("La cabecera X-Company-Id debe ser el id numérico de una empresa.", field="X-Company-Id")
        if chosen not in allowed:
            raise Forbidden(f"No perteneces a la empresa {raw} (cabecera X-Company-Id).", field="X-Company-Id")
        g.company_id = chosen
        return
    chosen = session.get("company_id")
    if chosen in allowed:
        g.company_id = chosen
    elif allowed:
        g.company_id = allowed[0]
        if not request.path.startswith("/api/"):
            session["company_id"] = allowed[0]


def check_api_csrf() -> None:
    """An API call authenticated by the session cookie must carry the CSRF token.

    Only a Bearer token (JWT) exempts the call: a browser never attaches one by itself,
    while it does replay cookies and HTTP Basic credentials on a cross-site request."""
    if not request.path.startswith("/api/") or request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.headers.get("Authorization", "").strip().lower().startswith("bearer "):
        return
    if login_user and login_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


# --- FAB classes --------------------------------------------------------------------

# the OpenAPI summaries of FAB's security routes (app/core/endpoint_docs.py)
SECURITY_SUMMARIES = {**STANDARD_SUMMARIES, **spec_methods({
    "login": "Iniciar sesión: el token JWT de acceso (y el de renovación)",
    "refresh": "Un token de acceso nuevo a cambio del de renovación",
    "list_role_permissions": "Los permisos de un rol",
    "add_role_permissions": "Dar permisos a un rol",
    "update_role_users": "Los usuarios de un rol",
    "update_role_groups": "Los grupos de un rol",
})}


class RateLimitedSecurityApi(SecurityApi):
    """FAB's security API (JWT login at /api/v1/security/login), rate-limited per address."""

    openapi_spec_methods = SECURITY_SUMMARIES

    limits = [
        Limit(
            limit_value=lambda: current_app.config["API_LOGIN_RATE_LIMIT"],
            key_func=get_remote_address,
            methods=("POST",),
            error_message="Demasiados intentos de acceso; espera unos segundos.",
        )
    ]

    def response_400(self, message=None):
        """FAB answers a login body's field errors as an object of English lists; here it is one
        Spanish sentence naming the field (issue 22: one error shape)."""
        if isinstance(message, dict) and message:
            field = sorted(message)[0]
            return self.response(400, message=f"El campo «{field}» falta o no es válido.", field=field)
        return super().response_400(message=message)


class ConstraintsAre422:
    """FAB's security APIs answer a unique-constraint violation (a role, user name or
    e-mail that already exists) and a refusal of ours (app/core/administration.py) with 500;
    here they are the refusal's status (422) with its message, nothing written."""

    def response_500(self, message=None):
        error = sys.exc_info()[1]
        if isinstance(error, (IntegrityError, DomainError)):
            self.datamodel.session.rollback()
        if isinstance(error, IntegrityError):
            return self.response_422(message="Ya existe un registro con ese nombre, usuario o correo.")
        if isinstance(error, DomainError):
            return self.response(error.status, **error.to_dict())
        return super().response_500(message=message)


class UserApi(ConstraintsAre422, RestFilters, FabUserApi):
    openapi_spec_methods = SECURITY_SUMMARIES

    def delete_headless(self, pk):
        """A user with history is refused (422 naming why): deactivate them instead."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None:
            try:
                refuse_delete_with_history(self.datamodel.session, item)
            except ValidationError as exc:
                return self.response(422, **exc.to_dict())
        return super().delete_headless(pk)


class RoleApi(ConstraintsAre422, RestFilters, FabRoleApi):
    openapi_spec_methods = SECURITY_SUMMARIES


def _read_only(api_class):
    """Permissions and resources come from the code (`flask seed`); groups are not used:
    their APIs are read-only."""
    return type(api_class.__name__, (RestFilters, api_class), {"include_route_methods": set(READ_ONLY_ROUTES),
                                                               "openapi_spec_methods": SECURITY_SUMMARIES})


@functools.lru_cache(maxsize=1)
def api_only_roles() -> frozenset[str]:
    """Roles of integrations (`api_only: true` in seed/roles/*.yaml): REST only, no pages."""
    return frozenset(name for name, spec in (load_roles().get("roles") or {}).items() if (spec or {}).get("api_only"))


def refuse_pages_to_integrations():
    """An integration's user (only api_only roles) signed in on the web is signed out and told
    to use the REST API with a token (DESIGN: the API role is REST only)."""
    if request.path.startswith(("/api/", "/backend/", "/static", "/login", "/logout")):
        return None
    if not (login_user and login_user.is_authenticated):
        return None
    roles = {role.name for role in login_user.roles}
    if not roles or not roles <= api_only_roles():
        return None
    logout_user()
    flash("Este usuario es de una integración: accede solo por la API REST, con un token (POST /api/v1/security/login).",
          "danger")
    return redirect(url_for("AuthDBView.login"))


@functools.lru_cache(maxsize=1)
def role_labels() -> dict[str, str]:
    """Role name -> its label in seed/roles/*.yaml (Admin and FAB's own roles keep their name)."""
    return {name: (spec or {}).get("label", name) for name, spec in (load_roles().get("roles") or {}).items()}


class UserDBModelView(security_views.UserDBModelView):
    """FAB's users list with roles by their labels, and without the unused groups column
    (issue 9, items 5 and 20: the table fits the page)."""

    list_columns = ["first_name", "last_name", "username", "email", "active", "roles"]
    formatters_columns = {
        "roles": lambda roles: ", ".join(role_labels().get(r.name, r.name) for r in roles or []),
        "active": lambda active: _("Sí") if active else _("No"),
    }


class SecurityManager(FabSecurityManager):
    authdbview = security_views.AuthDBView
    resetmypasswordview = security_views.ResetMyPasswordView
    userdbmodelview = UserDBModelView
    security_api = RateLimitedSecurityApi
    user_api = UserApi
    role_api = RoleApi
    # FAB searches groups by its dotted list columns, which its filters cannot convert: every
    # `flask` command warned "Filter type not supported for column" (issue 9, item 21)
    group_api = type("GroupApi", (_read_only(FabGroupApi),), {"search_columns": ["name", "label", "description"]})
    permission_api = _read_only(FabPermissionApi)
    view_menu_api = _read_only(FabViewMenuApi)
    permission_view_menu_api = _read_only(FabPermissionViewMenuApi)
    # FAB's user statistics page draws with Google Charts from the internet (issue 9, item 20)
    userstatschartview = None

    def is_item_public(self, permission_name, view_name) -> bool:
        """Nothing behind a permission is public: anonymous visitors reach only what needs
        none (the login page, the public certificate check). FAB asked the database for the
        Public role's permissions before every protected request (issue 13); a permission
        given to Public grants nothing (docs/decisions.md)."""
        return False

    def get_user_by_id(self, pk):
        """The user with roles, groups and session version in one statement, once per request
        (FAB read them in three, and the version in a fourth; issue 13)."""
        found = self.session.identity_map.get(identity_key(self.user_model, int(pk)))
        return found if found is not None else load_user(self.session, pk)

    def on_user_login(self, user) -> None:
        """Each login is in the audit of the user's companies, with the client address."""
        record_login(self.session, user)

    def on_user_logout(self, user) -> None:
        """Logging out ends every session and token of the user (issue 8, finding 9)."""
        bump(self.session, user.id)
        self.session.commit()

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids) -> bool:
        """FAB asks once per check (every menu item of every page); here the roles'
        permissions are read once per request and the checks answered from memory."""
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        key = tuple(sorted(role_ids))
        cache = g.setdefault("_role_permissions", {})
        if key not in cache:
            pv, role_link = self.permissionview_model, assoc_permissionview_role
            rows = self.session.execute(
                select(self.permission_model.name, self.viewmenu_model.name)
                .select_from(pv)
                .join(role_link, pv.id == role_link.c.permission_view_id)
                .join(self.permission_model, pv.permission_id == self.permission_model.id)
                .join(self.viewmenu_model, pv.view_menu_id == self.viewmenu_model.id)
                .where(role_link.c.role_id.in_(key))
            )
            cache[key] = set(rows.tuples())
        return (permission_name, view_name) in cache[key]


def existing_record_or_404() -> None:
    """PUT/DELETE on a FAB security resource that does not exist answers 404 (FAB's own
    handlers fail with AttributeError, a 500)."""
    if request.method not in ("PUT", "DELETE") or not request.path.startswith("/api/v1/security/"):
        return
    pk = (request.view_args or {}).get("pk")
    view = current_app.view_functions.get(request.endpoint)
    api = getattr(view, "__self__", None)
    if pk is None or api is None or not hasattr(api, "datamodel"):
        return
    if typed_int(pk) is None or api.datamodel.get(typed_int(pk)) is None:
        raise NotFound("No existe ese registro.")


def ensure_not_found(obj, what: str = "registro"):
    if obj is None:
        raise NotFound(f"No existe ese {what} en la empresa activa.")
    return obj
