"""Which column is which: header synonyms in both languages, matched without diacritics."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vietnamese import fold, nfc

# field -> (Vietnamese label shown in errors, header synonyms as fold() + _header_key leave them)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "house_number": ("Số nhà", ("so nha", "so can", "house number", "house no", "house")),
    "lane": ("Ngõ", ("ngo", "ngach", "hem", "kiet", "ngo ngach", "ngo hem", "lane", "alley")),
    "street": ("Đường", ("duong", "pho", "duong pho", "ten duong", "street", "road")),
    "head_name": ("Chủ hộ", ("chu ho", "ho ten chu ho", "ten chu ho", "head name", "head of household",
                             "household head")),
    "members": ("Số nhân khẩu", ("so nhan khau", "so khau", "nhan khau", "members", "household size",
                                 "number of members")),
    "phone": ("Số điện thoại", ("so dien thoai", "sdt", "dien thoai", "so dt", "dt", "phone",
                                "phone number", "telephone", "mobile")),
    "lat": ("Vĩ độ", ("vi do", "lat", "latitude")),
    "lon": ("Kinh độ", ("kinh do", "lon", "lng", "long", "longitude")),
    "note": ("Ghi chú", ("ghi chu", "note", "notes", "remarks")),
}

# A running number column is in nearly every Vietnamese list; it is known, and carries no data.
IGNORED_HEADERS = frozenset({"stt", "tt", "so thu tu", "no", "#", "ordinal"})

REQUIRED = ("house_number", "head_name")
ONE_OF = ("lane", "street")

_SYNONYMS = {syn: name for name, (_, syns) in COLUMNS.items() for syn in syns}
_NOT_ALNUM = re.compile(r"[^a-z0-9#]+")
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]")


def label(field_name: str) -> str:
    """The Vietnamese label of a field, as used in error messages."""
    return COLUMNS[field_name][0]


def _header_key(text: str) -> str:
    return _NOT_ALNUM.sub(" ", fold(text)).strip()


def field_for(header: str) -> str | None:
    """The field a header names, '' for a known column that is ignored, None if unknown."""
    for key in (_header_key(header), _header_key(_BRACKETS.sub(" ", header))):
        if key in _SYNONYMS:
            return _SYNONYMS[key]
        if key in IGNORED_HEADERS:
            return ""
    return None


@dataclass
class HeaderMatch:
    """How the cells of a header row map onto fields."""

    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)  # field -> column index
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)

    @property
    def recognised(self) -> int:
        """How many distinct fields the header names."""
        return len(self.fields)

    def missing_required(self) -> list[str]:
        """Vietnamese labels of the required columns the header lacks."""
        missing = [label(name) for name in REQUIRED if name not in self.fields]
        if not any(name in self.fields for name in ONE_OF):
            missing.append(" hoặc ".join(label(name) for name in ONE_OF))
        return missing


def match_header(cells: list[str]) -> HeaderMatch:
    """Map each header cell to a field; trailing blank cells are dropped."""
    headers = [nfc(cell) for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    match = HeaderMatch(headers=headers)
    for index, header in enumerate(headers):
        name = field_for(header) if header else None
        if name == "":
            continue
        if name is None:
            if header:
                match.unknown.append((index, header))
        elif name in match.fields:
            match.duplicates.append((index, header))
        else:
            match.fields[name] = index
    return match
