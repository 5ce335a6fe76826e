"""Turning one raw cell (CSV text or an openpyxl value) into a clean field value."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from vietnamese import fold, nfc

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


EXCEL_DATE = "Excel đã đổi ô này thành ngày tháng; hãy định dạng cột là Văn bản rồi nhập lại"
# The same date once Excel saved the sheet as CSV: "12-Mar", "Mar-12", "12/03/2026"
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DATE_TEXT = re.compile(rf"\d{{1,2}}-(?:{_MONTHS})(?:-\d{{2,4}})?|(?:{_MONTHS})-\d{{1,4}}|"
                        r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}(?: 00:00:00)?", re.IGNORECASE)


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
        raise CellProblem(EXCEL_DATE)
    text = number_text(raw) if isinstance(raw, float) else str(raw)
    if _already_clean(text):
        return text
    return nfc(_INVISIBLE.sub("", text))


def parse_text(raw: object, label: str, limit: int = TEXT_LIMIT) -> str:
    """Clean text of at most `limit` characters; the CSV formula guard of Gõ Cửa's own
    export ("'=…") is undone, so a re-import keeps the text as it was."""
    text = unguarded(clean_text(raw))
    if len(text) > limit:
        raise CellProblem(f"{label} dài quá {limit} ký tự")
    return text


# A CCCD number is 12 digits; a CMND number 9, or any number after the words for them
_ID_NUMBER = re.compile(r"(?<!\d)\d{12}(?!\d)|(?:cccd|cmnd|cmt|can cuoc|chung minh|dinh danh)"
                        r"\D{0,12}\d{9}", re.IGNORECASE)


def parse_note(raw: object, label: str) -> str:
    """A note, which never carries an ID-card number: one that does is refused, not kept."""
    text = parse_text(raw, label, NOTE_LIMIT)
    if any(ch.isdigit() for ch in text) and _ID_NUMBER.search(fold(text)):
        raise CellProblem(f"{label} có số căn cước/CMND; Gõ Cửa không lưu số này, hãy xóa khỏi ô")
    return text


def parse_house_number(raw: object, label: str) -> str:
    """A house number as text; one Excel turned into a date (even saved as CSV) is refused."""
    text = parse_text(raw, label)
    if _DATE_TEXT.fullmatch(text):
        raise CellProblem(EXCEL_DATE)
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


# -- birth dates: only the year is kept ---------------------------------------------------
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST_BIRTH = 1900


def parse_birth_year(raw: object, label: str, this_year: int | None = None) -> int | None:
    """The year of a birth date: dd/mm/yyyy, an Excel date or serial number, or a bare year."""
    this_year = this_year or date.today().year
    year = _birth_year(raw, label)
    if year is not None and not EARLIEST_BIRTH <= year <= this_year:
        raise CellProblem(f"{label}: năm sinh {year} không hợp lệ")
    return year


def _birth_year(raw: object, label: str) -> int | None:
    if isinstance(raw, (datetime, date)):
        return raw.year
    if isinstance(raw, bool):
        raise CellProblem(f"{label} không đọc được")
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise CellProblem(f"{label} không đọc được")
        return _number_year(int(raw))
    text = clean_text(raw)
    if not text:
        return None
    if _INTEGER.fullmatch(text):
        return _number_year(int(re.split(r"[.,]", text)[0]))
    for pattern, order in ((_DAY_MONTH_YEAR, (3, 2, 1)), (_ISO, (1, 2, 3))):
        found = pattern.fullmatch(text)
        if found:
            year, month, day = (int(found.group(k)) for k in order)
            try:
                return date(year, month, day).year
            except ValueError:
                raise CellProblem(f"{label} “{text[:30]}” không phải là ngày có thật") from None
    found = _MONTH_YEAR.fullmatch(text)
    if found and 1 <= int(found.group(1)) <= 12:
        return int(found.group(2))
    raise CellProblem(f"{label} “{text[:30]}” không đọc được (cần dd/mm/yyyy hoặc năm sinh)")


def _number_year(number: int) -> int:
    """A bare number is a year, or Excel's count of days since 1900 (a date stored as a number)."""
    if number >= 10_000:
        return (_EXCEL_EPOCH + timedelta(days=number)).year if number < 2_958_466 else number
    return number


# -- a whole address in one cell -------------------------------------------------------------
_LANE_KINDS = ("ngo", "ngach", "hem", "kiet")
_STREET_KINDS = ("duong", "pho")
_NUMBER_WORDS = ("so nha", "so", "sn", "nha so")
_HOUSE = re.compile(r"\d[\w/\-]*")


def _starts_with(key: str, words) -> str | None:
    return next((w for w in sorted(words, key=len, reverse=True)
                 if key == w or key.startswith(w + " ")), None)


def parse_address(raw: object, label: str, admin_words=()) -> tuple[str, list[str], str]:
    """ "Số 12, ngõ 34/5, phố Huế, tổ 6" -> ("12", ["ngõ 34", "5"], "phố Huế").

    Comma-separated parts are read by their first word; without commas, a leading number is
    the house, "ngõ …"/"ngách …" the lane, the rest the street. Parts naming the ward, the
    group or the city are dropped."""
    text = parse_text(raw, label, TEXT_LIMIT)
    number, lane, street = "", [], ""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1:
        parts = _split_plain(parts[0])
    for part in parts:
        key = fold(part)
        word = _starts_with(key, _NUMBER_WORDS)
        if word and not number and _HOUSE.match(part[len(word):].strip()):
            number = part.split(None, len(word.split()))[-1].strip()
        elif not number and not lane and not street and _HOUSE.fullmatch(part):
            number = part
        elif _starts_with(key, _LANE_KINDS):
            lane += parse_lane_path(part, label)
        elif _starts_with(key, admin_words) and street:
            continue
        elif not street and not _starts_with(key, admin_words):
            street = part
        elif not street:
            continue
    return number, lane, street


def _split_plain(text: str) -> list[str]:
    """ "Số 12 ngõ 34 ngách 5 Hoàng Văn Thụ" -> ["Số 12", "ngõ 34", "ngách 5", "Hoàng Văn Thụ"]."""
    words = text.split()
    keys = [fold(word) for word in words]
    parts: list[str] = []
    start = 0
    for size in (2, 1):  # "số nhà 12", "số 12", "sn 12", or a bare "12"
        if " ".join(keys[:size]) in _NUMBER_WORDS and len(words) > size and _HOUSE.match(words[size]):
            parts.append(" ".join(words[:size + 1]))
            start = size + 1
            break
    else:
        if words and _HOUSE.match(words[0]):
            parts.append(words[0])
            start = 1
    current: list[str] = []
    index = start
    while index < len(words):
        key = keys[index]
        if key in _LANE_KINDS or key in _STREET_KINDS:
            if current:
                parts.append(" ".join(current))
            current = [words[index]]
            if key in _LANE_KINDS and index + 1 < len(words) and words[index + 1][:1].isdigit():
                parts.append(f"{words[index]} {words[index + 1]}")  # "ngõ 34": the name ends there
                current = []
                index += 1
        else:
            current.append(words[index])
        index += 1
    if current:
        parts.append(" ".join(current))
    return parts


def unguarded(text: str) -> str:
    """The CSV formula guard undone: "'=Tên" as Gõ Cửa's export wrote it reads "=Tên"."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@＝＋－＠":
        return text[1:]
    return text
