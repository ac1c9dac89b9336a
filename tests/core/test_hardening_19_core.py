"""Issue 19, points 7-9, in the core: archives read with a bound (a zip bomb is a 4xx naming
the file, in bounded memory), file names without control characters, an upload over the limit
refused before it is read, one Content-Disposition with RFC 5987 for every download, numbers
int() cannot hold and far dates refused by the shared validators; issue 29 item 4: only FAB's
own file download is taken for one, not any route named `download`."""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import tracemalloc
import zipfile

import pytest
from flask_appbuilder import BaseView, expose, has_access
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from app.core import validation as v
from app.core.archives import check_archive
from app.core.downloads import content_disposition
from app.core.errors import TooLarge, ValidationError
from app.core.storage import check_upload
from app.core.tenancy import NonWorkingDay, company_scope
from tests.factories import PASSWORD
from tests.zip_bomb import XLSX_TYPES, zip_bomb

NAMES = ["informe_калибровка.pdf", "Medición nº 3 (ñ).csv", "検査.xlsx", 'comillas "y" barra\\.pdf', "plain.pdf"]


def _peak(fn):
    """(what fn raised or returned, the peak of Python memory it allocated, bytes)."""
    tracemalloc.start()
    try:
        try:
            outcome = fn()
        except Exception as exc:  # noqa: BLE001 (the test inspects it)
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- point 7: archives -------------------------------------------------------------------

def test_hardening_19_7_a_zip_bomb_xlsx_is_a_4xx_naming_the_file_in_bounded_memory():
    bomb = zip_bomb()  # 500 MB declared in ~500 KB, with a genuine workbook's content types
    assert len(bomb) < 1024 * 1024
    refused, peak = _peak(lambda: check_upload("ventas_2026.xlsx", bomb))
    assert isinstance(refused, ValidationError) and refused.status == 422 and refused.field == "file"
    assert "«ventas_2026.xlsx»" in refused.message and "bomba zip" in refused.message
    assert peak < 5 * 1024 * 1024, f"{peak / 1048576:.1f} MB"  # the old check read 500 MB (1.1 GB peak)


def test_hardening_19_7_any_member_of_the_archive_counts_not_only_the_one_read():
    bomb = zip_bomb("xl/worksheets/sheet1.xml", megabytes=50, prefix=b"<worksheet>",
                    others={"[Content_Types].xml": XLSX_TYPES + b"-->"})
    with pytest.raises(ValidationError) as info:
        check_upload("hoja.xlsx", bomb)
    assert "«hoja.xlsx»" in info.value.message and "se expande demasiado" in info.value.message
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("[Content_Types].xml", XLSX_TYPES + b"-->")
        for i in range(10_001):
            archive.writestr(f"x/{i}", b"")
    with pytest.raises(ValidationError, match="se expande demasiado"):
        check_archive(io.BytesIO(many.getvalue()), "muchos.xlsx")


def test_hardening_19_7_a_corrupt_workbook_is_a_422_not_a_500():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", XLSX_TYPES * 20 + b"-->")
    data = bytearray(buffer.getvalue())
    start = 30 + len("[Content_Types].xml")  # the member's compressed bytes
    data[start + 5:start + 40] = bytes(b ^ 0xFF for b in data[start + 5:start + 40])  # zlib.error when read
    with pytest.raises(ValidationError, match="«rota.xlsx» no es un XLSX"):
        check_upload("rota.xlsx", bytes(data))


def test_hardening_19_7_a_genuine_workbook_still_passes():
    from openpyxl import Workbook

    book = Workbook()
    for i in range(20_000):  # repetitive sheets compress well (about 12 times), far below the bound
        book.active.append([i, "Presión", 10.0, 10.02, "bar", "OK"])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = check_upload("lecturas.xlsx", buffer.getvalue())
    assert checked.extension == "xlsx" and checked.size == len(buffer.getvalue())


# --- point 9 / uploads: names and sizes ------------------------------------------------------

