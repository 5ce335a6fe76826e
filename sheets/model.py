"""What an import produces: parsed rows, row errors, and whole-file refusals."""
from __future__ import annotations

from dataclasses import dataclass, field


class SheetRefused(Exception):
    """The whole file is refused; `message` says why, in Vietnamese, for the leader."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SheetRow:
    """One household as read from the sheet, cleaned and validated."""

    row_number: int  # as the leader sees it in Excel: header is row 1
    house_number: str
    lane_path: list[str]
    street: str
    head_name: str
    members: int | None
    phone: str | None
    lat: float | None
    lon: float | None
    note: str
    # The street a lane cell named after a comma ("Ngõ 10, Đường Thử", as the export writes it)
    lane_street: str = ""
    # (relation, birth year) of each resident a person list gave; None: the file has no list
    residents: list[tuple[str, int | None]] | None = None
    head_birth_year: int | None = None  # a household list's birth column: the head's


@dataclass
class RowError:
    """A problem in one row (or the header row), with the column and a Vietnamese reason."""

    row_number: int
    column: str
    message: str


@dataclass
class ParsedSheet:
    """The outcome of reading a household list; an import with any error changes nothing."""

    rows: list[SheetRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    # Lines for the preview: columns dropped or skipped and why, rows skipped under the data
    notes: list[str] = field(default_factory=list)
    person_list: bool = False  # one row per resident, grouped into households
    people: int = 0  # residents a person list gave
    id_columns: list[int] = field(default_factory=list)  # never read, emptied in the draft
    worksheet: int = 0  # which worksheet of a workbook was read
    width: int = 0  # columns of the header

    @property
    def ok(self) -> bool:
        """True when every row is valid and every column is known."""
        return not self.errors and not self.unknown_columns
