"""Issue 19 sweep (b): a role not granted the permission a route checks gets 403 there.

Routes and the (permission, view menu) FAB checks for each come from the application
(tests/sweeps/discovery.py); roles and what they are granted from FAB's security manager
(as seed/roles/*.yaml made them). Company A's demo user of each role asks, with A's real ids
in the path: a route that forgot its check would answer with A's record.

The whole matrix is some 14,000 requests; it is covered in two passes instead:
- every route, by the lacking role that holds the most on the same view menu (a read-only
  role on a write route: the one a wrong permission name would let through);
- every permission, by each kind of role that lacks it: FAB decides from what the role holds
  on the permission's view menu, so roles that hold the same there (often nothing) are
  alike and one of them, in turn, is asked; on an API route when there is one (a JSON 403
  costs a tenth of a page); and every role at least once.
"""
from __future__ import annotations

from flask import current_app

from tests.sweeps import discovery
from tests.sweeps.calls import call, needs_token, path_values
from tests.sweeps.discovery import SWEPT


def _granted(world) -> dict[str, set]:
    sm = current_app.appbuilder.sm
    return {role: {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role(role).permissions}
            for role in world.roles}


def _plan(routes, granted) -> list[tuple]:
    """(route, role) pairs: see the module docstring."""
    plan, covered = [], set()
    for route in routes:
        lacking = [role for role in sorted(granted) if route.permission not in granted[role]]
        if lacking:
            menu = route.permission[1]
            lacking.sort(key=lambda role: (-sum(1 for p in granted[role] if p[1] == menu), -len(granted[role]), role))
            plan.append((route, lacking[0]))
            covered.add((lacking[0], route.permission))
    by_pair: dict[tuple, list] = {}
    for route in sorted(routes, key=lambda r: (not needs_token(r), r.method != "GET", r.rule)):
        by_pair.setdefault(route.permission, []).append(route)
    for n, pair in enumerate(sorted(by_pair)):
        # FAB decides from what the role holds on the pair's view menu: roles holding the same
        # there are alike; each such group lacking the permission is asked once (in turn)
        alike: dict[frozenset, list] = {}
        for role in sorted(granted):
            if pair not in granted[role]:
                alike.setdefault(frozenset(p for p in granted[role] if p[1] == pair[1]), []).append(role)
        for roles in alike.values():
            if not any((role, pair) in covered for role in roles):
                plan.append((by_pair[pair][0], roles[n % len(roles)]))
                covered.add((roles[n % len(roles)], pair))
    for role in sorted(set(granted) - {role for _route, role in plan}):  # and every role at least once
        pair = next((p for p in sorted(by_pair, key=lambda p: not needs_token(by_pair[p][0])) if p not in granted[role]),
                    None)
        if pair is not None:
            plan.append((by_pair[pair][0], role))
    return plan


def test_every_role_without_the_permission_of_a_route_gets_403_there(app, world, timed):
    granted = _granted(world)
    routes = [r for r in discovery.routes(app) if r.permission]
    plan = _plan(routes, granted)
    clients = {}
    for role, token in sorted({(role, needs_token(route)) for route, role in plan}):
        username = world.role_user(world.a, role)
        clients[role, token] = world.api(app, username, world.a) if token else world.browser(app, username, world.a)
    admins = {True: world.api(app, world.users["a_admin"], world.a),
              False: world.browser(app, world.users["a_admin"], world.a)}
    before, fingerprint = world.counts(), world.fingerprint()  # after the sign-ins (each one is audited)
    wrong, dead = [], set()
    for route, role in plan:
        values = path_values(app, world, route) or path_values(app, world, route, ghost=True)
        response = call(clients[role, needs_token(route)], route, values)
        if response.status_code == 403 or route in dead:
            continue
        if response.status_code == 404 and call(admins[needs_token(route)], route, values).status_code == 404:
            dead.add(route)  # answers 404 to Admin too (e.g. FAB's file download of a view without files)
            continue
        wrong.append((role, str(route), route.permission, response.status_code))
    SWEPT["(b) protected routes"] += len(routes)
    SWEPT["(b) role x route requests"] += len(plan)
    SWEPT["(b) roles"] += len(granted)
    SWEPT["(b) routes that serve no one (404 to Admin too)"] += len(dead)
    assert wrong == [], f"{len(wrong)} routes let a role without their permission in:\n" + "\n".join(map(str, wrong))
    assert world.fingerprint() == fingerprint
    assert world.counts() == before
