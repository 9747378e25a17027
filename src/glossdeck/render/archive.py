"""Zip archives with the same bytes for the same files: entries in the order given, one fixed time, fixed modes."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass

ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can carry
UNIX = 3  # "made by" a Unix system, so that the entry modes mean the same on every system that builds it


@dataclass(frozen=True)
class Entry:
    """One file of an archive: its path inside it, its bytes, and whether to deflate them."""

    name: str
    data: bytes
    compress: bool = True


def zip_bytes(entries: list[Entry], timestamp: int) -> bytes:
    """The archive of the entries, in their order, every one dated `timestamp` (seconds since 1970, UTC)."""
    when = time.gmtime(max(timestamp, ZIP_EPOCH))[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED if entry.compress else zipfile.ZIP_STORED
            info.create_system = UNIX
            info.external_attr = 0o644 << 16
            archive.writestr(info, entry.data, compresslevel=9 if entry.compress else None)
    return buffer.getvalue()
