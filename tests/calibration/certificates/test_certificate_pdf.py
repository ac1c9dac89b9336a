"""The certificate PDF (issue 10 item 6) read back with pypdf: every ISO/IEC 17025 §7.8.2/§7.8.4
field, "Página x de y" on every page, as-found and as-left side by side, conformity and the
decision rule, the QR code's URL, and an amendment's "Sustituye al certificado"."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from pypdf import PdfReader

from app.calibration.certificates.pdf import CertificateData, ResultRow, render


def row(i: int, tolerance=None, error="0.002", u="0.015") -> ResultRow:
    return ResultRow(
        measurand=f"Presión P{i}", nominal=Decimal(i) * 10, as_found=Decimal(i) * 10 + Decimal("0.031"),
        as_left=Decimal(i) * 10 + Decimal(error), error=Decimal(error), uncertainty=Decimal(u), k=Decimal("2.00"),
        unit="bar", tolerance=tolerance,
        conforms=None if tolerance is None else abs(Decimal(error)) + Decimal(u) <= tolerance,
    )


def data(rows=2, **changes) -> CertificateData:
    values = dict(
        number="CAL-2026-00042", verification_code="K7QF3M9XHD2P",
        verify_url="https://lab.example.com/verificar/CAL-2026-00042?c=K7QF3M9XHD2P",
        lab_name="Laboratorio Metrológico Sur", lab_address="Calle Mayor 1, 41001 Sevilla",
        client_name="Hospital Norte", client_contact="Ana Ruiz <ana@norte.example.com>",
        instrument=[("Etiqueta", "MN-01"), ("Descripción", "Manómetro digital"), ("Marca", "Druck"),
                    ("Modelo", "DPI 104"), ("Número de serie", "SN-778812")],
        received_on=dt.date(2026, 11, 2), calibrated_from=dt.date(2026, 11, 10), calibrated_to=dt.date(2026, 11, 12),
        issued_on=dt.date(2026, 11, 20), method="PC-014 comparación directa con patrón",
        environment="23,0 °C ± 1 °C; 45 %HR", standards="Patrón P-07, certificado ENAC 1234/2026",
        results=[row(i) for i in range(1, rows + 1)], authorised_by="Marta Gil (Supervisora)",
        accreditation_number="ENAC 123/LC10.456", decision_rule="Aceptación simple con banda de guarda U",
    )
    values.update(changes)
    return CertificateData(**values)


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(p.extract_text() for p in reader.pages)


def test_the_certificate_carries_every_field_of_iso_17025_7_8():
    reader, text = text_of(render(data(next_due_on=dt.date(2027, 11, 12))))
    flat = " ".join(text.split())
    for expected in (
        "Certificado de calibración", "Laboratorio Metrológico Sur", "Calle Mayor 1, 41001 Sevilla",
        "Hospital Norte", "ana@norte.example.com", "CAL-2026-00042", f"Página 1 de {len(reader.pages)}",
        "MN-01", "Manómetro digital", "Druck", "DPI 104", "SN-778812",
        "02/11/2026", "10/11/2026 – 12/11/2026", "20/11/2026", "PC-014 comparación directa con patrón",
        "23,0 °C ± 1 °C; 45 %HR", "Patrón P-07, certificado ENAC 1234/2026",
        "se refieren exclusivamente al ítem calibrado", "Marta Gil (Supervisora)", "ENAC 123/LC10.456",
        "12/11/2027", "K7QF3M9XHD2P", "/verificar/CAL-2026-00042",
        "Incert. U", "incertidumbre expandida", "Unidad", "bar", "2,00",
    ):
        assert expected in flat, expected
    assert reader.metadata.title == "CAL-2026-00042"


def test_as_found_and_as_left_are_side_by_side_on_each_row():
    _reader, text = text_of(render(data(rows=2)))
    flat = " ".join(text.split())
    assert "como se recibió" in flat and "como se entregó" in flat
    # one row reads: point, unit, nominal, as found, as left, error, U, k
    assert re.search(r"Presión P1 bar 10 10,031 10,002 0,002 0,015 2,00", flat), flat


def test_conformity_per_point_and_the_decision_rule_only_with_a_tolerance():
    _r, without = text_of(render(data(rows=1)))
    assert "Regla de decisión" not in without and "Conforme" not in without
    rows = [row(1, tolerance=Decimal("0.020")), row(2, tolerance=Decimal("0.010"))]
    _r, text = text_of(render(data(results=rows)))
    flat = " ".join(text.split())
    assert "Regla de decisión: Aceptación simple con banda de guarda U" in flat
    assert "0,020 Conforme" in flat and "0,010 No conforme" in flat


def test_the_next_due_date_only_when_the_client_asked():
    _r, text = text_of(render(data()))
    assert "Próxima calibración" not in text


def test_every_page_has_the_number_and_pagina_x_de_y():
    reader, _text = text_of(render(data(rows=60)))
    pages = len(reader.pages)
    assert pages >= 2
    for n, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert f"Página {n} de {pages}" in page_text
        assert "CAL-2026-00042" in page_text and "Laboratorio Metrológico Sur" in page_text
        if "Presión P" in page_text:
            assert "Nominal" in page_text  # the results header repeats on every page of the table


def test_an_amendment_names_the_certificate_it_replaces_and_why():
    _r, text = text_of(render(data(number="CAL-2026-00043", replaces_number="CAL-2026-00042",
                                   amendment_reason="Error de transcripción en P2")))
    flat = " ".join(text.split())
    assert "Sustituye al certificado CAL-2026-00042. Motivo: Error de transcripción en P2" in flat


def test_user_text_is_printed_literally():
    _r, text = text_of(render(data(client_name="Taller <b>&</b> Cía")))
    assert "Taller <b>&</b> Cía" in text
