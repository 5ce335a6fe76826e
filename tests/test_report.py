"""The ward's report: figures over a period, the ward's total, a workbook to hand in (read back
with openpyxl), CSV, the print page, the groups that are behind, and who may read what."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from extensions import db
from models import AuditEntry
from models.campaign import current_campaign
from models.rules import local_today
from models.visit import VisitInput, record_visit
from tests.test_dashboard import houses

LONG_AGO = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=40)
_n = [0]


def met(household, when=None, **states):
    """A visit (at `when`, default now) that met the household and set services: code=state,
    or for residents code=[state per resident]."""
    services = {s.code: s for s in current_campaign(household.neighbourhood_id).services}
    chosen = []
    for code, state in states.items():
        service = services[code]
        if service.per == "household":
            chosen.append((service.id, None, state))
        else:
            chosen += [(service.id, r.id, s) for r, s in zip(household.residents, state) if s]
    _n[0] += 1
    record_visit(household.id, None, VisitInput(client_id=f"r-{household.id}-{_n[0]}",
                                                outcome="met", services=chosen, happened_at=when),
                 {s.id: s for s in services.values()})
    db.session.commit()


@pytest.fixture
def ward(world):
    """Tổ 1: broadband at two doors 40 days ago and one today; Tổ 2: one door today, one not
    home. Each group has six households of two residents."""
    a, b, c, d, *_ = houses(world.home)
    met(a, LONG_AGO, broadband="yes", vneid=["activated", "in_use"], payment=["yes", None])
    met(b, LONG_AGO, broadband="yes")
    met(c, broadband="yes", public_service=["yes", None])
    x, y, *_ = houses(world.other)
    met(x, broadband="yes", vneid=["activated", None])
    record_visit(y.id, None, VisitInput(client_id="r-not-home", outcome="not_home"), {})
    db.session.commit()
    return world


def workbook(client, query=""):
    response = client.get(f"/report/report.xlsx{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def table(sheet, header_word="Chỉ tiêu"):
    """(header, rows) of a sheet's table: the rows under the header row."""
    rows = list(sheet.iter_rows())
    start = next(k for k, row in enumerate(rows)
                 if row[0].value == header_word and sum(c.value is not None for c in row) > 2)
    return [c.value for c in rows[start]], rows[start + 1:], start + 1


def test_the_workbook_is_made_to_be_handed_in(client, auth, ward):
    auth.sign_in(ward.officer)
    book = workbook(client)
    summary, groups = book["Tổng hợp"], book["Các tổ"]
    assert summary["A1"].value == "Báo cáo kết quả chuyển đổi số cộng đồng"
    assert summary["B2"].value == ward.ward.name
    cells = {row[0].value: row[1] for row in summary.iter_rows(max_row=8) if row[0].value}
    assert cells["Từ ngày"].is_date and cells["Từ ngày"].number_format == "dd/mm/yyyy"
    assert cells["Đến ngày"].value.date() == local_today()
    assert cells["Lập lúc"].is_date and isinstance(cells["Lập lúc"].value, datetime)
    header, rows, at = table(summary)
    assert summary.freeze_panes == f"A{at + 1}"  # the table's header stays on screen
    assert header[:7] == ["Chỉ tiêu", "Tính theo", "Cơ sở", "Đạt đầu kỳ", "Đạt cuối kỳ",
                          "Tăng trong kỳ", "Tỉ lệ"]
    figures = [row for row in rows if row[0].value and isinstance(row[2].value, int)]
    labels = [row[0].value for row in figures]
    assert labels[:4] == ["Internet cáp quang", "Dùng tài khoản thanh toán",
                          "Hộ có người đã dùng dịch vụ công trực tuyến", "VNeID mức 2"]
    assert "Truyền hình Internet" in labels[4:]  # every other service after the four
    broadband = figures[0]
    assert [c.value for c in broadband[2:6]] == [12, 0, 4, 4]  # base, start, end, change
    assert type(broadband[2].value) is int
    assert broadband[6].number_format == "0.0%" and broadband[6].value == pytest.approx(4 / 12)
    assert broadband[7].value == pytest.approx(1.0) and broadband[7].number_format == "0.0%"
    assert groups.freeze_panes.startswith("B")
    assert groups.column_dimensions["A"].width >= 20


