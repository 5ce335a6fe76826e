"""Validating one data row against the header, and spotting households listed twice."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

from vietnamese import fold

from .cells import (LAT_RANGE, LON_RANGE, NOTE_LIMIT, CellProblem, number_text, outside,
                    parse_coordinate, parse_lane_path, parse_members, parse_phone, parse_text)
from .columns import HeaderMatch, label
from .model import RowError, SheetRow

_PARSERS = {
    "house_number": parse_text,
    "lane": parse_lane_path,
    "street": parse_text,
    "head_name": parse_text,
    "members": parse_members,
    "phone": parse_phone,
    "lat": parse_coordinate,
    "lon": parse_coordinate,
    "note": lambda raw, name: parse_text(raw, name, NOTE_LIMIT),
}
_EMPTY = {"lane": [], "house_number": "", "street": "", "head_name": "", "note": ""}


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    # fold() costs microseconds; streets, lanes and house numbers repeat, so remember them
    return text.casefold() if text.isascii() else fold(text)


def is_blank(cells: Sequence[object]) -> bool:
    """True for a row with nothing in it (skipped, as Excel users leave gaps)."""
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


class RowValidator:
    """Builds SheetRows from raw cells; remembers households to catch duplicates."""

    def __init__(self, match: HeaderMatch, strict_width: bool):
        self.match = match
        self.width = len(match.headers)
        self.strict_width = strict_width  # CSV rows must have one cell per header
        self.unnamed = [i for i, h in enumerate(match.headers) if not h]
        self.seen: dict[tuple, int] = {}
        # (field, column index, parser, label, header) worked out once, not per row
        self.plan = [(name, index, _PARSERS[name], label(name), self.column(name))
                     for name, index in match.fields.items()]

    def column(self, name: str) -> str:
        """The header as written in the file, or the field's Vietnamese label."""
        index = self.match.fields.get(name)
        return self.match.headers[index] if index is not None else label(name)

    def validate(self, row_number: int, cells: Sequence[object]) -> tuple[SheetRow | None, list[RowError]]:
        """A SheetRow and no errors, or None and the reasons, each with its column."""
        shape = self._shape_error(row_number, cells)
        if shape:
            return None, [shape]
        values, errors = self._parse_fields(row_number, cells)
        errors += self._check_required(row_number, values)
        errors += self._check_position(row_number, values)
        if errors:
            return None, errors
        row = SheetRow(row_number=row_number, members=values.get("members"), phone=values.get("phone"),
                       lat=values.get("lat"), lon=values.get("lon"), house_number=values["house_number"],
                       lane_path=values["lane"], street=values["street"], head_name=values["head_name"],
                       note=values["note"])
        duplicate = self._check_duplicate(row)
        return (None, [duplicate]) if duplicate else (row, [])

    def _shape_error(self, row_number: int, cells: Sequence[object]) -> RowError | None:
        count = len(cells)
        if self.strict_width and count < self.width:
            return RowError(row_number, self.match.headers[count] or f"Cột {count + 1}",
                            f"Dòng chỉ có {count} ô, trong khi tiêu đề có {self.width} cột")
        # Only the cells outside named columns are looked at: a wide blank row stays cheap
        for index in chain(self.unnamed, range(self.width, count)):
            if index < count and not is_blank((cells[index],)):
                where = ("nhiều hơn số cột của tiêu đề" if index >= self.width
                         else "nằm ở cột không có tiêu đề")
                # In a CSV a stray separator inside a name is the usual cause: say so
                hint = " (có dấu phẩy hoặc dấu chấm phẩy lạc trong ô?)" if self.strict_width else ""
                return RowError(row_number, f"Cột {index + 1}", f"Dòng có ô thừa {where}{hint}")
        return None

    def _parse_fields(self, row_number: int, cells: Sequence[object]) -> tuple[dict, list[RowError]]:
        values: dict[str, object] = dict(_EMPTY)
        errors = []
        width = len(cells)
        for name, index, parser, name_label, column in self.plan:
            try:
                values[name] = parser(cells[index] if index < width else None, name_label)
            except CellProblem as problem:
                errors.append(RowError(row_number, column, str(problem)))
        return values, errors

    def _check_required(self, row_number: int, values: dict) -> list[RowError]:
        errors = []
        if not values["house_number"]:
            errors.append(RowError(row_number, self.column("house_number"), "Thiếu số nhà"))
        if not values["head_name"]:
            errors.append(RowError(row_number, self.column("head_name"), "Thiếu tên chủ hộ"))
        if not values["lane"] and not values["street"]:
            column = self.column("lane" if "lane" in self.match.fields else "street")
            errors.append(RowError(row_number, column, "Thiếu ngõ hoặc đường"))
        return errors

    def _check_position(self, row_number: int, values: dict) -> list[RowError]:
        lat, lon = values.get("lat"), values.get("lon")
        if lat is None and lon is None:
            return []
        if lat is None or lon is None:
            missing, present = ("lat", "kinh độ") if lat is None else ("lon", "vĩ độ")
            return [RowError(row_number, self.column(missing),
                             f"Có {present} nhưng thiếu {label(missing).lower()}")]
        errors = []
        for name, value, bounds in (("lat", lat, LAT_RANGE), ("lon", lon, LON_RANGE)):
            if outside(value, bounds):
                errors.append(RowError(row_number, self.column(name),
                                       f"{label(name)} {number_text(value)} nằm ngoài Việt Nam"))
        return errors

    def _check_duplicate(self, row: SheetRow) -> RowError | None:
        # The street is part of the key: "số 5" on two streets without a lane are two houses
        key = (_key(row.street), tuple(_key(part) for part in row.lane_path), _key(row.house_number))
        first = self.seen.setdefault(key, row.row_number)
        if first == row.row_number:
            return None
        return RowError(row.row_number, self.column("house_number"),
                        f"Hộ số nhà {row.house_number} bị trùng với dòng {first}")
