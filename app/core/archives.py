"""Archive-based files (xlsx, docx, ods, zip...) read with a bound (issue 19, point 7).

A 255 KB .xlsx may declare a 500 MB member: reading it whole (`ZipFile.read`) is a zip bomb.
Here nothing is decompressed before the central directory has been checked (member count,
each member's declared size and compression ratio, the total declared size), and a member
is then read in chunks that stop at its bound whatever the headers claim.

`check_archive(fileobj, name)` refuses a bomb with a ValidationError (422) naming the file;
`read_member(archive, member, name, max_bytes)` reads one member of an archive that passed.
"""
from __future__ import annotations

import zipfile

from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError

MAX_MEMBERS = 10_000
MAX_RATIO = 100  # Apache POI's default: a member may expand at most 100 times...
RATIO_FREE_BYTES = 1024 * 1024  # ...once it declares more than 1 MB (small XML parts compress well)
MAX_EXPANDED_BYTES = 256 * 1024 * 1024  # all members together, as declared
CHUNK = 64 * 1024


def _refuse(name: str, field: str):
    raise ValidationError(str(_l(
        "El archivo «%(name)s» es un comprimido que se expande demasiado (posible bomba zip): se rechaza.",
        name=name)), field=field)


def check_archive(fileobj, name: str, *, field: str = "file") -> zipfile.ZipFile:
    """The open ZipFile of `fileobj` (a seekable binary file or a path) when its central
    directory is within the bounds; a ValidationError naming `name` when it is a bomb.
    zipfile.BadZipFile (and OSError) pass through: the caller decides what a non-zip is."""
    archive = zipfile.ZipFile(fileobj)
    try:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            _refuse(name, field)
        total = 0
        for info in members:
            total += info.file_size
            ratio_base = max(info.compress_size, 1)
            if total > MAX_EXPANDED_BYTES or (
                    info.file_size > RATIO_FREE_BYTES and info.file_size / ratio_base > MAX_RATIO):
                _refuse(name, field)
    except BaseException:
        archive.close()
        raise
    return archive


def read_member(archive: zipfile.ZipFile, member: str, name: str, *, max_bytes: int, field: str = "file") -> bytes:
    """Member `member` of an archive that passed check_archive(), read in chunks: past
    `max_bytes` (declared or actually decompressed) the file is refused naming `name`.
    KeyError when the member is missing."""
    info = archive.getinfo(member)
    if info.file_size > max_bytes:
        _refuse(name, field)
    parts, size = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                _refuse(name, field)
            parts.append(chunk)
    return b"".join(parts)
