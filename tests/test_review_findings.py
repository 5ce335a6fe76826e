"""The hostile review's findings (issue 16), each a test through the real routes that fails
without its fix: HEAD requests, timing, proxies, PINs, redirects, the audit log's size, odd
ids and bodies, HSTS and session lifetimes."""
from __future__ import annotations

import re

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
