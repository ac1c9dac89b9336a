"""Calibration certificate PDF generation time (issue 10, benchmark): median and p95 per
certificate for 1 and 20 result rows, rendering the real layout (app/calibration/
certificates/pdf.py: fonts, tables, QR code, "Página x de y" two-pass numbering)."""
from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

RUNS = 60


def _data(rows: int):
    from app.calibration.certificates.pdf import CertificateData, ResultRow

    results = [
        ResultRow(f"Presión P{i}", Decimal(10 * i), Decimal(10 * i) + Decimal("0.031"), Decimal(10 * i) + Decimal("0.002"),
                  Decimal("0.002"), Decimal("0.015"), Decimal("2"), "bar", Decimal("0.020"), True)
        for i in range(1, rows + 1)
    ]
    return CertificateData(
        number="CAL-2026-00042", verification_code="K7QF3M9XHD2P",
        verify_url="https://lab.example.com/verificar/CAL-2026-00042?c=K7QF3M9XHD2P",
        lab_name="Laboratorio Metrológico Sur", lab_address="Calle Mayor 1, 41001 Sevilla",
        client_name="Hospital Norte", client_contact="Ana Ruiz <ana@norte.example.com>",
        instrument=[("Etiqueta", "MN-01"), ("Descripción", "Manómetro digital"), ("Marca", "Druck"),
                    ("Modelo", "DPI 104"), ("Número de serie", "SN-778812")],
        received_on=dt.date(2026, 11, 2), calibrated_from=dt.date(2026, 11, 10), calibrated_to=dt.date(2026, 11, 12),
        issued_on=dt.date(2026, 11, 20), method="PC-014", environment="23,0 °C ± 1 °C; 45 %HR",
        standards="Patrón P-07, certificado ENAC 1234/2026", results=results, authorised_by="Marta Gil",
        accreditation_number="ENAC 123/LC10.456", decision_rule="Aceptación simple con banda de guarda U",
        next_due_on=dt.date(2027, 11, 12),
    )


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def run() -> list[str]:
    import io
    import time

    from pypdf import PdfReader

    from app import create_app
    from app.calibration.certificates.pdf import render

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    lines = [
        f"The certificate layout rendered {RUNS} times per size in one process (after one warm-up render); "
        "time per certificate, PDF bytes only (numbering, storage and the database are not included).",
        "",
        "| Result rows | Pages | PDF size | Median | p95 |",
        "|---|---|---|---|---|",
    ]
    with app.app_context():
        for rows in (1, 20):
            data = _data(rows)
            pdf = render(data)  # warm-up: fonts registered, modules imported
            samples = []
            for _ in range(RUNS):
                start = time.perf_counter()
                render(data)
                samples.append(time.perf_counter() - start)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            lines.append(f"| {rows} | {pages} | {len(pdf) / 1024:.0f} KiB | {statistics.median(samples) * 1000:.1f} ms "
                         f"| {_p95(samples) * 1000:.1f} ms |")
    return lines
