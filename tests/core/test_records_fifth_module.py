"""Issue 20, "how we will know": a fifth workflow module that lives only in the tests
(tests/fifth_module: a model, a two-state workflow, one command, one query, a roles file, in
five Python files using only the kit) is installed through its manifest in a test app of its
own database, and gets from app/core/records.py, with no further code: the REST list, show
and create with OpenAPI, the actions endpoints, the list page, the record's page with its
buttons, the creation form, audit entries, the history, company isolation and role refusal."""
from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.models import Model
from app.extensions import db
from tests import factories
from tests.conftest import _database_url, started_app
from tests.fifth_module import MODULE
from tests.fifth_module.models import KitBase, SupplyRequest
from tests.kit import World

API = "/api/v1/kit_supply_request/"
PAGES = "/material/solicitudes"


@pytest.fixture(scope="module")
def kit_app(tmp_path_factory):
    """The app with the fifth module, on a database of its own (its schema made from the
    models: the fifth module has no migration)."""

    def make_schema():
        Model.metadata.create_all(db.engine)
        KitBase.metadata.create_all(db.engine)

    with _database_url(tmp_path_factory) as url, started_app(url, make_schema, extra_modules=[MODULE]) as application:
        yield application


@pytest.fixture(scope="module")
def world(kit_app):
    with kit_app.app_context():
        built = World.build(["KIT_REQUESTER", "KIT_APPROVER", "INST_TECNICO", "Admin"], prefix="fifth")
        built.users["OTHER_REQUESTER@0"] = factories.make_user(
            roles=["KIT_REQUESTER"], companies=[built.companies[0]], username="fifth_other_requester")
        yield built


@pytest.fixture
def kit(kit_app, world):
    with kit_app.app_context():
        yield world


