"""Browser tests: a real Chromium (Playwright) against the app served on 127.0.0.1.

No browser: these tests are skipped with a clear line, except under CI, where that fails.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from demo.command import PASSWORD, PIN, load_demo
from extensions import db
from tests.conftest import ON_POSTGRES, _empty_postgres

CHROMIUM_CANDIDATES = [os.environ.get("CHROMIUM", ""), "/usr/bin/chromium",
                       "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
# A mid-range Android phone's Chrome, as volunteers carry (the offline and door-form tests).
ANDROID_UA = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Mobile Safari/537.36")
ANDROID = {**PHONE, "user_agent": ANDROID_UA}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN",
           "timezone_id": "Asia/Ho_Chi_Minh"}
DEMO_LEADER, DEMO_VOLUNTEER = ("totruong", PASSWORD), ("0912000001", PIN)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _chromium() -> str | None:
    return next((p for p in CHROMIUM_CANDIDATES if p and Path(p).exists()), None)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run."""
    path = _chromium()
    if path is None:
        message = "no Chromium found (apt-get install chromium): browser tests not run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    url: str
    app: object

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def serve(app) -> tuple[LiveServer, callable]:
    """Serve the app from a thread; each request gets its own app context there."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveServer(f"http://127.0.0.1:{server.server_port}", app), server.shutdown


@pytest.fixture
def live_server(app):
    """The `app` fixture (empty database, or a `world`) served on 127.0.0.1."""
    server, stop = serve(app)
    yield server
    stop()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo loaded once into a SQLite file that each test copies."""
    if ON_POSTGRES:
        return None
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "test-secret"})
    with app.app_context():
        db.create_all()
        load_demo()
        db.engine.dispose()
    return path


@pytest.fixture
def demo_app(tmp_path, database_url, demo_template):
    """An app holding the demo data (Tổ dân phố số 6), fresh for each test."""
    if ON_POSTGRES:
        url = database_url
    else:
        shutil.copy(demo_template, tmp_path / "demo.sqlite3")
        url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret",
                      "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        if ON_POSTGRES:
            db.create_all()
            _empty_postgres()
            load_demo()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_server(demo_app):
    server, stop = serve(demo_app)
    yield server
    stop()


@pytest.fixture
def new_page(browser):
    """new_page("phone"|"desktop", **context options) -> a page in its own context (own
    cookies)."""
    contexts = []

    def make(kind: str = "phone", **options):
        context = browser.new_context(**(PHONE if kind == "phone" else DESKTOP), **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_page):
    return new_page("phone")


@pytest.fixture
def android(new_page):
    return new_page("phone", user_agent=ANDROID_UA)


@pytest.fixture
def desktop(new_page):
    return new_page("desktop")


def sign_in(page, server: LiveServer, login: str, secret: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(server("/sign-in"))
    page.get_by_label("Tên đăng nhập hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu hoặc mã PIN").fill(secret)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def fresh() -> None:
    """End the test's own transaction so its next query sees what the server wrote."""
    db.session.rollback()
