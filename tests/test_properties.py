"""Properties (Hypothesis) of what hostile text meets: the map escaping, the import from file to
database, and the export writer. (The sheets parser's own properties are in test_sheets.py.)"""
from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from extensions import db
from geo.escape import js_safe
from geo.maps import household_map
from models import Household, Lane, importing
from sheets.writer import FORMULA_STARTS, XLSX_CELL_LIMIT, clean_cell, safe_cell, write_csv, write_xlsx
from vietnamese import nfc

FRAGMENTS = ["<img src=x onerror=alert(1)>", "${alert(1)}", "</script>", "`", "\\", "'", '"',
             "{{7*7}}", "{#", "{%", "=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\x1b",
             "\u202e", "\u200f", "🇻🇳", "Nguyễn", "ngõ 5/ngách 3", ",", ";", "＝", "\ufeff"]
hostile_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)),
                        max_size=6).map("".join)
DB_SETTINGS = settings(max_examples=60, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture])


def unliteral(text: str) -> str:
    """What a JavaScript template literal makes of its source (the escapes js_safe uses)."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


# --- the map escaping ----------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_js_safe_leaves_nothing_that_any_reader_would_run_and_loses_nothing(text):
    out = js_safe(text)
    assert not set(out) & set("<>\"'{}")  # HTML tags, attributes, Jinja delimiters
    assert not re.search(r"(?<!\\)(?:\\\\)*[`$]", out)  # every backtick and $ escaped
    assert html.unescape(unliteral(out)) == text


@settings(max_examples=40, deadline=None)
@given(hostile_text)
def test_a_map_with_any_label_renders_and_its_tooltip_reads_as_the_label(label):
    label = nfc(label)  # names reach the map only from the database, cleaned by nfc()
    page = household_map([{"id": 1, "lat": 21.5, "lon": 105.8, "status": "not_visited",
                           "label": label}], [], (21.5, 105.8)).get_root().render()
    literal = re.search(r"bindTooltip\(\s*`(.*?)(?<!\\)`", page, re.S).group(1)
    shown = html.unescape(unliteral(literal))
    assert shown.strip().removeprefix("<div>").removesuffix("</div>").strip() == label.strip()


# --- the import, from bytes to rows in the database -------------------------------------

HEADER = ["Số nhà", "Ngõ", "Đường", "Chủ hộ", "Số nhân khẩu", "Ghi chú"]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


@DB_SETTINGS
@given(st.lists(st.tuples(hostile_text, hostile_text, hostile_text, hostile_text,
                          st.sampled_from(["", "3", "-1", "x", "=1+1"]), hostile_text),
                min_size=1, max_size=5))
def test_any_import_is_refused_cleanly_or_stored_clean(world, rows):
    data = _csv([list(row) for row in rows])
    before = db.session.scalar(db.select(db.func.count(Household.id)))
    try:
        result = importing.apply(world.home, "ho.csv", data, world.leader.id)
        assert result.refused or result.errors or result.added or result.updated
        for error in result.errors:
            assert error.message and error.row_number >= 1
        if result.ok:
            db.session.flush()
            stored = db.session.scalars(db.select(Household).where(
                Household.neighbourhood_id == world.home.id)).all()
            lanes = db.session.scalars(db.select(Lane.name)).all()
            for text in [*(h.head_name for h in stored), *(h.note for h in stored),
                         *(h.house_number for h in stored), *lanes]:
                assert not re.search(r"[\x00-\x1f\x7f]", text), repr(text)
                assert text == text.strip()
    finally:
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Household.id))) == before


# --- the export writer ------------------------------------------------------------------------

cell_values = st.one_of(hostile_text, st.integers(), st.floats(), st.none(), st.booleans(),
                        st.integers(XLSX_CELL_LIMIT - 2, XLSX_CELL_LIMIT + 5).map(
                            lambda n: "=" + "a" * n))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell_values, min_size=1, max_size=5), min_size=1, max_size=4))
def test_no_exported_text_cell_starts_a_formula_in_csv_or_xlsx(rows):
    header = ["Chủ hộ", "=x"]
    read = list(csv.reader(io.StringIO(write_csv(header, rows).decode("utf-8-sig"),
                                       newline="")))
    assert read[0] == [safe_cell(h) for h in header]
    for written, values in zip(read[1:], rows):
        for cell, value in zip(written, values):
            if isinstance(value, str) or value is None or isinstance(value, bool):
                assert cell == safe_cell(value) and not cell.startswith(FORMULA_STARTS)
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx({"=cmd|x": (header, rows)}))).active
    for line in sheet.iter_rows():
        for cell in line:
            # an .xlsx types text as text: "=…" is shown as written and never runs
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and len(cell.value) <= XLSX_CELL_LIMIT
    for line, values in zip(sheet.iter_rows(min_row=2), rows):
        for cell, value in zip(line, values):
            if isinstance(value, str) and clean_cell(value):  # as written, no apostrophe added
                assert cell.value == clean_cell(value)[:XLSX_CELL_LIMIT]


@pytest.mark.parametrize("value", ["＝1+1", "\u3000=1", " \t=1", "\n@x", "\x00=1", "\x85-1"])
def test_formula_starts_hidden_behind_width_space_or_controls_are_neutralised(value):
    assert not safe_cell(value).startswith(FORMULA_STARTS)
