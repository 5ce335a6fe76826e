"""Validating one data row against the header, spotting households listed twice, telling
what stands under the data from the data, and grouping a person list into households."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

from vietnamese import fold

from vocabulary import ADMIN_WORDS, FOOTER_WORDS, HEAD_RELATIONS

from .cells import (LAT_RANGE, LON_RANGE, CellProblem, clean_text, number_text,
                    outside, parse_address, parse_birth_year, parse_coordinate, parse_house_number,
                    parse_lane_path,
                    parse_members, parse_note, parse_phone, parse_text)
from .columns import ORDINAL, HeaderMatch, field_for, label
from .model import RowError, SheetRow

RELATION_LIMIT = 60

_PARSERS = {
    "house_number": parse_house_number,
    "lane": parse_lane_path,
    "street": parse_text,
    "head_name": parse_text,
    "members": parse_members,
    "phone": parse_phone,
    "lat": parse_coordinate,
    "lon": parse_coordinate,
    "note": parse_note,
    "name": parse_text,
    "relation": lambda raw, name: parse_text(raw, name, RELATION_LIMIT),
    "birth": parse_birth_year,
    "address": lambda raw, name: parse_address(raw, name, ADMIN_WORDS),
}
_EMPTY = {"lane": [], "house_number": "", "street": "", "head_name": "", "note": "", "name": "",
          "relation": "", "address": ("", [], "")}
_LANE_START = ("ngo", "ngach", "hem", "kiet", "lane", "alley")


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    # fold() costs microseconds; streets, lanes and house numbers repeat, so remember them
    return text.casefold() if text.isascii() else fold(text)


def is_blank(cells: Sequence[object]) -> bool:
    """True for a row with nothing in it (skipped, as Excel users leave gaps)."""
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


_FOOTER = re.compile("(?:" + "|".join(re.escape(w) for w in sorted(FOOTER_WORDS, key=len, reverse=True))
                     + r")(?: |$)")
_PUNCTUATION = re.compile(r"[.:;,()\-]+")


def footer_words(cells: Sequence[object]) -> bool:
    """True when the row's first text opens a signature block, a note or a total."""
    first = next((c for c in cells if c.__class__ is str and c and not c.isspace()), "")
    if not first or first[0].isdigit():  # a running number or a house number: data
        return False
    return _FOOTER.match(" ".join(_PUNCTUATION.sub(" ", _key(first.strip()[:40])).split())) is not None


def row_text(cells: Sequence[object], limit: int = 60) -> str:
    """What a skipped row says, short, for the preview."""
    parts = []
    for cell in cells:
        try:
            text = clean_text(cell)
        except CellProblem:
            text = str(cell)
        if text:
            parts.append(text)
    text = " · ".join(parts)
    return text if len(text) <= limit else text[:limit - 1] + "…"


