"""Maps a person can read (issue 13 item 9): clusters in the status colours, a legend on
every map, the "gần đúng" swatch visible."""
from __future__ import annotations

import re

from extensions import db
from models import Walk
from vocabulary import STATUS_COLOURS, STATUSES

LABELS = ("Chưa đến", "Đã gặp", "Không có nhà", "Hẹn quay lại", "Từ chối", "Đã chuyển đi",
          "Nhà trống", "Không tìm thấy địa chỉ")


def _legend(page: str) -> str:
    match = re.search(r'<ul class="legend map-legend.*?</ul>', page, re.S)
    assert match, "no legend beside the map"
    return match.group(0)


def _has_status_legend(page: str) -> None:
    legend = _legend(page)
    assert len(LABELS) == len(STATUSES)
    for status, label in zip(STATUSES, LABELS):
        assert f'data-status="{status}"' in legend and label in legend
    assert 'class="dot hh-approx"' in legend and "gần đúng" in legend


def test_the_households_map_has_the_legend_and_clusters_in_status_colours(client, auth, world):
    auth.sign_in(world.leader)
    page = client.get("/households/map").get_data(as_text=True)
    _has_status_legend(page)
    assert "iconCreateFunction" in page and "gc-cluster" in page  # not the plugin's own icons
    script = page[page.index("iconCreateFunction"):]
    for status, colour in STATUS_COLOURS.items():
        assert f'"{status}": "{colour}"' in script
    assert '"gcStatus": "not_visited"' in page  # each pin says its status to the cluster


def test_the_approximate_swatch_is_drawn(client):
    css = client.get("/static/app.css").get_data(as_text=True)
    rule = re.search(r"\.dot\.hh-approx\s*\{([^}]*)\}", css)
    assert rule and "dashed" in rule.group(1) and "transparent" in rule.group(1)


def test_the_live_board_has_the_legend(client, auth, day):
    auth.sign_in(day.leader)
    _has_status_legend(client.get(f"/shifts/{day.shift.id}/live").get_data(as_text=True))


def test_the_walk_maps_have_their_legend(client, auth, day):
    walk = db.session.scalar(db.select(Walk).where(Walk.volunteer_id == day.volunteer.id))
    auth.sign_in(day.volunteer)
    for path in (f"/walk/{walk.id}/map", f"/walk/{walk.id}/map?frame=1"):
        legend = _legend(client.get(path).get_data(as_text=True))
        assert "Nhà cần đến, theo thứ tự" in legend and "Điểm xuất phát" in legend
    auth.sign_out()
    auth.sign_in(day.leader)
    page = client.get(f"/shifts/{day.shift.id}/walks/{day.volunteer.id}").get_data(as_text=True)
    assert 'class="walk-map"' in page and "Nhà cần đến, theo thứ tự" in _legend(page)
