"""Signing in and out, the gate before every page, safe redirects, CSRF and headers."""

from __future__ import annotations

import pytest

from admin_app import create_app
from admin_app.auth import safe_next
from models.enums import Role
from tests.conftest import PASSWORD, sign_in


def test_login_page_is_chinese(app):
    page = app.test_client().get("/login")
    assert page.status_code == 200
    assert "登录" in page.text and "用户名" in page.text and "密码" in page.text


@pytest.mark.parametrize("url", ["/admin/", "/admin/child/", "/admin/user/new/",
                                 "/admin/child/ajax/lookup/?name=guardian&query=a"])
def test_anonymous_users_are_sent_to_sign_in(app, url):
    response = app.test_client().get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_wrong_password_and_unknown_user_get_the_same_message(app, make):
    make.user(Role.STAFF, username="wang")
    client = app.test_client()
    wrong = client.post("/login", data={"username": "wang", "password": "nope nope nope"})
    unknown = client.post("/login", data={"username": "nobody", "password": "nope nope nope"})
    assert "用户名或密码错误" in wrong.text
    assert "用户名或密码错误" in unknown.text
    assert client.get("/admin/").status_code == 302


def test_disabled_account_cannot_sign_in(app, make):
    make.user(Role.STAFF, username="gone", active=False)
    response = sign_in(app.test_client(), "gone")
    assert response.status_code == 200 and "用户名或密码错误" in response.text


def test_sign_in_then_out(app, make):
    make.user(Role.STAFF, username="li")
    client = app.test_client()
    assert sign_in(client, "li").status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/logout")
    assert client.get("/admin/").status_code == 302


def test_username_is_case_insensitive(app, make):
    make.user(Role.STAFF, username="Zhang")
    assert sign_in(app.test_client(), "zhang").status_code == 302


def test_sign_in_follows_a_local_next_only(app, make):
    make.user(Role.STAFF, username="next")
    client = app.test_client()
    response = client.post("/login?next=/admin/child/",
                           data={"username": "next", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/child/"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/",
                           data={"username": "next", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "evil.example", ""])
def test_safe_next_refuses_other_hosts(app, target):
    with app.test_request_context():
        assert safe_next(target) == "/admin/"


def test_session_is_renewed_on_sign_in(app, make):
    make.user(Role.STAFF, username="fix")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "fix")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_must_change_password_before_anything_else(app, make):
    make.user(Role.STAFF, username="newbie", must_change_password=True)
    client = app.test_client()
    sign_in(client, "newbie")
    response = client.get("/admin/child/")
    assert response.status_code == 302 and response.headers["Location"] == "/password"
    short = client.post("/password", data={"current": PASSWORD, "new": "short",
                                           "repeat": "short"})
    assert "至少 10 个字符" in short.text
    changed = client.post("/password", data={"current": PASSWORD, "new": "a brand new secret",
                                             "repeat": "a brand new secret"})
    assert changed.status_code == 302
    assert client.get("/admin/child/").status_code == 200


def test_signed_in_pages_are_not_cached(admin_client):
    response = admin_client.get("/admin/child/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(app, make):
    make.user(Role.STAFF, username="cookie")
    response = sign_in(app.test_client(), "cookie")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def csrf_app(database_url):
    """The same database, with CSRF protection on as in production."""
    app = create_app({"TESTING": True, "SECRET_KEY": "csrf-test",
                      "SQLALCHEMY_DATABASE_URI": database_url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    return app


def test_posts_without_a_csrf_token_are_refused(csrf_app, make):
    make.user(Role.ADMIN, username="csrf")
    client = csrf_app.test_client()
    refused = client.post("/login", data={"username": "csrf", "password": PASSWORD})
    assert refused.status_code == 400
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    accepted = client.post("/login", data={"username": "csrf", "password": PASSWORD,
                                           "csrf_token": token})
    assert accepted.status_code == 302
    form = client.get("/admin/home/new/").text
    assert 'name="csrf_token"' in form
    no_token = client.post("/admin/home/new/", data={"name": "无令牌之家"})
    assert no_token.status_code == 400


def test_signing_out_ends_a_copied_session_too(app, make):
    make.user(Role.STAFF, username="copied")
    client = app.test_client()
    sign_in(client, "copied")
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post("/logout")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen)
    assert thief.get("/admin/").status_code == 302


def test_disabling_an_account_ends_its_open_sessions(app, make, db):
    from models import User

    user = make.user(Role.STAFF, username="leaver")
    client = app.test_client()
    sign_in(client, "leaver")
    assert client.get("/admin/").status_code == 200
    admin = app.test_client()
    make.user(Role.ADMIN, username="boss")
    sign_in(admin, "boss")
    form = {"username": "leaver", "display_name": "", "role": "STAFF", "home": "__None",
            "volunteer": "", "new_password": ""}  # "active" unticked
    assert admin.post(f"/admin/user/edit/?id={user.id}", data=form).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).active
    assert client.get("/admin/").status_code == 302


@pytest.fixture
def limited_app(database_url):
    return create_app({"TESTING": True, "SECRET_KEY": "limit-test", "WTF_CSRF_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": database_url,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"})


def test_failed_sign_ins_are_throttled_per_account(limited_app, make):
    make.user(Role.STAFF, username="target")
    client = limited_app.test_client()
    for _ in range(3):
        response = client.post("/login", data={"username": "target", "password": "guess guess"})
        assert response.status_code == 200
    blocked = client.post("/login", data={"username": "target", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.text
    # Another account from the same address is not locked out by it.
    make.user(Role.STAFF, username="bystander")
    assert sign_in(client, "bystander").status_code == 302


def test_a_stranger_cannot_lock_the_real_user_out_and_failures_are_audited(limited_app, make,
                                                                           db):
    from sqlalchemy import func, select

    from models import AuditEntry
    from models.enums import AuditAction

    make.user(Role.STAFF, username="target")
    stranger = limited_app.test_client()
    for _ in range(4):
        stranger.post("/login", data={"username": "target", "password": "guess guess"},
                      environ_overrides={"REMOTE_ADDR": "10.9.8.7"})
    assert stranger.post("/login", data={"username": "target", "password": PASSWORD},
                         environ_overrides={"REMOTE_ADDR": "10.9.8.7"}).status_code == 429
    # The real user, from her own office's address, signs in with her password.
    owner = limited_app.test_client()
    assert owner.post("/login", data={"username": "target", "password": PASSWORD},
                      environ_overrides={"REMOTE_ADDR": "10.1.1.1"}).status_code == 302
    failed = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == AuditAction.SIGN_IN_FAILED, AuditEntry.record_label == "target",
        AuditEntry.address == "10.9.8.7"))
    assert failed == 3
