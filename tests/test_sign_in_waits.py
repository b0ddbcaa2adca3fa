"""Throttled sign-ins that lock nobody out (issue 19.4): failures count per account at an
address; a browser that has signed in to the account before counts on its own; an address
failing often, or an account failing from many addresses, slows unknown browsers to one
attempt a second here (LOGIN_SLOW_PACE), never locks them out and never holds a server
worker asleep; administrators see who waits and let them in. On PostgreSQL CI runs the
limiter's store is redis (so the clock is waited for, not frozen)."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import func, select

from admin_app import create_app, throttle
from models import AuditEntry
from models.enums import AuditAction, Role
from tests.conftest import PASSWORD

OFFICE = "10.1.1.1"  # a township office: everyone behind one address
ELSEWHERE = "10.9.8.7"


@pytest.fixture
def waiting_app(database_url):
    return create_app({
        "TESTING": True, "SECRET_KEY": "waits", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "6 per 15 minutes",
        "LOGIN_LIMIT_PER_DEVICE": "3 per 15 minutes",
        "LOGIN_SLOW_DOWN_AFTER": "4 per 15 minutes",
        "LOGIN_SLOW_PACE": "1 per 1 second",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # A redis shared by runs: each run's keys of its own.
        "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex})


def next_second() -> None:
    """Past the pace's window (a second from the last failure that opened it)."""
    time.sleep(1.1)


def attempt(client, username: str, password: str, address: str) -> int:
    return client.post("/login", data={"username": username, "password": password},
                       environ_overrides={"REMOTE_ADDR": address}).status_code


def test_a_stranger_in_her_own_office_cannot_keep_her_out_of_her_browser(waiting_app, make):
    make.user(Role.STAFF, username="zhang")
    hers = waiting_app.test_client()
    assert attempt(hers, "zhang", PASSWORD, OFFICE) == 302  # her browser is known from now on
    hers.post("/logout")
    stranger = waiting_app.test_client()
    for _ in range(3):
        assert attempt(stranger, "zhang", "guess guess", OFFICE) == 200
    assert attempt(stranger, "zhang", PASSWORD, OFFICE) == 429  # even the right password
    assert attempt(hers, "zhang", PASSWORD, OFFICE) == 302


def test_her_own_browser_still_pauses_her_own_guesses(waiting_app, make):
    make.user(Role.STAFF, username="zhang")
    hers = waiting_app.test_client()
    assert attempt(hers, "zhang", PASSWORD, OFFICE) == 302
    hers.post("/logout")
    for _ in range(3):
        assert attempt(hers, "zhang", "wrong wrong", OFFICE) == 200
    assert attempt(hers, "zhang", PASSWORD, OFFICE) == 429


def test_an_office_address_that_failed_often_slows_unknown_browsers_only(waiting_app, make):
    for name in ("li", "wang", "zhao"):
        make.user(Role.STAFF, username=name)
    colleague = waiting_app.test_client()
    assert attempt(colleague, "wang", PASSWORD, OFFICE) == 302
    colleague.post("/logout")
    guesser = waiting_app.test_client()
    for name in ("nobody1", "nobody2", "nobody3", "li", "li", "zhao"):
        assert attempt(guesser, name, "guess guess", OFFICE) == 200
    newcomer = waiting_app.test_client()
    refused = newcomer.post("/login", data={"username": "zhao", "password": PASSWORD},
                            environ_overrides={"REMOTE_ADDR": OFFICE})
    assert refused.status_code == 429 and "几秒钟" in refused.text  # slowed down ...
    assert attempt(colleague, "wang", PASSWORD, OFFICE) == 302  # ... not a known browser
    assert attempt(waiting_app.test_client(), "zhao", PASSWORD, ELSEWHERE) == 302
    next_second()
    assert attempt(newcomer, "zhao", PASSWORD, OFFICE) == 302  # ... and never locked out


def test_an_account_failing_from_many_addresses_slows_down_and_never_locks(waiting_app,
                                                                           make):
    make.user(Role.STAFF, username="admin2")
    answers = [attempt(waiting_app.test_client(), "admin2", "guess guess", f"10.7.0.{n}")
               for n in range(8)]
    assert answers[:4] == [200] * 4  # each address's first guess ...
    assert 429 in answers[4:]  # ... then one a second, whatever the address
    fresh = waiting_app.test_client()
    assert attempt(fresh, "admin2", PASSWORD, "10.7.9.9") == 429
    next_second()
    assert attempt(fresh, "admin2", PASSWORD, "10.7.9.9") == 302


