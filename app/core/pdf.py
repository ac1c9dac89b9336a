"""PDF documents in pure Python (reportlab + segno; issue 10 part 6, ISO/IEC 17025 §7.8.2:
"página x de y" on every page, results tables with units, a QR code to the verification page).

Generic pieces only; a document (e.g. the calibration certificate) is a list of flowables
made with `heading`/`paragraph`/`key_value_block`/`data_table`/`qr_flowable` and passed to
`build_pdf()` with its `PageDecor`. Every text is escaped: user data never becomes markup."""
from __future__ import annotations

import datetime as dt
import decimal
import io
import os
from dataclasses import dataclass
from functools import partial
from xml.sax.saxutils import escape

import reportlab
import segno
from flask_babel import lazy_gettext as _l
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

# Bitstream Vera ships with reportlab: embedded, it prints ñ, °, µ, ±, Ω, ≤ (Helvetica can't).
FONT, BOLD, ITALIC = "Vera", "VeraBd", "VeraIt"
_FONTS_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
GRID = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#e8edf2")


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in ((FONT, "Vera.ttf"), (BOLD, "VeraBd.ttf"), (ITALIC, "VeraIt.ttf"), ("VeraBI", "VeraBI.ttf")):
        pdfmetrics.registerFont(TTFont(name, os.path.join(_FONTS_DIR, file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic="VeraBI")


_register_fonts()
STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, spaceAfter=4 * mm),
    "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=4 * mm,
                              spaceAfter=2 * mm),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=8, leading=10, alignment=TA_CENTER),
    "label": ParagraphStyle("label", fontName=BOLD, fontSize=9, leading=11.5),
}
for _align, _code in (("LEFT", 0), ("CENTER", 1), ("RIGHT", 2)):
    STYLES[f"cell-{_align}"] = ParagraphStyle(f"cell-{_align}", parent=STYLES["cell"], alignment=_code)


# --- values -------------------------------------------------------------------------------

