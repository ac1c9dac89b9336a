"""REST base classes: tenant-scoped ModelRestApi and the uniform workflow action endpoints
(DESIGN "Platform core: REST")."""
from __future__ import annotations

import functools
import math
import re
import sys

import prison
from flask import Request, Response, g, request
from flask_appbuilder.api import ModelRestApi, expose, protect, safe
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from marshmallow import ValidationError as MarshmallowValidationError
from marshmallow import fields
from marshmallow_sqlalchemy import ModelConverter
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy import inspect, select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from werkzeug.exceptions import BadRequest

from app.core import idempotency
from app.core.commands import request_context, run_in
from app.core.constraints import explain
from app.core.endpoint_docs import STANDARD_SUMMARIES, document
from app.core.errors import DomainError, NotFound, ValidationError
from app.core.fab_lists import RestFilters
from app.core.identity import current_user, user_ref
from app.core.pages import rollback_after
from app.core.security import (  # noqa: F401 (shared here)
    READ_ONLY_ROUTES,
    READ_WRITE,
    READ_WRITE_ROUTES,
)
from app.core.validation import typed_int
from app.extensions import db

MAX_DB_INT = 2**31 - 1  # PostgreSQL INTEGER, the type of every id and count column here
MAX_JSON_FLOAT = 1e15  # beyond every Numeric column here (the widest, Numeric(18, 6), < 1e12)

API_PERMISSIONS = {**READ_WRITE, "actions": "read", "perform_action": "read", "history": "read"}


def json_body(required: bool = True) -> dict:
    """The request's JSON object, or a 422/400 naming the problem."""
    if not request.data:
        if required:
            raise ValidationError("Falta el cuerpo JSON de la petición.")
        return {}
    payload = request.get_json(silent=True)
    if payload is None:
        raise ValidationError("El cuerpo de la petición no es JSON válido.")
    if not isinstance(payload, dict):
        raise ValidationError("El cuerpo debe ser un objeto JSON.")
    return payload


class JsonRequest(Request):
    """A body that is not JSON is a 400 with a message, never a 415 that FAB's @safe
    would turn into a 500; nor is JSON nested too deep for the parser (RecursionError)."""

    def get_json(self, *args, **kwargs):
        try:
            return super().get_json(*args, **kwargs)
        except RecursionError:
            raise BadRequest("El cuerpo JSON está anidado demasiado profundamente.") from None

    def on_json_loading_failed(self, e):
        if e is None:
            raise BadRequest("El cuerpo de la petición debe ser JSON (Content-Type: application/json).")
        raise BadRequest("El cuerpo de la petición no es JSON válido.")


