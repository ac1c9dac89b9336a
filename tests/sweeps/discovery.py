"""What the sweeps sweep, read from the application itself (issue 19): every rule of the URL
map with the FAB view behind it and the permission FAB checks for it, every REST API and
ModelView with their search filters (column, operator index, Rison operator, kind of value)
and order columns, every form with its relation fields. No list is kept by hand: a view,
API or route added later is in here by being registered.

The only names written here are the routes a sweep cannot call without ending its own
session or leaving the application (SESSION_ROUTES, SKIP_PREFIXES)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from flask_appbuilder import ModelView
from flask_appbuilder.api import ModelRestApi
from werkzeug.routing import IntegerConverter

from app.core.tenancy import TenantMixin

SKIP_PREFIXES = ("/static", "/appbuilder/", "/swagger")
# logging in or out, switching language or going "back" change the caller's session, not data
SESSION_ROUTES = {"AuthDBView.login", "AuthDBView.logout", "SecurityApi.login", "SecurityApi.refresh",
                  "LocaleView.index", "LanguageView.switch", "UtilView.back"}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# What the sweeps did, printed at the end of the run (conftest.pytest_terminal_summary).
SWEPT: Counter = Counter()
TIMES: dict[str, float] = {}


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    endpoint: str
    view: object = field(compare=False, hash=False)
    int_args: tuple[str, ...]
    text_args: tuple[str, ...]
    permission: tuple[str, str] | None  # (permission, view menu) FAB checks; None: not protected

    @property
    def api(self) -> bool:
        return self.rule.startswith("/api/")

    @property
    def model(self):
        datamodel = getattr(self.view, "datamodel", None)
        return getattr(datamodel, "obj", None)

    @property
    def platform(self) -> bool:
        """A route over rows that belong to no company (users, roles, companies...)."""
        return self.model is not None and not issubclass(self.model, TenantMixin)

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS

    def url(self, values: dict) -> str:
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), self.rule)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def take_inventory(app) -> None:
    """What the application registers, for the summary line (the same for every sweep)."""
    SWEPT["inventory: routes (rule x method)"] = len(routes(app))
    SWEPT["inventory: REST APIs"] = len(rest_apis(app))
    SWEPT["inventory: ModelViews"] = len(model_views(app))
    SWEPT["inventory: forms"] = len(forms(app))
    SWEPT["inventory: list filters (column x operator)"] = sum(len(filters(view)) for view in list_views(app))
    SWEPT["inventory: lists (pages and APIs)"] = len(list_views(app))
    SWEPT["inventory: order columns"] = sum(len(order_columns(view)) for view in list_views(app))


def required_permission(view, method_name: str) -> tuple[str, str] | None:
    """The (permission, view menu) pair FAB's has_access / protect check for this method."""
    function = getattr(view, method_name, None)
    name = getattr(function, "_permission_name", None)
    if view is None or name is None:
        return None
    name = (getattr(view, "method_permission_name", None) or {}).get(method_name) or name
    return f"can_{name}", view.class_permission_name


def routes(app) -> list[Route]:
    """Every (rule, method) of the URL map but static files and the session's own routes."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIP_PREFIXES) or rule.endpoint in SESSION_ROUTES or rule.endpoint == "static":
            continue
        function = app.view_functions[rule.endpoint]
        view = getattr(function, "__self__", None)
        method_name = rule.endpoint.rsplit(".", 1)[-1]
        converters = rule._converters
        # FAB routes GET as /<int:pk> but PUT and DELETE as /<pk>: a pk is an id either way
        int_args = tuple(sorted(n for n, c in converters.items() if isinstance(c, IntegerConverter) or n == "pk"))
        text_args = tuple(sorted(n for n in converters if n not in int_args))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(Route(rule.rule, method, rule.endpoint, view, int_args, text_args,
                               required_permission(view, method_name)))
    return sorted(found, key=lambda r: (r.rule, r.method))


def rest_apis(app) -> list:
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]


def model_views(app) -> list:
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelView)]


def route_methods(app, view) -> set[str]:
    """The FAB route methods the view really serves (after include/exclude_route_methods)."""
    prefix = f"{type(view).__name__}."
    return {r.endpoint.rsplit(".", 1)[-1] for r in app.url_map.iter_rules() if r.endpoint.startswith(prefix)}


def list_views(app) -> list:
    """ModelViews with a list page and REST APIs with a list route: the filterable ones."""
    views = [v for v in model_views(app) if "list" in route_methods(app, v)]
    return views + [v for v in rest_apis(app) if "get_list" in route_methods(app, v)]


def list_url(view) -> str:
    return f"{view.route_base}/" if isinstance(view, ModelRestApi) else f"{view.route_base}/list/"


def is_api(view) -> bool:
    return isinstance(view, ModelRestApi)


# --- filters -----------------------------------------------------------------------------

KINDS = ("relation", "boolean", "integer", "number", "date", "datetime", "json", "text", "other")


def column_kind(datamodel, column: str) -> str:
    checks = (("relation", datamodel.is_relation), ("boolean", datamodel.is_boolean),
              ("integer", datamodel.is_integer), ("number", lambda c: datamodel.is_float(c) or datamodel.is_numeric(c)),
              ("datetime", datamodel.is_datetime), ("date", datamodel.is_date), ("json", datamodel.is_json),
              ("text", lambda c: datamodel.is_string(c) or datamodel.is_text(c)))
    return next((kind for kind, test in checks if test(column)), "other")


@dataclass(frozen=True)
class Filter:
    """One operator of one search column of one list view."""

    view_name: str
    column: str
    index: int  # the n of the page's _flt_<n>_<column>
    operator: str | None  # the Rison opr (arg_name)
    kind: str


def filters(view) -> list[Filter]:
    """The view's search filters as its list offers them: on a page `_flt_<index>_<column>`
    indexes the column's filters, on the API `opr` names one."""
    found = []
    offered = view._filters.get_search_filters()
    for column in offered:
        kind = column_kind(view.datamodel, column)
        indexed = view._filters._all_filters.get(column, []) if not is_api(view) else offered[column]
        for index, flt in enumerate(indexed):
            found.append(Filter(type(view).__name__, column, index, flt.arg_name, kind))
    return found


def order_columns(view) -> list[str]:
    return list(getattr(view, "order_columns", None) or [])


# --- forms -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Form:
    """A ModelView's add or edit form, or a REST API's add/edit schema: the fields a caller
    fills, and which of them name a related row (relation -> related model)."""

    view_name: str
    route_method: str  # add / edit (pages), post / put (API)
    fields: tuple[str, ...]
    relations: tuple[tuple[str, type], ...]


def forms(app) -> list[Form]:
    found = []
    for view in model_views(app):
        served = route_methods(app, view)
        for method, columns in (("add", "add_columns"), ("edit", "edit_columns")):
            if method in served:
                found.append(_form(view, method, getattr(view, columns, None) or []))
    for api in rest_apis(app):
        served = route_methods(app, api)
        for method, columns in (("post", "add_columns"), ("put", "edit_columns")):
            if method in served:
                found.append(_form(api, method, getattr(api, columns, None) or []))
    return found


def _form(view, method: str, columns) -> Form:
    datamodel = view.datamodel
    relations = tuple((c, datamodel.get_related_model(c)) for c in columns if datamodel.is_relation(c))
    return Form(type(view).__name__, method, tuple(columns), relations)
