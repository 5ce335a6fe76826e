"""Which column is which: header words (vocabulary.HEADER_WORDS) matched without diacritics."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vietnamese import fold, nfc
from vocabulary import (EXPORT_FIGURE_HEADERS, HEADER_WORDS, ID_CARD_WORDS, ORDINAL_HEADERS,
                        UNKEPT_HEADERS)

# field -> the Vietnamese label shown in errors and in the preview
LABELS = {"house_number": "Số nhà", "lane": "Ngõ", "street": "Đường", "address": "Địa chỉ",
          "head_name": "Chủ hộ", "name": "Họ và tên", "members": "Số nhân khẩu",
          "phone": "Số điện thoại", "relation": "Quan hệ với chủ hộ", "birth": "Ngày sinh",
          "lat": "Vĩ độ", "lon": "Kinh độ", "note": "Ghi chú"}
COLUMNS = {name: (LABELS[name], words) for name, words in HEADER_WORDS.items()}

# What a column that is known but not read is: a running number, a column kept nowhere,
# an ID card (never read), a figure of the leader's own export.
ORDINAL, UNKEPT, ID_CARD, FIGURE = "ordinal", "unkept", "id_card", "figure"

_SYNONYMS = {syn: name for name, (_, syns) in COLUMNS.items() for syn in syns}
_NOT_ALNUM = re.compile(r"[^a-z0-9#]+")
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]")
_ID_CARD = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ID_CARD_WORDS) + r")\b")


def label(field_name: str) -> str:
    """The Vietnamese label of a field, as used in error messages."""
    return LABELS[field_name]


def header_key(text: str) -> str:
    """A header as it is matched: folded, punctuation as spaces."""
    return _NOT_ALNUM.sub(" ", fold(text)).strip()


def field_for(header: str, figures: frozenset[str] = frozenset()) -> str | None:
    """The field a header names, one of the skipped kinds (ORDINAL…), or None if unknown."""
    keys = (header_key(header), header_key(_BRACKETS.sub(" ", header)))
    if any(key in figures or key in EXPORT_FIGURE_HEADERS for key in keys):
        return FIGURE
    if _ID_CARD.search(keys[0]):
        return ID_CARD
    for key in keys:
        if key in _SYNONYMS:
            return _SYNONYMS[key]
        if key in ORDINAL_HEADERS:
            return ORDINAL
        if key in UNKEPT_HEADERS:
            return UNKEPT
    return None


def probable_field(header: str) -> str | None:
    """The field an unknown header most likely means ("Sô nhá" -> house_number), or None."""
    key = header_key(_BRACKETS.sub(" ", header))
    if not key:
        return None
    close = difflib.get_close_matches(key, list(_SYNONYMS), n=1, cutoff=0.75)
    if close:
        return _SYNONYMS[close[0]]
    # A longer header holding a field's words: "Số nhà mới" -> house_number
    words = f" {key} "
    held = [syn for syn in _SYNONYMS if len(syn) > 3 and f" {syn} " in words]
    return _SYNONYMS[max(held, key=len)] if held else None


@dataclass
class HeaderMatch:
    """How the cells of a header row map onto fields."""

    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)  # field -> column index
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # kind -> headers

    @property
    def recognised(self) -> int:
        """How many distinct fields the header names (or known columns it skips)."""
        return len(self.fields) + sum(len(v) for k, v in self.skipped.items() if k != ORDINAL)

    @property
    def person_list(self) -> bool:
        """One row per resident (danh sách nhân khẩu): the list says how each is related."""
        return "relation" in self.fields

    def name_field(self) -> str | None:
        """The column holding the head's name (a household list) or each person's (a person list)."""
        order = ("name", "head_name") if self.person_list else ("head_name", "name")
        return next((name for name in order if name in self.fields), None)

    def missing_required(self) -> list[str]:
        """Vietnamese labels of the required columns the header lacks, each with the
        unknown column that probably is it."""
        missing = []
        if "house_number" not in self.fields and "address" not in self.fields:
            missing.append((label("house_number"), {"house_number", "address"}))
        if self.name_field() is None:
            missing.append((label("name") if self.person_list else label("head_name"),
                            {"head_name", "name"}))
        if not any(name in self.fields for name in ("lane", "street", "address")):
            missing.append((f"{label('lane')} hoặc {label('street')}", {"lane", "street", "address"}))
        out = []
        for text, kin in missing:
            guess = next((h for _, h in self.unknown if probable_field(h) in kin), None)
            out.append(f"“{text}”" + (f" (cột “{guess}” có phải là cột này? Hãy đổi tên cột)"
                                       if guess else ""))
        return out


def match_header(cells: list[str], figures: Iterable[str] = ()) -> HeaderMatch:
    """Map each header cell to a field; trailing blank cells are dropped.

    `figures` are more headers of the leader's own export (the campaign's services)."""
    figures = frozenset(figures)
    headers = [nfc(cell) for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    match = HeaderMatch(headers=headers)
    for index, header in enumerate(headers):
        name = field_for(header, figures) if header else None
        if name in (ORDINAL, UNKEPT, ID_CARD, FIGURE):
            match.skipped.setdefault(name, []).append(header)
        elif name is None:
            if header:
                match.unknown.append((index, header))
        elif name in match.fields:
            match.duplicates.append((index, header))
        else:
            match.fields[name] = index
    return match
