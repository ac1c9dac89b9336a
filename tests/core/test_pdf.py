"""PDF helpers (issue 10 part 6): "Página x de y" on every page, tables with units, key-value
blocks and a QR code, read back with pypdf."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import segno
from pypdf import PdfReader

from app.core.pdf import (
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

URL = "https://lab.example.com/verificar/CAL-2026-00042"


def certificate_like(rows: int) -> bytes:
    decor = PageDecor(header_left="Laboratorio Metrológico Sur", header_right="Certificado CAL-2026-00042",
                      footer_left="Acreditación ENAC nº 123/LC10.456")
    story = [
        heading("Certificado de calibración", "title"),
        key_value_block([("Cliente", "Hospital <Norte> & Cía"), ("Instrumento", "Manómetro MN-01"),
                         ("Fecha de calibración", dt.date(2026, 11, 20))]),
        heading("Resultados"),
        data_table(
            [Column("Punto", align="LEFT"), Column("Nominal", "bar"), Column("Lectura", "bar"),
             Column("Incertidumbre U (k=2)", "bar")],
            [[f"P{i}", Decimal("10.000") + i, Decimal("10.002") + i, Decimal("0.015")] for i in range(1, rows + 1)],
        ),
        paragraph("Los resultados se refieren exclusivamente al ítem calibrado."),
        qr_flowable(URL, caption="Verificación: " + URL),
    ]
    return build_pdf(story, decor=decor, title="CAL-2026-00042")


def test_every_page_says_pagina_x_de_y_with_its_header_and_footer():
    reader = PdfReader(io.BytesIO(certificate_like(rows=70)))
    assert len(reader.pages) == 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Página {number} de 2" in text
        assert "Certificado CAL-2026-00042" in text and "Laboratorio Metrológico Sur" in text
        assert "Acreditación ENAC nº 123/LC10.456" in text
        assert "Nominal" in text and "(bar)" in text  # the table's header repeats on page 2
    assert reader.metadata.title == "CAL-2026-00042"


def test_a_short_document_is_pagina_1_de_1():
    text = PdfReader(io.BytesIO(certificate_like(rows=2))).pages[0].extract_text()
    assert "Página 1 de 1" in text and "Página 1 de 2" not in text


def test_tables_and_blocks_print_values_as_given_and_user_text_literally():
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate_like(rows=3))).pages)
    assert "Incertidumbre U (k=2)" in text
    for value in ("P1", "11,000", "11,002", "13,002", "0,015"):  # every digit kept, decimal comma
        assert value in text, value
    assert "Hospital <Norte> & Cía" in text  # escaped, not parsed as markup
    assert "20/11/2026" in text and "Los resultados se refieren exclusivamente al ítem calibrado." in text


def test_the_qr_image_encodes_the_url():
    page = PdfReader(io.BytesIO(certificate_like(rows=2))).pages[0]
    [picture] = page.images
    image = picture.image.convert("L")
    expected = segno.make(URL, error="m", micro=False)
    modules = len(expected.matrix)
    scale = image.width // (modules + 8)  # qr_png's border is 4 modules each side
    assert image.width == image.height == (modules + 8) * scale
    read = [[image.getpixel(((x + 4) * scale + scale // 2, (y + 4) * scale + scale // 2)) < 128
             for x in range(modules)] for y in range(modules)]
    assert read == [[bool(v) for v in row] for row in expected.matrix]


def test_format_value():
    assert format_value(None) == "—" and format_value("") == "—"
    assert format_value(Decimal("0.0150")) == "0,0150" and format_value(2.5) == "2,5"
    assert format_value(dt.date(2026, 1, 9)) == "09/01/2026"
    assert format_value(True) == "Sí" and format_value(7) == "7"


def test_hardening_19_6_a_long_value_breaks_across_pages_instead_of_failing():
    """A value taller than a page (70 lines, one line of 1,500 characters, one 1,500-character
    token) takes several rows of its block, which break between pages: every line is printed."""
    from app.core.pdf import text_rows

    lines = [f"Línea {i:02d} del texto largo" for i in range(70)]
    value = "\n".join(lines) + "\n" + " ".join(["palabra"] * 200) + "\n" + "x" * 1500 + "\nFIN"
    pieces = text_rows(value)
    assert len(pieces) > 5 and all(p.count("\n") < 12 and len(p) <= 700 for p in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == value.replace("\n", "").replace(" ", "")
    pdf = build_pdf([key_value_block([("Patrones", value), ("Después", "sigue el documento")])])
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert len(reader.pages) > 1
    assert "Línea 00 del texto largo" in text and "Línea 69 del texto largo" in text and "FIN" in text
    assert "sigue el documento" in text
