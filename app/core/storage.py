"""Uploaded files by company behind a small interface (DESIGN layout "storage.py"; issue 10
part 4: evidence files sniffed by content, at most MAX_UPLOAD_BYTES, SHA-256 kept, stored
under the instance folder by company, readable only by that company).

`check_upload()` refuses what is not what its name says; `Storage.save()` stores the bytes
under a random key inside the company's folder; `Storage.open(company_id, key)` reads them
back only from that company's folder.

Issue 19: an upload is a file object (werkzeug spools a request's file to disk past 500 KB),
never read whole: its size is known before any byte is read, the checks and the SHA-256 read
it in chunks, archives (xlsx) are read with a bound (app/core/archives.py) and save() copies
it in chunks. Bytes are still accepted (services, demo data, tests)."""
from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import os
import re
import secrets
import shutil
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import filetype
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from app.core.archives import check_archive, read_member
from app.core.errors import NotFound, TooLarge, ValidationError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # the default of the MAX_UPLOAD_BYTES setting
DEFAULT_ALLOWED = ("pdf", "png", "jpg", "csv", "xlsx")
CHUNK = 1024 * 1024
# A key is what save() returns: 32 random hex digits and the checked extension. Nothing else
# (no "..", no "/", no company id) is accepted by open(), so a key cannot leave its folder.
_KEY = re.compile(r"^[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")
_CONTENT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ALIASES = {"jpeg": "jpg"}
_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024  # an OOXML [Content_Types].xml is a few KB
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")  # control bytes but tab, CR, LF, FF
MAX_NAME_LENGTH = 255  # the file-name columns (String(255))


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


def as_stream(data: bytes | BinaryIO) -> BinaryIO:
    """A seekable binary file for bytes or a file object (rewound)."""
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    stream.seek(0)
    return stream


def _size(stream: BinaryIO) -> int:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    return size


def _chunks(stream: BinaryIO):
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        yield chunk
    stream.seek(0)


def _looks_like_text(stream: BinaryIO) -> bool:
    """csv has no magic number: text in UTF-8 (or latin-1 without control bytes), no NUL;
    read in chunks."""
    utf8, latin1_ok = codecs.getincrementaldecoder("utf-8")(), True
    for chunk in _chunks(stream):
        if b"\x00" in chunk:
            return False
        if utf8 is not None:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8 = None
        latin1_ok = latin1_ok and not _CONTROL.search(chunk)
        if utf8 is None and not latin1_ok:
            return False
    if utf8 is not None:
        try:
            utf8.decode(b"", final=True)
            return True
        except UnicodeDecodeError:
            pass
    return latin1_ok


def _is_xlsx(stream: BinaryIO, name: str, field: str) -> bool:
    """A zip whose [Content_Types].xml (read with a bound) declares an OOXML workbook; a zip
    bomb is refused naming the file (ValidationError from app.core.archives)."""
    try:
        with check_archive(stream, name, field=field) as archive:
            types = read_member(archive, "[Content_Types].xml", name, max_bytes=MAX_CONTENT_TYPES_BYTES,
                                field=field).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError, zipfile.LargeZipFile,
            NotImplementedError, zlib.error):  # corrupt data or an unsupported method: not a workbook
        return False
    finally:
        stream.seek(0)
    return _XLSX_MAIN in types


def _content_matches(ext: str, stream: BinaryIO, name: str, field: str) -> bool:
    if ext == "csv":
        return _looks_like_text(stream)
    if ext == "xlsx":
        return _is_xlsx(stream, name, field)
    head = stream.read(8192)
    stream.seek(0)
    kind = filetype.guess(head)
    return kind is not None and _ALIASES.get(kind.extension, kind.extension) == ext


