"""Vietnamese text rules shared by search, import and sorting (pure, no Flask)."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nfc(text: str | None) -> str:
    """Text in NFC with control characters dropped and spaces folded.

    Windows-1258 keeps tone marks as combining characters: without NFC "Nguyễn"
    from one file never matches "Nguyễn" from another.
    """
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def fold(text: str | None) -> str:
    """Lower-case text without diacritics, đ/Đ folded to d: "Đặng Quế" -> "dang que"."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold()


def name_sort_key(full_name: str | None) -> tuple[str, str, str, str]:
    """Sort by given name (the last word), then the full name; diacritics break ties."""
    name = nfc(full_name)
    given = name.rsplit(" ", 1)[-1] if name else ""
    return (fold(given), fold(name), given.casefold(), name.casefold())


def house_number_key(number: str | None) -> tuple[int, str]:
    """Order house numbers as a person would: 2 < 10 < 10A < 12/3."""
    text = nfc(number)
    match = re.match(r"\d+", text)
    return (int(match.group()) if match else 10**9, fold(text))
