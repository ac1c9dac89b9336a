"""FAB's `q` validation with validators built once (issue 13): the same answers as
jsonschema.validate, and a REST list still refuses a `q` its schema does not allow."""
from __future__ import annotations

import jsonschema
import pytest
from flask_appbuilder.api import get_list_schema

from app.core.fab_speed import CachedJsonSchema


@pytest.mark.parametrize("instance", [
    {"page": 0, "page_size": 20},
    {"page": "primera"},
    {"filters": [{"col": "state", "opr": "eq", "value": "ACCEPTED"}]},
    {"filters": [{"col": "state"}]},
    {"order_direction": "sideways"},
])
def test_same_verdict_and_message_as_jsonschema(instance):
    cached = CachedJsonSchema()
    try:
        jsonschema.validate(instance=instance, schema=get_list_schema)
        expected = None
    except jsonschema.ValidationError as exc:
        expected = str(exc).split("\n", 1)[0]
    for _ in range(2):  # the first call builds the validator, the second reuses it
        try:
            cached.validate(instance=instance, schema=get_list_schema)
            got = None
        except jsonschema.ValidationError as exc:
            got = str(exc).split("\n", 1)[0]
        assert got == expected


def test_a_schema_is_checked_once():
    cached, calls = CachedJsonSchema(), []
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    original = jsonschema.Draft202012Validator.check_schema

    def counting(cls_schema):
        calls.append(1)
        return original(cls_schema)

    jsonschema.Draft202012Validator.check_schema = staticmethod(counting)
    try:
        for _ in range(5):
            cached.validate({"n": 1}, schema)
    finally:
        jsonschema.Draft202012Validator.check_schema = original
    assert len(calls) == 1
    with pytest.raises(jsonschema.ValidationError):
        cached.validate({"n": "uno"}, schema)


def test_rest_list_still_refuses_a_bad_q(api, make_user, make_company):
    company = make_company()
    manager = make_user(roles=["INST_GESTOR_OPERACIONES"], companies=[company])
    client = api(manager, company)
    assert client.get("/api/v1/installation_order/?q=(page_size:5)").status_code == 200
    for q, words in (("(order_direction:sideways)", "debe ser uno de: asc, desc (no «sideways»)"),
                     ("(keys:!(nada))", "«keys.0» de la consulta 'q' debe ser uno de"),
                     ("(page_size:texto)", "'page_size' de la consulta 'q' debe ser un entero"),
                     ("(filters:!((col:state)))", "Falta un dato obligatorio en «filters.0»")):
        bad = client.get(f"/api/v1/installation_order/?q={q}")
        assert bad.status_code == 422 and bad.get_json()["field"] == "q", (q, bad.get_json())
        assert words in bad.get_json()["message"], bad.get_json()