def _create(world, role="KIT_REQUESTER", company=0, **data):
    response = world.api(role, company).post(API, json={"item": "Guantes", "quantity": 3, **data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_rest_create_show_and_list_through_the_module_command(kit):
    created = _create(kit, needed_by="2026-03-09")
    assert created["result"]["state"] == "OPEN" and created["result"]["state_label"] == "Abierta"
    assert created["result"]["needed_by"] == "2026-03-09" and created["result"]["actions"] == []
    pk = created["id"]
    shown = kit.api("KIT_REQUESTER").get(f"{API}{pk}").get_json()["result"]
    assert shown["item"] == "Guantes" and shown["quantity"] == 3
    listed = kit.api("KIT_REQUESTER").get(API).get_json()
    assert pk in listed["ids"]


def test_rest_create_refuses_bad_input_by_field_and_writes_nothing(kit):
    before = kit.session.scalar(select(db.func.count()).select_from(SupplyRequest).execution_options(all_companies=True))
    response = kit.api("KIT_REQUESTER").post(API, json={"item": "Guantes", "quantity": 0})
    assert response.status_code == 422
    assert response.get_json()["field"] == "quantity" and "Cantidad" in response.get_json()["message"]
    response = kit.api("KIT_REQUESTER").post(API, json={"item": "Guantes", "quantity": 2, "colour": "red"})
    assert response.status_code == 422 and response.get_json()["field"] == "colour"
    after = kit.session.scalar(select(db.func.count()).select_from(SupplyRequest).execution_options(all_companies=True))
    assert after == before


def test_openapi_documents_the_resource_and_its_actions(kit):
    paths = kit.api("Admin").get("/api/v1/_openapi").get_json()["paths"]
    for path in (API, API + "{pk}", API + "{pk}/actions", API + "{pk}/actions/{action}", API + "{pk}/history"):
        assert path in paths, path
    assert "post" in paths[API] and "get" in paths[API]
    # written from the endpoints' declarations (app/core/endpoint_docs.py), not hand-written YAML
    act = paths[API + "{pk}/actions/{action}"]["post"]
    parameters = {(p["in"], p["name"]): p["schema"]["type"] for p in act["parameters"]}
    assert parameters == {("path", "pk"): "integer", ("path", "action"): "string",
                          ("header", "Idempotency-Key"): "string", ("header", "If-Match"): "string",
                          ("header", "X-Company-Id"): "string"}
    assert set(act["responses"]) == {"200", "403", "404", "409", "422"}
    assert act["summary"] == "Realizar una acción del flujo"
    history = paths[API + "{pk}/history"]["get"]
    assert history["responses"]["404"] == {"$ref": "#/components/responses/404"}


def test_actions_endpoints_follow_the_workflow_and_the_roles(kit):
    pk = _create(kit)["id"]
    approver, requester = kit.api("KIT_APPROVER"), kit.api("KIT_REQUESTER")
    assert approver.get(f"{API}{pk}/actions").get_json()["actions"] == ["CLOSE"]
    assert requester.get(f"{API}{pk}/actions").get_json()["actions"] == []
    assert requester.post(f"{API}{pk}/actions/CLOSE").status_code == 403
    done = approver.post(f"{API}{pk}/actions/CLOSE")
    assert done.status_code == 200 and done.get_json()["state"] == "CLOSED"
    assert approver.post(f"{API}{pk}/actions/CLOSE").status_code == 403  # no transition out of a final state
    history = requester.get(f"{API}{pk}/history").get_json()["history"]
    assert [e["action"] for e in history] == ["create", "CLOSE"]
    assert history[1]["action_label"] == "Cerrar" and history[1]["to_state"] == "CLOSED"
    assert kit.audit(kit.session.get(SupplyRequest, pk)) == ["create", "CLOSE"]


def test_pages_list_form_detail_buttons_and_history(kit):
    requester = kit.browser("KIT_REQUESTER")
    listed = requester.get(f"{PAGES}/list/").get_data(as_text=True)
    assert "Solicitudes de material" in listed and "record-new" in listed
    refused = requester.post(f"{PAGES}/nuevo", data={"item": "Mascarillas", "quantity": "0"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="Mascarillas"' in page and "field-error" in page
    created = requester.post(f"{PAGES}/nuevo", data={"item": "Mascarillas", "quantity": "5"})
    assert created.status_code == 302
    detail_url = created.headers["Location"]
    mine = requester.get(detail_url).get_data(as_text=True)
    assert "Mascarillas" in mine and "Abierta" in mine and 'data-action="CLOSE"' not in mine
    approver = kit.browser("KIT_APPROVER")
    theirs = approver.get(detail_url).get_data(as_text=True)
    assert 'data-action="CLOSE"' in theirs
    pk = int(detail_url.rstrip("/").rsplit("/", 1)[-1])
    version = kit.session.get(SupplyRequest, pk).version
    closed = approver.post(f"{PAGES}/{pk}/accion/CLOSE", data={"version": version, "idempotency_key": "fifth-1"})
    assert closed.status_code == 302
    after = approver.get(detail_url).get_data(as_text=True)
    assert "Cerrada" in after and "Cerrar" in after  # the state, and the timeline's action
    admin = kit.browser("Admin")
    link = re.search(r'class="btn btn-sm btn-default history-link" href="([^"]+)"', admin.get(detail_url).get_data(as_text=True))
    history = admin.get(link.group(1)).get_data(as_text=True)
    assert "Solicitudes de material" in history and "Cerrar" in history and "Alta" in history


def test_other_company_and_other_requester_get_404(kit):
    pk = _create(kit)["id"]
    outsider = kit.api("KIT_APPROVER", 1)
    for response in (outsider.get(f"{API}{pk}"), outsider.get(f"{API}{pk}/actions"),
                     outsider.post(f"{API}{pk}/actions/CLOSE"), outsider.get(f"{API}{pk}/history")):
        assert response.status_code == 404
    assert pk not in outsider.get(API).get_json()["ids"]
    assert kit.browser("KIT_APPROVER", 1).get(f"{PAGES}/{pk}").status_code == 404
    other = kit.api(kit.user("OTHER_REQUESTER"))  # same company, not theirs: the row rule
    assert other.get(f"{API}{pk}").status_code == 404
    assert pk not in other.get(API).get_json()["ids"]


def test_a_role_without_the_module_is_refused(kit):
    stranger = kit.api("INST_TECNICO")
    assert stranger.get(API).status_code == 403
    assert stranger.post(API, json={"item": "Guantes", "quantity": 1}).status_code == 403
    page = kit.browser("INST_TECNICO").get(f"{PAGES}/list/")
    assert page.status_code in (302, 403)


def test_a_constraint_broken_from_the_creation_form_is_a_422_beside_the_form_not_a_500(kit, kit_app, monkeypatch):
    """The creation form answers a database refusal (a constraint the input broke) as it answers
    the command's own refusals: 422, the form again with what was typed, nothing written."""
    pages = next(v for v in kit_app.appbuilder.baseviews if type(v).__name__ == "SupplyRequestPages")

    def broken(**_):
        raise IntegrityError("INSERT INTO kit_supply_request", {}, Exception("unique constraint failed"))

    monkeypatch.setattr(pages, "record", dataclasses.replace(pages.record, create=broken))
    count = select(db.func.count()).select_from(SupplyRequest).execution_options(all_companies=True)
    before = kit.session.scalar(count)
    answer = kit.browser("KIT_REQUESTER").post(f"{PAGES}/nuevo", data={"item": "Batas", "quantity": "2"})
    assert answer.status_code == 422 and 'value="Batas"' in answer.get_data(as_text=True)
    assert kit.session.scalar(count) == before
