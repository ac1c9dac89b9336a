"""The REST API speaks the caller's language (issue 29 item 6, issue 22): the column labels
a list or `_info` carries are the pages' Spanish labels, translated per request, never FAB's
English made from the column's name («Instrument Id»); an API call picks its language from
`Accept-Language` (or FAB's `_l_` argument), a page from the user's choice."""
from __future__ import annotations

import re

from flask import has_request_context, request
from flask_appbuilder.api import BaseApi
from flask_babel import get_babel
from flask_babel import lazy_gettext as _l

from app.core.seeds import load_seed

API_PREFIXES = ("/api/", "/backend/")
# how FAB and people name the columns every table has
COMMON_LABELS = {"id": _l("Id"), "company_id": _l("Empresa"), "version": _l("Versión"), "state": _l("Estado"),
                 "created_at": _l("Creado"), "updated_at": _l("Modificado"), "active": _l("Activo"), "name": _l("Nombre"),
                 "code": _l("Código"), "description": _l("Descripción"), "notes": _l("Notas")}


def install_language_selector(app) -> None:
    """API calls: the best of `Accept-Language` among the app's languages, when no `_l_`."""
    babel = get_babel(app)
    pages_selector = babel.locale_selector

    def selector():
        if has_request_context() and request.path.startswith(API_PREFIXES) and "_l_" not in request.args:
            best = request.accept_languages.best_match(list(app.config.get("LANGUAGES") or {}))
            if best:
                return best
        return pages_selector() if pages_selector else None

    babel.locale_selector = selector


def prettified(column: str) -> str:
    """FAB's English label made from a column's name (what nobody wrote)."""
    return re.sub("[._]", " ", column).title()


def _page_labels(appbuilder) -> tuple[dict, dict]:
    """(labels by model, labels by column name) from every page's label_columns."""
    by_model, by_name = {}, {}
    for view in appbuilder.baseviews:
        labels = getattr(view, "label_columns", None) or {}
        if isinstance(view, BaseApi) or not labels:
            continue
        labels = {key: label for key, label in labels.items() if str(label) != prettified(key)}  # FAB's default
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if model is not None:
            by_model.setdefault(model, {}).update({k: v for k, v in labels.items() if k not in by_model.get(model, {})})
        for key, label in labels.items():
            by_name.setdefault(key, label)
    return by_model, by_name


def _sources(appbuilder) -> tuple[dict, dict, dict]:
    by_model, by_name = _page_labels(appbuilder)
    return by_model, by_name, {**load_seed("labels.yaml"), **{k: str(v) for k, v in COMMON_LABELS.items()}}


def label_for(api, column: str, sources) -> str | None:
    """The column's label: the API's own, its model's page, any page's for that column name,
    seed/labels.yaml (a relation's `_id` column by its relation's name); None: nobody says."""
    by_model, by_name, glossary = sources
    if column == "id":
        return str(COMMON_LABELS["id"])  # a page may label its id column by its button («Detalles»)
    own = api.label_columns.get(column)
    if own is not None and str(own) != prettified(column):
        return own
    model_labels = by_model.get(api.datamodel.obj, {})
    for key in dict.fromkeys((column, column.removesuffix("_id"), column.split(".")[0])):
        found = model_labels.get(key) or by_name.get(key) or glossary.get(key)
        if found:
            return str(found)
    return None


def _our_apis(appbuilder):
    return [api for api in appbuilder.baseviews if isinstance(api, BaseApi) and getattr(api, "datamodel", None) is not None
            and not type(api).__module__.startswith("flask_appbuilder") and not api.resource_name.startswith("security")]


def exposed_columns(api) -> set[str]:
    """The columns a resource's answers label: its list, show, add and edit columns."""
    names = {*(api.list_columns or []), *(api.show_columns or []), *(api.add_columns or []), *(api.edit_columns or [])}
    return set(names)


def label_apis(appbuilder) -> None:
    """After every module registered: each REST resource's columns labelled (`label_for`);
    FAB translates them per request."""
    sources = _sources(appbuilder)
    for api in _our_apis(appbuilder):
        for column in {*api.label_columns, *exposed_columns(api)}:
            label = label_for(api, column, sources)
            if label:
                api.label_columns[column] = label


def unlabelled_columns(appbuilder) -> list[str]:
    """`resource.column` of every column our REST answers carry that nobody labels."""
    sources = _sources(appbuilder)
    return sorted(f"{api.resource_name}.{column}" for api in _our_apis(appbuilder)
                  for column in exposed_columns(api) if label_for(api, column, sources) is None)
