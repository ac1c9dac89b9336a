"""`flask certification expire [--date YYYY-MM-DD]`: the expiry job for cron (CERT-PER-3)."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

cli = AppGroup("certification", help="Certificaciones de operarios.")


@cli.command("expire")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Fecha de referencia (AAAA-MM-DD); por defecto, hoy.")
def expire(on: dt.datetime | None) -> None:
    """Caduca las asignaciones cuyo periodo vigente terminó sin las inspecciones requeridas."""
    from app.certification.services import expire_assignments
    from app.core.tenancy import company_scope
    from app.extensions import db

    today = on.date() if on else dt.date.today()
    with company_scope(None):
        count = expire_assignments(session=db.session, today=today)
        db.session.commit()
    click.echo(f"{count} asignaciones caducadas a fecha {today:%d/%m/%Y}.")