def _out_of_range(value, path: str = "") -> str | None:
    """The path of the first number no column can hold: an integer beyond INTEGER, or a float
    that is not finite (JSON's Infinity, NaN, or 1e400 read as inf) or beyond MAX_JSON_FLOAT."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return path if abs(value) > MAX_DB_INT else None
    if isinstance(value, float):
        return path if not math.isfinite(value) or abs(value) >= MAX_JSON_FLOAT else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _out_of_range(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def check_api_input() -> None:
    """Refuse, before any handler runs, API input that would fail deep inside a library
    instead of answering the caller (before_request):
    - a `q` argument that is not valid Rison (FAB's parser raises ValueError);
    - a number no database column can hold (SQLite raises OverflowError, PostgreSQL
      NumericValueOutOfRange), nor int() (Infinity, NaN, 1e400), in `q` or the JSON body:
      422 naming the field."""
    if not request.path.startswith("/api/"):
        return
    if "q" in request.args:
        try:
            query = g.rison_q = prison.loads(request.args["q"])  # parsed once (web_input reads it)
        except Exception:
            raise ValidationError("El parámetro 'q' no es Rison válido.", field="q") from None
        if _out_of_range(query) is not None:
            raise ValidationError("Un número de la consulta 'q' está fuera de rango.", field="q")
    for value in (request.view_args or {}).values():
        # FAB routes GET as /<int:pk> but PUT and DELETE as /<pk> (text)
        text = str(value).strip()
        if re.fullmatch(r"-?\d+", text) and abs(int(text)) > MAX_DB_INT:
            raise NotFound("No existe ese registro en la empresa activa.")
    if request.is_json and request.content_length:
        field = _out_of_range(request.get_json(silent=True))
        if field is not None:
            raise ValidationError(f"El campo '{field or 'cuerpo'}' tiene un número fuera de rango.", field=field or None)


class StrictRelated(Related):
    """A related record named by its id, visible in the active company.

    marshmallow-sqlalchemy's Related turns an object or an unknown id into a new, unsaved
    record; here both are refused with a message on the field (422), the same answer
    whether the id belongs to another company or to nobody."""

    def _deserialize(self, value, *args, **kwargs):
        # ASCII digits: "²" passes str.isdigit() but int() refuses it (a 500 inside the schema)
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"[0-9]+", str(value).strip()):
            raise MarshmallowValidationError("Debe ser el id numérico de un registro.")
        if int(value) > MAX_DB_INT:
            raise MarshmallowValidationError("No existe ese registro en la empresa activa.")
        pk = inspect(self.related_model).primary_key[0]
        found = self.session.execute(select(self.related_model).where(pk == int(value))).scalar_one_or_none()
        if found is None:
            raise MarshmallowValidationError("No existe ese registro en la empresa activa.")
        return found


class StrictModelConverter(ModelConverter):
    def _get_field_class_for_property(self, prop):
        return StrictRelated if hasattr(prop, "direction") else super()._get_field_class_for_property(prop)


def _user_field(datamodel, column) -> fields.Field:
    """A nested user is shown as user_ref() (issue 8, finding 6), never the whole model."""
    many = datamodel.is_relation_many_to_many(column.name) or datamodel.is_relation_one_to_many(column.name)
    name = column.name

    def dump(obj):
        value = getattr(obj, name)
        return [user_ref(u) for u in value] if many else user_ref(value)

    return fields.Function(dump, dump_only=True)


class StrictSchemaConverter(Model2SchemaConverter):
    """FAB's schema converter with StrictRelated for every relationship, and users always
    serialised as id + name (+ username for Admin)."""

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        if nested and issubclass(datamodel.get_related_model(column.name), User):
            return _user_field(datamodel, column)
        field = super()._column2relation(datamodel, column, nested, parent_schema_name)
        if nested:
            return field
        strict = StrictModelConverter().field_for(datamodel.obj, column.name)
        strict.required, strict.unique = field.required, field.unique
        return strict


# marshmallow's messages, in the users' language
SCHEMA_MESSAGES_ES = {
    "Missing data for required field.": "falta y es obligatorio.",
    "Field may not be null.": "no puede estar vacío.",
    "Not a valid integer.": "debe ser un número entero.",
    "Not a valid number.": "debe ser un número.",
    "Not a valid string.": "debe ser un texto.",
    "Not a valid boolean.": "debe ser true o false.",
    "Not a valid date.": "debe ser una fecha AAAA-MM-DD.",
    "Not a valid datetime.": "debe ser una fecha y hora ISO 8601.",
    "Unknown field.": "no es un campo admitido.",
    "Invalid input type.": "tiene un tipo no válido.",
    "Invalid value.": "no es un valor válido.",
}


def schema_error(messages: dict) -> tuple[str, str]:
    """(field, Spanish sentence) for the first field of a marshmallow error dict."""
    field, problems = sorted(messages.items(), key=lambda item: str(item[0]))[0]
    while isinstance(problems, dict):  # nested (e.g. a list item): take the first
        problems = next(iter(problems.values()))
    text = problems[0] if isinstance(problems, list) and problems else str(problems)
    text = SCHEMA_MESSAGES_ES.get(text, text)
    if text.startswith("Longer than maximum length"):
        text = "es más largo de lo permitido (" + text.rsplit(" ", 1)[-1].rstrip(".") + " caracteres)."
    return str(field), f"El campo '{field}' {text[0].lower() + text[1:]}"


def answers_errors(method):
    """For custom endpoints (under @safe): a DomainError, or a database constraint the
    input broke, rolls back and becomes the endpoint's JSON answer (see _guarded)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return self._guarded(method, self, *args, **kwargs)

    return wrapper


def api_endpoint(url: str, methods=("GET",), **docs):
    """One decorator for a custom REST endpoint (issue 7 item 6): FAB's expose + protect +
    safe, and answers_errors (a DomainError or a broken constraint is the JSON answer). Its
    OpenAPI operation is written from `docs` (app/core/endpoint_docs.py: summary, body, query,
    answers, errors, headers)."""

    def decorate(method):
        document(method, url, methods, **docs)
        return expose(url, methods=list(methods))(protect()(safe(answers_errors(method))))

    return decorate


class GuardedApi:
    """For a FAB API's custom endpoints (answers_errors): a DomainError rolls back and becomes
    the JSON answer {"message", "field"} with its 4xx status."""

    def _guarded(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            rollback_after(exc)
            return self.response(exc.status, **exc.to_dict())


class TenantModelRestApi(GuardedApi, RestFilters, ModelRestApi):
    """ModelRestApi over a tenant model: rows of other companies are invisible (404) through
    the central isolation; domain errors and broken constraints become JSON {"message"} with
    their 4xx status."""

    allow_browser_login = False
    method_permission_name = API_PERMISSIONS
    openapi_spec_methods = STANDARD_SUMMARIES
    model2schemaconverter = StrictSchemaConverter
    page_size = 25

    def _guarded(self, fn, *args, **kwargs):
        try:
            return super()._guarded(fn, *args, **kwargs)
        except (IntegrityError, DataError) as exc:
            db.session.rollback()
            return self._constraint_answer(exc)

    def _constraint_answer(self, exc) -> Response:
        """A constraint the input broke, as its registered sentence and field (app/core/
        constraints.py) or a generic one: never SQL, driver text or a constraint name."""
        body = request.get_json(silent=True) if request.is_json else None
        error = explain(exc, body if isinstance(body, dict) else {}, deleting=request.method == "DELETE")
        return self.response(422, **error.to_dict())

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        """FAB translates a missing description as gettext(""), which is the catalogue's
        header: a field without a description has an empty one (issue 9, item 3)."""
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        if not self.description_columns.get(field.name):
            info["description"] = ""
        column = getattr(self.datamodel.obj, field.name, None)
        choices = getattr(getattr(column, "info", None), "get", lambda _k: None)("choices")
        if choices:  # issue 9, item 19: stable codes with their labels
            info["choices"] = [{"code": code, "label": str(label)} for code, label in choices.items()]
        return info

    def response_422(self, message=None):
        """One error shape for the whole API: {"message": sentence, "field": name}. FAB answers
        a failed edit or delete with "Database exception occurred: <driver text>" from inside
        its `except DatabaseException`: that exception is explained instead."""
        handled = sys.exc_info()[1]
        if isinstance(handled, DatabaseException) and isinstance(handled.__cause__, DBAPIError):
            db.session.rollback()
            return self._constraint_answer(handled.__cause__)
        if isinstance(message, dict) and message:
            field, sentence = schema_error(message)
            return self.response(422, message=sentence, field=field)
        return super().response_422(message=message)

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(super().put_headless, pk)

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)

    def get_visible(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            raise NotFound("No existe ese registro en la empresa activa.")
        return item


def if_match_version() -> int | None:
    """The version the caller saw, from the optional If-Match header (422 when not an integer)."""
    expected = request.headers.get("If-Match")
    if expected is None:
        return None
    version = typed_int(expected.strip().strip('"'))
    if version is None:
        raise ValidationError("La cabecera If-Match debe ser la versión (un entero).", field="If-Match")
    return version


class WorkflowActionsApi(TenantModelRestApi):
    """GET /<pk>/actions and POST /<pk>/actions/<ACTION> for a model bound to a workflow.

    The optional If-Match header carries the version the caller saw: a stale one answers
    409 instead of acting on a record someone else has changed. The optional
    Idempotency-Key header makes a retry return the first answer (app.core.idempotency)."""

    workflow = None  # set by subclasses: an app.core.workflow.Workflow

    def action_result(self, item) -> dict:
        return {"id": item.id, "state": self.workflow.state_of(item), "version": item.version}

    @api_endpoint("/<int:pk>/actions", methods=["GET"], summary="Acciones que quien llama puede realizar ahora",
                  answers={200: "Las acciones que quien llama puede realizar ahora, el estado y la versión"})
    def actions(self, pk):
        """Actions the caller may perform now"""
        item = self.get_visible(pk)
        wf = self.workflow
        return self.response(
            200,
            actions=[t.action for t in wf.available_actions(item, current_user())],
            state=self.workflow.state_of(item),
            version=item.version,
        )

    @api_endpoint("/<int:pk>/actions/<action>", methods=["POST"], body={"type": "object"}, summary="Realizar una acción del flujo",
                  answers={200: "El registro tras la acción: id, estado y versión"}, errors=(403, 404, 409, 422),
                  headers={"Idempotency-Key": "Repetir la petición con la misma clave devuelve la primera respuesta",
                           "If-Match": "La versión que vio quien llama (una distinta: 409)"})
    def perform_action(self, pk, action):
        """Perform a workflow action"""
        item = self.get_visible(pk)
        payload = json_body(required=False)
        expected = if_match_version()
        key = idempotency.clean_key(request.headers.get("Idempotency-Key"))
        context = request_context()

        def act():
            done = self.workflow.perform(item, action, context.user, session=context.session, expected_version=expected,
                                         payload=payload, today=context.today)
            return 200, self.action_result(done)

        status, body, _replayed = run_in(context, idempotency.once, key=key, request=f"POST {request.path}", action=act)
        return self.response(status, **body)


def admin_api(model, resource: str, permission: str, **attrs):
    """A plain ModelRestApi class over a platform model (Admin by role permissions)."""
    return type(
        f"{model.__name__}Api",
        (TenantModelRestApi,),
        {
            "datamodel": SQLAInterface(model),
            "resource_name": resource,
            "class_permission_name": permission,
            **attrs,
        },
    )
