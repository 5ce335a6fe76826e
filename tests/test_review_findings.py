"""The hostile review's findings (issue 16), each a test through the real routes that fails
without its fix: HEAD requests, timing, proxies, PINs, redirects, the audit log's size, odd
ids and bodies, HSTS and session lifetimes."""
from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from extensions import db
from models import AuditEntry, SignInLink
from tests import helpers


def csrf_of(client, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _link_path(client, auth, world) -> str:
    auth.sign_in(world.leader)
    page = client.post(f"/team/{world.volunteer.id}/link",
                       headers={"X-CSRFToken": auth.csrf(), "HX-Request": "true"})
    url = re.search(r'value="(http[^"]+)"', page.get_data(as_text=True)).group(1)
    auth.sign_out()
    return url.split("localhost", 1)[1]


# --- 1, 2: HEAD is a GET ------------------------------------------------------------------

def test_a_head_request_on_a_sign_in_link_neither_uses_it_up_nor_signs_in(app, client, auth,
                                                                           world):
    path = _link_path(client, auth, world)
    scanner = app.test_client()
    for _ in range(3):  # a link scanner, a chat preview: `curl -I`
        answer = scanner.head(path)
        assert answer.status_code == 200
        assert not signed_in(scanner)
    assert db.session.scalar(db.select(SignInLink.used_at)) is None
    db.session.rollback()
    tap = client.post(path, data={"csrf_token": auth.csrf()})  # the volunteer's own tap
    assert tap.status_code == 303 and tap.headers["Location"].endswith("/walk")


def test_head_on_the_sign_in_form_with_a_body_signs_nobody_in(app, client, world):
    stranger = app.test_client()
    answer = stranger.open("/sign-in", method="HEAD", data={
        "login": world.leader.username, "secret": helpers.PASSWORD})
    assert answer.status_code == 200
    assert not signed_in(stranger)
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "sign_in"))
    assert entries.all() == []


# --- 8: no redirect to another host ---------------------------------------------------------

ELSEWHERE = ["/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example",
             "/%5Cevil.example", "/%5C/evil.example", "//evil.example", "///evil.example",
             "https://evil.example/", "/%00/evil.example", "%09//evil.example"]


def _lands_here(location: str) -> bool:
    """Where a browser goes: it drops tabs and newlines and reads a backslash as a slash."""
    seen = re.sub(r"[\t\n\r\x00]", "", location).replace("\\", "/")
    return seen.startswith("/") and not seen.startswith("//") and "evil" not in seen


def test_sign_in_never_sends_on_to_another_host(client, auth, world):
    for target in ELSEWHERE:
        answer = client.post(f"/sign-in?next={target}", data={
            "login": world.leader.username, "secret": helpers.PASSWORD,
            "csrf_token": auth.csrf()})
        assert answer.status_code == 303, target
        assert answer.headers["Location"] == "/", (target, answer.headers["Location"])
        auth.sign_out()
    answer = client.post("/sign-in?next=/households/%3Fq%3Dan", data={
        "login": world.leader.username, "secret": helpers.PASSWORD, "csrf_token": auth.csrf()})
    assert answer.headers["Location"] == "/households/?q=an"  # a path here still works


def test_the_language_switch_never_sends_on_to_another_host(client, auth, world):
    from urllib.parse import unquote
    for target in ELSEWHERE:
        answer = client.post("/language", data={"lang": "en", "next": unquote(target),
                                                "csrf_token": auth.csrf()})
        assert answer.status_code == 303 and _lands_here(answer.headers["Location"]), (
            target, answer.headers["Location"])
    answer = client.post("/language", data={"lang": "vi", "next": "/sign-in",
                                            "csrf_token": auth.csrf()})
    assert answer.headers["Location"] == "/sign-in"


# --- 12: odd ids and bodies answer 404/400, never 500 ---------------------------------------

HUGE = [2**31, 2**63, 10**30]  # past PostgreSQL's integer, SQLite's, and any


def _answers(client, method: str, url: str, **kwargs) -> int | str:
    try:
        return client.open(url, method=method, **kwargs).status_code
    except Exception as error:  # noqa: BLE001  (TESTING lets a 500's exception through)
        db.session.rollback()
        return type(error).__name__


