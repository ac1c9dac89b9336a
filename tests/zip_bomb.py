"""A zip bomb built in memory for the tests of issue 19, point 7: a real deflate stream of
`expanded` zero bytes (about 1,000 times smaller: 500 MB in ~500 KB, as the 255 KB .xlsx of
the report) under the member name given, written without ever holding the expanded bytes:
a 1 MB block compressed once and repeated (full flushes make the blocks independent)."""
from __future__ import annotations

import struct
import zlib

MB = 1024 * 1024


def _deflated(prefix: bytes, megabytes: int) -> tuple[bytes, int]:
    """(raw deflate stream of `prefix` and `megabytes` MB of zeros, its CRC-32)."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * MB) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty last block
    crc = zlib.crc32(prefix)
    zeros = b"\0" * MB
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    return start + block * megabytes + final, crc


# What a genuine workbook's [Content_Types].xml declares (the check looks for it)
XLSX_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
              b'spreadsheetml.sheet.main+xml"/></Types><!--')


def zip_bomb(member: str = "[Content_Types].xml", megabytes: int = 500, prefix: bytes = XLSX_TYPES,
             others: dict | None = None) -> bytes:
    """A zip whose `member` is `prefix` then `megabytes` MB of zeros (plus small `others`)."""
    entries = []
    data, crc = _deflated(prefix, megabytes)
    entries.append((member.encode(), data, crc, len(prefix) + megabytes * MB, 8))
    for name, content in (others or {}).items():
        entries.append((name.encode(), content, zlib.crc32(content), len(content), 0))
    body, directory = b"", b""
    for name, payload, crc, size, method in entries:
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(payload), size,
                            len(name), 0) + name + payload
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(payload),
                                 size, len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return body + directory + end
