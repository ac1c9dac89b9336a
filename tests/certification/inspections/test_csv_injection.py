"""Issue 8, finding 3: an export never hands a spreadsheet a formula. A cell starting with
= + - @ tab or carriage return is written with a leading quote, in the one CSV helper."""
from __future__ import annotations

import csv
import datetime as dt
import io

from app.core.exports import neutralise_cell
from app.core.tenancy import company_scope
from tests.certification.conftest import TODAY

PAYLOAD = "=cmd|' /C calc'!A0"


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_inspections_csv_neutralises_formulas_in_names_and_observations(world, login, client):
    with company_scope(world.company.id):
        world.operator.first_name = PAYLOAD
        world.operator.last_name = "@SUM(1+1)"
        world.session.commit()
    a = world.assign(TODAY - dt.timedelta(days=3), today=TODAY)
    world.inspect(a, TODAY - dt.timedelta(days=3), today=TODAY, observations="+1-1")
    world.inspect(a, TODAY - dt.timedelta(days=2), today=TODAY, observations="@HYPERLINK(\"x\")")
    login(world.user.username)
    rows = read_csv(client.get("/certificaciones/inspecciones/inspecciones.csv"))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + PAYLOAD + " @SUM(1+1)" in cells and "'+1-1" in cells and "'@HYPERLINK(\"x\")" in cells
    at_risk = read_csv(client.get("/certificaciones/periodos/en-riesgo.csv"))
    assert at_risk[1][0] == "'" + PAYLOAD + " @SUM(1+1)"


def test_the_neutraliser_leaves_plain_values_and_numbers_alone():
    assert [neutralise_cell(v) for v in ("Lucía", "OK", "", 5, -3, None)] == ["Lucía", "OK", "", 5, -3, None]
    assert [neutralise_cell(v) for v in ("-3", "\rX", "@a", "+", "=1")] == ["'-3", "'\rX", "'@a", "'+", "'=1"]
