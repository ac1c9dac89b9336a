"""The calibration certificate's PDF layout (issue 10 item 6; ISO/IEC 17025 §7.8.2, §7.8.4,
§7.8.6 and §7.8.8), from a plain dataclass: no database, no Flask request.

Every page carries the lab, the certificate number and "Página x de y" (app/core/pdf.py).
The aggregate's own file: the certificate is a document; services.py fills it and stores it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

from app.core.errors import ValidationError
from app.core.pdf import (
    STYLES,
    Column,
    PageDecor,
    build_pdf,
    data_table,
    format_value,
    heading,
    key_value_block,
    paragraph,
    qr_flowable,
)

# a tighter section heading: the whole certificate of a few points fits on one page
STYLES.setdefault("cal-heading", ParagraphStyle("cal-heading", parent=STYLES["heading"], spaceBefore=2.5 * mm,
                                                spaceAfter=1.2 * mm))


@dataclass(frozen=True)
class ResultRow:
    """One calibration point as printed (CalibrationResult's fields)."""

    measurand: str
    nominal: Decimal | None
    as_found: Decimal | None
    as_left: Decimal | None
    error: Decimal | None
    uncertainty: Decimal | None
    k: Decimal | None
    unit: str = ""
    tolerance: Decimal | None = None
    conforms: bool | None = None  # None: no tolerance given, no statement of conformity
    external_provider: str | None = None  # §7.8.2.1 p: the result comes from this provider


@dataclass(frozen=True)
class CertificateData:
    """Everything the certificate prints; built by services.py from the order."""

    number: str
    verification_code: str
    verify_url: str
    lab_name: str
    lab_address: str
    client_name: str
    client_contact: str
    instrument: list[tuple[str, str]]  # (label, value): tag, description, make, model, serial...
    received_on: dt.date | None
    calibrated_from: dt.date | None
    calibrated_to: dt.date | None
    issued_on: dt.date
    method: str
    environment: str
    standards: str
    results: list[ResultRow]
    authorised_by: str
    place: str = "—"  # §7.8.2.1 c
    condition_on_receipt: str = "—"  # §7.8.2.1 g
    deviations: str = "—"  # §7.8.2.1 n
    accreditation_number: str = ""
    decision_rule: str = ""
    next_due_on: dt.date | None = None  # printed only when the client asked for it
    replaces_number: str | None = None  # an amendment (§7.8.8): the certificate it replaces
    amendment_reason: str | None = None
    # issue 21 item 11: the company's format is NOM-059-SSA1: the record's added items (label, value)
    nom059: list[tuple] | None = None
    extra: dict = field(default_factory=dict)


def _dates(start, end) -> str:
    if start and end and start != end:
        return f"{format_value(start)} – {format_value(end)}"
    return format_value(start or end)


def _conformity(row: ResultRow) -> str:
    if row.conforms is None:
        return "—"
    return str(_l("Conforme")) if row.conforms else str(_l("No conforme"))


def results_table(rows: list[ResultRow]):
    """As-found and as-left side by side, with units, U and k, and conformity per point."""
    columns = [
        Column(str(_l("Magnitud / punto")), align="LEFT", width_mm=22),
        Column(str(_l("Unidad")), align="CENTER", width_mm=14),
        Column(str(_l("Nominal"))),
        Column(str(_l("Lectura como se recibió"))),
        Column(str(_l("Lectura como se entregó"))),
        Column(str(_l("Error"))),
        Column(str(_l("Incert. U"))),
        Column("k", align="CENTER", width_mm=11),
        Column(str(_l("Tol. ±"))),
        Column(str(_l("Conformidad")), align="CENTER", width_mm=22),
    ]
    body = [
        [r.measurand + (" (*)" if r.external_provider else ""), r.unit, r.nominal, r.as_found, r.as_left, r.error,
         r.uncertainty, r.k, r.tolerance, _conformity(r)]
        for r in rows
    ]
    table = data_table(columns, body)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _closing_block(data: CertificateData):
    """Who authorised it (left) and the QR code with the verification code (right)."""
    signed = key_value_block([(_l("Autorizado por"), data.authorised_by), (_l("Fecha de emisión"), data.issued_on)],
                             label_width_mm=32, width_mm=95)
    caption = str(_l("Verifique este certificado en %(url)s con el código %(code)s",
                     url=data.verify_url, code=data.verification_code))
    right = [qr_flowable(data.verify_url, size_mm=24),
             paragraph(str(_l("Código de verificación: %(code)s", code=data.verification_code)), "label")]
    table = Table([[signed, right]], colWidths=[100 * mm, 70 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([table, paragraph(caption, "small")])


def _two_columns(left, right):
    """Two label: value blocks side by side (85 mm each)."""
    blocks = [key_value_block(pairs, label_width_mm=36, width_mm=83) for pairs in (left, right)]
    table = Table([blocks], colWidths=[85 * mm, 85 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def story(data: CertificateData) -> list:
    """The flowables of the certificate, in the order a reader expects (§7.8.2.1)."""
    items = [heading(str(_l("Certificado de calibración")), "title")]
    if data.replaces_number:
        items.append(paragraph(str(_l("Sustituye al certificado %(number)s. Motivo: %(reason)s",
                                      number=data.replaces_number, reason=data.amendment_reason or "—")),
                               "label"))
        items.append(Spacer(1, 2 * mm))
    items.append(key_value_block([
        (_l("Número de certificado"), data.number), (_l("Laboratorio"), data.lab_name),
        (_l("Dirección del laboratorio"), data.lab_address),
        (_l("Nº de acreditación"), data.accreditation_number or "—"),
        (_l("Cliente"), data.client_name), (_l("Contacto del cliente"), data.client_contact),
    ]))
    items.append(heading(str(_l("Ítem calibrado")), "cal-heading"))
    half = (len(data.instrument) + 1) // 2
    items.append(_two_columns(data.instrument[:half], data.instrument[half:]))
    items.append(heading(str(_l("Fechas, método y condiciones")), "cal-heading"))
    dates = [
        (_l("Fecha de recepción del ítem"), data.received_on),
        (_l("Fechas de calibración"), _dates(data.calibrated_from, data.calibrated_to)),
        (_l("Fecha de emisión"), data.issued_on),
    ]
    if data.next_due_on:
        dates.append((_l("Próxima calibración recomendada (a petición del cliente)"), data.next_due_on))
    items.append(key_value_block(dates + [
        (_l("Lugar de la calibración"), data.place),
        (_l("Estado del ítem a la recepción"), data.condition_on_receipt),
        (_l("Método de calibración"), data.method),
        (_l("Desviaciones, adiciones o exclusiones del método"), data.deviations),
        (_l("Condiciones ambientales"), data.environment),
        (_l("Patrones utilizados y trazabilidad"), data.standards),
    ], label_width_mm=60))
    items.append(heading(str(_l("Resultados")), "cal-heading"))
    items.append(results_table(data.results))
    items.append(Spacer(1, 2 * mm))
    items.append(paragraph(str(_l(
        "Incert. U: incertidumbre expandida, que se obtiene multiplicando la incertidumbre típica combinada por el "
        "factor de cobertura k indicado en cada punto. Error: lectura como se entregó (tras el ajuste, si lo hubo) "
        "menos el valor nominal. Tol. ±: tolerancia del punto."))))
    for provider in dict.fromkeys(r.external_provider for r in data.results if r.external_provider):
        items.append(paragraph(str(_l("(*) Resultado aportado por un proveedor externo: %(provider)s.",
                                      provider=provider))))
    if any(r.tolerance is not None for r in data.results):
        items.append(paragraph(str(_l("Regla de decisión: %(rule)s", rule=data.decision_rule or "—"))))
    if data.nom059:
        items.append(heading(str(_l("Requisitos NOM-059-SSA1")), "cal-heading"))
        items.append(key_value_block(data.nom059, label_width_mm=60))
    items.append(Spacer(1, 3 * mm))
    items.append(paragraph(str(_l(
        "Los resultados de este certificado se refieren exclusivamente al ítem calibrado, en el momento y "
        "las condiciones de la calibración. No debe reproducirse parcialmente sin la aprobación escrita "
        "del laboratorio.")), "label"))
    items.append(Spacer(1, 3 * mm))
    items.append(_closing_block(data))
    return items


# The free texts the certificate prints in label: value blocks (field of the order or the
# settings -> its label, as the forms name it): what a layout failure is traced back to.
TEXT_FIELDS = {
    "standards": _l("Patrones utilizados y trazabilidad"), "method": _l("Método de calibración"),
    "environment": _l("Condiciones ambientales"), "lab_address": _l("Dirección del laboratorio"),
    "lab_name": _l("Nombre del laboratorio"), "client_contact": _l("Contacto del cliente"),
    "place": _l("Lugar de la calibración"), "condition_on_receipt": _l("Estado del ítem a la recepción"),
    "deviations": _l("Desviaciones, adiciones o exclusiones del método"),
}


def _too_tall(data: CertificateData) -> str | None:
    """The first free text that cannot be laid out alone, as the certificate prints it."""
    for name, label in TEXT_FIELDS.items():
        try:
            build_pdf([key_value_block([(label, getattr(data, name))], label_width_mm=60)])
        except LayoutError:
            return name
    return None


def render(data: CertificateData) -> bytes:
    """The certificate's PDF bytes. Long texts take several rows and pages (core pdf); should
    a layout still fail, a ValidationError names the field (never a 500): the caller's
    transaction rolls back and the order can be issued again once the text is shortened."""
    try:
        return _render(data)
    except LayoutError:
        name = _too_tall(data)
        if name is None:
            raise ValidationError(str(_l("El certificado no se pudo componer en páginas A4: un texto es demasiado "
                                         "largo. Acórtalo y vuelve a emitirlo."))) from None
        raise ValidationError(str(_l("El certificado no se pudo componer en páginas A4: el texto de «%(label)s» "
                                     "es demasiado largo. Acórtalo y vuelve a emitirlo.",
                                     label=TEXT_FIELDS[name])), field=name) from None


def _render(data: CertificateData) -> bytes:
    decor = PageDecor(
        header_left=data.lab_name,
        header_right=str(_l("Certificado %(number)s", number=data.number)),
        footer_left=(str(_l("Acreditación nº %(number)s", number=data.accreditation_number))
                     if data.accreditation_number else data.lab_name) + f" · {data.verification_code}",
    )
    return build_pdf(story(data), decor=decor, title=data.number, author=data.lab_name)
