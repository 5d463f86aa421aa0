"""Which text encoding an uploaded file is in: byte order marks (UTF-8, UTF-16 LE/BE, UTF-32),
UTF-16 without one (every other byte zero), else UTF-8.  Anything else is named in the message
rather than read as garbage ("ÿþn\x00a\x00m\x00e" is UTF-16 read as Latin-1)."""

from __future__ import annotations

import codecs

from .common import Reject

# longest first: the UTF-32 LE mark starts with the UTF-16 LE one
BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"), (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
        (codecs.BOM_UTF8, "utf-8", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"))
READ = "UTF-8 or UTF-16"


def sniff(raw: bytes) -> tuple[str, str, int]:
    """(Python codec, name for the reader, length of the byte order mark)."""
    for bom, codec, name in BOMS:
        if raw.startswith(bom):
            return codec, name, len(bom)
    head = raw[:4000]
    if len(head) >= 4:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le", "UTF-16 LE (without a byte order mark)", 0
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be", "UTF-16 BE (without a byte order mark)", 0
    return "utf-8", "UTF-8", 0


def decode(label: str, raw: bytes, kind: str) -> tuple[str, str]:
    """The text of ``raw`` and the name of its encoding; :class:`Reject` naming the encoding
    and the position when it cannot be decoded."""
    codec, name, skip = sniff(raw)
    try:
        return codecs.decode(memoryview(raw)[skip:], codec), name
    except UnicodeDecodeError as e:
        at = e.start + skip
        if codec == "utf-8":
            raise Reject(f"{label} is not UTF-8 text (byte 0x{raw[at]:02x} at position {at:,}); "
                         f"{kind} files are read as {READ}.") from None
        raise Reject(f"{label} looks like {name} text but could not be decoded as such (at byte "
                     f"{at:,}: {e.reason}); {kind} files are read as {READ}.") from None
