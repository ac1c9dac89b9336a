"""The platform core as the application factory installs it: the FAB extension points, the
request hooks, the core's pages, APIs and CLI (the core's own manifest; modules have theirs in
app/core/modules.py)."""
from __future__ import annotations

from flask import current_app

from app.core import administration, api_document, api_language
from app.core import api as core_api
from app.core import (
    choices,
    fab_lists,
    fab_speed,
    headers,
    security_views,
    sessions,
    uploads,
    views,
    web_input,
)
from app.core.audit import AuditEntry
from app.core.cli import seed_command, workflow_cli
from app.core.errors import register_error_handlers
from app.core.formatting import fecha, fecha_hora, state_badge, translated, yes_no
from app.core.history import entry_event, history_link, history_url, states_text
from app.core.mail import mail_cli
from app.core.redirects import refuse_unsafe_next
from app.core.security import (
    READ_ONLY_ROUTES,
    check_api_csrf,
    existing_record_or_404,
    refuse_pages_to_integrations,
    resolve_active_company,
)
from app.core.tenancy import Company, Membership, NonWorkingDay
from app.core.views import name_default_titles
from app.core.workflow_api import WorkflowApi

AUDIT_API_COLUMNS = ["id", "created_at", "user_id", "actor_name", "client_address", "entity", "entity_id",
                     "action", "from_state", "to_state", "data", "workflow_version"]


def prepare() -> None:
    """Before AppBuilder builds any view (FAB's own included): the FAB extension points every
    view uses."""
    fab_lists.install()
    administration.install()


def register(appbuilder) -> None:
    """Views, APIs, request hooks and template globals of the platform core."""
    app = current_app._get_current_object()
    fab_speed.install()
    choices.install()
    headers.register(app)
    uploads.register(app)  # the body's declared size, before any hook reads it
    app.before_request(refuse_unsafe_next)
    sessions.register(app)
    app.before_request(refuse_pages_to_integrations)
    app.before_request(resolve_active_company)
    app.before_request(check_api_csrf)
    app.before_request(core_api.check_api_input)
    app.before_request(web_input.check_input)
    app.before_request(existing_record_or_404)
    app.context_processor(views.company_context)
    app.context_processor(views.page_language)
    register_template_helpers(app)
    register_error_handlers(app)
    api_language.install_language_selector(app)

    views.register(appbuilder)
    security_views.register(appbuilder)
    appbuilder.add_api(WorkflowApi)
    api_document.register(appbuilder)
    appbuilder.add_api(
        core_api.admin_api(
            Company, "company", "Company",
            # companies are deactivated, never deleted: their rows and audit trail stay
            include_route_methods=READ_ONLY_ROUTES | {"post", "put"},
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
            include_route_methods=READ_ONLY_ROUTES,
            list_columns=AUDIT_API_COLUMNS,
            show_columns=AUDIT_API_COLUMNS,
            order_columns=["created_at", "entity", "action"],
            base_order=("created_at", "desc"),
        )
    )


def register_template_helpers(app) -> None:
    """The Jinja filters and globals every template may use (app/core/formatting.py, history)."""
    for name, function in (("t", translated), ("fecha", fecha), ("fecha_hora", fecha_hora), ("si_no", yes_no)):
        app.add_template_filter(function, name)
    for name, function in (("state_badge", state_badge), ("history_url", history_url), ("history_link", history_link),
                           ("history_event", entry_event), ("history_states", states_text)):
        app.add_template_global(function, name)


def finish_registration(appbuilder) -> None:
    """After every module registered its views: what needs the whole menu."""
    name_default_titles(appbuilder)
    api_language.label_apis(appbuilder)


def register_cli(app) -> None:
    """`flask seed`, `flask workflow` and `flask mail`."""
    for command in (seed_command, workflow_cli, mail_cli):
        app.cli.add_command(command)
