"""The one input vocabulary (issue 7 item 4): same mistake, same sentence, naming the label."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import validation as v
from app.core.errors import FieldErrors, ValidationError
from app.core.tenancy import NonWorkingDay, company_scope


def refusal(parser, value, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        parser(value, "scheduled_for", "Fecha programada", *args, **kwargs)
    assert info.value.field == "scheduled_for"
    assert "scheduled_for" not in info.value.message  # the label, never the code
    return info.value


@pytest.mark.parametrize("raw, day", [
    ("01/12/2026", dt.date(2026, 12, 1)), ("1/2/2026", dt.date(2026, 2, 1)), ("2026-12-01", dt.date(2026, 12, 1)),
    (" 29/02/2028 ", dt.date(2028, 2, 29)), (dt.date(2026, 5, 4), dt.date(2026, 5, 4)),
    (dt.datetime(2026, 5, 4, 10, 30), dt.date(2026, 5, 4)),
])
def test_dates_are_read_as_ddmmaaaa_or_iso(raw, day):
    assert v.date(raw, "scheduled_for", "Fecha programada") == day


@pytest.mark.parametrize("raw", ["mañana", "20/13/2026", "31/02/2026", "2026-02-30", "20301231", "12-01-2026",
                                 "2026/12/01", 20261201, True, ["2026-12-01"], "hoy"])
def test_anything_else_is_refused_never_today(raw):
    error = refusal(v.date, raw)
    assert "«Fecha programada» debe ser una fecha dd/mm/aaaa o aaaa-mm-dd" in error.message


def test_a_missing_required_value_says_so_by_label():
    assert refusal(v.date, "  ").message == "El campo «Fecha programada» es obligatorio."
    assert v.date("", "scheduled_for", "Fecha programada", required=False) is None


@given(st.dates(min_value=v.MIN_DATE, max_value=v.MAX_DATE))
def test_every_date_reads_back_in_both_spellings(day):
    assert v.date(day.strftime("%d/%m/") + f"{day.year:04d}", "d", "Fecha") == day
    assert v.date(day.isoformat(), "d", "Fecha") == day


@given(st.text(max_size=20))
def test_a_string_is_a_date_or_a_sentence_never_a_crash(raw):
    try:
        assert isinstance(v.date(raw, "d", "Fecha", required=False), (dt.date, type(None)))
    except ValidationError as exc:
        assert "«Fecha»" in exc.message and exc.field == "d"


def test_text_has_the_columns_own_limit():
    assert v.text("  Festivo  ", "description", "Descripción", column=NonWorkingDay.description) == "Festivo"
    with pytest.raises(ValidationError, match="«Descripción» admite como mucho 200 caracteres"):
        v.text("x" * 201, "description", "Descripción", column=NonWorkingDay.description)
    with pytest.raises(ValidationError, match="«Descripción» es obligatorio"):
        v.text(" ", "description", "Descripción", required=True)
    with pytest.raises(ValidationError, match="«Descripción» debe ser un texto"):
        v.text(["x"], "description", "Descripción")


def test_integers_decimals_booleans_choices_and_ids():
    assert v.integer("12", "n", "Piezas", min=1) == 12
    assert "mayor o igual que 1" in refusal(v.integer, "0", min=1).message
    assert "entre 1 y 999" in refusal(v.integer, "muchas", min=1, max=999).message
    assert "número entero" in refusal(v.integer, 1.5).message
    assert v.decimal("12,5", "n", "Importe") == Decimal("12.5")
    assert "debe ser un número" in refusal(v.decimal, "doce").message
    assert "debe ser un número" in refusal(v.decimal, float("nan")).message
    assert v.boolean("y", "a", "Activo") is True and v.boolean("", "a", "Activo") is False
    assert "Sí o No" in refusal(v.boolean, "quizá").message
    assert v.choice("OK", "r", "Resultado", choices={"OK": "OK", "NO_OK": "NO OK"}) == "OK"
    assert "uno de: OK, NO OK" in refusal(v.choice, "REGULAR", choices={"OK": "OK", "NO_OK": "NO OK"}).message
    assert v.ids(["1", 2], "t", "Técnicos") == [1, 2]
    assert "lista de ids" in refusal(v.ids, "1,2").message
    assert "al menos un elemento" in refusal(v.ids, [], required=True).message


def test_checker_reports_every_field_at_once():
    check = v.Checker()
    check(v.date, "mañana", "date", "Fecha")
    check(v.integer, "0", "pieces", "Piezas", min=1)
    assert check(v.text, "bien", "observations", "Observaciones") == "bien"
    with pytest.raises(FieldErrors) as info:
        check.done()
    assert set(info.value.errors) == {"date", "pieces"}
    assert "«Piezas»" in info.value.errors["pieces"]


def test_payload_specs_use_their_labels_and_collect_errors():
    specs = {"scheduled_for": {"type": "date", "required": True, "label": "Fecha programada"},
             "channel": {"type": "string", "label": "Canal", "choices": ["teléfono", "correo"]}}
    with pytest.raises(FieldErrors) as info:
        v.validate_payload(specs, {"channel": "fax"})
    assert info.value.errors == {
        "scheduled_for": "El campo «Fecha programada» es obligatorio.",
        "channel": "El campo «Canal» debe ser uno de: teléfono, correo.",
    }
    assert v.validate_payload(specs, {"scheduled_for": "01/12/2026"}) == {"scheduled_for": dt.date(2026, 12, 1)}
    with pytest.raises(ValidationError, match="Campo desconocido «color»"):
        v.validate_payload(specs, {"color": "rojo"})


def test_a_visible_id_answers_the_same_for_another_company_and_for_nobody(app, session):
    from app.extensions import db
    from tests.factories import make_company

    mine, theirs = make_company(name="V Mía"), make_company(name="V Otra")
    with company_scope(theirs.id):
        foreign = NonWorkingDay(date=dt.date(2026, 12, 1), description="Otra")
        session.add(foreign)
        session.flush()
    session.commit()
    with company_scope(mine.id):
        messages = set()
        for pk in (foreign.id, 999999, 2**40):
            with pytest.raises(ValidationError) as info:
                v.visible(db.session, NonWorkingDay, pk, "day", "Día no laborable")
            messages.add(info.value.message)
        assert messages == {"El campo «Día no laborable» no corresponde a ningún registro de la empresa activa."}


@pytest.mark.parametrize("raw", ["²", "٣", 2**40, "99999999999", True])
def test_ids_that_no_column_can_hold_are_refused_not_a_500(raw):
    """str.isdigit() accepts "²" and Arabic-Indic digits, which int() refuses: one message."""
    with pytest.raises(ValidationError, match="«Técnicos»"):
        v.ids([raw], "technicians", "Técnicos")
    if isinstance(raw, str) and not raw.isascii() or raw is True:
        with pytest.raises(ValidationError, match="«Equipo»"):
            v.record_id(raw, "equipment", "Equipo")


def test_a_constraint_sentence_shows_a_date_shaped_non_date_as_typed():
    from app.core.constraints import _shown

    assert _shown("2026-12-01") == "01/12/2026" and _shown("2026-13-01") == "2026-13-01"


def test_a_rison_filter_whose_column_is_not_a_name_is_a_422(api, make_company, make_user):
    company = make_company()
    admin = make_user(roles=["Admin"], companies=[company], username="rison_col")
    r = api(admin, company).get("/api/v1/company/?q=(filters:!((col:!(a),opr:eq,value:1)))")
    assert r.status_code == 422 and "col" in r.get_json()["message"]
