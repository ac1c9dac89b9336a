"""Exports (issue 7 item 6, issue 8 finding 3): the one CSV response of every module, and the
cell neutraliser that any spreadsheet export (CSV now, XLSX when it comes) passes its cells
through, so a value such as `=cmd|' /C calc'!A0` is shown as text, never run as a formula."""
from __future__ import annotations

import csv
import io

from flask import Response

from app.core.downloads import content_disposition

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """A text cell that a spreadsheet would read as a formula gets a leading quote (OWASP
    "CSV injection"); numbers, dates and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(row) -> list:
    return [neutralise_cell(value) for value in row]


def csv_response(filename: str, header: list[str], rows) -> Response:
    """A CSV for spreadsheets in Spanish locales: UTF-8 with BOM, ';' separated, every
    cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(neutralise_row(header))
    writer.writerows(neutralise_row(row) for row in rows)
    return Response(
        "\ufeff" + buffer.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(filename)},
    )
