"""Schema fuzzing of the REST API (schemathesis over /api/v1/_openapi, issue 19), as the
platform's Admin over every operation and as one restricted role per module over its module's
operations, each with its JWT and X-Company-Id. Positive and negative data. Whatever the
input: never a 5xx; every error is JSON with a message; a request the schema forbids (negative
data) is never a 2xx; an operation the role is not granted is 403/404 whatever the input."""
from __future__ import annotations

import re

import pytest
import schemathesis
from flask import current_app
from flask.globals import _cv_app
from schemathesis.specs.openapi.checks import negative_data_rejection

from app.extensions import db
from tests.api.conftest import (
    HYPOTHESIS,
    PROFILE,
    RESTRICTED,
    granted,
    operation_module,
    operation_permission,
)

SESSION_PATHS = ("/api/v1/security/login", "/api/v1/security/refresh")
# FAB's own role and permission editing writes the role tables the suite keeps between tests
# (tests/conftest.py KEEP_TABLES): a fuzzed PUT/DELETE there would change every later test's roles
NOT_FUZZED_WRITES = r"^/api/v1/security/(roles|permissions|resources|permissions-resources)"
# Documented schemas that admit less than the API accepts (issue 22 makes them exact): negative
# data the API rightly takes, so "no 2xx for negative data" is not asserted on these operations.
SCHEMA_LOOSER_THAN_API: dict[str, str] = {}
# what a role gets on an operation it is not granted: 403/404, or 400/422 from the core's syntax
# checks (malformed Rison or JSON, a number out of range: app/core/api.py check_api_input), which
# run before FAB's permission check and read no data; 405 for an id that is not a number (FAB
# routes GET /<int:pk> but PUT and DELETE /<pk>: such a GET matches only those)
REFUSED_WITHOUT_PERMISSION = (400, 403, 404, 405, 422)


def _admin_scope(ctx) -> bool:
    op = ctx.operation
    return not (op.method.upper() != "GET" and re.match(NOT_FUZZED_WRITES, op.path))


admin_schema = schemathesis.pytest.from_fixture("api_schema").include(_admin_scope)


def _in_module(module: str):
    """The operations served by app.<module>'s views (read from the URL map, not a list)."""
    return lambda ctx: operation_module(current_app._get_current_object(), ctx.operation.method,
                                        ctx.operation.path) == module


def call(case, identity):
    """Send the case as `identity`, in a request of its own app context and session."""
    headers = identity.headers()
    if case.path.startswith(SESSION_PATHS):
        case.headers, headers = {}, {}
    db.session.commit()
    token = _cv_app.set(None)
    try:
        return case.call(headers=headers)
    finally:
        _cv_app.reset(token)


def check(app, world, identity, case, response) -> None:
    label = (identity.name, case.method, case.formatted_path, case.query, case.body, response.status_code,
             response.text[:300])
    status = response.status_code
    assert status < 500, label
    if case.method.upper() != case.operation.method.upper():
        # the coverage phase's probe of a method the path does not serve: refused (405, or the
        # core's input check first), bar the OPTIONS and HEAD Flask answers by itself
        assert status >= 400 or case.method.upper() in ("OPTIONS", "HEAD"), label
        return
    if not granted(app, identity, case.operation.method, case.operation.path):
        assert status in REFUSED_WITHOUT_PERMISSION, label
    if status >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), label
        assert "message" in response.json(), label
    if case.meta.generation.mode.is_negative and f"{case.method} {case.path}" not in SCHEMA_LOOSER_THAN_API:
        case.validate_response(response, checks=[negative_data_rejection])
    if case.method != "GET" and status < 400:
        world.ensure_intact()


@admin_schema.parametrize()
@HYPOTHESIS
def test_admin_input_never_reaches_a_server_error(case, app, fuzz_world):
    identity = fuzz_world.identities["admin"]
    check(app, fuzz_world, identity, case, call(case, identity))


def _restricted_test(module: str):
    @schemathesis.pytest.from_fixture("api_schema").include(_in_module(module)).parametrize()
    @HYPOTHESIS
    def test(case, app, fuzz_world):
        identity = fuzz_world.identities[module]
        check(app, fuzz_world, identity, case, call(case, identity))

    test.__doc__ = f"{RESTRICTED[module]} over app.{module}'s operations."
    return test


for _module, _role in RESTRICTED.items():
    globals()[f"test_{_role.lower()}_fuzzed_over_{_module}"] = _restricted_test(_module)


@pytest.mark.parametrize("module", sorted(RESTRICTED))
def test_restricted_role_is_refused_every_operation_it_is_not_granted(app, fuzz_world, api_schema, module):
    """Outside its module, every operation whose permission the role lacks answers 403 (or 404),
    with a JSON message: one plain request (path ids 1, an empty JSON body) per operation, or in
    the ci profile per permission lacked."""
    identity = fuzz_world.identities[module]
    client, refused, asked = app.test_client(), 0, set()
    for result in api_schema.get_all_operations():
        op = result.ok()
        if operation_module(app, op.method, op.path) == module or granted(app, identity, op.method, op.path):
            continue
        key = operation_permission(app, op.method, op.path) if PROFILE["refusals"] == "permission" else op.label
        if key in asked:
            continue
        asked.add(key)
        url = re.sub(r"\{[^}]+\}", "1", op.path)
        body = {"json": {}} if op.method.upper() in ("POST", "PUT", "PATCH") else {}
        r = client.open(url, method=op.method.upper(), headers=identity.headers(), **body)
        assert r.status_code in (403, 404) and "message" in (r.get_json(silent=True) or {}), \
            (module, op.method, op.path, r.status_code, r.get_data(as_text=True)[:200])
        refused += 1
    assert refused > 40, refused  # the other modules' and the platform's permissions
