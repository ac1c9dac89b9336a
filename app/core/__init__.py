"""Platform core: tenancy, audit, workflow engine, working days, security. Knows no module."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError

HTTP_MESSAGES = {
    400: "Petición incorrecta.",
    401: "Necesitas iniciar sesión.",
    403: "No tienes permiso para esto.",
    404: "No existe o no está en la empresa activa.",
    405: "Método no permitido en esta dirección.",
    409: "Conflicto: otra persona cambió el registro antes.",
    413: "La petición es demasiado grande.",
    422: "Datos no válidos.",
    429: "Demasiadas peticiones; espera unos segundos.",
    500: "Error interno. El equipo técnico ha sido avisado.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, message: str, field: str | None = None):
    if _wants_json():
        body = {"message": message}
        if field:
            body["field"] = field
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app) -> None:
    """Every /api error is JSON {"message"}; pages are Spanish; never a stack trace."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        from app.extensions import db

        db.session.rollback()
        return _error_response(exc.status, exc.message, exc.field)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _error_response(400, "El token CSRF falta o ha caducado; recarga la página e inténtalo de nuevo.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        message = HTTP_MESSAGES.get(exc.code or 500, exc.description or "Error")
        if exc.code == 429:
            message = HTTP_MESSAGES[429]
        return _error_response(exc.code or 500, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from app.extensions import db

        db.session.rollback()
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _error_response(500, HTTP_MESSAGES[500])


def register(appbuilder) -> None:
    """Views, APIs, request hooks and template globals of the platform core."""
    from flask import current_app as app

    from app.core import api as core_api
    from app.core import views
    from app.core.audit import AuditEntry
    from app.core.security import check_api_csrf, resolve_active_company
    from app.core.tenancy import Company, Membership, NonWorkingDay

    app.before_request(resolve_active_company)
    app.before_request(check_api_csrf)
    app.context_processor(views.company_context)
    register_error_handlers(app)

    views.register(appbuilder)
    appbuilder.add_api(core_api.admin_api(Company, "company", "Company"))
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


def register_cli(app, modules) -> None:
    from app.core.cli import seed_command, workflow_cli

    app.cli.add_command(seed_command)
    app.cli.add_command(workflow_cli)
    for module in modules:
        if hasattr(module, "cli"):
            app.cli.add_command(module.cli)
