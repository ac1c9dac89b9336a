"""Platform core: tenancy, audit, workflow engine, working days, security. Knows no module."""
from __future__ import annotations

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError

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


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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
    if _wants_json():
        body = {"message": message}
        if field:
            body["field"] = field
        return jsonify(body), status, headers or {}
    return _render_page(status, message), status, headers or {}


def _rollback() -> None:
    from app.extensions import db

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


def register(appbuilder) -> None:
    """Views, APIs, request hooks and template globals of the platform core."""
    from flask import current_app as app

    from app.core import api as core_api
    from app.core import views
    from app.core.formatting import register_filters
    from app.core.audit import AuditEntry
    from app.core.security import check_api_csrf, existing_record_or_404, resolve_active_company
    from app.core.tenancy import Company, Membership, NonWorkingDay

    app.before_request(resolve_active_company)
    app.before_request(check_api_csrf)
    app.before_request(core_api.check_api_input)
    app.before_request(existing_record_or_404)
    app.context_processor(views.company_context)
    register_filters(app)
    register_error_handlers(app)

    views.register(appbuilder)
    from app.core.workflow_api import WorkflowApi

    appbuilder.add_api(WorkflowApi)
    appbuilder.add_api(
        core_api.admin_api(
            Company, "company", "Company",
            # companies are deactivated, never deleted: their rows and audit trail stay
            include_route_methods={"get", "get_list", "info", "post", "put"},
        )
    )
    appbuilder.add_api(core_api.admin_api(Membership, "membership", "Membership"))
    appbuilder.add_api(
        core_api.admin_api(
            NonWorkingDay, "non_working_day", "NonWorkingDay",
            list_columns=["id", "date", "description"],
            show_columns=["id", "date", "description"],
            add_columns=["date", "description"],
            edit_columns=["date", "description"],
        )
    )
    appbuilder.add_api(
        core_api.admin_api(
            AuditEntry, "audit_entry", "AuditEntry",
            include_route_methods={"get", "get_list", "info"},
            list_columns=["id", "created_at", "user_id", "entity", "entity_id", "action",
                          "from_state", "to_state", "data", "workflow_version"],
            show_columns=["id", "created_at", "user_id", "entity", "entity_id", "action",
                          "from_state", "to_state", "data", "workflow_version"],
            order_columns=["created_at", "entity", "action"],
            base_order=("created_at", "desc"),
        )
    )


def finish_registration(appbuilder) -> None:
    """After every module registered its views: what needs the whole menu."""
    from app.core.views import name_default_titles

    name_default_titles(appbuilder)


def register_cli(app, modules) -> None:
    from app.core.cli import seed_command, workflow_cli

    app.cli.add_command(seed_command)
    app.cli.add_command(workflow_cli)
    for module in modules:
        if hasattr(module, "cli"):
            app.cli.add_command(module.cli)
