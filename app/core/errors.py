"""Errors: the domain errors shared by every module, each with a message a person can read
(Spanish) and one HTTP status (DESIGN "REST": 403/404/409/413/422), and the application's error
handlers (issue 7 item 7): every /api error is JSON {"message"}, every page error a page in
the user's language, never a stack trace."""
from __future__ import annotations

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from app.extensions import db


class DomainError(Exception):
    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        body = {"message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ValidationError(DomainError):
    """Bad input: the message names the field or the rule."""

    status = 422


class TooLarge(ValidationError):
    """A file or a request body over its limit (issue 19): 413, the message names the limit."""

    status = 413


class ActionNotAllowed(DomainError):
    """The state, the role, the ownership or a guard refuses the action."""

    status = 403


class Conflict(DomainError):
    """Someone else changed the record first (lost race or stale version)."""

    status = 409


class NotFound(DomainError):
    """Not visible in the active company (or does not exist)."""

    status = 404


class FieldErrors(ValidationError):
    """Several fields wrong at once (issue 9: all errors at once, each beside its field).

    `errors` maps a field name to its message; `message` is the first one, so code that
    reads a single DomainError still says something true."""

    status = 422

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = dict(errors)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "errors": self.errors}


# Spanish by default, English when the user chose it (lazy: translated when rendered).
HTTP_MESSAGES = {
    400: _l("Petición incorrecta."),
    401: _l("Necesitas iniciar sesión."),
    403: _l("No tienes permiso para esto."),
    404: _l("No existe o no está en la empresa activa."),
    405: _l("Método no permitido en esta dirección."),
    409: _l("Conflicto: otra persona cambió el registro antes."),
    413: _l("La petición es demasiado grande."),
    415: _l("Tipo de contenido no admitido; envía JSON (Content-Type: application/json)."),
    422: _l("Datos no válidos."),
    429: _l("Demasiadas peticiones; espera unos segundos."),
    500: _l("Error interno. El equipo técnico ha sido avisado."),
}
CSRF_MESSAGE = _l("El token CSRF falta o ha caducado; recarga la página e inténtalo de nuevo.")
# Codes whose werkzeug/library description is English boilerplate: always our message.
_ALWAYS_OURS = {400, 401, 405, 413, 415, 429, 500}
# Last resort when the error page itself cannot be rendered (e.g. the database is down).
_PLAIN_PAGE = (
    '<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Error {status}</title></head>'
    '<body><h1>Error {status}</h1><p id="error-message">{message}</p><p><a href="/">Volver al inicio</a></p>'
    "</body></html>"
)


# Paths outside /api/ whose errors are JSON too (the spec's old endpoints, app/core/legacy.py):
# each entry answers, for a path, the keys its error bodies carry besides "message" ({} for
# none), or None when the path is not its own.
JSON_PATHS: list = []


def json_envelope() -> dict | None:
    """The extra keys of this request's JSON error body, or None when it is a page."""
    if request.path.startswith("/api/"):
        return {}
    for envelope in JSON_PATHS:
        extra = envelope(request.path)
        if extra is not None:
            return extra
    return None


def _render_page(status: int, message: str) -> str:
    try:
        if "user" not in g:
            # The error came from a hook that ran before FAB's (which sets g.user, that the
            # navbar reads), e.g. the CSRF check.
            from flask_login import current_user

            g.user = current_user._get_current_object()
        return render_template("error.html", status=status, message=message)
    except Exception:
        current_app.logger.exception("The error page for %s could not be rendered", status)
        return _PLAIN_PAGE.format(status=status, message=escape(message))


def _error_response(status: int, message, field: str | None = None, headers=None):
    message = str(message)
    envelope = json_envelope()
    if envelope is not None:
        body = {**envelope, "message": message}
        if field:
            body["field"] = field
        return jsonify(body), status, headers or {}
    return _render_page(status, message), status, headers or {}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database itself may be what failed
        current_app.logger.exception("Rollback failed while handling an error")


def _http_message(exc: HTTPException):
    code = exc.code or 500
    custom = exc.description and exc.description != type(exc).description
    if custom and code not in _ALWAYS_OURS:
        return exc.description  # e.g. abort(410, "Usa /backend/...") or abort(404, "No existe la orden 7")
    return HTTP_MESSAGES.get(code, exc.description or "Error")


def _jwt_errors(app) -> None:
    """flask-jwt-extended answers {"msg": ...} in English, and 422 for a malformed token:
    here every token problem is a 401 {"message"} in the user's language."""
    jwt = getattr(getattr(app, "appbuilder", None), "sm", None)
    jwt = getattr(jwt, "jwt_manager", None)
    if jwt is None:
        return

    def unauthorized(_reason=None, *_):
        return _error_response(401, _l("Falta el token de acceso (cabecera Authorization: Bearer <token>)."))

    def invalid(_reason=None, *_):
        return _error_response(401, _l("El token de acceso no es válido."))

    def expired(*_):
        return _error_response(401, _l("El token de acceso ha caducado; vuelve a iniciar sesión."))

    def unknown_user(*_):
        return _error_response(401, _l("El usuario del token ya no existe o está desactivado."))

    jwt.unauthorized_loader(unauthorized)
    jwt.invalid_token_loader(invalid)
    jwt.expired_token_loader(expired)
    jwt.needs_fresh_token_loader(expired)
    jwt.revoked_token_loader(expired)
    jwt.user_lookup_error_loader(unknown_user)
    jwt.token_verification_failed_loader(invalid)


def register_error_handlers(app) -> None:
    """Every /api error is JSON {"message"}; pages are Spanish; never a stack trace."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        _rollback()
        return _error_response(exc.status, exc.message, exc.field)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _error_response(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        headers = {}
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        if exc.code == 429 and getattr(exc, "retry_after", None):
            headers["Retry-After"] = str(exc.retry_after)
        return _error_response(exc.code or 500, _http_message(exc), headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        _rollback()
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _error_response(500, HTTP_MESSAGES[500])

    _jwt_errors(app)
