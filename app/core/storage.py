"""Uploaded files by company behind a small interface (DESIGN layout "storage.py"; issue 10
part 4: evidence files sniffed by content, at most 20 MB, SHA-256 kept, stored under the
instance folder by company, readable only by that company).

`check_upload()` refuses what is not what its name says; `Storage.save()` stores the bytes
under a random key inside the company's folder; `Storage.open(company_id, key)` reads them
back only from that company's folder."""
from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from typing import Protocol

import filetype
from flask_babel import lazy_gettext as _l

from app.core.errors import NotFound, ValidationError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DEFAULT_ALLOWED = ("pdf", "png", "jpg", "csv", "xlsx")
# A key is what save() returns: 32 random hex digits and the checked extension. Nothing else
# (no "..", no "/", no company id) is accepted by open(), so a key cannot leave its folder.
_KEY = re.compile(r"^[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")
_CONTENT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ALIASES = {"jpeg": "jpg"}
_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed check_upload(): what the module stores next to the key."""

    filename: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _extension(filename: str) -> str:
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    return _ALIASES.get(ext, ext)


def _looks_like_text(data: bytes) -> bool:
    """csv has no magic number: text in UTF-8 (or latin-1 without control bytes), no NUL."""
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        return not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text)


def _is_xlsx(data: bytes) -> bool:
    """A zip whose [Content_Types].xml declares an OOXML workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return False
    return _XLSX_MAIN in types


def _content_matches(ext: str, data: bytes) -> bool:
    if ext == "csv":
        return _looks_like_text(data)
    if ext == "xlsx":
        return _is_xlsx(data)
    kind = filetype.guess(data)
    return kind is not None and _ALIASES.get(kind.extension, kind.extension) == ext


def check_upload(
    filename: str,
    data: bytes,
    *,
    allowed: tuple[str, ...] = DEFAULT_ALLOWED,
    max_bytes: int = MAX_UPLOAD_BYTES,
    field: str = "file",
) -> CheckedUpload:
    """Accept the file only if its name's type is allowed AND its content is of that type.

    Raises ValidationError (422, field `file`) with a Spanish message naming the file."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    if not name:
        raise ValidationError(str(_l("Falta el nombre del archivo.")), field=field)
    if not data:
        raise ValidationError(str(_l("El archivo «%(name)s» está vacío.", name=name)), field=field)
    if len(data) > max_bytes:
        raise ValidationError(str(_l(
            "El archivo «%(name)s» ocupa %(size)s MB; el máximo es %(max)s MB.",
            name=name, size=f"{len(data) / 1048576:.1f}", max=f"{max_bytes / 1048576:g}",
        )), field=field)
    ext = _extension(name)
    kinds = ", ".join(allowed)
    if ext not in allowed:
        raise ValidationError(str(_l(
            "El archivo «%(name)s» no es de un tipo admitido (%(kinds)s).", name=name, kinds=kinds,
        )), field=field)
    if not _content_matches(ext, data):
        raise ValidationError(str(_l(
            "El contenido del archivo «%(name)s» no es un %(ext)s: se rechaza (tipos admitidos: %(kinds)s).",
            name=name, ext=ext.upper(), kinds=kinds,
        )), field=field)
    return CheckedUpload(
        filename=name, extension=ext, content_type=_CONTENT_TYPES.get(ext, "application/octet-stream"),
        size=len(data), sha256=hashlib.sha256(data).hexdigest(),
    )


# --- storage ------------------------------------------------------------------------------

class Storage(Protocol):
    """Where uploaded files live. Keys are opaque and valid only with their company."""

    def save(self, company_id: int, filename: str, data: bytes) -> str: ...

    def open(self, company_id: int, key: str) -> bytes: ...

    def delete(self, company_id: int, key: str) -> None: ...


def _not_found():
    return NotFound(str(_l("El archivo no existe o no está en la empresa activa.")))


class FilesystemStorage:
    """Files under `<root>/<company_id>/<key>`; written whole (temporary file + rename)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _folder(self, company_id: int) -> str:
        if isinstance(company_id, bool) or not isinstance(company_id, int) or company_id <= 0:
            raise ValueError(f"company_id must be a positive int, not {company_id!r}")
        return os.path.join(self.root, str(company_id))

    def _path(self, company_id: int, key: str) -> str:
        if not isinstance(key, str) or not _KEY.match(key):
            raise _not_found()
        folder = self._folder(company_id)
        path = os.path.join(folder, key)
        if os.path.dirname(os.path.abspath(path)) != folder:  # belt and braces
            raise _not_found()
        return path

    def save(self, company_id: int, filename: str, data: bytes) -> str:
        ext = _extension(filename)
        key = secrets.token_hex(16) + (f".{ext}" if re.fullmatch(r"[a-z0-9]{1,8}", ext) else "")
        folder = self._folder(company_id)
        os.makedirs(folder, exist_ok=True)
        final = os.path.join(folder, key)
        temporary = final + ".part"
        with open(temporary, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, final)
        return key

    def open(self, company_id: int, key: str) -> bytes:
        try:
            with open(self._path(company_id, key), "rb") as fh:
                return fh.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise _not_found() from None

    def delete(self, company_id: int, key: str) -> None:
        try:
            os.remove(self._path(company_id, key))
        except FileNotFoundError:
            pass


def get_storage(app=None) -> Storage:
    """The app's storage: FILES_DIR (default `<instance>/files`)."""
    from flask import current_app

    app = app or current_app
    return FilesystemStorage(app.config.get("FILES_DIR") or os.path.join(app.instance_path, "files"))