def test_a_forged_device_cookie_earns_no_trust(waiting_app, make):
    make.user(Role.STAFF, username="zhang")
    stranger = waiting_app.test_client()
    stranger.set_cookie(throttle.COOKIE, '{"n": "x", "u": ["zhang"]}')
    for _ in range(3):
        attempt(stranger, "zhang", "guess guess", ELSEWHERE)
    assert attempt(stranger, "zhang", PASSWORD, ELSEWHERE) == 429


def test_administrators_see_who_waits_and_let_them_in(waiting_app, make, db):
    make.user(Role.STAFF, username="zhang")
    make.user(Role.ADMIN, username="boss")
    make.user(Role.SUPERVISOR, username="watcher")
    stranger = waiting_app.test_client()
    for _ in range(3):
        attempt(stranger, "zhang", "guess guess", ELSEWHERE)
    assert attempt(stranger, "zhang", PASSWORD, ELSEWHERE) == 429
    boss = waiting_app.test_client()
    assert attempt(boss, "boss", PASSWORD, OFFICE) == 302
    page = boss.get("/admin/sign-in-waits/")
    assert page.status_code == 200
    table = page.text.split('id="throttled"')[1].split("</table>")[0]
    assert "zhang" in table and ELSEWHERE in table and ">3<" in table
    assert boss.post("/admin/sign-in-waits/let-in",
                     data={"username": "zhang", "address": ELSEWHERE}).status_code == 302
    assert "zhang" not in boss.get("/admin/sign-in-waits/").text.split(
        'id="throttled"')[1].split("</table>")[0]
    assert attempt(stranger, "zhang", PASSWORD, ELSEWHERE) == 302
    let_in = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == AuditAction.SIGN_IN_LET_IN, AuditEntry.record_label == "zhang"))
    assert let_in == 1
    # Her own mistakes on her own browser: listed as such, and cleared.
    make.user(Role.STAFF, username="li")
    hers = waiting_app.test_client()
    assert attempt(hers, "li", PASSWORD, OFFICE) == 302
    hers.post("/logout")
    for _ in range(3):
        attempt(hers, "Li", "wrong wrong", OFFICE)
    assert attempt(hers, "li", PASSWORD, OFFICE) == 429
    table = boss.get("/admin/sign-in-waits/").text.split('id="throttled"')[1]
    row = table.split("</table>")[0].split("<tr>")[-1]
    assert "li" in row and "常用的浏览器" in row and ">3<" in row
    device = row.split('name="device" value="')[1].split('"')[0]
    assert device
    boss.post("/admin/sign-in-waits/let-in",
              data={"username": "li", "address": OFFICE, "device": device})
    assert attempt(hers, "li", PASSWORD, OFFICE) == 302
    # Supervisors do not keep the accounts.
    watcher = waiting_app.test_client()
    assert attempt(watcher, "watcher", PASSWORD, OFFICE) == 302
    assert watcher.get("/admin/sign-in-waits/").status_code == 403
    assert watcher.post("/admin/sign-in-waits/let-in",
                        data={"username": "zhang", "address": ELSEWHERE}).status_code == 403


@pytest.mark.parametrize(("proxies", "counted_as"), [(0, "127.0.0.1"), (1, "10.5.5.5")])
def test_the_address_behind_a_trusted_proxy_and_only_then(database_url, make, db, proxies,
                                                          counted_as):
    """Behind nginx every caller connects from the proxy: with TRUSTED_PROXIES the address
    it forwards is counted; without, a header anyone can send changes nothing."""
    app = create_app({"TESTING": True, "SECRET_KEY": "proxy", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXIES": proxies,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.test_client().post("/login", data={"username": "nobody", "password": "guess guess"},
                           headers={"X-Forwarded-For": "10.5.5.5"},
                           environ_overrides={"REMOTE_ADDR": "127.0.0.1"})
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == AuditAction.SIGN_IN_FAILED))
    assert entry.address == counted_as