class RowValidator:
    """Builds SheetRows from raw cells; remembers households to catch duplicates."""

    def __init__(self, match: HeaderMatch, strict_width: bool, this_year: int | None = None):
        self.match = match
        self.width = len(match.headers)
        self.strict_width = strict_width  # CSV rows must have one cell per header
        self.unnamed = [i for i, h in enumerate(match.headers) if not h]
        self.seen: dict[tuple, int] = {}
        self.name_field = match.name_field()
        self.this_year = this_year
        # (field, column index, parser, label, header) worked out once, not per row
        self.plan = [(name, index, _PARSERS[name], label(name), self.column(name))
                     for name, index in match.fields.items()]
        if "birth" in match.fields:
            # its message names the column as written: "Năm sinh" or "Ngày sinh"
            self.plan = [(n, i, (lambda raw, _, col=c: parse_birth_year(raw, col, this_year))
                          if n == "birth" else p, lab, c) for n, i, p, lab, c in self.plan]
        # columns that say who or where: a row with none of them is not a household or a resident
        self.identity = [match.fields[n] for n in ("house_number", "address", "head_name", "name",
                                                   "lane", "street", "relation") if n in match.fields]
        where = [match.fields[n] for n in ("house_number", "address") if n in match.fields]
        who = [match.fields[n] for n in ("relation", "birth") if n in match.fields]
        name = match.fields.get(self.name_field) if self.name_field else None
        # a row that is surely data: a name and an address (a household), or a name and a
        # relation or birth date (a resident)
        self.complete_with = who if match.person_list else where
        self.data_columns = [*match.fields.values(), *(i for i, h in enumerate(match.headers)
                                                        if h and field_for(h) == ORDINAL)]
        self.name_index = name

    def column(self, name: str) -> str:
        """The header as written in the file, or the field's Vietnamese label."""
        index = self.match.fields.get(name)
        return self.match.headers[index] if index is not None else label(name)

    @staticmethod
    def _filled(cells: Sequence[object], indexes) -> bool:
        """Any of these cells holds something (called for every row: kept plain)."""
        width = len(cells)
        for i in indexes:
            if i < width:
                cell = cells[i]
                if cell is not None and (cell.__class__ is not str or (cell and not cell.isspace())):
                    return True
        return False

    def complete(self, cells: Sequence[object]) -> bool:
        """The row is surely data: it has a name and an address (or a relation, a birth date)."""
        return (self.name_index is not None and self._filled(cells, (self.name_index,))
                and self._filled(cells, self.complete_with))

    def footer_start(self, cells: Sequence[object]) -> bool:
        """The row may open what stands under the data: a signature, a note, a total."""
        if footer_words(cells):
            return True
        return not self.complete(cells) and not self._filled(cells, self.identity)

    def resumes_data(self, cells: Sequence[object]) -> bool:
        """After a row that looked like a footer, a row that is surely data again: complete,
        and with three columns filled (a signature line holds one or two names)."""
        if not self.complete(cells) or footer_words(cells):
            return False
        width = len(cells)
        return sum(1 for i in self.data_columns if i < width and self._filled(cells, (i,))) >= 3

    def read(self, row_number: int, cells: Sequence[object]) -> tuple[dict | None, list[RowError], set]:
        """(values, errors, fields in error); values None when the row's shape is wrong."""
        shape = self._shape_error(row_number, cells)
        if shape:
            return None, [shape], set()
        values, errors, failed = self._parse_fields(row_number, cells)
        number, lane, street = values.pop("address")
        # the address column fills what the separate columns left blank
        if not values["house_number"] and "house_number" not in failed:
            values["house_number"] = number
        if not values["lane"]:
            values["lane"] = lane
        if not values["street"]:
            values["street"] = street
        values["lane"], values["lane_street"] = self._lane_street(values["lane"], values["street"])
        if not values["street"]:
            values["street"] = values["lane_street"]
        values["person"] = values["name"] if self.match.person_list else ""
        if self.name_field and not self.match.person_list:
            values["head_name"] = values[self.name_field]
            if self.name_field in failed:
                failed.add("head_name")
        return values, errors, failed

    @staticmethod
    def _lane_street(path: list[str], street: str) -> tuple[list[str], str]:
        """ "Ngõ 10/Ngách 3, Đường Thử" (the lane as the export names it) -> the path and
        the lane's street; a lane is the same lane with its street written or not."""
        if not path or "," not in path[-1]:
            return path, ""
        name, tail = (part.strip() for part in path[-1].rsplit(",", 1))
        if not name or not tail or fold(tail).startswith(_LANE_START):
            return path, ""
        return [*path[:-1], name], tail

    def validate(self, row_number: int, cells: Sequence[object]) -> tuple[SheetRow | None, list[RowError]]:
        """A SheetRow and no errors, or None and the reasons, each with its column."""
        values, errors, failed = self.read(row_number, cells)
        if values is None:
            return None, errors
        errors += self.check_required(row_number, values, failed)
        errors += self.check_position(row_number, values)
        if errors:
            return None, errors
        row = self.household(row_number, values)
        duplicate = self.check_duplicate(row)
        return (None, [duplicate]) if duplicate else (row, [])

    @staticmethod
    def household(row_number: int, values: dict) -> SheetRow:
        return SheetRow(row_number=row_number, members=values.get("members"), phone=values.get("phone"),
                        lat=values.get("lat"), lon=values.get("lon"), house_number=values["house_number"],
                        lane_path=values["lane"], street=values["street"], head_name=values["head_name"],
                        note=values["note"], lane_street=values["lane_street"],
                        head_birth_year=values.get("birth"))

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

    def _parse_fields(self, row_number: int, cells: Sequence[object]) -> tuple[dict, list[RowError], set]:
        values: dict[str, object] = dict(_EMPTY)
        errors, failed = [], set()
        width = len(cells)
        for name, index, parser, name_label, column in self.plan:
            try:
                values[name] = parser(cells[index] if index < width else None, name_label)
            except CellProblem as problem:
                errors.append(RowError(row_number, column, str(problem)))
                failed.add(name)
        return values, errors, failed

    def check_required(self, row_number: int, values: dict, failed: set) -> list[RowError]:
        # A cell already reported (a house number Excel made a date) is not also "missing"
        errors = []
        if not values["house_number"] and not failed & {"house_number", "address"}:
            errors.append(RowError(row_number, self.where("house_number"), "Thiếu số nhà"))
        if not values["head_name"] and "head_name" not in failed:
            errors.append(RowError(row_number, self.column(self.name_field or "head_name"),
                                   "Thiếu tên chủ hộ"))
        if not values["lane"] and not values["street"] and not failed & {"lane", "street", "address"}:
            column = self.where("lane" if "lane" in self.match.fields else "street")
            errors.append(RowError(row_number, column, "Thiếu ngõ hoặc đường"))
        return errors

    def where(self, name: str) -> str:
        """The column to name for a missing field: its own, else the address column."""
        if name not in self.match.fields and "address" in self.match.fields:
            return self.column("address")
        return self.column(name)

    def check_position(self, row_number: int, values: dict) -> list[RowError]:
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

    def address_key(self, row: SheetRow) -> tuple:
        # The street is part of the key: "số 5" on two streets without a lane are two houses
        return (_key(row.lane_street or row.street), tuple(_key(part) for part in row.lane_path),
                _key(row.house_number))

    def check_duplicate(self, row: SheetRow) -> RowError | None:
        first = self.seen.setdefault(self.address_key(row), row.row_number)
        if first == row.row_number:
            return None
        return RowError(row.row_number, self.where("house_number"),
                        f"Hộ số nhà {row.house_number} bị trùng với dòng {first}")