def test_the_total_row_is_the_sum_of_the_groups(client, auth, ward):
    auth.sign_in(ward.officer)
    header, rows, _ = table(workbook(client)["Các tổ"], "Tổ dân phố")
    lines = [[c.value for c in row] for row in rows if row[0].value]
    names = [line[0] for line in lines]
    assert names == ["Tổ 1", "Tổ 2", "Cộng toàn phường"]
    *groups, total = lines
    for k, word in enumerate(header):
        if k == 0 or word == "Lần gõ cửa gần nhất":
            continue
        if word.endswith("Tỉ lệ"):
            assert rows[0][k].number_format == "0.0%"
            continue
        assert all(isinstance(line[k], int) for line in lines), word
        assert total[k] == sum(line[k] for line in groups), word
    assert total[1] == 12 and total[2] == 5 and total[3] == 4  # households, visits, met
    assert isinstance(lines[0][4], datetime) and rows[0][4].number_format == "dd/mm/yyyy"
    broadband_rate = header.index("Internet cáp quang: Tỉ lệ")
    assert total[broadband_rate] == pytest.approx(4 / 12)


def test_the_period_changes_the_counts(client, auth, ward):
    auth.sign_in(ward.officer)
    old_end = (LONG_AGO + timedelta(days=1)).date()
    query = f"?period=custom&from={(LONG_AGO - timedelta(days=2)).date()}&to={old_end}"
    header, rows, _ = table(workbook(client, query)["Các tổ"], "Tổ dân phố")
    then = {row[0].value: [c.value for c in row] for row in rows if row[0].value}
    header_now, rows_now, _ = table(workbook(client, "?period=week")["Các tổ"], "Tổ dân phố")
    now = {row[0].value: [c.value for c in row] for row in rows_now if row[0].value}
    done = header.index("Internet cáp quang: Đạt cuối kỳ")
    change = header.index("Internet cáp quang: Tăng trong kỳ")
    assert then["Tổ 1"][done] == 2 and then["Tổ 2"][done] == 0  # at the old period's end
    assert then["Tổ 1"][2] == 2 and now["Tổ 1"][2] == 1  # visits within each period
    assert now["Tổ 1"][done] == 3 and now["Tổ 1"][change] == 1  # two were done before it
    assert now["Cộng toàn phường"][change] == 2
    summary = workbook(client, query)["Tổng hợp"]
    cells = {row[0].value: row[1].value for row in summary.iter_rows(max_row=8) if row[0].value}
    assert cells["Đến ngày"].date() == old_end


def test_the_csv_has_the_groups_and_the_total(client, auth, ward):
    auth.sign_in(ward.officer)
    response = client.get("/report/report.csv?period=campaign")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Tổ dân phố", "Số hộ", "Lượt gõ cửa trong kỳ", "Hộ đã gặp trong kỳ"]
    assert [r[0] for r in rows[1:]] == ["Tổ 1", "Tổ 2", "Cộng toàn phường"]
    rate = rows[0].index("Internet cáp quang: Tỉ lệ (%)")
    assert rows[3][rate] == "33.3" and rows[3][1] == "12"
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert entry and entry[-1].object_type == "report"


def test_the_screen_shows_the_four_then_the_rest_and_the_total(client, auth, ward):
    auth.sign_in(ward.officer)
    text = client.get("/report").get_data(as_text=True)
    four = re.findall(r'<article class="card figure[^"]*" data-code="([^"]+)"', text)
    assert four == ["broadband", "payment", "public_service_household", "vneid"]
    assert "mục tiêu 100%" in text and "Truyền hình Internet" in text
    total = re.search(r'data-group="total">(.*?)</tr>', text, re.S).group(1)
    assert "33.3%" in total and "4/12" in total
    assert 'href="/report/report.xlsx' in text and "/report/print" in text


