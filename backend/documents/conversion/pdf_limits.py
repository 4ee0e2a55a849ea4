"""PDF decompression bombs: how much a PDF's compressed streams expand to, measured before PDFium opens it.

A PDF keeps its pages, fonts, object and cross-reference tables in streams, nearly always Flate (zlib)
compressed. A few kilobytes of zlib can expand to gigabytes, and PDFium inflates what it needs into memory
(the cross-reference and object streams as soon as the file is opened), so a 50 MB upload could take the
worker's memory. The page-count cap does not help: one page's content stream can be the bomb.

Every `stream` keyword is tried as the start of a zlib stream and inflated in bounded steps, never holding
more than a step's output, until it ends: the total is held against MAX_UNCOMPRESSED_MB. The stream's
dictionary is not trusted: a zlib stream ends by itself, so a lying or indirect /Length changes nothing,
and what is not zlib fails within its first bytes. Streams in a normal file do not overlap, so the input
read is about the file's size; a file crafted to make streams overlap (one hiding others) is refused once
twice its size has been read. No ratio limit: a blank scanned page stored as a Flate image legitimately
compresses a thousand times; size is what hurts.
"""

from __future__ import annotations

import re
import zlib

from backend.core.config import Settings
from backend.core.errors import PayloadTooLarge

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_IN_STEP = 64 * 1024
_OUT_STEP = 1024 * 1024


def check_pdf_streams(data: bytes, settings: Settings) -> int:
    """The total inflated size of the PDF's zlib streams; PayloadTooLarge (`pdf_bomb`) over the limit."""
    limit = settings.max_uncompressed_mb * 1024 * 1024
    read_budget = 2 * len(data) + _IN_STEP
    total = read = 0
    for match in _STREAM.finditer(data):
        inflated, consumed = _inflate(data, match.end(), limit - total)
        total += inflated
        read += consumed
        if total > limit:
            raise PayloadTooLarge(
                f"This PDF would expand to more than the {settings.max_uncompressed_mb} MB Obelisk accepts when "
                "opened, so Obelisk did not open it. If it is a real document, please print it to a new PDF "
                "or split it.",
                code="pdf_bomb",
            )
        if read > read_budget:
            raise PayloadTooLarge(
                "This PDF is built in a suspicious way (its compressed parts overlap), so Obelisk did not open it. "
                "Please export it again and upload the new copy.",
                code="pdf_bomb",
            )
    return total


def _inflate(data: bytes, start: int, room: int) -> tuple[int, int]:
    """(bytes out, bytes in) of the zlib stream at `start`, stopping once more than `room` came out."""
    if not _zlib_header(data[start : start + 2]):
        return 0, 0
    inflater = zlib.decompressobj()
    out = fed = 0
    position = start
    pending = b""
    while not inflater.eof and out <= room:
        if not pending:
            if position >= len(data):
                break
            pending = data[position : position + _IN_STEP]
            position += len(pending)
            fed += len(pending)
        try:
            produced = inflater.decompress(pending, _OUT_STEP)
        except zlib.error:
            break
        out += len(produced)
        pending = inflater.unconsumed_tail
    return out, fed - len(inflater.unused_data) - len(pending)


def _zlib_header(head: bytes) -> bool:
    # RFC 1950: deflate (method 8) with a window of at most 32 KB, and a check value making the pair a
    # multiple of 31. Images and other filters fail this at once, so they cost nothing.
    return len(head) == 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0


__all__ = ["check_pdf_streams"]
