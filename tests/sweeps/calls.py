"""Calling a discovered route: the values of its path arguments (an id of company A's rows of
the model the argument names, or an id no table has) and the client it needs (a JWT for the
REST API and FAB's other BaseApi routes, a signed-in browser for pages)."""
from __future__ import annotations

from flask_appbuilder.api import BaseApi

from tests.sweeps.world import GHOST_ID, World, tenant_models


def needs_token(route) -> bool:
    return route.api or isinstance(route.view, BaseApi)


def arg_models(app, route, arg: str) -> list[type]:
    """The models an id argument may name: the view's own for its `pk`, else those of every
    view sharing its permission (a page over orders names orders, results, evidence...), else
    every tenant model."""
    if arg == "pk" and route.model is not None:
        return [route.model]
    permission = getattr(route.view, "class_permission_name", None)
    tenant = set(tenant_models())
    same = {view.datamodel.obj for view in app.appbuilder.baseviews
            if permission and getattr(view, "class_permission_name", None) == permission
            and getattr(getattr(view, "datamodel", None), "obj", None) in tenant}
    return sorted(same, key=lambda m: m.__name__) or sorted(tenant, key=lambda m: m.__name__)


def path_values(app, world: World, route, ghost: bool = False) -> dict | None:
    """Values for the route's arguments naming A's rows (None when A has none), or, with
    `ghost`, ids no table has (text arguments keep A's value: only the ids differ)."""
    values = {}
    for arg in route.int_args:
        found = GHOST_ID if ghost else world.a_id(*arg_models(app, route, arg))
        if found is None:
            return None
        values[arg] = found
    for arg in route.text_args:
        values[arg] = world.a_values.get(arg, "x")
    return values


def call(client, route, values: dict, data=None, query=None):
    """Send the route's method to its URL; `data` goes as JSON to a token client (an
    ApiClient), as a form to a browser."""
    url = route.url(values)
    kwargs = {"method": route.method, "query_string": query}
    if route.method in ("POST", "PUT", "PATCH"):
        kwargs.update({"json": data if data is not None else {}} if hasattr(client, "token") else {"data": data or {}})
    if hasattr(client, "token"):
        return client.client.open(url, headers=client.headers(), **kwargs)
    return client.open(url, **kwargs)
