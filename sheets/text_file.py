"""Reading a CSV (or Excel "Unicode text") file: encoding, separator, records."""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

from .model import SheetRefused

SEPARATORS = (",", ";", "\t")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Files people rename by mistake; each one would otherwise decode as garbage cp1258
_BINARY_SIGNATURES = (
    (b"\x89PNG", "ảnh PNG"), (b"\xff\xd8\xff", "ảnh JPEG"), (b"GIF8", "ảnh GIF"),
    (b"%PDF", "tệp PDF"), (b"\xd0\xcf\x11\xe0", "tệp Excel .xls cũ hoặc tệp có mật khẩu"),
    (b"\x1f\x8b", "tệp nén gzip"), (b"Rar!", "tệp nén RAR"), (b"7z\xbc\xaf", "tệp nén 7z"),
    (b"PK\x03\x04", "tệp nén"), (b"PK\x05\x06", "tệp nén"), (b"RIFF", "tệp âm thanh/ảnh"),
)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")

NOT_TEXT = "Tệp không phải là bảng tính CSV hay Excel (.xlsx)"


def refuse_binary(data: bytes) -> None:
    """Refuse a file whose first bytes say it is an image, a PDF, an old .xls, an archive…"""
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise SheetRefused(f"{NOT_TEXT}: đây là {what}. Hãy lưu bảng tính dưới dạng .xlsx hoặc CSV")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOMs first, then strict UTF-8, then Windows-1258."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom):], encoding), encoding
    for encoding in ("utf-8", "cp1258"):
        try:
            return _checked(data.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    raise SheetRefused(f"{NOT_TEXT}: không đọc được bảng mã (hãy lưu lại dạng CSV UTF-8)")


def _decode_strict(payload: bytes, encoding: str) -> str:
    try:
        return _checked(payload.decode(encoding))
    except UnicodeDecodeError:
        # An odd byte count or a lone surrogate: the file was cut short or damaged
        raise SheetRefused("Tệp bị hỏng hoặc không trọn vẹn (lỗi mã hóa Unicode); "
                           "hãy lưu và tải lên lại") from None


def _checked(text: str) -> str:
    # A text file has no NULs and few control characters; a binary one has many
    controls = len(_CONTROL.findall(text, 0, 100_000))
    if "\x00" in text or controls > max(5, len(text[:100_000]) // 100):
        raise SheetRefused(f"{NOT_TEXT}: tệp chứa dữ liệu nhị phân")
    return text


def records(text: str, separator: str) -> Iterator[list[str]]:
    """CSV records; CR, LF and CRLF all end a line (newline='' keeps quoted line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        yield from reader
    except csv.Error as error:
        raise SheetRefused(f"Tệp CSV bị lỗi ở dòng {reader.line_num}: một ô quá dài hoặc "
                           "dấu ngoặc kép không đóng") from error


def sample(text: str, separator: str, limit: int) -> list[list[str]]:
    """The first `limit` records with this separator, read from the head of the file only."""
    head = text[:200_000]
    try:
        reader = csv.reader(io.StringIO(head, newline=""), delimiter=separator)
        return [record for _, record in zip(range(limit), reader)]
    except csv.Error:
        return []