def format_value(value) -> str:
    """Text of a value as printed: decimals keep every digit given (no rounding) with a
    decimal comma, dates dd/mm/aaaa, None a dash, booleans Sí/No."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Sí")) if value else str(_l("No"))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (decimal.Decimal, float)):
        text = format(value, "f") if isinstance(value, decimal.Decimal) else repr(value)
        return text.replace(".", ",")
    return str(value)


def _text(value, style: str) -> Paragraph:
    lines = escape(format_value(value)).split("\n")
    return Paragraph("<br/>".join(lines), STYLES[style])


def heading(text, style: str = "heading") -> Paragraph:
    return _text(text, style)


def paragraph(text, style: str = "body") -> Paragraph:
    return _text(text, style)


# --- blocks -------------------------------------------------------------------------------

# A table row cannot break across pages: a long text goes in several rows of at most this
# much, each far shorter than a page even in a narrow column (issue 19 #6).
ROW_LINES = 12
ROW_CHARS = 700


def text_rows(value, *, max_lines: int | None = None, max_chars: int | None = None) -> list[str]:
    """`value` as printed, cut into pieces of at most `max_lines` lines and `max_chars`
    characters (ROW_LINES, ROW_CHARS): at line ends, else at the last space, else mid-word."""
    max_lines, max_chars = max_lines or ROW_LINES, max_chars or ROW_CHARS
    lines = []
    for line in format_value(value).split("\n"):
        while len(line) > max_chars:
            cut = line.rfind(" ", 0, max_chars + 1)
            cut = cut if cut > 0 else max_chars
            lines.append(line[:cut])
            line = line[cut:].lstrip(" ")
        lines.append(line)
    pieces, current, size = [], [], 0
    for line in lines:
        if current and (len(current) >= max_lines or size + len(line) > max_chars):
            pieces.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line)
    pieces.append("\n".join(current))
    return pieces


def key_value_block(pairs, *, label_width_mm: float = 55, width_mm: float = 170) -> Table:
    """Label: value rows (e.g. client, instrument, dates), labels in bold. A long value takes
    several rows (text_rows), so the table breaks between them across pages."""
    rows, style = [], [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for label, value in pairs:
        pieces = text_rows(value)
        first = len(rows)
        rows.extend([_text(label if i == 0 else "", "label"), _text(piece, "body")] for i, piece in enumerate(pieces))
        last = len(rows) - 1
        if last > first:  # one value read as one block: no rule nor gap between its rows
            style += [("BOTTOMPADDING", (0, first), (-1, last - 1), 0), ("TOPPADDING", (0, first + 1), (-1, last), 0)]
        style.append(("LINEBELOW", (0, last), (-1, last), 0.25, GRID))
    table = Table(rows, colWidths=[label_width_mm * mm, (width_mm - label_width_mm) * mm], hAlign="LEFT",
                  splitByRow=1)
    table.setStyle(TableStyle(style))
    return table


@dataclass(frozen=True)
class Column:
    """A table column: its title, the unit printed under it, alignment and width."""

    title: str
    unit: str | None = None
    align: str = "RIGHT"  # LEFT, CENTER, RIGHT
    width_mm: float | None = None


def data_table(columns: list[Column], rows, *, width_mm: float = 170) -> Table:
    """A results table: the header (with units) repeats on every page the table spans."""
    header = [
        Paragraph(escape(str(c.title)) + (f"<br/>({escape(str(c.unit))})" if c.unit else ""), STYLES["head"])
        for c in columns
    ]
    body = [[_text(value, f"cell-{columns[i].align}") for i, value in enumerate(row)] for row in rows]
    fixed = sum(c.width_mm or 0 for c in columns)
    free = [c for c in columns if not c.width_mm]
    share = (width_mm - fixed) / len(free) if free else 0
    widths = [(c.width_mm or share) * mm for c in columns]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    table = Table([header] + body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def qr_png(url: str, *, scale: int = 4, border: int = 4) -> bytes:
    """PNG of a QR code for `url` (error correction M, enough for a printed page)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def qr_flowable(url: str, *, size_mm: float = 28, caption: str | None = None):
    """The QR image, optionally with a caption under it (e.g. the URL and short code)."""
    image = Image(io.BytesIO(qr_png(url)), width=size_mm * mm, height=size_mm * mm, hAlign="LEFT")
    if not caption:
        return image
    return KeepTogether([image, Spacer(1, 1 * mm), _text(caption, "small")])


# --- pages --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageDecor:
    """What every page prints: header left/right, footer left, and "Página x de y" right."""

    header_left: str = ""
    header_right: str = ""
    footer_left: str = ""
    page_label: str | None = None  # with {page} and {pages}; default "Página {page} de {pages}"


class NumberedCanvas(canvas.Canvas):
    """reportlab's two-pass pattern: pages are kept until save(), when the total is known
    and each page gets its header and footer."""

    def __init__(self, *args, decor: PageDecor, **kwargs):
        super().__init__(*args, **kwargs)
        self._decor = decor
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        decor = self._decor
        width, height = self._pagesize
        left, right = 20 * mm, width - 20 * mm
        label = decor.page_label or str(_l("Página %(page)s de %(pages)s", page="{page}", pages="{pages}"))
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.setFont(FONT, 8)
        if decor.header_left or decor.header_right:
            self.drawString(left, height - 12 * mm, decor.header_left)
            self.drawRightString(right, height - 12 * mm, decor.header_right)
            self.line(left, height - 13.5 * mm, right, height - 13.5 * mm)
        self.line(left, 14 * mm, right, 14 * mm)
        self.drawString(left, 10 * mm, decor.footer_left)
        self.drawRightString(right, 10 * mm, label.format(page=self._pageNumber, pages=total))
        self.restoreState()


def build_pdf(story, *, decor: PageDecor = PageDecor(), title: str = "", author: str = "",
              pagesize=A4) -> bytes:
    """Lay out `story` (flowables) on numbered pages and return the PDF bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=pagesize, title=title, author=author,
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
    )
    document.build(list(story), canvasmaker=partial(NumberedCanvas, decor=decor))
    return buffer.getvalue()
