"""The ward's report as a workbook to hand in, and as a CSV: numbers as numbers, dates as dates.

Pure: takes a models.report.Report and the words to write (translated once by the caller,
never per row). Rows are streamed (openpyxl's write-only mode); text cells are typed as
text, never formulas (sheets.writer).
"""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.rules import local_time
from sheets.writer import _xlsx_cell, write_csv

PERCENT, DATE, MOMENT = "0.0%", "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
TITLE, BOLD, WRAP = Font(bold=True, size=14), Font(bold=True), Alignment(wrap_text=True,
                                                                          vertical="top")


class _Writer:
    """Cells of one write-only sheet, each style made once."""

    def __init__(self, sheet):
        self.sheet = sheet

    def text(self, value, font=None, wrap=False):
        cell = _xlsx_cell(self.sheet, value, WriteOnlyCell)
        if font is not None:
            cell.font = font
        if wrap:
            cell.alignment = WRAP
        return cell

    def number(self, value, number_format=None, font=None):
        if value is None:
            return None
        cell = WriteOnlyCell(self.sheet, value=value)
        if number_format:
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        return cell


def _heading(w: _Writer, report, words: dict) -> list[list]:
    """Title, ward, group, period and when the report was made: the rows above the table."""
    rows = [[w.text(words["title"], TITLE)],
            [w.text(words["ward"], BOLD), w.text(report.ward.name)]]
    if report.place is not None:
        rows.append([w.text(words["group"], BOLD), w.text(report.place.name)])
    rows += [[w.text(words["period"], BOLD), w.text(words["period_name"])],
             [w.text(words["start"], BOLD), w.number(report.period.start, DATE)],
             [w.text(words["end"], BOLD), w.number(report.period.end, DATE)],
             [w.text(words["generated"], BOLD),
              w.number(local_time(report.generated_at).replace(tzinfo=None), MOMENT)],
             []]
    return rows


def _widths(sheet, widths: list[float]) -> None:
    for k, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(k)].width = width


def summary_sheet(book, report, words: dict, name: str) -> None:
    """One line per figure of the ward (or the group): base, done at start and end, change,
    rate, target and what is still to go; then the visits of the period."""
    sheet = book.create_sheet(name)
    w = _Writer(sheet)
    _widths(sheet, [46, 30, 10, 12, 12, 12, 10, 10, 14])
    heading = _heading(w, report, words)
    header = [words[k] for k in ("figure", "per", "base", "done_before", "done", "change",
                                 "rate", "target", "gap")]
    sheet.freeze_panes = f"A{len(heading) + 2}"
    for row in heading:
        sheet.append(row)
    sheet.append([w.text(h, BOLD, wrap=True) for h in header])
    for column in report.columns:
        cell = report.total.cells[column.key]
        sheet.append([w.text(column.label), w.text(words["bases"][column.key]),
                      cell.base, cell.done_before, cell.done, cell.change,
                      w.number(cell.rate, PERCENT), w.number(column.target / 100, PERCENT),
                      w.number(cell.gap / 100, PERCENT)])
    sheet.append([])
    sheet.append([w.text(words["visits"], BOLD), None, report.total.visits])
    sheet.append([w.text(words["reached"], BOLD), None, report.total.reached])
    sheet.append([w.text(words["last_visit"], BOLD), None,
                  w.number(report.total.last_visit, DATE)])


def group_header(report, words: dict) -> list[str]:
    header = [words["group"], words["households"], words["visits"], words["reached"],
              words["last_visit"]]
    for column in report.columns:
        header += [f"{column.label}: {words['done']}", f"{column.label}: {words['rate']}",
                   f"{column.label}: {words['change']}"]
    return header


def groups_sheet(book, report, words: dict, name: str) -> None:
    """The groups side by side, one row each, and the ward's total row (the sum of theirs)."""
    sheet = book.create_sheet(name)
    w = _Writer(sheet)
    header = group_header(report, words)
    _widths(sheet, [28, 9, 11, 11, 13] + [14] * (len(header) - 5))
    heading = _heading(w, report, words)
    sheet.freeze_panes = f"B{len(heading) + 2}"
    for row in heading:
        sheet.append(row)
    sheet.append([w.text(h, BOLD, wrap=True) for h in header])
    lines = report.lines if report.place is not None else report.lines + [report.total]
    for line in lines:
        font = BOLD if line.id is None else None
        row = [w.text(line.name, font), line.households, line.visits, line.reached,
               w.number(line.last_visit, DATE)]
        for column in report.columns:
            cell = line.cells.get(column.key)
            row += [None, None, None] if cell is None else [
                cell.done, w.number(cell.rate, PERCENT), cell.change]
        sheet.append(row)


def report_xlsx(report, words: dict) -> bytes:
    """The workbook: the summary, then the groups side by side."""
    book = Workbook(write_only=True)
    summary_sheet(book, report, words, words["summary"])
    groups_sheet(book, report, words, words["groups"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_csv(report, words: dict) -> bytes:
    """The groups side by side and the ward's total, rates in percent."""
    header = group_header(report, words)
    header = [h + " (%)" if k >= 5 and (k - 5) % 3 == 1 else h for k, h in enumerate(header)]
    lines = report.lines if report.place is not None else report.lines + [report.total]

    def rows():
        for line in lines:
            row = [line.name, line.households, line.visits, line.reached,
                   line.last_visit.strftime("%d/%m/%Y") if line.last_visit else ""]
            for column in report.columns:
                cell = line.cells.get(column.key)
                row += ["", "", ""] if cell is None else [cell.done, cell.pct, cell.change]
            yield row
    return write_csv(header, rows())


def stamp(moment: datetime) -> str:
    return local_time(moment).strftime("%Y%m%d-%H%M")
