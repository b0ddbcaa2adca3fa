"""What county IT watches (issue 24.4): /healthz without sign-in and without data, and one
JSON line per request in the log, without names, numbers or what was typed."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager

from admin_app import create_app
from admin_app.operations import REQUEST_LOG
from models.enums import Role
from models.sealed import configure, keyring
from tests.conftest import FreshContextClient, sign_in

HEAD = "c9e1a3b5d7f0"


@contextmanager
def app_on(url: str, **config):
    previous = keyring().content()
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "operations", "LOGIN_THROTTLE": False,
                          "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": url,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "DATA_KEYS_CONTENT": previous, **config})
        app.test_client_class = FreshContextClient
        yield app
    finally:
        configure(previous)


def test_healthz_answers_without_sign_in_with_the_revision_and_nothing_else(app, make):
    make.child(name="王小明")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "revision": HEAD}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert "王小明" not in response.text


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    with app_on(f"sqlite:///{tmp_path}/no/such/folder/db.sqlite", REQUEST_LOG=False) as down:
        response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record) -> None:
        self.lines.append(record.getMessage())


def test_each_request_is_one_json_line_without_what_anyone_typed(app, make):
    staff = make.user(Role.STAFF, username="wang_staff")
    make.child(name="王小明")
    lines = Lines()
    REQUEST_LOG.addHandler(lines)
    try:
        with app_on(app.config["SQLALCHEMY_DATABASE_URI"], REQUEST_LOG=True) as logged:
            client = logged.test_client()
            client.get("/admin/").close()
            client.post("/login", data={"username": "li_unknown",
                                        "password": "13912345678 secret"}).close()
            signed_in = sign_in(client, "wang_staff")
            signed_in.close()  # a server closes every response: the line is written then
            assert signed_in.status_code == 302
            client.get("/admin/child/", query_string={"search": "王小明"}).close()
            client.get("/healthz").close()
    finally:
        REQUEST_LOG.removeHandler(lines)
    entries = [json.loads(line) for line in lines.lines]
    assert [(e["method"], e["path"], e["status"], e["user"]) for e in entries] == [
        ("GET", "/admin/", 302, None),
        ("POST", "/login", 200, None),
        ("POST", "/login", 302, staff.id),  # signed in by this very request
        ("GET", "/admin/child/", 200, staff.id),
        ("GET", "/healthz", 200, None),
    ]
    for entry in entries:
        assert set(entry) == {"time", "method", "path", "status", "user", "ms"}
        assert entry["time"].endswith("+00:00") and entry["ms"] >= 0
    written = "\n".join(lines.lines)
    for typed in ("王小明", "li_unknown", "wang_staff", "13912345678", "secret", "search"):
        assert typed not in written, typed


def test_the_request_log_costs_no_query(app, make, db):
    """The archive card commits (its view is audited), which expires the signed-in account:
    its log line must not load the account again."""
    from tests.conftest import count_queries

    make.user(Role.STAFF, username="wang_staff")
    child = make.child(name="王小明")
    counts = []
    for logged in (False, True):
        with app_on(app.config["SQLALCHEMY_DATABASE_URI"], REQUEST_LOG=logged) as served:
            client = served.test_client()
            signed_in = sign_in(client, "wang_staff")
            signed_in.close()
            client.get(f"/admin/child/details/?id={child.id}").close()
            with served.app_context(), count_queries(db.engine) as queries:
                client.get(f"/admin/child/details/?id={child.id}").close()
            counts.append(queries.count)
    assert counts[0] == counts[1] and counts[0] > 0, counts
