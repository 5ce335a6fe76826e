"""Every page checks who is asking: role and neighbourhood."""
from __future__ import annotations

import pytest

from extensions import db
from models import AuditEntry

PUBLIC = {"static", "auth.sign_in", "auth.sign_in_form", "auth.link", "auth.link_page",
          "auth.language", "auth.sign_out",
          "walk.service_worker"}  # the service worker script holds no data


def _urls(app, methods=("GET",)):
    """Every rule of the app with its arguments filled by id 1 / a dummy value."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or not (set(methods) & set(rule.methods)):
            continue
        values = {arg: 1 if "id" in arg else "x" for arg in rule.arguments}
        yield rule.endpoint, rule.build(values)[1]


def test_every_page_refuses_a_visitor_who_is_not_signed_in(app, client, world):
    for endpoint, url in _urls(app):
        response = client.get(url)
        assert response.status_code in (302, 401, 404), (endpoint, url, response.status_code)
        if response.status_code == 302:
            assert "/sign-in" in response.headers["Location"]


def test_every_state_change_refuses_get_and_a_missing_csrf_token(app, client, auth, world):
    auth.sign_in(world.leader)
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    for endpoint, url in _urls(app, methods=("POST", "PUT", "DELETE", "PATCH")):
        response = client.post(url, data={"x": "1"})
        assert response.status_code == 400, (endpoint, url, response.status_code)
    after = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    assert after == before


@pytest.mark.parametrize("role, path", [
    ("volunteer", "/"),  # sent to their walk instead
    ("volunteer", "/team/"),
    ("ward_officer", "/team/"),
    ("ward_officer", "/walk"),
    ("leader", "/walk"),
    ("admin", "/walk"),
])
def test_pages_a_role_may_not_open_are_refused(client, auth, world, role, path):
    user = {"volunteer": world.volunteer, "ward_officer": world.officer, "leader": world.leader,
            "admin": world.admin}[role]
    auth.sign_in(user)
    response = client.get(path)
    if role == "volunteer" and path == "/":
        assert response.headers["Location"].endswith("/walk")
    else:
        assert response.status_code == 403


def test_a_leader_cannot_read_another_neighbourhood(client, auth, world):
    auth.sign_in(world.leader)
    assert client.get(f"/neighbourhoods/{world.home.id}").status_code == 200
    assert client.get(f"/neighbourhoods/{world.other.id}").status_code == 404
    refused = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "access_refused")).all()
    assert refused and refused[-1].user_id == world.leader.id


def test_a_ward_officer_reads_every_neighbourhood_of_the_ward_only(client, auth, world):
    auth.sign_in(world.officer)
    page = client.get("/").get_data(as_text=True)
    assert "Tổ 1" in page and "Tổ 2" in page and "Tổ xa" not in page
    assert client.get(f"/neighbourhoods/{world.other.id}").status_code == 200
    assert client.get(f"/neighbourhoods/{world.far.id}").status_code == 404


def test_a_ward_officer_never_writes(client, auth, world):
    auth.sign_in(world.officer)
    response = client.post("/team/", data={"name": "X", "phone": "0911111111", "pin": "1234",
                                           "csrf_token": auth.csrf()})
    assert response.status_code == 403


def test_a_leader_cannot_make_a_link_for_another_neighbourhoods_volunteer(app, client, auth,
                                                                           world):
    from tests.helpers import gen_user
    stranger = gen_user("volunteer", world.other)
    db.session.commit()
    auth.sign_in(world.leader)
    response = client.post(f"/team/{stranger.id}/link", headers={"X-CSRFToken": auth.csrf()})
    assert response.status_code == 404


def test_protective_headers_on_every_page(client, auth, world):
    auth.sign_in(world.leader)
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


def test_the_leader_reads_the_audit_log_of_their_neighbourhood_only(client, auth, world):
    auth.sign_in(world.other_leader)
    auth.sign_out()
    auth.sign_in(world.leader)
    page = client.get("/audit/").get_data(as_text=True)
    assert world.leader.name in page and world.other_leader.name not in page
    auth.sign_out()
    auth.sign_in(world.volunteer)
    assert client.get("/audit/").status_code == 403


def test_pages_and_assets_go_out_compressed_to_a_phone_that_asks(client, auth, world):
    auth.sign_in(world.volunteer)
    for path in ("/walk", "/static/vendor/htmx.org/htmx.min.js", "/static/app.css"):
        plain = client.get(path)
        # What Chrome and Android's WebView (Zalo's browser) send.
        packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert packed.headers.get("Content-Encoding") in ("br", "gzip"), path
        assert len(packed.get_data()) < len(plain.get_data()) / 2, path
        assert "Accept-Encoding" in packed.headers["Vary"]