def test_an_officer_sees_figures_never_households(client, auth, ward):
    auth.sign_in(ward.officer)
    heads = {h.head_name for h in houses(ward.home)}
    for path in ("/report", "/report/print", "/report/behind",
                 f"/report?neighbourhood={ward.home.id}", "/report/report.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert not any(head in text for head in heads), path
        assert "Số nhà" not in text and "Chủ hộ" not in text
    book = workbook(client)
    for sheet in book:
        values = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
        assert not values & heads


@pytest.mark.parametrize("path", ["/report?neighbourhood={far}", "/report/print?neighbourhood={far}",
                                  "/report/report.xlsx?neighbourhood={far}",
                                  "/report/report.csv?neighbourhood={far}",
                                  "/report/behind?neighbourhood={far}"])
def test_no_group_of_another_ward(client, auth, ward, path):
    auth.sign_in(ward.officer)
    assert client.get(path.format(far=ward.far.id)).status_code == 404


def test_an_officer_reads_their_own_ward_whatever_the_address_says(client, auth, ward):
    auth.sign_in(ward.officer)
    text = client.get(f"/report?ward={ward.far.ward_id}").get_data(as_text=True)
    assert "Tổ 1" in text and "Tổ xa" not in text


def test_a_leader_reads_their_own_group_only(client, auth, ward):
    auth.sign_in(ward.leader)
    text = client.get("/report").get_data(as_text=True)
    assert "Tổ 1" in text and "Tổ 2" not in text
    assert client.get(f"/report?neighbourhood={ward.other.id}").status_code == 404
    header, rows, _ = table(workbook(client)["Các tổ"], "Tổ dân phố")
    assert [row[0].value for row in rows if row[0].value] == ["Tổ 1"]


def test_a_volunteer_has_no_report(client, auth, ward):
    auth.sign_in(ward.volunteer)
    assert client.get("/report").status_code == 403


def test_the_officer_opens_a_groups_figures_read_only(client, auth, ward):
    auth.sign_in(ward.officer)
    text = client.get(f"/report?neighbourhood={ward.other.id}").get_data(as_text=True)
    assert "Tổ 2" in text and 'id="report-groups"' not in text
    assert "<form method=\"post\"" not in text.split("</header>", 1)[1]
    assert client.post(f"/report?neighbourhood={ward.other.id}").status_code in (403, 405)


def test_the_groups_behind_ranked_by_gap_and_by_pace(client, auth, ward, world):
    auth.sign_in(ward.officer)
    text = client.get("/report/behind?figure=broadband&sort=gap").get_data(as_text=True)
    order = re.findall(r'<tr data-group="(\d+)">', text)
    assert order == [str(ward.other.id), str(ward.home.id)]  # 1/6 is further than 3/6
    gaps = re.findall(r'class="num gap">([\d.]+)<', text)
    assert gaps == ["83.3", "50.0"]
    # VNeID: Tổ 1 has 2 of 12 (both before this week), Tổ 2 has 1 of 12, recorded today
    text = client.get("/report/behind?figure=vneid&sort=gap&period=week").get_data(as_text=True)
    assert re.findall(r'<tr data-group="(\d+)">', text) == [str(ward.other.id), str(ward.home.id)]
    text = client.get("/report/behind?figure=vneid&sort=pace&period=week").get_data(as_text=True)
    assert re.findall(r'<tr data-group="(\d+)">', text) == [str(ward.home.id), str(ward.other.id)]
    assert re.findall(r'class="num pace">([-+\d.]+)<', text) == ["+0.0", "+8.3"]
    assert f'href="/report?neighbourhood={ward.other.id}' in text
    assert client.get("/report/behind?figure=nothing").status_code == 404


def test_a_bad_date_is_refused_in_vietnamese(client, auth, ward):
    auth.sign_in(ward.officer)
    response = client.get("/report?period=custom&from=31/02/2026&to=01/03/2026")
    assert response.status_code == 422
    assert "không hợp lệ" in response.get_data(as_text=True)
    response = client.get(f"/report?period=custom&from={local_today()}&to=2020-01-01")
    assert response.status_code == 422 and "phải trước" in response.get_data(as_text=True)
    assert client.get("/report/report.xlsx?from=xx").status_code == 422


def test_the_print_page_has_a_chart_per_headline_figure(client, auth, ward):
    auth.sign_in(ward.officer)
    text = client.get("/report/print?period=month").get_data(as_text=True)
    assert len(re.findall(r'<figure class="print-chart"', text)) == 4
    assert text.count("<svg") >= 4 and "Tháng này" in text
    assert f"{local_today().replace(day=1):%d/%m/%Y} – {local_today():%d/%m/%Y}" in text


def test_an_admin_chooses_the_ward(client, auth, ward):
    auth.sign_in(ward.admin)
    text = client.get(f"/report?ward={ward.far.ward_id}").get_data(as_text=True)
    assert "Tổ xa" in text and "Tổ 1" not in text
    assert f"/report/report.xlsx?period=campaign&amp;ward={ward.far.ward_id}" in text


def test_the_workbook_in_english(client, auth, ward):
    auth.sign_in(ward.officer)
    client.post("/language", data={"lang": "en", "next": "/report", "csrf_token": auth.csrf()})
    book = workbook(client)
    assert book.sheetnames == ["Summary", "Neighbourhoods"]
    assert book["Summary"]["A1"].value == "Community digital transformation report"
    header, rows, _ = table(book["Summary"], "Target")
    assert header[3:6] == ["Done at the start", "Done at the end", "Change in the period"]
    assert rows[0][0].value == "Fibre broadband"
