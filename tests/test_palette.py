"""The status palette a person can read on the map (issue 13 item 9): contrast on the
tiles' light background, and distinct for red- and green-blind sight.

Contrast: WCAG 2 relative luminance. Colour blindness: Machado, Oliveira & Fernandes
(2009) matrices at full severity on linear RGB; distance: CIE 1976 ΔE in CIELAB (D65).
"""
from __future__ import annotations

import itertools
import math

import pytest

from vocabulary import MAP_BACKGROUNDS, STATUS_COLOURS, STATUSES

PROTAN = ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
          (-0.003882, -0.048116, 1.051998))
DEUTAN = ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
          (-0.011820, 0.042940, 0.968881))
MIN_CONTRAST = 3.0
MIN_DELTA_E = 20.0  # well past "clearly different" (ΔE ≈ 10) for a dot 14 px wide


def _linear(hex_colour: str) -> tuple[float, float, float]:
    channels = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def _luminance(rgb) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def contrast(a: str, b: str) -> float:
    la, lb = _luminance(_linear(a)), _luminance(_linear(b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _simulate(rgb, matrix):
    return tuple(min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in matrix)


def _lab(rgb) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_the_contrast_formula_gives_the_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_every_status_has_its_colour():
    assert set(STATUS_COLOURS) == set(STATUSES)


@pytest.mark.parametrize("background", MAP_BACKGROUNDS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_status_colour_stands_out_3_to_1_on_the_map(status, background):
    ratio = contrast(STATUS_COLOURS[status], background)
    assert ratio >= MIN_CONTRAST, f"{status} {STATUS_COLOURS[status]}: {ratio:.2f}:1"


@pytest.mark.parametrize("sight", ["normal", "protan", "deutan"])
def test_every_two_statuses_stay_apart_for_normal_and_red_green_blind_sight(sight):
    matrix = {"normal": None, "protan": PROTAN, "deutan": DEUTAN}[sight]
    seen = {}
    for status, colour in STATUS_COLOURS.items():
        rgb = _linear(colour)
        seen[status] = _lab(rgb if matrix is None else _simulate(rgb, matrix))
    for (a, lab_a), (b, lab_b) in itertools.combinations(seen.items(), 2):
        assert math.dist(lab_a, lab_b) >= MIN_DELTA_E, f"{sight}: {a} and {b} look alike"


def test_the_old_yellow_would_have_failed():
    """The check bites: the amber the map used before is too light on the tiles."""
    assert contrast("#f59e0b", MAP_BACKGROUNDS[0]) < MIN_CONTRAST
