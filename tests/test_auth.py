"""Sign-in, sessions, one-time links and throttling, through the real forms."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from extensions import db
from models import AuditEntry, SignInLink, User
from tests import helpers


def test_leader_signs_in_with_password_and_sees_the_neighbourhood(client, auth, world):
    response = auth.sign_in(world.leader)
    assert response.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert "Tổ 1" in page and "Ngõ 10" in page


def test_volunteer_signs_in_with_phone_and_pin_and_lands_on_the_walk(client, auth, world):
    response = auth.sign_in(world.volunteer)
    assert response.status_code == 303 and response.headers["Location"].endswith("/walk")


def test_phone_number_is_matched_however_it_is_written(client, auth, world):
    phone = world.volunteer.phone
    written = f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"
    client.get("/sign-in")
    response = client.post("/sign-in", data={"login": written, "secret": helpers.PIN,
                                             "csrf_token": auth.csrf()})
    assert response.status_code == 303


def test_wrong_password_is_refused_in_vietnamese(client, auth, world):
    response = auth.sign_in(world.leader, secret="wrong")
    assert response.status_code == 401
    assert "Sai tên đăng nhập" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_repeated_failures_are_slowed_down_even_with_the_right_password(app, client, auth, world):
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        auth.sign_in(world.leader, secret="wrong")
    response = auth.sign_in(world.leader)
    assert response.status_code == 429
    assert "quá nhiều lần" in response.get_data(as_text=True)


def test_throttling_is_shared_by_every_process(app, client, auth, world):
    """Failures live in the database: a second app (another worker) sees them."""
    from app import create_app
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"]):
        auth.sign_in(world.leader, secret="wrong")
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other_client = other.test_client()
    page = other_client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = other_client.post("/sign-in", data={"login": world.leader.username,
                                                   "secret": helpers.PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_a_new_session_id_at_sign_in_and_a_copied_cookie_is_refused_after_sign_out(
        app, client, auth, world):
    with client.session_transaction() as session:
        session["sid"] = "planted-by-an-attacker"
    auth.sign_in(world.leader)
    with client.session_transaction() as session:
        sid = session["sid"]
    assert sid != "planted-by-an-attacker"
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    auth.sign_out()
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert thief.get("/").status_code == 302


def test_a_disabled_user_is_refused_at_the_next_request(client, auth, world):
    auth.sign_in(world.volunteer)
    assert client.get("/walk").status_code == 200
    db.session.get(User, world.volunteer.id).active = False
    db.session.commit()
    assert client.get("/walk").status_code == 302


def test_session_cookie_flags(app, client, auth, world):
    response = auth.sign_in(world.leader)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _make_link(client, auth, world) -> str:
    auth.sign_in(world.leader)
    page = client.post(f"/team/{world.volunteer.id}/link",
                       headers={"X-CSRFToken": auth.csrf(), "HX-Request": "true"})
    url = re.search(r'value="(http[^"]+)"', page.get_data(as_text=True)).group(1)
    auth.sign_out()
    return url.split("localhost", 1)[1]


def test_one_time_link_survives_a_chat_preview_and_works_once(app, client, auth, world):
    path = _make_link(client, auth, world)
    for _ in range(3):  # Zalo fetches the link to build a preview
        preview = client.get(path)
        assert preview.status_code == 200 and "Đăng nhập" in preview.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": auth.csrf()})
    assert response.status_code == 303 and response.headers["Location"].endswith("/walk")
    auth.sign_out()
    again = client.post(path, data={"csrf_token": auth.csrf()})
    assert again.status_code == 410


def test_one_time_link_cannot_be_used_by_two_requests_at_once(app, client, auth, world):
    path = _make_link(client, auth, world)
    clients = [app.test_client() for _ in range(4)]
    tokens = []
    for c in clients:
        page = c.get(path).get_data(as_text=True)
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))

    def use(pair):
        c, token = pair
        with app.app_context():
            return c.post(path, data={"csrf_token": token}).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(use, zip(clients, tokens)))
    assert sorted(codes) == [303, 410, 410, 410]


def test_a_tampered_or_expired_link_is_refused(app, client, auth, world):
    path = _make_link(client, auth, world)
    assert client.get(path[:-3] + "abc").status_code == 410
    link = db.session.scalar(db.select(SignInLink))
    link.expires_at = link.created_at
    db.session.commit()
    assert client.get(path).status_code == 410


def test_sign_in_and_refusals_are_audited_without_secrets(client, auth, world):
    auth.sign_in(world.leader, secret="wrong")
    auth.sign_in(world.leader)
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.outcome) for e in entries][:2] == [("sign_in", "failed"), ("sign_in", "ok")]
    assert all(helpers.PASSWORD not in str(e.detail) for e in entries)


def test_sign_in_form_without_csrf_token_changes_nothing(client, world):
    response = client.post("/sign-in", data={"login": world.leader.username,
                                             "secret": helpers.PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_next_never_leads_to_another_host(client, auth, world):
    client.get("/sign-in")
    response = client.post("/sign-in?next=//evil.example/", data={
        "login": world.leader.username, "secret": helpers.PASSWORD, "csrf_token": auth.csrf()})
    assert response.headers["Location"] == "/"
