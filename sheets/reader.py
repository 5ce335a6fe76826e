"""parse_households: a household list (CSV or XLSX bytes) -> ParsedSheet, or SheetRefused."""
from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from . import text_file, workbook, xlsx_rows
from .cells import CellProblem, clean_text
from .columns import (FIGURE, ID_CARD, UNKEPT, HeaderMatch, field_for, header_key, label, match_header,
                      probable_field)
from .model import ParsedSheet, RowError, SheetRefused
from .rows import PersonGrouper, RowValidator, is_blank, row_text

MAX_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 50_000
HEADER_SEARCH = 20  # a title or a blank line may sit above the header
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}

NO_HEADER = ("Không tìm thấy dòng tiêu đề. Dòng đầu của bảng cần có tên cột như "
             "“Số nhà”, “Ngõ”, “Đường”, “Chủ hộ”")
FOOTER_LISTED = 5  # skipped rows named one by one in the preview
_NUMBERING = re.compile(r"\(?(\d{1,2})\)?")


def parse_households(filename: str, data: bytes, max_bytes: int = MAX_BYTES,
                     figures: Iterable[str] = (), this_year: int | None = None) -> ParsedSheet:
    """Read a household list; row problems go into `errors`, whole-file ones raise SheetRefused.

    `figures` are the headers of the campaign's services, as the leader's export writes them:
    a re-imported export skips them with its own figure columns."""
    return _Reader(frozenset(header_key(f) for f in figures), this_year).parse(filename, data, max_bytes)


def without_id_cards(filename: str, data: bytes, sheet: ParsedSheet) -> tuple[str, bytes]:
    """The file as it may be kept until the leader confirms: with an ID-card column, a CSV
    of the same records with that column emptied (parsed, it gives the same households)."""
    if not sheet.id_columns:
        return filename, data
    reader = _Reader(frozenset(), None)
    records = reader.records(filename, data, sheet.worksheet)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for record in records:
        cells = ["" if index in sheet.id_columns else _as_text(cell)
                 for index, cell in enumerate(record)]
        # a workbook's row stops at its last cell; a CSV row must be as wide as its header
        writer.writerow(cells + [""] * (sheet.width - len(cells)) if cells else [])
    return os.path.splitext(filename)[0][:190] + ".csv", out.getvalue().encode("utf-8-sig")


def _as_text(cell: object) -> str:
    if cell is None:
        return ""
    try:
        return clean_text(cell)
    except CellProblem:  # a date: written as the ISO text the birth-date reader takes
        return str(cell)


