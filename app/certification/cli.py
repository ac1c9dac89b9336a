"""`flask certification expire [--date YYYY-MM-DD]`: the expiry job for cron (CERT-PER-3)."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from app.certification.assignments.services import expire_assignments
from app.certification.importer import import_history
from app.core.errors import DomainError
from app.core.tenancy import Company, company_scope
from app.core.validation import typed_int
from app.extensions import db

cli = AppGroup("certification", help="Certificaciones de operarios.")


@cli.command("expire")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Fecha de referencia (AAAA-MM-DD); por defecto, hoy.")
def expire(on: dt.datetime | None) -> None:
    """Caduca las asignaciones cuyo periodo vigente terminó sin las inspecciones requeridas."""
    today = on.date() if on else dt.date.today()
    with company_scope(None):
        count = expire_assignments(session=db.session, today=today)
        db.session.commit()
    click.echo(f"{count} asignaciones caducadas a fecha {today:%d/%m/%Y}.")


@cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--company", required=True, help="Empresa (id o nombre) a la que pertenece la historia.")
@click.option("--skip-errors", is_flag=True, help="Guarda las filas válidas aunque otras se rechacen.")
def import_file(path: str, company: str, skip_errors: bool) -> None:
    """Importa operarios, auditores, asignaciones e inspecciones de un .xlsx o .csv,
    reproduciendo la historia por fecha (formato: docs/certification-import.md)."""
    with company_scope(None):
        found = db.session.scalar(select(Company).where(or_(
            Company.name == company, Company.id == (typed_int(company) or -1))))
    if found is None:
        raise click.ClickException(f"No existe la empresa «{company}».")
    with company_scope(found.id):
        try:
            report = import_history(session=db.session, company=found, user=None, path=path, skip_errors=skip_errors)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
    for line, reason in report.refused:
        click.echo(f"Línea {line}: {reason}", err=True)
    if report.written:
        click.echo(f"{report.done} filas importadas en {found.name}; {len(report.refused)} rechazadas.")
    else:
        click.echo(f"Nada importado: {len(report.refused)} filas rechazadas (usa --skip-errors para guardar el resto).",
                   err=True)
        raise SystemExit(1)
