"""One vocabulary: every word has its label in both languages, its colour, its class."""
from __future__ import annotations

import html
import json
import re

import pytest
from babel.messages.pofile import read_po

import labels
import vocabulary
from vocabulary import OUTCOMES, SLOTS, STATUS_COLOURS, STATUS_OF_OUTCOME, STATUSES

TABLES = [(SLOTS, labels.SLOT_LABELS), (SLOTS, labels.NEVER_TRIED_LABELS),
          (STATUSES, labels.STATUS_LABELS), (OUTCOMES, labels.OUTCOME_LABELS),
          (vocabulary.SERVICE_STATES, labels.SERVICE_STATE_LABELS),
          (vocabulary.ROLES, labels.ROLE_LABELS), (vocabulary.PER, labels.PER_LABELS),
          (tuple(vocabulary.AGE_BASES), labels.AGE_BASIS_LABELS),
          (vocabulary.AVAILABILITIES, labels.AVAILABILITY_LABELS),
          (vocabulary.STARTUP_STEPS, labels.STARTUP_STEP_LABELS),
          (vocabulary.REPORT_PERIODS, labels.REPORT_PERIOD_LABELS),
          (vocabulary.REPORT_SORTS, labels.REPORT_SORT_LABELS)]


@pytest.mark.parametrize("codes, table", TABLES)
def test_every_word_has_a_label_and_every_label_a_word(codes, table):
    assert list(table) == list(codes)  # in the same order: forms list them as the table does


def test_every_outcome_leaves_a_status_and_every_status_has_its_own_colour():
    assert set(STATUS_OF_OUTCOME) == set(OUTCOMES)
    assert set(STATUS_OF_OUTCOME.values()) <= set(STATUSES)
    assert set(STATUS_COLOURS) == set(STATUSES) == set(vocabulary.PROGRESS_ORDER)
    assert len(set(STATUS_COLOURS.values())) == len(STATUSES)
    assert set(vocabulary.OPEN) | set(vocabulary.SETTLED) | set(vocabulary.GONE) <= set(STATUSES)
    assert set(vocabulary.SLOT_STARTS) == set(SLOTS) and vocabulary.SLOT_STARTS[SLOTS[0]] == 0


def test_every_label_has_its_english(app):
    with open("translations/en/LC_MESSAGES/messages.po", "rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id}
    tables = [v for k, v in vars(labels).items() if k.isupper() and isinstance(v, dict)]
    for label in [v for table in tables for v in table.values()] + [
            labels.PUBLIC_SERVICE_HOUSEHOLD]:
        assert english.get(label._args[0]), label._args[0]


def test_every_page_colours_each_status_from_the_palette(client, auth, world):
    auth.sign_in(world.leader)
    page = client.get("/").get_data(as_text=True)
    for status, colour in STATUS_COLOURS.items():
        assert f".st-{status}{{--st:{colour}}}" in page
    assert not re.search(r"--st-\w+\s*:", open("static/app.css").read())  # nowhere else


def script_text(page: str) -> dict:
    return json.loads(html.unescape(re.search(r"<body[^>]* data-text='([^']*)'", page).group(1)))


def test_the_scripts_get_their_words_in_the_users_language(client, auth, world):
    auth.sign_in(world.volunteer)
    text = script_text(client.get("/walk").get_data(as_text=True))
    assert set(text) == set(labels.JS_TEXT) and text["offline"].startswith("Chưa lưu")
    assert text["queue"] == "Chưa gửi {n} lượt: máy sẽ tự gửi khi có mạng."
    client.post("/language", data={"lang": "en", "csrf_token": auth.csrf()})
    text = script_text(client.get("/walk").get_data(as_text=True))
    assert text["offline"] == "Not saved: no connection. Try again."
