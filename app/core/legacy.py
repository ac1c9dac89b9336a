"""The spec's old endpoints at their old paths (docs/legacy-endpoints.md): one authentication
hook for all of them. A module registers its paths (a prefix ending in "/" or an exact
path); a call to one of them authenticates as the REST API does (Bearer JWT +
X-Company-Id) or with the browser session, which must then send the CSRF token on every
POST (X-CSRFToken header, or the form's `csrf_token` field as the old portal's jQuery pages
post it). Every answer on those paths is JSON, errors included (issue 21 item 13): the
error handlers (app/core/errors.py) and FAB's own refusals (LegacyAnswers)."""
from __future__ import annotations

import re

from flask import current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user as login_user

from app.core.errors import HTTP_MESSAGES, JSON_PATHS, ValidationError
from app.core.validation import typed_int

PATHS: dict[str, dict] = {}  # path or prefix -> the keys its error bodies carry besides "message"
CSRF_FIELD = "csrf_token"
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


def json_error(status: int, message: str, field: str | None = None):
    body = {"ok": False, "message": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


def _own(path: str) -> str | None:
    return next((p for p in PATHS if path == p or (p.endswith("/") and path.startswith(p))), None)


def is_legacy(path: str) -> bool:
    return _own(path) is not None


def envelope(path: str) -> dict | None:
    """app/core/errors.py's JSON_PATHS entry: a legacy path's errors are JSON with its envelope."""
    own = _own(path)
    return None if own is None else dict(PATHS[own])


def _mixed(key: str, field: str):
    return ValidationError(str(_l("El campo «%(key)s» mezcla una lista, un objeto o un valor.", key=key)), field=field)


def _put(target: dict, key: str, value: str) -> None:
    """One jQuery `$.param` pair into `target`: `a` a value (repeated: a list), `a[]` a
    list's item, `a[b]` an object's key, `a[0][b]` an item of a list of objects."""
    match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
    if not match or not match[2]:
        if key not in target:
            target[key] = value
        elif isinstance(target[key], list):
            target[key].append(value)
        else:
            target[key] = [target[key], value]
        return
    parts = [match[1], *_BRACKETS.findall(match[2])]
    node = target
    for name, nxt in zip(parts, parts[1:]):
        child = node.setdefault(name, [] if nxt == "" else {})
        if not isinstance(child, list if nxt == "" else dict):
            raise _mixed(key, parts[0])
        if nxt == "":
            child.append(value)
            return
        node = child
    if isinstance(node.get(parts[-1]), (list, dict)):
        raise _mixed(key, parts[0])
    node[parts[-1]] = value


def _lists(value):
    """An object whose keys are 0, 1, 2... (jQuery's `a[0][b]`) is the list it was."""
    if isinstance(value, dict):
        value = {k: _lists(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    if isinstance(value, list):
        return [_lists(v) for v in value]
    return value


def form_fields(pairs) -> dict:
    """A form body or query string as a jQuery page of the old portal sends it (`$.post` with
    an object: form-encoded, arrays as `name[]=...`, objects as `name[key]=...`), decoded to
    what the same call would send as JSON; the CSRF field is the hook's, not the service's."""
    out: dict = {}
    for key, value in pairs:
        if key != CSRF_FIELD:
            _put(out, key, value)
    return {k: _lists(v) for k, v in out.items()}


def call_input() -> dict:
    """A legacy call's input: the query string, and on POST its body merged over it: a JSON
    object, or a form (application/x-www-form-urlencoded or multipart) as form_fields reads it."""
    data = form_fields(request.args.items(multi=True))
    if request.method != "POST":
        return data
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data.update(form_fields(request.form.items(multi=True)))
    elif request.get_data(cache=True):
        body = request.get_json(silent=True, force=True)
        if not isinstance(body, dict):
            raise ValidationError(str(_l("El cuerpo de la petición debe ser un objeto JSON o un formulario.")))
        data.update(body)
    return data


class LegacyAnswers:
    """A FAB API at a legacy path: FAB's own refusals (no permission, not signed in, a crash
    caught by @safe) answer the legacy JSON shape in Spanish, not FAB's English {"message"}."""

    def response_400(self, message=None):
        return json_error(400, str(HTTP_MESSAGES[400]))

    def response_401(self):
        return json_error(401, str(HTTP_MESSAGES[401]))

    def response_403(self):
        return json_error(403, str(_l("Tu rol no permite usar esta ruta.")))

    def response_404(self):
        return json_error(404, str(HTTP_MESSAGES[404]))

    def response_500(self, message=None):
        return json_error(500, str(HTTP_MESSAGES[500]))  # never the exception's text


def _csrf_refusal():
    from flask_wtf.csrf import ValidationError as CsrfError
    from flask_wtf.csrf import validate_csrf

    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    if not token and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        token = request.form.get(CSRF_FIELD)
    try:
        validate_csrf(token)
    except CsrfError:
        return json_error(400, str(_l("Falta el token CSRF o ha caducado (cabecera X-CSRFToken o campo csrf_token).")),
                          "X-CSRFToken")
    return None


def legacy_auth():
    """Before a legacy call: X-Company-Id picks the company of a Bearer call (as on /api/);
    a call authenticated by the session cookie needs the CSRF token on POST."""
    if not is_legacy(request.path) or g.get("actor") is None:
        return None  # not a legacy call, or not signed in: the view's @protect answers 401
    bearer = request.headers.get("Authorization", "").strip().lower().startswith("bearer ")
    if bearer and "X-Company-Id" in request.headers:
        raw = request.headers["X-Company-Id"].strip()
        chosen = typed_int(raw)  # "²" passes str.isdigit but not int()
        if chosen is None:
            return json_error(422, str(_l("La cabecera X-Company-Id debe ser el id numérico de una empresa.")),
                              "X-Company-Id")
        if chosen not in (g.get("company_ids") or []):
            return json_error(403, str(_l("No perteneces a la empresa %(id)s (cabecera X-Company-Id).", id=raw)),
                              "X-Company-Id")
        g.company_id = chosen
    elif (not bearer and request.method == "POST" and login_user and login_user.is_authenticated
          and current_app.config.get("WTF_CSRF_ENABLED", True)):
        return _csrf_refusal()
    return None


def register_paths(app, *paths: str, error_keys: dict | None = None) -> None:
    """Serve `paths` with the legacy authentication (the hook is installed once per app,
    after the core's hooks: the user and their companies are known); their errors are JSON
    `{"message", "field"}` plus `error_keys` (calibration's {"ok": false})."""
    for path in paths:
        PATHS[path] = dict(error_keys or {})
    if envelope not in JSON_PATHS:
        JSON_PATHS.append(envelope)
    if not app.extensions.get("legacy_auth"):
        app.extensions["legacy_auth"] = True
        app.before_request(legacy_auth)
