"""Input no library should see (issue 8, finding 7): checked once, before any view, so
that the answer is a 4xx naming the problem instead of a 500 from deep inside FAB, the
JSON parser or the database driver.

- an id in the path beyond the INTEGER of every id column: 404;
- NUL bytes and lone surrogates in any argument, form field or JSON string: 422;
- FAB's row action that does not exist, or FAB's own file download (ModelView.download, not
  any route named `download`) on a view without file columns: 404;
- FAB list parameters: `page_<View>`/`psize_<View>` not a small non-negative integer,
  `_oc_<View>` not an orderable column, `_flt_<n>_<col>` whose value cannot be of the
  column's type (a relationship takes a row id): 422;
- API: a Rison `q` whose page is negative or whose filter value has the wrong type for its
  column, or filters a JSON column; a POST/PUT body that is not a JSON object: 422.
"""
from __future__ import annotations

import re

from dateutil import parser as date_parser
from flask import abort, current_app, g, request
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError
from app.core.fab_speed import rison_problem

MAX_DB_INT = 2**31 - 1
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_NUMBER = re.compile(r"-?\d+")
NO_SUCH_FILTER = _l("El filtro «%(arg)s» no existe: la columna «%(column)s» tiene %(count)s filtros.")


def _view():
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "__self__", None)


def value_fits(datamodel, column: str, value) -> bool:
    """Could `value` be compared with `column` of `datamodel` without the database failing?"""
    if value is None:
        return True
    if isinstance(value, (list, tuple)):  # a list compares only with a relationship's ids
        return datamodel.is_relation(column) and all(value_fits(datamodel, column, v) for v in value)
    if isinstance(value, dict):
        return False
    text = str(value).strip()
    if _BAD_CHARS.search(text):
        return False
    try:
        if datamodel.is_json(column):
            return False
        if datamodel.is_relation(column) or datamodel.is_integer(column):
            return bool(_NUMBER.fullmatch(text)) and abs(int(text)) <= MAX_DB_INT
        if datamodel.is_boolean(column):
            return isinstance(value, bool) or text.lower() in ("y", "n", "true", "false", "1", "0", "")
        if datamodel.is_float(column) or datamodel.is_numeric(column):
            float(text)
            return abs(float(text)) < 1e15
        if datamodel.is_date(column) or datamodel.is_datetime(column):
            return 1 <= date_parser.parse(text).year <= 9999
    except (ValueError, OverflowError, KeyError, AttributeError, TypeError):
        return False
    return True


def _refuse(field: str, message: str | None = None):
    raise ValidationError(message or f"El valor del parámetro '{field}' no es válido.", field=field)


def _check_text(values, where: str) -> None:
    for key in values:
        for value in values.getlist(key):
            if isinstance(value, str) and _BAD_CHARS.search(value):
                _refuse(key, f"El campo '{key}' contiene un carácter no admitido.")


def _check_list_args(view) -> None:
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        return
    for arg, value in request.args.items():
        if arg.startswith(("page_", "psize_")):
            if not re.fullmatch(r"\d{1,6}", value) or (arg.startswith("psize_") and int(value) == 0):
                _refuse(arg)
        elif arg.startswith("_oc_"):
            if value not in (getattr(view, "order_columns", None) or []):
                _refuse(arg)
        elif match := re.fullmatch(r"_flt_(\d+)_(.+)", arg):
            index, column = int(match.group(1)), match.group(2)
            offered = _offered_filters(view, column)
            if offered is not None and index >= offered:
                # FAB reads the n-th filter of the column blindly (IndexError, a 500)
                _refuse(arg, str(NO_SUCH_FILTER) % {"arg": arg, "column": column, "count": offered})
            if column in datamodel.list_properties and not all(
                value_fits(datamodel, column, v) for v in request.args.getlist(arg)):
                _refuse(arg)


def _offered_filters(view, column: str) -> int | None:
    """How many filters FAB's list offers for `column` (None: FAB ignores the column)."""
    filters = getattr(view, "_filters", None)
    if filters is None or column not in filters.get_search_filters():
        return None
    return len(filters._all_filters.get(column, []))


