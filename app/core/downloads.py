"""Downloads (issue 19, point 8): the one Content-Disposition of every file the app hands out
(evidence, certificates, CSV exports), so that a name such as «informe_калибровка.pdf»
downloads under its own name: RFC 6266 with the RFC 5987 `filename*=UTF-8''...` form and
an ASCII `filename=` fallback for old clients (what werkzeug's send_file does), never a
header the WSGI server cannot encode (a non-Latin-1 header is a 500 before the response
leaves gunicorn or werkzeug)."""
from __future__ import annotations

import os
import unicodedata
from urllib.parse import quote

from flask import Response
from werkzeug.http import quote_header_value

_UNSAFE = dict.fromkeys(map(ord, '"\\/'), "_")
FALLBACK_STEM = "archivo"


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in text if 32 <= ord(c) < 127).translate(_UNSAFE)


def _ascii_fallback(filename: str) -> str:
    """The name in ASCII: accents dropped (NFKD), other letters and controls left out, a
    stem of its own when nothing of it is ASCII («калибровка.pdf»: «archivo.pdf»)."""
    stem, ext = os.path.splitext(filename)
    stem, ext = _ascii(stem).strip(), _ascii(ext)
    if not stem.strip(" ._"):
        stem = FALLBACK_STEM
    return stem + ext


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """`attachment; filename="..."` and, when the name is not plain ASCII, also
    `filename*=UTF-8''<percent-encoded>` (which clients prefer when they read it)."""
    name = "".join(c for c in (filename or "") if unicodedata.category(c) not in ("Cc", "Cs")) or FALLBACK_STEM
    fallback = _ascii_fallback(name)
    value = f"{disposition}; filename={quote_header_value(fallback, allow_token=False)}"
    if fallback != name:
        value += "; filename*=UTF-8''" + quote(name, safe="!#$&+^`|~")
    return value


def download_response(data, *, filename: str, mimetype: str, headers: dict | None = None) -> Response:
    """`data` (bytes, text or an iterable) as a download named `filename`, never rendered
    inline nor sniffed by the browser."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
