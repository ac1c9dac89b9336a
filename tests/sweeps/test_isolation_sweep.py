"""Issue 19 sweep (a): a user of company B reaches nothing of company A, on any route.

Every route of the URL map (tests/sweeps/discovery.py) is called by B's user who holds every
role (B's Admin where no role grants the route), twice: once naming A's rows (ids in the
path, related ids in the query, the form or the JSON body) and once naming rows no table has.
For each route:
- both answers have the same status: A's record is indistinguishable from none (404/403
  on A's ids, the same refusal for A's related rows as for missing ones);
- no answer shows A's texts (names, drop-down labels, A's users) and no list or _info
  returns an id of A's rows;
- the call naming A's rows writes nothing at all (no row added or removed anywhere; A's
  rows, compared before and after the whole sweep, unchanged).
Then every list, filtered by a relation on A's rows and sorted by each column that joins
another table, shows nothing of A either.

Rows of no company (users, roles, companies, memberships) are the platform's: their routes
are Admin's by design and are not swept here. Public pages (no permission, answered to an
anonymous visitor too, e.g. the certificate check) show what they show to anyone."""
from __future__ import annotations

import prison
from flask import current_app

from app.core.tenancy import TenantMixin
from tests.sweeps import discovery
from tests.sweeps.calls import call, needs_token, path_values
from tests.sweeps.discovery import SWEPT, is_api, list_url
from tests.sweeps.world import GHOST_ID

LIST_ALL = 100  # rows per page: the whole of B's demo data on one page


def _granted(world) -> set:
    sm = current_app.appbuilder.sm
    return {(pv.permission.name, pv.view_menu.name) for role in world.roles for pv in sm.find_role(role).permissions}


class Caller:
    """B's clients: the user with every role, and B's Admin for what no role grants."""

    def __init__(self, app, world):
        self.world, self.granted = world, _granted(world)
        users = world.users
        self.clients = {(who, token): (world.api(app, users[who], world.b) if token
                                       else world.browser(app, users[who], world.b))
                        for who in ("b_all", "b_admin") for token in (True, False)}
        self.anonymous = app.test_client()

    def client(self, route):
        who = "b_all" if route.permission is None or route.permission in self.granted else "b_admin"
        return self.clients[who, needs_token(route)]

    def public(self, route, url) -> bool:
        return route.permission is None and route.method == "GET" and self.anonymous.get(url).status_code == 200


def _forms(app) -> dict:
    return {(f.view_name, f.route_method): f for f in discovery.forms(app)}


def _payloads(world, route, forms, ghost: bool):
    """The data and query naming A's related rows (or no rows) the route might read."""
    method_name = route.endpoint.rsplit(".", 1)[-1]
    form = forms.get((type(route.view).__name__, method_name))
    if form is not None:  # a ModelView form or a REST schema: exactly its relation fields
        data = {name: GHOST_ID if ghost else world.a_id(model) for name, model in form.relations}
        data = {k: v for k, v in data.items() if v is not None}
    else:
        data = world.relation_args(ghost)
    if not route.writes:
        query = dict(data)
        if method_name == "list":
            query[f"psize_{type(route.view).__name__}"] = LIST_ALL
        elif method_name == "get_list":
            query["q"] = prison.dumps({"page_size": LIST_ALL})
        return None, query
    return data, None


def _shown_ids(world, route, response) -> list:
    """Ids of A's rows in a REST list (`ids`) or offered by _info (`values` of a relation)."""
    body = response.get_json(silent=True) if response.is_json else None
    if not isinstance(body, dict) or route.model is None:
        return []
    found = sorted(set(body.get("ids") or []) & world.a_ids.get(route.model, set()))
    datamodel = route.view.datamodel
    for key in ("add_columns", "edit_columns", "filters"):
        fields = body.get(key) or []
        for fld in fields if isinstance(fields, list) else []:
            name = fld.get("name") if isinstance(fld, dict) else None
            if name and datamodel.is_relation(name):
                offered = {v.get("id") for v in fld.get("values") or [] if isinstance(v, dict)}
                found += sorted(offered & world.a_ids.get(datamodel.get_related_model(name), set()))
    return found