@pytest.mark.parametrize("who", ["leader", "volunteer", "admin"])
def test_ids_no_database_can_hold_are_not_found_in_every_path(app, client, auth, world, who):
    auth.sign_in(getattr(world, who))
    token = auth.csrf()
    problems = []
    for rule in app.url_map.iter_rules():
        ints = [a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not ints:
            continue
        for huge in HUGE:
            try:
                url = rule.build({a: (huge if a in ints else "csv") for a in rule.arguments})[1]
            except Exception:  # noqa: BLE001  (a bounded converter refuses to build it)
                url = re.sub(r"<int:\w+>", str(huge), rule.rule).replace("<fmt>", "csv")
            for method in sorted(rule.methods & {"GET", "POST"}):
                status = _answers(client, method, url, data={"csrf_token": token})
                if status not in (400, 403, 404, 405):
                    problems.append(f"{method} {url}: {status}")
    assert not problems, "\n".join(problems)


# (page, who): a query the page reads is not found; one it ignores (a leader's ?ward=) is.
@pytest.mark.parametrize("query, who", [
    ("/households/?lane={n}", "leader"), ("/audit/?before={n}", "leader"),
    ("/audit/?before={n}", "admin"), ("/households/?neighbourhood={n}", "admin"),
    ("/review?neighbourhood={n}", "admin"), ("/households/map?neighbourhood={n}", "admin"),
    ("/dashboard?ward={n}", "admin"), ("/?neighbourhood={n}", "leader"),
    ("/dashboard?ward={n}", "leader")])
def test_ids_no_database_can_hold_in_the_query_are_not_found(client, auth, world, query, who):
    auth.sign_in(getattr(world, who))
    read = "ward" not in query or who == "admin"
    for huge in HUGE:
        status = _answers(client, "GET", query.format(n=huge))
        assert status in ((400, 404) if read and query != "/?neighbourhood={n}" else (200,)), (
            query, huge, status)


def test_ids_no_database_can_hold_in_a_form_are_refused_in_vietnamese(client, auth, day):
    auth.sign_in(day.leader)
    token = auth.csrf()
    for huge in HUGE:
        answer = client.post("/households/", data={"csrf_token": token, "house_number": "9",
                                                   "head_name": "Lê Thử", "lane_id": huge})
        assert answer.status_code in (303, 400, 404, 422)
        answer = client.post("/review/add", data={"csrf_token": token, "shift": huge,
                                                  "volunteer": huge})
        assert answer.status_code in (303, 400, 404)
    from models import Household
    assert db.session.scalar(db.select(Household).where(Household.head_name == "Lê Thử")) is None


@pytest.mark.parametrize("body", ["[]", '[{"outcome": "met"}]', "42", '"met"'])
def test_a_json_body_that_is_not_an_object_is_refused_and_saves_nothing(client, auth, day, body):
    from models import Visit
    auth.sign_in(day.volunteer)
    token = csrf_of(client, "/walk")
    answer = client.post(f"/walk/stops/{day.door.id}/visits", data=body,
                         content_type="application/json", headers={"X-CSRFToken": token})
    assert answer.status_code == 400 and answer.is_json, answer.status_code
    assert answer.get_json()["error"]  # said in words, not a stack trace
    auth.sign_out()
    auth.sign_in(day.leader)
    door = day.door
    answer = client.post(f"/households/{door.id}/position", data=body,
                         content_type="application/json", headers={"X-CSRFToken": auth.csrf()})
    assert answer.status_code == 400 and answer.is_json
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 0
    db.session.refresh(door)
    assert door.position_source == "import"


# --- 3: the time a refusal takes never tells which logins exist -----------------------------

def test_every_refused_sign_in_does_the_same_argon2_work_known_or_not(app, client, auth, world,
                                                                     monkeypatch):
    """Counted, not timed (benchmarks/sign_in_timing.py times it): one verify per try."""
    from argon2 import PasswordHasher

    from models import user as users
    verified = []

    class Counting(PasswordHasher):  # the same argon2id, counting its verifies
        def verify(self, stored, secret):
            verified.append(1)
            return super().verify(stored, secret)

    monkeypatch.setattr(users, "_hasher", Counting())
    app.config["SIGN_IN_MAX_FAILURES"] = 100
    db.session.get(type(world.volunteer2), world.volunteer2.id).active = False
    db.session.commit()
    token = auth.csrf()
    tries = {"known phone": world.volunteer.phone, "unknown phone": "0999888777",
             "known username": world.leader.username, "unknown username": "khongcoai",
             "disabled volunteer": world.volunteer2.phone}
    work = {}
    for label, login in tries.items():
        verified.clear()
        answer = client.post("/sign-in", data={"login": login, "secret": "864209",
                                               "csrf_token": token})
        assert answer.status_code == 401, label
        work[label] = len(verified)
    assert set(work.values()) == {1}, work


# --- 6: throttling per browser address behind a reverse proxy -------------------------------

def _behind_proxy(app, tmp_path, hops: int):
    from tests.conftest import make_app
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, PROXY_HOPS=hops,
                    SIGN_IN_MAX_FAILURES=2)  # 2 per login, 8 per address: a short test


