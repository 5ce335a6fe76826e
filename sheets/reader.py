"""parse_households: a household list (CSV or XLSX bytes) -> ParsedSheet, or SheetRefused."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from . import text_file, workbook, xlsx_rows
from .columns import HeaderMatch, match_header
from .model import ParsedSheet, RowError, SheetRefused
from .rows import RowValidator, is_blank

MAX_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 50_000
HEADER_SEARCH = 20  # a title or a blank line may sit above the header
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}

NO_HEADER = ("Không tìm thấy dòng tiêu đề. Dòng đầu của bảng cần có tên cột như "
             "“Số nhà”, “Ngõ”, “Đường”, “Chủ hộ”")


def parse_households(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> ParsedSheet:
    """Read a household list; row problems go into `errors`, whole-file ones raise SheetRefused."""
    if len(data) > max_bytes:
        raise SheetRefused(f"Tệp quá lớn ({len(data) / 1048576:.1f} MB); tối đa {max_bytes / 1048576:.0f} MB")
    if not data.strip():
        raise SheetRefused("Tệp rỗng")
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in TEXT_EXTENSIONS | XLSX_EXTENSIONS:
        raise SheetRefused("Chỉ nhận tệp .csv hoặc .xlsx")
    if extension in XLSX_EXTENSIONS or workbook.is_zip(data):
        # The content decides: an .xlsx saved as .csv is still read as a workbook
        return _parse_workbook(data)
    return _parse_text(data)


def _parse_workbook(data: bytes) -> ParsedSheet:
    if not workbook.is_zip(data):
        raise SheetRefused("Tệp không phải là bảng tính Excel (.xlsx) thật dù có đuôi .xlsx")
    workbook.check_archive(data)
    for rows in xlsx_rows.worksheets(data):
        probe = [list(row) for _, row in zip(range(HEADER_SEARCH), rows)]
        found = _find_header(probe)
        if found:
            return _read_table(chain(probe, rows), found, "xlsx", strict_width=False)
    raise SheetRefused(NO_HEADER)


def _parse_text(data: bytes) -> ParsedSheet:
    text_file.refuse_binary(data)
    text, encoding = text_file.decode_text(data)
    best = None
    for separator in text_file.SEPARATORS:
        found = _find_header(text_file.sample(text, separator, HEADER_SEARCH))
        if found and (best is None or found[1].recognised > best[1][1].recognised):
            best = (separator, found)
    if best is None:
        raise SheetRefused(NO_HEADER)
    separator, found = best
    return _read_table(text_file.records(text, separator), found, encoding, strict_width=True)


def _find_header(records: Sequence[Sequence[object]]) -> tuple[int, HeaderMatch] | None:
    """(index, match) of the first record naming at least two known columns."""
    for index, record in enumerate(records):
        cells = [cell if isinstance(cell, str) else "" for cell in record]
        match = match_header(cells)
        if match.recognised >= 2:
            return index, match
    return None


def _read_table(records: Iterable[Sequence[object]], found: tuple[int, HeaderMatch],
                encoding: str, strict_width: bool) -> ParsedSheet:
    header_index, match = found
    missing = match.missing_required()
    if missing:
        raise SheetRefused("Thiếu cột bắt buộc: " + ", ".join(f"“{name}”" for name in missing))
    header_row = header_index + 1
    sheet = ParsedSheet(encoding=encoding, unknown_columns=[h for _, h in match.unknown])
    sheet.errors += _header_errors(header_row, match)
    validator = RowValidator(match, strict_width)
    data_rows = 0
    for row_number, cells in _data_records(records, header_row):
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            raise SheetRefused(f"Tệp có quá nhiều dòng (tối đa {MAX_DATA_ROWS:,} hộ)".replace(",", "."))
        row, errors = validator.validate(row_number, cells)
        if row:
            sheet.rows.append(row)
        sheet.errors += errors
    if not data_rows:
        raise SheetRefused("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề")
    return sheet


def _data_records(records: Iterable[Sequence[object]],
                  header_row: int) -> Iterator[tuple[int, Sequence[object]]]:
    """(Excel row number, cells) of each non-blank record after the header."""
    for row_number, cells in enumerate(records, start=1):
        if row_number > header_row and not is_blank(cells):
            yield row_number, cells


def _header_errors(header_row: int, match: HeaderMatch) -> list[RowError]:
    errors = [RowError(header_row, header, f"Không nhận ra cột “{header}”; hãy đổi tên cột hoặc xóa cột này")
              for _, header in match.unknown]
    errors += [RowError(header_row, header, f"Cột “{header}” bị lặp lại") for _, header in match.duplicates]
    return errors