class _Reader:
    """One file's reading: which sheet, which header, then the rows."""

    def __init__(self, figures: frozenset[str], this_year: int | None):
        self.figures = figures
        self.this_year = this_year

    def parse(self, filename: str, data: bytes, max_bytes: int) -> ParsedSheet:
        if len(data) > max_bytes:
            raise SheetRefused(f"Tệp quá lớn ({len(data) / 1048576:.1f} MB); "
                               f"tối đa {max_bytes / 1048576:.0f} MB")
        if not data.strip():
            raise SheetRefused("Tệp rỗng")
        extension = os.path.splitext(filename or "")[1].lower()
        if extension not in TEXT_EXTENSIONS | XLSX_EXTENSIONS:
            raise SheetRefused("Chỉ nhận tệp .csv hoặc .xlsx")
        if extension in XLSX_EXTENSIONS or workbook.is_zip(data):
            # The content decides: an .xlsx saved as .csv is still read as a workbook
            return self._parse_workbook(data)
        return self._parse_text(data)

    def records(self, filename: str, data: bytes, worksheet: int) -> Iterable[Sequence[object]]:
        """Every record of the sheet that was read (for without_id_cards)."""
        if workbook.is_zip(data):
            for number, rows in enumerate(xlsx_rows.worksheets(data)):
                if number == worksheet:
                    return list(rows)  # read while the archive is open
            return []
        text, _ = text_file.decode_text(data)
        return text_file.records(text, self._best_separator(text)[0])

    def _parse_workbook(self, data: bytes) -> ParsedSheet:
        if not workbook.is_zip(data):
            raise SheetRefused("Tệp không phải là bảng tính Excel (.xlsx) thật dù có đuôi .xlsx")
        workbook.check_archive(data)
        for number, rows in enumerate(xlsx_rows.worksheets(data)):
            probe = [list(row) for _, row in zip(range(HEADER_SEARCH), rows)]
            found = self._find_header(probe)
            if found:
                sheet = self._read_table(chain(probe, rows), found, "xlsx", strict_width=False)
                sheet.worksheet = number
                return sheet
        raise SheetRefused(NO_HEADER)

    def _best_separator(self, text: str):
        best = None
        for separator in text_file.SEPARATORS:
            found = self._find_header(text_file.sample(text, separator, HEADER_SEARCH))
            if found and (best is None or found[1].recognised > best[1][1].recognised):
                best = (separator, found)
        if best is None:
            raise SheetRefused(NO_HEADER)
        return best

    def _parse_text(self, data: bytes) -> ParsedSheet:
        text_file.refuse_binary(data)
        text, encoding = text_file.decode_text(data)
        separator, found = self._best_separator(text)
        return self._read_table(text_file.records(text, separator), found, encoding, strict_width=True)

    def _find_header(self, records: Sequence[Sequence[object]]) -> tuple[int, HeaderMatch] | None:
        """(index of the last header row, match) of the first record naming at least two known
        columns; a second row under it naming the parts of a merged cell ("Địa chỉ" over
        Số nhà | Ngõ | Đường) is read with it."""
        for index, record in enumerate(records):
            cells = _texts(record)
            match = match_header(cells, self.figures)
            if match.recognised < 2:
                continue
            if index + 1 < len(records):
                lower = _texts(records[index + 1])
                named = [cell for cell in lower if cell.strip()]
                if named and all(field_for(cell, self.figures) is not None for cell in named):
                    width = max(len(cells), len(lower))
                    cells, lower = cells + [""] * (width - len(cells)), lower + [""] * (width - len(lower))
                    merged = [low if low.strip() else up for up, low in zip(cells, lower)]
                    return index + 1, match_header(merged, self.figures)
            return index, match
        return None

    def _read_table(self, records: Iterable[Sequence[object]], found: tuple[int, HeaderMatch],
                    encoding: str, strict_width: bool) -> ParsedSheet:
        header_index, match = found
        missing = match.missing_required()
        if missing:
            raise SheetRefused("Thiếu cột bắt buộc: " + ", ".join(missing))
        header_row = header_index + 1
        sheet = ParsedSheet(encoding=encoding, unknown_columns=[h for _, h in match.unknown],
                            person_list=match.person_list)
        sheet.width = len(match.headers)
        sheet.id_columns = [i for i, h in enumerate(match.headers)
                            if h and field_for(h, self.figures) == ID_CARD]
        sheet.errors += _header_errors(header_row, match)
        validator = RowValidator(match, strict_width, self.this_year)
        grouper = PersonGrouper(validator) if match.person_list else None
        data_rows, footer, first = 0, [], True
        for row_number, cells in _data_records(records, header_row):
            if first and _numbering(cells):
                sheet.notes.append(f"Bỏ qua dòng {row_number}: dòng đánh số cột")
                first = False
                continue
            first = False
            # What stands under the data (a signature block, a note, a total) is held back:
            # a complete row after it makes it data again, the end of the file skips it
            if footer or validator.footer_start(cells):
                if not footer or not validator.resumes_data(cells):
                    footer.append((row_number, cells))
                    continue
                held, footer = footer, []
                for held_number, held_cells in held:
                    data_rows = self._row(sheet, validator, grouper, held_number, held_cells, data_rows)
            data_rows = self._row(sheet, validator, grouper, row_number, cells, data_rows)
        if grouper:
            sheet.errors += grouper.finish()
            sheet.rows = grouper.rows
            sheet.people = grouper.people
        if not data_rows:
            raise SheetRefused("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề")
        sheet.notes = _column_notes(match, header_index) + sheet.notes + _footer_note(footer)
        if grouper:
            sheet.notes.append(f"Danh sách nhân khẩu: {grouper.people} người, gộp thành "
                               f"{len(grouper.rows)} hộ (mỗi hộ bắt đầu bằng dòng “Chủ hộ”).")
        sheet.errors.sort(key=lambda e: e.row_number)
        return sheet

    @staticmethod
    def _row(sheet, validator, grouper, row_number, cells, data_rows) -> int:
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            raise SheetRefused(f"Tệp có quá nhiều dòng (tối đa {MAX_DATA_ROWS:,} dòng)".replace(",", "."))
        if grouper:
            sheet.errors += grouper.add(row_number, cells)
            return data_rows
        row, errors = validator.validate(row_number, cells)
        if row:
            sheet.rows.append(row)
        sheet.errors += errors
        return data_rows


