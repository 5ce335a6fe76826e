"""Opening an .xlsx safely: it is a zip, checked for bombs before openpyxl reads it."""
from __future__ import annotations

import io
import struct
import zipfile

from .model import SheetRefused

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
BROKEN = "Tệp Excel bị hỏng hoặc không phải là bảng tính .xlsx thật; hãy mở và lưu lại trong Excel"
BOMB = "Tệp Excel khi giải nén quá lớn so với kích thước tệp (nghi là tệp độc hại); tệp bị từ chối"


def is_zip(data: bytes) -> bool:
    """True when the bytes start like a zip archive, as every .xlsx does."""
    return data.startswith(b"PK\x03\x04")


def check_archive(data: bytes) -> None:
    """Refuse a zip that is not a workbook or would expand too far, reading only its directory."""
    _check_entry_count(data)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception as error:  # any failure of the stdlib on untrusted bytes means "broken"
        raise SheetRefused(BROKEN) from error
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise SheetRefused("Tệp nén này không phải là bảng tính Excel (.xlsx)")
    if any(info.flag_bits & 0x1 for info in infos):
        raise SheetRefused("Tệp Excel có mật khẩu; hãy bỏ mật khẩu rồi tải lên lại")
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > MAX_UNCOMPRESSED or total > MAX_RATIO * max(packed, 10_000):
        raise SheetRefused(BOMB)


def _check_entry_count(data: bytes) -> None:
    # Counting entries from the end record first keeps a million-entry directory from being parsed
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 70_000))
    if end >= 0 and len(data) >= end + 12:
        (entries,) = struct.unpack("<H", data[end + 10:end + 12])
        if entries > MAX_MEMBERS:
            raise SheetRefused(BOMB)