def test_a_user_of_another_company_reaches_nothing_of_company_a_on_any_route(app, world, timed):
    caller, forms = Caller(app, world), _forms(app)
    problems, swept, without_rows, accepted_writes = [], 0, [], []
    fingerprint = world.fingerprint()
    for route in discovery.routes(app):
        if route.platform:
            continue
        values = path_values(app, world, route)
        if values is None:
            without_rows.append(str(route))
            continue
        client = caller.client(route)
        data, query = _payloads(world, route, forms, ghost=False)
        before = world.counts() if route.writes else None
        mine = call(client, route, values, data, query)
        if before is not None and world.counts() != before:
            problems.append((str(route), "wrote something naming A's rows", mine.status_code))
        if route.writes and mine.status_code < 400:
            accepted_writes.append((str(route), mine.status_code))
        data, query = _payloads(world, route, forms, ghost=True)
        ghost = call(client, route, path_values(app, world, route, ghost=True), data, query)
        swept += 1
        if mine.status_code != ghost.status_code or mine.status_code >= 500:
            problems.append((str(route), f"A's rows answer {mine.status_code}, no rows {ghost.status_code}",
                             mine.get_data(as_text=True)[:200]))
        if mine.status_code < 400 and not caller.public(route, route.url(values)):
            leaks = world.leaks(world.answer_text(mine))
            if leaks:
                problems.append((str(route), "shows A's texts", leaks[:5]))
        if _shown_ids(world, route, mine):
            problems.append((str(route), "lists A's ids", _shown_ids(world, route, mine)[:5]))
    SWEPT["(a) routes called as company B"] += swept
    SWEPT["(a) routes over rows of no company (not swept)"] += sum(1 for r in discovery.routes(app) if r.platform)
    SWEPT["(a) routes over models A has no rows of (not swept)"] += len(without_rows)
    assert problems == [], f"{len(problems)} routes reach company A's data:\n" + "\n".join(map(str, problems))
    changed = sorted(t for t, digest in world.fingerprint().items() if fingerprint[t] != digest)
    assert changed == [], f"A's rows changed in {changed}; writes answered below 400: {accepted_writes}"


def _list_requests(world, view):
    """(what, args A, args no rows) for each relation filter of the list, and its sorts."""
    name = type(view).__name__
    requests = []
    for flt in discovery.filters(view):
        if flt.kind != "relation" or flt.index != 0:
            continue
        model = view.datamodel.get_related_model(flt.column)
        mine = world.a_id(model)
        if mine is None:
            continue
        for value, ghost in ((mine, False), (GHOST_ID, True)):
            if is_api(view):
                args = {"q": prison.dumps({"page_size": LIST_ALL,
                                           "filters": [{"col": flt.column, "opr": flt.operator, "value": value}]})}
            else:
                args = {f"_flt_0_{flt.column}": value, f"psize_{name}": LIST_ALL}
            requests.append((f"filter {flt.column}", args, ghost))
    joins = [c for c in discovery.order_columns(view) if "." in c or view.datamodel.is_relation(c)]
    for column in joins or discovery.order_columns(view)[:1]:
        args = ({"q": prison.dumps({"page_size": LIST_ALL, "order_column": column, "order_direction": "desc"})}
                if is_api(view) else {f"_oc_{name}": column, f"_od_{name}": "desc", f"psize_{name}": LIST_ALL})
        requests.append((f"sort {column}", args, None))
    return requests


def test_lists_filtered_by_company_a_rows_or_sorted_show_nothing_of_company_a(app, world, timed):
    caller = Caller(app, world)
    problems, count = [], 0
    for view in discovery.list_views(app):
        if not issubclass(view.datamodel.obj, TenantMixin):
            continue  # a list of platform rows
        route = next(r for r in discovery.routes(app) if r.rule == list_url(view) and r.method == "GET")
        statuses = {}
        for what, args, ghost in _list_requests(world, view):
            response = caller.client(route).get(list_url(view), query_string=args)
            count += 1
            if ghost is not None:
                statuses.setdefault(what, {})[ghost] = response.status_code
            leaks = world.leaks(world.answer_text(response)) if response.status_code < 400 else []
            shown = _shown_ids(world, route, response)
            if response.status_code >= 500 or leaks or shown:
                problems.append((list_url(view), what, response.status_code, leaks[:5], shown[:5]))
        problems += [(list_url(view), what, "A's rows answer", s[False], "no rows", s[True])
                     for what, s in statuses.items() if s[False] != s[True]]
    SWEPT["(a) list requests (filters on A's rows, sorts)"] += count
    assert problems == [], "\n".join(map(str, problems))
