"""Exports that open safely in Excel: every text cell cleaned, nothing can run as a formula."""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from itertools import chain
from datetime import date, datetime
from decimal import Decimal

from vietnamese import nfc

# Excel, LibreOffice and Google Sheets start a formula (or DDE) on these first characters
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
XLSX_CELL_LIMIT = 32_767  # Excel refuses a longer cell
# nfc() drops C0 controls; C1 controls, lone surrogates and U+FFFE/FFFF are not valid XML either
_INVALID = re.compile("[\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def clean_cell(value: object) -> str:
    """Any value as clean text: None -> "", NFC, no control characters, dates dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return _INVALID.sub("", nfc(str(value)))


def safe_cell(value: object) -> str:
    """Clean text for a CSV cell: formulas neutralised with a leading apostrophe (a CSV has
    no types, so a spreadsheet would run "=…"; an .xlsx types its cells as text instead)."""
    text = clean_cell(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def _is_number(value: object) -> bool:
    # bool is an int, but True/False are written as text; NaN and infinity have no cell form
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return False
    return math.isfinite(value)


def _export_value(value: object) -> object:
    return value if _is_number(value) else safe_cell(value)


def write_csv(headers: list[str], rows: Iterable[Sequence]) -> bytes:
    """CSV bytes in UTF-8 with a BOM (so Excel keeps Vietnamese), CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(header) for header in headers])
    for row in rows:
        writer.writerow([_export_value(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(sheets: dict[str, tuple[list[str], Iterable[Sequence]]]) -> bytes:
    """An .xlsx with one worksheet per entry; every cell a number or cleaned text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    titles: set[str] = set()
    for name, (headers, rows) in (sheets or {"Trang 1": ([], [])}).items():
        sheet = book.create_sheet(title=_sheet_title(name, titles))
        for values in chain([headers], rows):
            sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value: object, cell_type):
    """A number, or text typed as text: "=1+1" is shown as written and never runs, with no
    apostrophe for the reader to remove (or for a re-import to keep)."""
    value = value if _is_number(value) else clean_cell(value)[:XLSX_CELL_LIMIT]
    cell = cell_type(sheet, value=value)
    if cell.data_type != "n":  # openpyxl makes "=…" a formula: typed as text, never one
        cell.data_type = "s"
    return cell


def _sheet_title(name: object, taken: set[str]) -> str:
    # Excel titles: at most 31 characters, none of []:*?/\, not starting or ending with '
    base = _SHEET_TITLE_BAD.sub(" ", safe_cell(name)).strip("' ")[:31].strip() or "Trang"
    title, number = base, 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title.casefold())
    return title
