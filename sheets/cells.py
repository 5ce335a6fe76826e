"""Turning one raw cell (CSV text or an openpyxl value) into a clean field value."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time

from vietnamese import nfc

TEXT_LIMIT = 200
NOTE_LIMIT = 1000
MEMBERS_LIMIT = 50
# Vietnam's bounding box, mainland and the islands the teams work on
LAT_RANGE = (8.0, 23.5)
LON_RANGE = (102.0, 110.0)

# nfc() drops C0 controls; these also break XML or display and never belong in a name
_INVISIBLE = re.compile("[\x80-\x9f\u200b-\u200f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_INTEGER = re.compile(r"[+-]?\d+(?:[.,]0*)?")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()/]")


class CellProblem(ValueError):
    """A cell that cannot be used; the message is the Vietnamese reason."""


def number_text(value: float) -> str:
    """A number as a person would write it: 4.0 -> "4", 21.5 -> "21.5"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _already_clean(text: str) -> bool:
    # nfc() on 30,000 rows costs most of a second; most cells are already clean.
    # isprintable() is False for every control, format, surrogate and odd space character.
    return (text.isprintable() and text == text.strip() and "  " not in text
            and (text.isascii() or unicodedata.is_normalized("NFC", text)))


def clean_text(raw: object) -> str:
    """Any cell as NFC text without control characters; Excel's dates are refused."""
    if type(raw) is str:  # the common case first: every CSV cell
        # invisibles out first, then nfc: removed after, they left "0 " or "a  b" behind
        return raw if _already_clean(raw) else nfc(_INVISIBLE.sub("", raw))
    if raw is None:
        return ""
    if isinstance(raw, (datetime, date, time)):
        # "12/3" typed into Excel becomes 12 March: the house number is lost, so say so
        raise CellProblem("Excel đã đổi ô này thành ngày tháng; hãy định dạng cột là Văn bản rồi nhập lại")
    text = number_text(raw) if isinstance(raw, float) else str(raw)
    if _already_clean(text):
        return text
    return nfc(_INVISIBLE.sub("", text))


def parse_text(raw: object, label: str, limit: int = TEXT_LIMIT) -> str:
    """Clean text of at most `limit` characters."""
    text = clean_text(raw)
    if len(text) > limit:
        raise CellProblem(f"{label} dài quá {limit} ký tự")
    return text


def parse_lane_path(raw: object, label: str) -> list[str]:
    """ "ngõ 12/ngách 3" -> ["ngõ 12", "ngách 3"]: a ngách branches off its ngõ."""
    text = parse_text(raw, label)
    parts = (part.strip() for part in re.split(r"[/\\]", text))
    return [part for part in parts if part]


def parse_members(raw: object, label: str) -> int | None:
    """A non-negative whole number of residents, at most MEMBERS_LIMIT."""
    text = clean_text(raw)
    if not text:
        return None
    if not _INTEGER.fullmatch(text):
        raise CellProblem(f"{label} “{text[:30]}” không phải là số nguyên")
    count = int(re.split(r"[.,]", text)[0])
    if count < 0:
        raise CellProblem(f"{label} không được âm")
    if count > MEMBERS_LIMIT:
        raise CellProblem(f"{label} {count} quá lớn (tối đa {MEMBERS_LIMIT})")
    return count


def parse_phone(raw: object, label: str) -> str | None:
    """A Vietnamese phone number as digits: "+84 912 345 678" -> "0912345678"."""
    text = clean_text(raw)
    if not text:
        return None
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif digits.isdigit() and len(digits) in (9, 10) and digits[0] != "0":
        # Excel stored the number as a number and dropped its leading zero
        digits = "0" + digits
    if not (digits.isascii() and digits.isdigit() and digits[0] == "0" and len(digits) in (10, 11)):
        raise CellProblem(f"{label} không hợp lệ")
    return digits


def parse_coordinate(raw: object, label: str) -> float | None:
    """A decimal degree; a decimal comma ("21,553") is accepted."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = clean_text(raw)
        if not text:
            return None
        if not _DECIMAL.fullmatch(text):
            raise CellProblem(f"{label} “{text[:30]}” không phải là số")
        value = float(text.replace(",", "."))
    if not math.isfinite(value):
        raise CellProblem(f"{label} không phải là số")
    return value


def outside(value: float, bounds: tuple[float, float]) -> bool:
    """True when a coordinate is outside Vietnam's bounding box on its axis."""
    return not bounds[0] <= value <= bounds[1]
