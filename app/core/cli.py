"""CLI of the platform: `flask seed [--demo]` and `flask workflow show NAME`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.core.modules import installed
from app.core.roles import UnknownPermission, load_roles, sync_roles
from app.core.seeds import load_seed
from app.core.tenancy import Company, Membership, company_scope
from app.core.workflow import all_workflows, get_workflow
from app.extensions import db

DEMO_PASSWORD = "demo"


def seed_reference(appbuilder, modules) -> None:
    """Permissions, roles (seed/roles/*.yaml) and each module's reference data. Idempotent."""
    sm = appbuilder.sm
    sm.add_role(sm.auth_role_admin)
    sm.add_role(sm.auth_role_public)
    appbuilder.add_permissions(update_perms=True)
    try:
        sync_roles(appbuilder, load_roles(modules=modules))
    except UnknownPermission as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    for module in modules:
        if module.seed is not None:
            module.seed(db.session)
    db.session.commit()


def _get_or_create_company(spec: dict) -> Company:
    company = db.session.scalar(select(Company).where(Company.name == spec["name"]))
    if company is None:
        company = Company(**spec)
        db.session.add(company)
        db.session.flush()
    return company


def ensure_user(username: str, first: str, last: str, roles: list[str], companies: list[Company], password: str):
    """A user with exactly these roles and at least these memberships (idempotent)."""
    sm = current_app.appbuilder.sm
    role_objs = [sm.find_role(r) for r in roles]
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username, first, last, f"{username}@demo.example", role_objs, password)
    else:
        user.roles = role_objs
    for company in companies:
        exists = db.session.scalar(
            select(Membership.id).where(Membership.user_id == user.id, Membership.company_id == company.id)
        )
        if not exists:
            db.session.add(Membership(user_id=user.id, company_id=company.id))
    db.session.flush()
    return user


def demo_for_company(data: dict, company) -> dict:
    """A demo YAML's data for one company: its top-level lists, with what the file's
    `by_company: {<company name>: {...}}` gives that company instead (issue 9, item 22)."""
    own = ((data or {}).get("by_company") or {}).get(company.name) or {}
    return {**{k: v for k, v in (data or {}).items() if k != "by_company"}, **own}


def seed_demo(modules) -> list[tuple[str, str, str, str]]:
    """Two demo companies, one user per role per company, and each module's samples."""
    specs = load_seed("demo/companies.yaml")["companies"]
    roles = load_roles()["roles"]
    with company_scope(None):
        companies = [_get_or_create_company(spec["company"]) for spec in specs]
        logins = []
        admin = ensure_user("admin", "Ana", "Administradora", ["Admin"], companies, DEMO_PASSWORD)
        logins.append(("admin", DEMO_PASSWORD, "Admin", ", ".join(c.name for c in companies)))
        for spec, company in zip(specs, companies):
            for role, role_spec in roles.items():
                username = f"{spec['prefix']}.{role.lower()}"
                label = (role_spec or {}).get("label", role)
                first, last = (spec.get("people") or {}).get(role) or (label, company.name)
                ensure_user(username, first, last, [role], [company], DEMO_PASSWORD)
                logins.append((username, DEMO_PASSWORD, role, company.name))
        db.session.commit()
        for module in modules:
            if module.demo is not None:
                for company in companies:
                    with company_scope(company.id):
                        module.demo(db.session, company)
                        db.session.commit()
    del admin
    return logins


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also load the demo companies, users and records.")
@with_appcontext
def seed_command(demo: bool) -> None:
    """Load roles, permissions and reference data (idempotent); --demo adds demo data."""
    if demo and current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("flask seed --demo no se puede ejecutar con APP_CONFIG=production.")
    modules = installed(current_app)
    seed_reference(current_app.appbuilder, modules)
    click.echo("Roles, permisos y datos de referencia cargados.")
    if demo:
        logins = seed_demo(modules)
        click.echo("\nUsuarios de demostración (contraseña: %s)" % DEMO_PASSWORD)
        click.echo(f"{'usuario':32} {'rol':26} empresa")
        for username, _pw, role, company in logins:
            click.echo(f"{username:32} {role:26} {company}")


@click.group("workflow")
def workflow_cli() -> None:
    """Workflows loaded from seed/workflows."""


@workflow_cli.command("show")
@click.argument("name")
@with_appcontext
def workflow_show(name: str) -> None:
    """Print the transitions table of workflow NAME."""
    codes = [w.code for w in all_workflows()]
    if name not in codes:
        raise click.ClickException(f"No existe el flujo '{name}'. Flujos: {', '.join(codes) or 'ninguno'}.")
    wf = get_workflow(name)
    click.echo(f"{wf.name} (versión {wf.version})")
    rows = [("DESDE", "ACCIÓN", "HASTA", "ROLES")] + wf.table()
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