def is_head(relation: str) -> bool:
    """ "Chủ hộ", "CH", "chủ" start a household in a person list."""
    return _key(" ".join(relation.replace(".", " ").split())) in HEAD_RELATIONS


class PersonGrouper:
    """A person list (one row per resident) grouped into households: a "Chủ hộ" row and its
    address start one; the rows under it without an address, or with the same one, join it."""

    def __init__(self, validator: RowValidator):
        self.validator = validator
        self.current: SheetRow | None = None
        self.current_ok = False
        self.rows: list[SheetRow] = []
        self.duplicates: list[RowError] = []
        self.people = 0

    def add(self, row_number: int, cells: Sequence[object]) -> list[RowError]:
        v = self.validator
        values, errors, failed = v.read(row_number, cells)
        if values is None:
            return errors
        relation, person = values["relation"], values["person"]
        if not person and "name" not in failed:
            errors.append(RowError(row_number, v.column(v.name_field), "Thiếu họ và tên"))
        if not relation and "relation" not in failed:
            errors.append(RowError(row_number, v.column("relation"), "Thiếu quan hệ với chủ hộ"))
        resident = (relation, values.get("birth"))
        if relation and is_head(relation):
            values["head_name"] = person
            # a missing name is already said once, as "Thiếu họ và tên"
            errors += v.check_required(row_number, values, failed | ({"head_name"} if not person else set()))
            errors += v.check_position(row_number, values)
            self._close()
            self.current = v.household(row_number, values)
            self.current.residents = [resident]
            self.current_ok = not errors
            self.people += 1
            return errors
        if self.current is None:
            errors.append(RowError(row_number, v.column("relation"),
                                   "Nhân khẩu chưa có chủ hộ: mỗi hộ bắt đầu bằng dòng “Chủ hộ”"))
            return errors
        if values["house_number"] and not self._same_place(v.household(row_number, values)):
            errors.append(RowError(row_number, v.where("house_number"),
                                   f"Địa chỉ khác với hộ của chủ hộ ở dòng {self.current.row_number}; "
                                   "mỗi hộ bắt đầu bằng dòng “Chủ hộ”"))
        if not errors:
            self.current.residents.append(resident)
            self.people += 1
        return errors

    def _same_place(self, member: SheetRow) -> bool:
        """The member's address is the head's, as far as it is written: "12" alone under
        "12, ngõ 5, phố Huế" is the same house."""
        v, head = self.validator, self.current
        mine, theirs = v.address_key(member), v.address_key(head)
        return mine[2] == theirs[2] and all(not part or part == other for part, other in
                                            ((mine[0], theirs[0]), (mine[1], theirs[1])))

    def _close(self) -> None:
        """The household being read is complete: kept, or reported as listed twice."""
        current, self.current = self.current, None
        if current is None or not self.current_ok:
            return
        current.members = len(current.residents)
        duplicate = self.validator.check_duplicate(current)
        if duplicate:
            self.duplicates.append(duplicate)
        else:
            self.rows.append(current)

    def finish(self) -> list[RowError]:
        """Close the last household; the duplicates found on the way."""
        self._close()
        return self.duplicates