def clean_filename(filename: str, *, field: str = "file") -> str:
    """The file's own name (no folders), refused when empty, too long or holding control
    characters (a NUL byte would reach the database and the headers)."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    if not name:
        raise ValidationError(str(_l("Falta el nombre del archivo.")), field=field)
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        raise ValidationError(str(_l(
            "El nombre del archivo contiene caracteres no admitidos (caracteres de control): cámbialo y vuelve a "
            "subirlo.")), field=field)
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(str(_l("El nombre del archivo admite como mucho %(max)s caracteres.",
                                     max=MAX_NAME_LENGTH)), field=field)
    return name


def too_large(name: str | None, max_bytes: int, *, size: int | None = None, field: str = "file") -> TooLarge:
    """The 413 of an upload over the limit, naming the file and its size when known."""
    limit = f"{max_bytes / 1048576:g}"
    if name and size is not None:
        shown = f"{size / 1048576:.1f}"
        return TooLarge(str(_l("El archivo «%(name)s» ocupa %(size)s MB; el máximo es %(max)s MB.",
                               name=name, size=shown, max=limit)), field=field)
    return TooLarge(str(_l("La petición es demasiado grande: el máximo de un archivo es %(max)s MB.", max=limit)),
                    field=field)


def check_upload(
    filename: str,
    data: bytes | BinaryIO,
    *,
    allowed: tuple[str, ...] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
    field: str = "file",
) -> CheckedUpload:
    """Accept the file only if its name's type is allowed AND its content is of that type.
    `data` is bytes or a seekable binary file (read in chunks, left rewound); `max_bytes`
    defaults to the app's MAX_UPLOAD_BYTES.

    Raises ValidationError (422, field `file`) with a Spanish message naming the file, or
    TooLarge (413) over the limit, before reading it."""
    name = clean_filename(filename, field=field)
    max_bytes = upload_limit() if max_bytes is None else max_bytes
    stream = as_stream(data)
    size = _size(stream)
    if not size:
        raise ValidationError(str(_l("El archivo «%(name)s» está vacío.", name=name)), field=field)
    if size > max_bytes:
        raise too_large(name, max_bytes, size=size, field=field)
    ext = _extension(name)
    kinds = ", ".join(allowed)
    if ext not in allowed:
        raise ValidationError(str(_l(
            "El archivo «%(name)s» no es de un tipo admitido (%(kinds)s).", name=name, kinds=kinds,
        )), field=field)
    if not _content_matches(ext, stream, name, field):
        raise ValidationError(str(_l(
            "El contenido del archivo «%(name)s» no es un %(ext)s: se rechaza (tipos admitidos: %(kinds)s).",
            name=name, ext=ext.upper(), kinds=kinds,
        )), field=field)
    digest = hashlib.sha256()
    for chunk in _chunks(stream):
        digest.update(chunk)
    return CheckedUpload(
        filename=name, extension=ext, content_type=_CONTENT_TYPES.get(ext, "application/octet-stream"),
        size=size, sha256=digest.hexdigest(),
    )


def stored_content_type(filename: str) -> str:
    """The content type a stored file is handed out with: the one its checked extension
    names (check_upload sniffed the content against it), else application/octet-stream."""
    return _CONTENT_TYPES.get(_extension(filename), "application/octet-stream")


def upload_limit(app=None) -> int:
    """The largest uploaded file, in bytes: the MAX_UPLOAD_BYTES setting (one value for the
    pages and the REST API)."""
    if app is None and not has_app_context():
        return MAX_UPLOAD_BYTES
    return int((app or current_app).config.get("MAX_UPLOAD_BYTES") or MAX_UPLOAD_BYTES)


# --- storage ------------------------------------------------------------------------------

class Storage(Protocol):
    """Where uploaded files live. Keys are opaque and valid only with their company."""

    def save(self, company_id: int, filename: str, data: bytes | BinaryIO) -> str: ...

    def open(self, company_id: int, key: str) -> bytes: ...

    def delete(self, company_id: int, key: str) -> None: ...


def _not_found():
    return NotFound(str(_l("El archivo no existe o no está en la empresa activa.")))


class FilesystemStorage:
    """Files under `<root>/<company_id>/<key>`; written whole (temporary file + rename), a
    file object copied in chunks."""

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

    def save(self, company_id: int, filename: str, data: bytes | BinaryIO) -> str:
        ext = _extension(filename)
        key = secrets.token_hex(16) + (f".{ext}" if re.fullmatch(r"[a-z0-9]{1,8}", ext) else "")
        folder = self._folder(company_id)
        os.makedirs(folder, exist_ok=True)
        final = os.path.join(folder, key)
        temporary = final + ".part"
        try:
            with open(temporary, "xb") as fh:
                shutil.copyfileobj(as_stream(data), fh, CHUNK)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
            raise
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
    app = app or current_app
    return FilesystemStorage(app.config.get("FILES_DIR") or os.path.join(app.instance_path, "files"))
