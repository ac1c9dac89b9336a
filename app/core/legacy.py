"""The spec's old endpoints at their old paths (docs/legacy-endpoints.md): one authentication
hook for all of them. A module registers its paths (a prefix ending in "/" or an exact
path); a call to one of them authenticates as the REST API does (Bearer JWT +
X-Company-Id) or with the browser session, which must then send the CSRF token
(X-CSRFToken header) on every POST."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user as login_user

from app.core.validation import typed_int

PATHS: set[str] = set()


def json_error(status: int, message: str, field: str | None = None):
    body = {"ok": False, "message": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


def is_legacy(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PATHS)


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
        from flask_wtf.csrf import ValidationError as CsrfError
        from flask_wtf.csrf import validate_csrf

        token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
        try:
            validate_csrf(token)
        except CsrfError:
            return json_error(400, str(_l("Falta el token CSRF o ha caducado (cabecera X-CSRFToken).")), "X-CSRFToken")
    return None


def register_paths(app, *paths: str) -> None:
    """Serve `paths` with the legacy authentication (the hook is installed once per app,
    after the core's hooks: the user and their companies are known)."""
    PATHS.update(paths)
    if not app.extensions.get("legacy_auth"):
        app.extensions["legacy_auth"] = True
        app.before_request(legacy_auth)