@pytest.mark.parametrize("name", ["informe\x00.pdf", "a\x00b.pdf", "salto\nde línea.pdf", "esc\x1b.pdf", "\ud800.pdf"])
def test_hardening_19_9_a_control_character_in_a_file_name_is_a_422_naming_the_field(name):
    with pytest.raises(ValidationError) as info:
        check_upload(name, b"%PDF-1.4\n%%EOF\n")
    assert info.value.status == 422 and info.value.field == "file"
    assert "nombre del archivo contiene caracteres no admitidos" in info.value.message
    assert "\x00" not in info.value.message


class _Unreadable(io.BytesIO):
    """A spooled upload whose bytes must not be read: only its size is asked for."""

    def read(self, *args):
        raise AssertionError("the file was read before its size was checked")


def test_hardening_19_uploads_over_the_limit_are_a_413_before_a_byte_is_read(app):
    upload = _Unreadable(b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(TooLarge) as info:
        check_upload("grande.pdf", upload, max_bytes=1024 * 1024)
    assert info.value.status == 413 and info.value.field == "file"
    assert info.value.message == "El archivo «grande.pdf» ocupa 1.0 MB; el máximo es 1 MB."
    assert app.config["MAX_UPLOAD_BYTES"] == 20 * 1024 * 1024  # the setting, with its documented default
    with pytest.raises(TooLarge, match="el máximo es 20 MB"):
        check_upload("enorme.pdf", _Unreadable(b"%PDF-" + b"0" * (20 * 1024 * 1024)))


def test_hardening_19_uploads_text_is_checked_in_chunks_across_their_edges():
    from app.core.storage import CHUNK

    straddling = b"a" * (CHUNK - 1) + "ñ;°C\n".encode("utf-8")  # "ñ" split between two chunks
    assert check_upload("lecturas.csv", straddling).size == len(straddling)
    latin1 = b"x;y\n" * (CHUNK // 2) + "1;20 °C\n".encode("latin-1")
    assert check_upload("lecturas.csv", latin1).extension == "csv"
    with pytest.raises(ValidationError, match="no es un CSV"):
        check_upload("lecturas.csv", b"a;b\n" * (CHUNK // 2) + b"\x00")


# --- point 8: downloads ----------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_hardening_19_8_content_disposition_names_any_file_and_the_header_can_be_sent(name):
    header = content_disposition(name)
    header.encode("latin-1")  # a WSGI server sends Latin-1 headers only (gunicorn refuses others)
    fallback = header.split(";")[1].strip()
    assert fallback.startswith('filename="') and fallback.isascii()
    disposition, options = parse_options_header(header)
    assert disposition == "attachment" and options["filename"] == name
    if name.isascii() and '"' not in name and "\\" not in name:
        assert header == f'attachment; filename="{name}"'
    else:
        assert "filename*=UTF-8''" in header


def test_hardening_19_8_the_csv_exports_use_the_same_header(app):
    from app.core.exports import csv_response

    response = csv_response("inspecciones_año.csv", ["a"], [["b"]])
    assert parse_options_header(response.headers["Content-Disposition"])[1]["filename"] == "inspecciones_año.csv"


# --- point 9: numbers and dates ----------------------------------------------------------

@pytest.mark.parametrize("raw", [math.inf, -math.inf, math.nan, float("1e400"), 1e300, 5.5, True, "Infinity",
                                 "1e400", "NaN", "²"])
def test_hardening_19_9_numbers_no_id_can_be_are_refused_by_every_parser(raw):
    for parser in (v.integer, v.record_id):
        with pytest.raises(ValidationError) as info:
            parser(raw, "order_id", "Orden")
        assert info.value.field == "order_id" and "«Orden»" in info.value.message
    with pytest.raises(ValidationError):
        v.ids([1, raw], "technicians", "Técnicos")
    assert v.typed_int(raw) is None and v.lookup_id(raw) == 0
    if isinstance(raw, float) and not math.isfinite(raw):
        with pytest.raises(ValidationError):
            v.decimal(raw, "nominal", "Valor nominal")


@pytest.mark.parametrize("raw", ["31/12/9999", "9999-12-31", "2101-01-01", "31/12/1899", dt.date(9999, 12, 31),
                                 dt.datetime(1, 1, 1)])
def test_hardening_19_9_far_dates_are_refused_naming_the_field(raw):
    with pytest.raises(ValidationError) as info:
        v.date(raw, "last_calibrated_on", "Última calibración")
    assert info.value.field == "last_calibrated_on"
    assert info.value.message == ("El campo «Última calibración» debe ser una fecha entre el 01/01/1900 y el "
                                  "31/12/2100.")
    assert v.date("31/12/2100", "d", "Fecha") == v.MAX_DATE and v.date("1900-01-01", "d", "Fecha") == v.MIN_DATE


def test_hardening_19_9_a_far_date_is_refused_whoever_writes_it(api, make_user, make_company, session):
    company = make_company()
    client = api(make_user(roles=["Admin"], companies=[company]), company)
    r = client.post("/api/v1/non_working_day/", json={"date": "9999-12-31", "description": "Fin del mundo"})
    assert r.status_code == 422 and r.get_json()["field"] == "date", r.get_json()
    assert "entre el 01/01/1900 y el 31/12/2100" in r.get_json()["message"]
    with company_scope(company.id):
        session.add(NonWorkingDay(date=dt.date(9999, 12, 31), description="Por el ORM"))
        with pytest.raises(ValidationError, match="entre el 01/01/1900"):
            session.flush()
        session.rollback()
    with company_scope(None):
        assert session.scalar(select(func.count()).select_from(NonWorkingDay)) == 0


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400", "1e300"])
def test_hardening_19_9_a_json_number_no_column_holds_is_a_422_naming_the_field(number, api, make_user,
                                                                                make_company, session):
    company = make_company()
    user = make_user(roles=["Admin"], companies=[company])
    client = api(user, company)
    body = '{"user": %s, "company": %d}' % (number, company.id)
    r = client.post("/api/v1/membership/", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.get_json() == {
        "message": "El campo 'user' tiene un número fuera de rango.", "field": "user"}, r.get_json()
    r = client.get("/api/v1/non_working_day/", query_string={"q": json.dumps({"page": 1e400})})
    assert r.status_code in (400, 422)


def test_hardening_19_9_ids_typed_with_other_digits_are_a_4xx(client, login, make_user, make_company, api):
    """"²" passes str.isdigit() but int() refuses it: wherever an id is read (form, path,
    header, a schema's related id) it is a 4xx naming the field."""
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company])
    login(admin.username)
    assert client.post("/empresa/activa", data={"company_id": "²"}).status_code == 403
    rest = api(admin, company)
    r = rest.put("/api/v1/security/users/²", json={"first_name": "X"})
    assert r.status_code == 404 and "message" in r.get_json()
    r = rest.get("/api/v1/non_working_day/", headers={"X-Company-Id": "²"})
    assert r.status_code == 422 and r.get_json()["field"] == "X-Company-Id"
    r = rest.get("/backend/calibraciones/list_calibrations.php", headers={"X-Company-Id": "²"})
    assert r.status_code == 422 and r.get_json()["field"] == "X-Company-Id"
    r = rest.post("/api/v1/membership/", json={"user": "²", "company": company.id})
    assert r.status_code == 422 and r.get_json()["field"] == "user", r.get_json()


# --- issue 29 item 4: FAB's own download, matched exactly ----------------------------------

class ReportPages(BaseView):
    """A view of a module with a route of its own named `download`."""

    route_base = "/informes_prueba"
    default_view = "download"

    @expose("/descargar/<name>")
    @has_access
    def download(self, name):
        return f"informe {name}"


@pytest.fixture(scope="module")
def report_app(database_url, app):
    from app import create_app
    from app.extensions import db

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with other.app_context():
        other.appbuilder.add_view_no_menu(ReportPages())
        other.appbuilder.add_permissions(update_perms=True)
        db.session.commit()
        db.session.remove()
    return other


def test_hardening_29_4_a_custom_download_route_runs_and_fabs_own_download_still_404s(report_app, make_user,
                                                                                        make_company):
    admin = make_user(roles=["Admin"], companies=[make_company()])
    browser = report_app.test_client()
    assert browser.post("/login/", data={"username": admin.username, "password": PASSWORD}).status_code == 302
    r = browser.get("/informes_prueba/descargar/enero")
    assert r.status_code == 200 and r.get_data(as_text=True) == "informe enero"
    # FAB's ModelView.download on a view without file columns (the users view): still a 404
    assert "UserDBModelView.download" in report_app.view_functions
    assert browser.get("/users/download/x.txt").status_code == 404
