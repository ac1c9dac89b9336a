"""Backfilling history from a spreadsheet (issue 9, item 16; docs/certification-import.md):
operators, auditors, assignments and inspections from one .xlsx or .csv file, replayed in
date order through the same services a user calls, each as of its row's date (so an
assignment that started a year ago opens its period 1 then, and its past inspections fill
its periods in order). Every refused row is reported with its line and reason; nothing is
written when any row is refused, unless `skip_errors` keeps the rows that passed."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.certification.assignments import services as assignment_services
from app.certification.assignments.models import CertificationAssignment
from app.certification.catalogs import services as catalog_services
from app.certification.catalogs.models import (
    Auditor,
    Certification,
    Operator,
    ProductAuditType,
)
from app.certification.inspections import services as inspection_services
from app.certification.inspections.models import RESULT_LABELS
from app.core import validation as v
from app.core.archives import check_archive
from app.core.errors import DomainError, ValidationError

COLUMNS = ("tipo", "fecha", "operario", "nombre", "apellidos", "auditor", "certificacion", "tipo_auditoria",
           "piezas", "resultado", "observaciones")
KINDS = {"operario": 0, "auditor": 0, "asignacion": 1, "inspeccion": 2}  # same date: assignment first


@dataclass
class Report:
    done: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    written: bool = False


def read_rows(path: str) -> list[tuple[int, dict]]:
    """(line number, {column: text}) of a .csv (comma or semicolon, UTF-8) or .xlsx (first sheet)."""
    if path.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:  # a zip bomb is refused before openpyxl decompresses anything (issue 19, point 7)
            check_archive(path, os.path.basename(path), field="archivo").close()
        except (zipfile.BadZipFile, OSError):
            raise ValidationError(f"El archivo «{os.path.basename(path)}» no es un .xlsx válido.") from None
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h or "").strip().lower() for h in rows[0]] if rows else []
        out = []
        for number, row in enumerate(rows[1:], start=2):
            values = {h: _cell(c) for h, c in zip(header, row)}
            if any(values.values()):
                out.append((number, values))
        return out
    with open(path, encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    return [(reader.line_num, {k: (val or "").strip() for k, val in row.items() if k})
            for row in reader if any((val or "").strip() for val in row.values() if isinstance(val, str))]


def _cell(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _find(session: Session, model, column, value, label: str):
    row = session.scalar(select(model).where(column == value)) if value else None
    if row is None:
        raise ValidationError(f"No existe {label} «{value}» en la empresa.")
    return row


def _replay(session: Session, *, company, user, values: dict, today: dt.date | None) -> None:
    kind = values.get("tipo", "").lower()
    if kind in ("operario", "auditor"):
        model = Operator if kind == "operario" else Auditor
        code = values.get("operario") if kind == "operario" else values.get("auditor")
        item = model(first_name=values.get("nombre"), last_name=values.get("apellidos"), code=code or None)
        catalog_services.validate_catalog_item(session=session, item=item)
        session.add(item)
        session.flush()
        return
    operator = _find(session, Operator, Operator.code, values.get("operario"), "el operario")
    certification = _find(session, Certification, Certification.name, values.get("certificacion"), "la certificación")
    if kind == "asignacion":
        assignment_services.assign_certification(session=session, user=user, company=company, operator=operator.id,
                                      certification=certification.id, assigned_on=today,
                                      observations=values.get("observaciones", ""), today=today)
        return

    assignment = session.scalar(select(CertificationAssignment).where(
        CertificationAssignment.operator_id == operator.id, CertificationAssignment.certification_id == certification.id,
        CertificationAssignment.assigned_on <= today).order_by(CertificationAssignment.assigned_on.desc()).limit(1))
    if assignment is None:
        raise ValidationError(f"{operator.full_name} no tenía asignada la certificación «{certification.name}» "
                              f"el {today:%d/%m/%Y}.")
    audit_type = session.scalar(select(ProductAuditType).where(
        ProductAuditType.certification_id == certification.id, ProductAuditType.name == values.get("tipo_auditoria")))
    if audit_type is None:
        raise ValidationError(f"La certificación «{certification.name}» no tiene el tipo de auditoría "
                              f"«{values.get('tipo_auditoria')}».")
    auditor = _find(session, Auditor, Auditor.code, values.get("auditor"), "el auditor")
    result = values.get("resultado", "").upper().replace(" ", "_")
    result = next((code for code, label in RESULT_LABELS.items() if result in (code, label.upper().replace(" ", "_"))),
                  result)
    inspection_services.register_inspection(session=session, user=user, company=company, assignment=assignment.id,
                                 audit_type=audit_type.id, auditor=auditor.id, date=today, pieces=values.get("piezas"),
                                 result=result, observations=values.get("observaciones", ""), today=today)


def import_history(*, session: Session, company, user, path: str, skip_errors: bool = False) -> Report:
    """Replay the file (see the module docstring); the caller's session is committed here only
    when nothing was refused or `skip_errors` is set, else everything is rolled back."""
    if not os.path.exists(path):
        raise ValidationError(f"No existe el archivo {path}.")
    report = Report()
    planned = []
    for line, values in read_rows(path):
        kind = values.get("tipo", "").lower()
        if kind not in KINDS:
            report.refused.append((line, f"tipo «{values.get('tipo', '')}» desconocido (operario, auditor, "
                                         "asignacion, inspeccion)."))
            continue
        day = None
        if KINDS[kind]:
            try:
                day = v.date(values.get("fecha"), "fecha", "Fecha", required=True)
            except DomainError as exc:
                report.refused.append((line, exc.message))
                continue
        planned.append((KINDS[kind] and 1, day or dt.date.min, KINDS[kind], line, values))
    for _catalog, day, _order, line, values in sorted(planned, key=lambda p: p[:4]):
        savepoint = session.begin_nested()
        try:
            _replay(session, company=company, user=user, values=values, today=None if day == dt.date.min else day)
            savepoint.commit()
            report.done += 1
        except DomainError as exc:
            savepoint.rollback()
            report.refused.append((line, exc.message))
    report.refused.sort()
    if report.refused and not skip_errors:
        session.rollback()
        return report
    session.commit()
    report.written = True
    return report
