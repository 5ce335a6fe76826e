"""A list of names (the groups of a ward), one a row, from CSV or XLSX bytes.

The first column holds the names, or the column whose header says so ("Tên tổ", "Tổ dân
phố", "Thôn", "Tên"); a row number column ("STT") beside it is fine. A row that is not a
name (a number, a date, a formula, too long) is an error with its row number.
"""
from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence

from . import text_file, workbook, xlsx_rows
from .model import RowError, SheetRefused
from .reader import MAX_BYTES, TEXT_EXTENSIONS, XLSX_EXTENSIONS
from .rows import is_blank

MAX_NAMES = 500
NAME_MAX = 120
HEADERS = ("ten to", "ten to dan pho", "to dan pho", "to", "thon", "ten thon", "xom",
           "ten", "name", "ho ten")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def parse_names(filename: str, data: bytes) -> tuple[list[tuple[int, str]], list[RowError]]:
    """((row number, name) for each name, errors); SheetRefused for a file that is not a list."""
    if len(data) > MAX_BYTES:
        raise SheetRefused(f"Tệp quá lớn; tối đa {MAX_BYTES // 1048576} MB")
    if not data.strip():
        raise SheetRefused("Tệp rỗng")
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in TEXT_EXTENSIONS | XLSX_EXTENSIONS:
        raise SheetRefused("Chỉ nhận tệp .csv hoặc .xlsx")
    if extension in XLSX_EXTENSIONS or workbook.is_zip(data):
        if not workbook.is_zip(data):
            raise SheetRefused("Tệp không phải là bảng tính Excel (.xlsx) thật dù có đuôi .xlsx")
        workbook.check_archive(data)
        for rows in xlsx_rows.worksheets(data):  # the first sheet, read while it is open
            return _read(rows)
        raise SheetRefused("Bảng tính không có trang nào")
    text_file.refuse_binary(data)
    text, _encoding = text_file.decode_text(data)
    separator = max(text_file.SEPARATORS, key=lambda s: text[:2000].count(s))
    return _read(text_file.records(text, separator if separator in text[:2000] else "\n"))


def _name_column(cells: Sequence[object]) -> int | None:
    folded = [_fold(c) if isinstance(c, str) else "" for c in cells]
    for k, cell in enumerate(folded):
        if cell in HEADERS:
            return k
    return None


def _read(records: Iterable[Sequence[object]]) -> tuple[list[tuple[int, str]], list[RowError]]:
    names: list[tuple[int, str]] = []
    errors: list[RowError] = []
    column = 0
    for row_number, cells in enumerate(records, start=1):
        if is_blank(cells):
            continue
        if not names and not errors and row_number <= 5:
            header = _name_column(cells)
            if header is not None:
                column = header
                continue
        if len(names) + len(errors) >= MAX_NAMES:
            raise SheetRefused(f"Danh sách quá dài (tối đa {MAX_NAMES} tên)")
        value = cells[column] if column < len(cells) else ""
        if column == 0 and len(cells) > 1 and str(value).strip().isdigit():
            value = cells[1]  # a row number (STT) before the name, without a header
        if not isinstance(value, str):
            errors.append(RowError(row_number, "", "Ô tên không phải là chữ"))
            continue
        name = " ".join(unicodedata.normalize("NFC", value).split())
        if not name:
            errors.append(RowError(row_number, "", "Thiếu tên"))
        elif name[0] in "=+@":
            errors.append(RowError(row_number, "", "Tên không được bắt đầu bằng =, + hoặc @"))
        elif len(name) > NAME_MAX:
            errors.append(RowError(row_number, "", f"Tên dài quá {NAME_MAX} ký tự"))
        elif name.isdigit():
            errors.append(RowError(row_number, "", f"“{name}” là một con số, không phải tên tổ"))
        else:
            names.append((row_number, name))
    if not names and not errors:
        raise SheetRefused("Danh sách không có tên nào")
    return names, errors
