"""`flask certification import FILE.xlsx|csv` (issue 9, item 16): history replayed in date
order through the services as of each row's date; refused rows reported with line and
reason; nothing written when any row is refused unless --skip-errors. Both formats."""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import select

from app.certification.assignments.models import CertificationAssignment
from app.certification.catalogs.models import Operator
from app.certification.inspections.models import Inspection
from app.core.tenancy import company_scope

HEADER = ["tipo", "fecha", "operario", "nombre", "apellidos", "auditor", "certificacion", "tipo_auditoria",
          "piezas", "resultado", "observaciones"]
YEAR_AGO = dt.date.today() - dt.timedelta(days=365)


def _workday(day, plus=0):
    day += dt.timedelta(days=plus)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def rows(bad=False):
    start = _workday(YEAR_AGO)
    out = [
        ["operario", "", "OP-7", "Ana", "Ruiz", "", "", "", "", "", ""],
        ["auditor", "", "", "Luis", "Pardo", "AU-7", "", "", "", "", ""],
        # out of date order on purpose: the import sorts by date
        ["inspeccion", _workday(start, 3).strftime("%d/%m/%Y"), "OP-7", "", "", "AU-7", "Laboratorio", "Dientes",
         "4", "NO OK", "Rebaba"],
        ["asignacion", start.isoformat(), "OP-7", "", "", "", "Laboratorio", "", "", "", "Desde la hoja"],
        ["inspeccion", _workday(start, 1).isoformat(), "OP-7", "", "", "AU-7", "Laboratorio", "Dientes", "12", "OK",
         ""],
    ]
    if bad:
        out.append(["inspeccion", "mañana", "OP-7", "", "", "AU-7", "Laboratorio", "Dientes", "1", "OK", ""])
        out.append(["inspeccion", start.isoformat(), "OP-7", "", "", "AU-7", "Laboratorio", "Dientes", "0", "OK", ""])
    return out


def write(tmp_path, kind, data):
    if kind == "csv":
        path = tmp_path / "historia.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([HEADER, *data])
    else:
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(HEADER)
        for row in data:
            wb.active.append(row)
        path = tmp_path / "historia.xlsx"
        wb.save(path)
    return str(path)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_year_of_history_is_replayed_in_date_order(world, runner, tmp_path, kind):
    r = runner.invoke(args=["certification", "import", write(tmp_path, kind, rows()), "--company", world.company.name])
    assert r.exit_code == 0, r.output
    assert "5 filas importadas" in r.output
    with company_scope(world.company.id):
        op = world.session.scalar(select(Operator).where(Operator.code == "OP-7"))
        a = world.session.scalar(select(CertificationAssignment).where(CertificationAssignment.operator_id == op.id))
        done = world.session.scalars(select(Inspection).where(Inspection.assignment_id == a.id)
                                     .order_by(Inspection.date)).all()
    assert a.assigned_on == _workday(YEAR_AGO)
    assert [(i.pieces, i.result) for i in done] == [(12, "OK"), (4, "NO_OK")]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_refused_row_is_reported_by_line_and_nothing_is_written(world, runner, tmp_path, kind):
    path = write(tmp_path, kind, rows(bad=True))
    before = world.counts()
    r = runner.invoke(args=["certification", "import", path, "--company", str(world.company.id)])
    assert r.exit_code == 1
    assert "Línea 7:" in r.output and "Línea 8:" in r.output and "Piezas" in r.output
    assert "Nada importado: 2 filas rechazadas" in r.output
    assert world.counts() == before
    with company_scope(world.company.id):
        assert world.session.scalar(select(Operator).where(Operator.code == "OP-7")) is None
    r = runner.invoke(args=["certification", "import", path, "--company", world.company.name, "--skip-errors"])
    assert r.exit_code == 0 and "5 filas importadas" in r.output and "2 rechazadas" in r.output
    with company_scope(world.company.id):
        assert world.session.scalar(select(Operator).where(Operator.code == "OP-7")) is not None


def test_the_sample_of_the_docs_imports(world, runner):
    r = runner.invoke(args=["certification", "import", "seed/samples/certification-import.csv",
                            "--company", world.company.name])
    assert r.exit_code == 0, r.output