def _try(client, login: str, secret: str, browser: str, forged: str = ""):
    """A sign-in through one nginx (10.0.0.1), which appends the browser's address."""
    headers = {"X-Forwarded-For": f"{forged}, {browser}" if forged else browser,
               "X-Forwarded-Proto": "https", "Referer": "https://localhost/sign-in"}
    return client.post("/sign-in", data={"login": login, "secret": secret,
                                         "csrf_token": csrf_of(client)},
                       headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})


def test_behind_a_proxy_one_address_failing_does_not_lock_out_everyone(app, tmp_path, world):
    proxied = _behind_proxy(app, tmp_path, hops=1)
    attacker, leader = proxied.test_client(), proxied.test_client()
    for n in range(8):  # wrong tries on eight logins: the address's limit, no login's
        assert _try(attacker, f"khongco{n}", "sai", "203.0.113.7", f"1.2.3.{n}").status_code == 401
    # A forged address in front of the proxy's changes nothing: the proxy's own entry counts.
    assert _try(attacker, "khongco9", "sai", "203.0.113.7", "9.9.9.9").status_code == 429
    answer = _try(leader, world.leader.username, helpers.PASSWORD, "198.51.100.9")
    assert answer.status_code == 303


def test_the_proxy_setting_is_read_from_the_environment_and_off_by_default(monkeypatch,
                                                                            tmp_path):
    import config
    monkeypatch.delenv("GOCUA_PROXY_HOPS", raising=False)
    assert config.load(tmp_path)["PROXY_HOPS"] == 0
    monkeypatch.setenv("GOCUA_PROXY_HOPS", "2")
    assert config.load(tmp_path)["PROXY_HOPS"] == 2


def test_without_the_proxy_setting_a_forwarded_address_is_not_believed(app, tmp_path, world):
    direct = _behind_proxy(app, tmp_path, hops=0).test_client()
    for n in range(8):
        _try(direct, f"khongco{n}", "sai", f"203.0.113.{n}")
    assert _try(direct, "khongco9", "sai", "198.51.100.9").status_code == 429


# --- 7: PINs that hold, throttling that counts, a leader who is told -------------------------

def _add_volunteer(client, auth, pin: str, phone: str = "0977123456"):
    return client.post("/team/", data={"name": "Thành Viên Mới", "phone": phone, "pin": pin,
                                       "csrf_token": auth.csrf()})


def test_a_new_pin_is_six_plain_digits_and_not_an_easy_one(app, client, auth, world):
    from models import User
    auth.sign_in(world.leader)
    for pin in ["1234", "25804", "2580461", "123456", "000000", "111111", "654321", "121212",
                "123123", "890123", "147258", "٢٥٨٠٤٦", "２５８０４６", "25804a"]:
        answer = _add_volunteer(client, auth, pin)
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "Mã PIN" in page and ("6 chữ số" in page or "quá dễ đoán" in page), pin
        assert db.session.scalar(db.select(User).where(User.phone == "0977123456")) is None, pin
        db.session.rollback()
    _add_volunteer(client, auth, "258046")
    auth.sign_out()
    answer = client.post("/sign-in", data={"login": "0977123456", "secret": "258046",
                                           "csrf_token": auth.csrf()})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/walk")