def _walk_strings(value, path=""):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_strings(str(key), path)
            yield from _walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_strings(item, f"{path}.{i}" if path else str(i))


def _check_api(view, query, body) -> None:
    for field, text in list(_walk_strings(query, "q")) + list(_walk_strings(body)):
        if _BAD_CHARS.search(text):
            _refuse(field or "body", f"El campo '{field or 'cuerpo'}' contiene un carácter no admitido.")
    if isinstance(query, dict):
        for key in ("page", "page_size"):
            if key in query and (not isinstance(query[key], int) or isinstance(query[key], bool) or query[key] < 0):
                _refuse("q", f"'{key}' de la consulta 'q' debe ser un entero no negativo.")
        datamodel = getattr(view, "datamodel", None)
        filters = query.get("filters", [])
        if not isinstance(filters, list):
            _refuse("q", "Los filtros de la consulta 'q' deben ser una lista.")
        for flt in filters:
            if not isinstance(flt, dict):
                _refuse("q", "Cada filtro de la consulta 'q' debe ser un objeto (col, opr, value).")
            column = flt.get("col")
            if not isinstance(column, str):
                _refuse("q", "Cada filtro de la consulta 'q' debe nombrar su columna (col) con un texto.")
            value = flt.get("value")
            # "in" and "not_in" take a list, each item one value of the column
            items = value if flt.get("opr") in ("in", "not_in") and isinstance(value, list) else [value]
            if datamodel is not None and column in datamodel.list_properties and not all(
                value_fits(datamodel, column, item) for item in items
            ):
                _refuse("q", f"El valor del filtro sobre '{column}' no es válido para esa columna.")
        problem = rison_problem(query, (request.endpoint or "").rsplit(".", 1)[-1])
        if problem:
            _refuse("q", problem)
    if request.method in ("POST", "PUT", "PATCH") and request.is_json and request.content_length:
        if body is None and request.get_data(as_text=True).strip() != "null":
            raise ValidationError("El cuerpo de la petición no es JSON válido.")
        if not isinstance(body, dict):
            raise ValidationError("El cuerpo debe ser un objeto JSON.")


def check_input() -> None:
    """before_request for pages and API (see the module docstring)."""
    if request.path.startswith("/static"):
        return
    for value in (request.view_args or {}).values():
        text = str(value).strip()
        if _NUMBER.fullmatch(text) and abs(int(text)) > MAX_DB_INT:
            abort(404)
    _check_text(request.args, "args")
    view = _view()
    if request.path.startswith("/api/"):
        query = g.get("rison_q")  # parsed by app.core.api.check_api_input
        body = request.get_json(silent=True) if request.is_json and request.content_length else None
        _check_api(view, query, body)
        return
    for arg, value in request.args.items():  # ids as query arguments (AJAX option endpoints)
        if _NUMBER.fullmatch(value.strip()) and abs(int(value)) > MAX_DB_INT and not arg.startswith(("_flt_", "page_", "psize_")):
            abort(404)
    if request.method == "POST":
        _check_text(request.form, "form")
    if request.endpoint and request.endpoint.rsplit(".", 1)[-1] in ("action", "action_post"):
        name = (request.view_args or {}).get("name") or request.form.get("action")
        if view is not None and name not in (getattr(view, "actions", None) or {}):
            abort(404)
    if _is_fab_download() and not _has_files(view):
        abort(404)  # FAB's file download on a view without files (the security views)
    if request.method == "GET" and view is not None:
        _check_list_args(view)


def _is_fab_download() -> bool:
    """Is this request FAB's own ModelView.download (its method, inherited unchanged)? Not any
    endpoint whose name ends in ".download": a view's own route named `download` runs."""
    function = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(function, "__func__", None) is ModelView.download


def _has_files(view) -> bool:
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        return False
    return any(datamodel.is_file(c) or datamodel.is_image(c) for c in datamodel.list_columns)
