"""Browser tests in Debian's headless Chromium, driven by Playwright: a real server on
127.0.0.1 with its own demo database, CSRF on, and a screenshot of each step written to
test-artifacts/screenshots/ (or $SCREENSHOT_DIR) for people to look at.

Outside CI they are skipped when /usr/bin/chromium is missing; in CI (CI=true) that fails.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from admin_app import create_app
from admin_app.extensions import db
from models import Child, Pairing, User
from models.enums import Role
from models.sealed import new_key_file_content

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser password 1"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-artifacts" / "screenshots"))


@pytest.fixture(scope="session")
def browser_available():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        pytest.fail("playwright is missing: install the development extras")


@pytest.fixture(scope="session")
def live(browser_available, tmp_path_factory):
    """The app served on a free port of 127.0.0.1, with demo data and one user per role."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    app = create_app({"SECRET_KEY": "browser", "SQLALCHEMY_DATABASE_URI": url,
                      "DATA_KEYS_CONTENT": new_key_file_content(),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LOGIN_THROTTLE": False})
    with app.app_context():
        from flask_migrate import upgrade

        from seed.demo import build_demo

        upgrade()
        build_demo(db.session, homes=2, children=24, seed=7)
        child = db.session.scalar(db.select(Child).order_by(Child.id))
        volunteer_id = db.session.scalar(
            db.select(Pairing.volunteer_id).where(Pairing.child_id == child.id))
        for username, role, extra in (
                ("admin", Role.ADMIN, {}), ("staff", Role.STAFF, {"home_id": child.home_id}),
                ("supervisor", Role.SUPERVISOR, {}),
                ("volunteer", Role.VOLUNTEER, {"volunteer_id": volunteer_id})):
            user = User(username=username, role=role, active=True, **extra)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"app": app, "base": f"http://127.0.0.1:{server.server_port}"}
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def chromium(browser_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def signed_in(live, chromium):
    """signed_in(role, phone=False) -> a Playwright page signed in as that role."""
    pages = []

    def open_as(role: str, phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
        page = chromium.new_page(viewport=viewport, accept_downloads=True, locale="zh-CN")
        page.set_default_timeout(10_000)
        pages.append(page)
        page.goto(live["base"] + "/login")
        page.fill("#username", role)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_as
    for page in pages:
        page.close()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