def test_simultaneous_wrong_pins_get_no_more_tries_than_the_limit(app, world):
    """16 at once let 6 through on PostgreSQL when the try was counted after the hash."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier
    phone = world.volunteer.phone  # read first: each request below commits the test's reads
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_of(c) for c in clients]
    together = Barrier(len(clients))

    def guess(pair):
        one, token = pair
        together.wait()
        return one.post("/sign-in", data={"login": phone, "secret": "975310",
                                          "csrf_token": token}).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        codes = list(pool.map(guess, zip(clients, tokens)))
    # Each try is counted before its PIN is checked: never more than the limit are checked
    # (on PostgreSQL fewer, when they all counted each other first), the rest wait.
    assert codes.count(401) <= app.config["SIGN_IN_MAX_FAILURES"], codes
    assert codes.count(429) == len(clients) - codes.count(401), codes


def test_the_throttle_counts_the_exact_account_not_its_digits(app, client, auth, world):
    leader7 = helpers.gen_user("leader", world.home, username="totruong7")
    db.session.commit()
    token = auth.csrf()
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"] + 1):
        client.post("/sign-in", data={"login": "x7", "secret": "sai", "csrf_token": token})
    answer = client.post("/sign-in", data={"login": leader7.username,
                                           "secret": helpers.PASSWORD, "csrf_token": token})
    assert answer.status_code == 303


def test_the_leader_is_told_when_a_volunteers_account_is_under_attack(app, client, auth,
                                                                      world):
    stranger = app.test_client()
    token = csrf_of(stranger)
    stranger.post("/sign-in", data={"login": world.volunteer2.phone, "secret": "000001",
                                    "csrf_token": token})  # one slip: no alarm
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"] + 3):
        stranger.post("/sign-in", data={"login": world.volunteer.phone, "secret": "975310",
                                        "csrf_token": token})
    auth.sign_in(world.leader)
    team = client.get("/team/").get_data(as_text=True)
    warnings = re.findall(r'id="volunteer-(\d+)".*?(Có người đang thử đăng nhập[^<]*)',
                          team, re.S)
    assert [int(v) for v, _ in warnings if "đang thử" in _] == [world.volunteer.id]
    assert f"{app.config['SIGN_IN_MAX_FAILURES'] + 3} lần sai" in warnings[0][1]
    log = client.get("/audit/").get_data(as_text=True)
    assert "Tạm khoá do sai nhiều lần" in log and world.volunteer.name in log


# --- 11: a flood of refused sign-ins writes one entry per account and window -----------------

def test_a_flood_of_refused_sign_ins_writes_one_entry_per_account_and_window(app, client,
                                                                              auth, world):
    from datetime import timedelta
    auth.sign_in(world.leader)
    client.post("/households/", data={"csrf_token": auth.csrf(), "house_number": "5",
                                      "head_name": "Hộ Trước Đợt Thử", "street": "Phố Thử"})
    auth.sign_out()
    flood = app.test_client()
    flood.environ_base["REMOTE_ADDR"] = "203.0.113.7"  # the leader's own address stays free
    token = csrf_of(flood)
    tries = [world.volunteer.phone] * 10 + [f"09110000{n:02d}" for n in range(10)] + [
        world.other_leader.username] * 6 + ["khongcoai"] * 4
    for login in tries:
        flood.post("/sign-in", data={"login": login, "secret": "975310", "csrf_token": token})
    refused = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "sign_in", AuditEntry.outcome != "ok")).all()
    assert sum(e.repeats for e in refused) == len(tries)
    accounts = {(e.object_id, e.outcome) for e in refused}
    assert len(refused) == len(accounts) <= 6  # failed and throttled: per account, unknown
    db.session.rollback()
    auth.sign_in(world.leader)
    log = client.get("/audit/").get_data(as_text=True)
    assert "Thêm hộ" in log and "5 lần" in log  # the volunteer's refusals, counted
    # A new window, a new entry.
    for entry in db.session.scalars(db.select(AuditEntry)):
        entry.at -= timedelta(minutes=app.config["SIGN_IN_WINDOW_MINUTES"] + 1)
    db.session.commit()
    flood.post("/sign-in", data={"login": "khongcoai", "secret": "x", "csrf_token": token})
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "sign_in", AuditEntry.outcome != "ok")) == len(refused) + 1


# --- 13: HSTS over HTTPS; sessions that end, by role -----------------------------------------

def test_hsts_is_sent_when_cookies_are_for_https_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    hsts = client.get("/sign-in", base_url="https://localhost").headers[
        "Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 365 * 24 * 3600


def _age_session(user, *, started_hours_ago: float, seen_hours_ago: float) -> None:
    from datetime import timedelta

    from models import UserSession
    from models.base import utcnow
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id,
                                                         UserSession.ended_at.is_(None)))
    row.created_at = utcnow() - timedelta(hours=started_hours_ago)
    row.last_seen_at = utcnow() - timedelta(hours=seen_hours_ago)
    db.session.commit()


# (who, hours since sign-in, hours since last request, still signed in)
LIFETIMES = [("leader", 1, 0.5, True), ("leader", 3, 2.5, False), ("leader", 13, 0.1, False),
             ("admin", 3, 2.5, False), ("officer", 13, 0.1, False),
             ("volunteer", 3, 2.5, True), ("volunteer", 24 * 20, 24 * 10, True),
             ("volunteer", 24 * 20, 24 * 15, False), ("volunteer", 24 * 31, 0.1, False)]


@pytest.mark.parametrize("who, started, seen, alive", LIFETIMES)
def test_a_session_ends_when_idle_or_old_for_its_role(client, auth, world, who, started, seen,
                                                      alive):
    """A volunteer's phone stays signed in for weeks; a leader's browser for hours."""
    user = getattr(world, who)
    auth.sign_in(user)
    _age_session(user, started_hours_ago=started, seen_hours_ago=seen)
    home = "/walk" if who == "volunteer" else "/"
    answer = client.get(home)
    if alive:
        assert answer.status_code == 200
        return
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]
    assert "Phiên đăng nhập đã hết hạn" in client.get(answer.headers["Location"]).get_data(
        as_text=True)
    assert client.get(home).status_code == 302  # and it stays ended


def test_using_a_session_keeps_it_from_going_idle(client, auth, world):
    from models import UserSession
    from models.base import utcnow
    auth.sign_in(world.leader)
    _age_session(world.leader, started_hours_ago=1.5, seen_hours_ago=1.5)
    assert client.get("/").status_code == 200
    seen = db.session.scalar(db.select(UserSession.last_seen_at).where(
        UserSession.user_id == world.leader.id))
    assert (utcnow() - seen).total_seconds() < 60


def test_the_leader_sets_a_new_pin_by_the_same_rules(app, client, auth, world):
    """A volunteer with an old 4-digit PIN, or one under attack, gets a new 6-digit one."""
    auth.sign_in(world.leader)
    for pin in ["4321", "999999", "٢٥٨٠٤٦"]:
        answer = client.post(f"/team/{world.volunteer.id}/pin",
                             data={"pin": pin, "csrf_token": auth.csrf()})
        assert "Mã PIN" in client.get(answer.headers["Location"]).get_data(as_text=True)
    client.post(f"/team/{world.volunteer.id}/pin", data={"pin": "258046",
                                                         "csrf_token": auth.csrf()})
    assert "Đặt mã PIN mới" in client.get("/audit/").get_data(as_text=True)
    auth.sign_out()
    old = client.post("/sign-in", data={"login": world.volunteer.phone, "secret": helpers.PIN,
                                        "csrf_token": auth.csrf()})
    assert old.status_code == 401
    new = client.post("/sign-in", data={"login": world.volunteer.phone, "secret": "258046",
                                        "csrf_token": auth.csrf()})
    assert new.status_code == 303