def _texts(record: Sequence[object]) -> list[str]:
    return [cell if isinstance(cell, str) else "" for cell in record]


def _numbering(cells: Sequence[object]) -> bool:
    """A row of column numbers under the header: 1 2 3 … or (1) (2) (3) …"""
    numbers = []
    for cell in cells:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        text = str(int(cell)) if isinstance(cell, (int, float)) and not isinstance(cell, bool) \
            and float(cell).is_integer() else str(cell).strip()
        found = _NUMBERING.fullmatch(text)
        if not found:
            return False
        numbers.append(int(found.group(1)))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _data_records(records: Iterable[Sequence[object]],
                  header_row: int) -> Iterator[tuple[int, Sequence[object]]]:
    """(Excel row number, cells) of each non-blank record after the header."""
    for row_number, cells in enumerate(records, start=1):
        if row_number > header_row and not is_blank(cells):
            yield row_number, cells


def _quoted(headers: list[str]) -> str:
    return ", ".join(f"“{h}”" for h in headers)


def _column_notes(match: HeaderMatch, header_index: int) -> list[str]:
    notes = []
    skipped = match.skipped
    for header in skipped.get(ID_CARD, []):
        notes.append(f"Cột “{header}” không được đọc và không lưu: Gõ Cửa không giữ số căn cước, "
                     "CMND hay số định danh (Luật Bảo vệ dữ liệu cá nhân).")
    if skipped.get(FIGURE):
        notes.append(f"Bỏ qua các cột số liệu của tệp xuất từ Gõ Cửa: {_quoted(skipped[FIGURE])} "
                     "(tình trạng, lượt gõ cửa và dịch vụ chỉ ghi qua các lượt gõ cửa).")
    if skipped.get(UNKEPT):
        notes.append(f"Không lưu các cột: {_quoted(skipped[UNKEPT])} (Gõ Cửa chỉ giữ những gì tổ cần).")
    if "address" in match.fields:
        notes.append(f"Cột “{match.headers[match.fields['address']]}” được tách thành số nhà, ngõ và đường.")
    if "birth" in match.fields:
        whose = "" if match.person_list else " của chủ hộ"
        notes.append(f"Cột “{match.headers[match.fields['birth']]}”: chỉ giữ năm sinh{whose}.")
    if match.person_list:
        notes.append("Họ tên nhân khẩu không lưu: chỉ giữ tên chủ hộ, quan hệ với chủ hộ và năm sinh.")
    return notes


def _footer_note(footer: list[tuple[int, Sequence[object]]]) -> list[str]:
    if not footer:
        return []
    listed = "; ".join(f"dòng {n} “{row_text(cells)}”" for n, cells in footer[:FOOTER_LISTED])
    more = f"; và {len(footer) - FOOTER_LISTED} dòng nữa" if len(footer) > FOOTER_LISTED else ""
    return [f"Bỏ qua {len(footer)} dòng cuối (không phải hộ): {listed}{more}."]


def _header_errors(header_row: int, match: HeaderMatch) -> list[RowError]:
    errors = []
    for _, header in match.unknown:
        guess = probable_field(header)
        hint = f" (có phải là cột “{label(guess)}”?)" if guess else ""
        errors.append(RowError(header_row, header, f"Không nhận ra cột “{header}”{hint}; "
                                                   "hãy đổi tên cột hoặc xóa cột này"))
    errors += [RowError(header_row, header, f"Cột “{header}” bị lặp lại") for _, header in match.duplicates]
    return errors
