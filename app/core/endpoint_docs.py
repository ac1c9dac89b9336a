"""Endpoint documentation from a declaration (issue 20, point 8): a custom REST endpoint says
its summary, body, query, answers and headers as data (`api_endpoint(url, methods,
summary=..., body=..., query=..., answers=..., errors=..., headers=...)`, app/core/api.py) and
its OpenAPI operation is written from them: path parameters typed from the URL's converters,
the errors as FAB's shared responses. FAB reads an operation from the docstring's YAML; this
writes that YAML, so no endpoint hand-writes it. FAB's own routes (list, show, create, edit,
delete, _info) get their summaries from STANDARD_SUMMARIES through FAB's openapi_spec_methods."""
from __future__ import annotations

import re

import yaml

URL_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
PARAMETER_TYPES = {"int": "integer", "float": "number"}
SHARED_RESPONSES = {400, 401, 403, 404, 422, 500}  # FAB's components/responses
ERROR_TEXTS = {409: "Conflicto: el registro cambió (versión o If-Match)", 413: "El cuerpo es demasiado grande"}
DEFAULT_ERRORS = {"GET": (404,), "POST": (403, 404, 422), "PUT": (403, 404, 409, 422), "DELETE": (403, 404)}
JSON = "application/json"


def spec_methods(summaries: dict[str, str]) -> dict:
    """FAB's openapi_spec_methods giving each named route its summary: {route: {method: ...}}."""
    return {name: {method: {"summary": text} for method in ("get", "post", "put", "delete")}
            for name, text in summaries.items()}


STANDARD_SUMMARIES = spec_methods({
    "get_list": "Lista de registros (filtros, orden y páginas en el parámetro q)",
    "get": "Un registro por su id",
    "post": "Crear un registro",
    "put": "Modificar un registro",
    "delete": "Eliminar un registro",
    "info": "Metadatos del recurso: permisos, filtros y campos",
})


def _parameters(url: str, query: dict, headers: dict) -> list[dict]:
    """Path parameters typed from the URL; query {name: (type, description[, required])};
    headers {name: description}."""
    found = [{"in": "path", "name": name, "required": True,
              "schema": {"type": PARAMETER_TYPES.get(converter or "", "string")}}
             for converter, name in URL_PARAMETER.findall(url)]
    found += [{"in": "query", "name": name, "required": bool(required and required[0]), "description": text,
               "schema": {"type": kind}} for name, (kind, text, *required) in query.items()]
    found += [{"in": "header", "name": name, "required": False, "description": text,
               "schema": {"type": "string", "maxLength": 200}} for name, text in headers.items()]
    return found


def _answer(description, media: str = JSON) -> dict:
    """A JSON answer, or a file's bytes (a PDF, an evidence file) that a client reads as such."""
    return {"description": description, "content": {media: {} if media == JSON else {"schema": {"type": "string", "format": "binary"}}}}


def operation(url: str, method: str, *, body, query: dict, answers: dict, errors, headers: dict) -> dict:
    """One OpenAPI operation: parameters, request body (a JSON schema, or (schema, media type)),
    answers ({status: description or (description, media type)}) and the error responses."""
    responses: dict = {}
    for status, answer in answers.items():
        responses[status] = _answer(*answer) if isinstance(answer, tuple) else _answer(answer)
    for status in DEFAULT_ERRORS.get(method, ()) if errors is None else errors:
        responses[status] = ({"$ref": f"#/components/responses/{status}"} if status in SHARED_RESPONSES
                             else {"description": ERROR_TEXTS.get(status, str(status))})
    spec: dict = {"responses": responses}
    parameters = _parameters(url, query, headers)
    if parameters:
        spec["parameters"] = parameters
    if body is not None:
        schema, media = body if isinstance(body, tuple) else (body, JSON)
        spec["requestBody"] = {"required": bool(schema.get("required")), "content": {media: {"schema": schema}}}
    return spec


def document(method_function, url: str, methods, *, summary: str | None = None, body=None,
             query: dict | None = None, answers: dict | None = None, errors=None, headers: dict | None = None) -> None:
    """Writes the endpoint's OpenAPI operations into its docstring (before FAB's wrappers copy
    it): the summary is the given one or the docstring's first line."""
    text = (method_function.__doc__ or "").strip()
    summary = summary or (text.splitlines()[0] if text else method_function.__name__)
    answers = answers or {200: "Correcto"}
    operations = {m.lower(): {"summary": summary, **operation(url, m, body=body, query=query or {}, answers=answers,
                                                                   errors=errors, headers=headers or {})}
                  for m in methods}
    method_function.__doc__ = f"{text or summary}\n---\n{yaml.safe_dump(operations, allow_unicode=True, sort_keys=False)}"
