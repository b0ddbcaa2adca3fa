"""The reminders' daily digest, `flask --app wsgi reminders send [--dry-run]`: received by
an SMTP server the test runs, it holds the counts and the links, never a child's or a
caring mother's name; accounts without an address are named on the console, and without
MAIL_SERVER nothing is sent."""

from __future__ import annotations

import email
import socket
from datetime import date
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from admin_app.extensions import mail
from models.enums import Role
from tests.test_reminders import ALL_FIVE, at_noon_in_beijing


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.Message]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it so
        self.received.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(app, monkeypatch):
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://county.example/")
    mail.init_app(app)
    yield box
    controller.stop()
    monkeypatch.undo()
    mail.init_app(app)


@pytest.fixture
def overdue(make):
    """Two Homes of 甲乡: 小林's four monthly duties done in September and not since."""
    home = make.home(name="甲之家", township="甲乡")
    make.home(name="丙之家", township="甲乡")
    mother = make.volunteer(home=home, name="张妈妈")
    child = make.child(home=home, name="林小北")
    make.pairing(mother, child, started_on=date(2026, 9, 1))
    for kind in ALL_FIVE:
        make.care_record(child, volunteer=mother, kind=kind, occurred_on=date(2026, 9, 10))
    make.user(Role.STAFF, username="jia_staff", home=home, email="jia@example.cn")
    make.user(Role.STAFF, username="no_address", home=home)
    make.user(Role.SUPERVISOR, username="township", township="甲乡", email="xiang@example.cn")
    make.user(Role.ADMIN, username="county", email="county@example.cn")
    return home


def text_of(message) -> str:
    subject = str(make_header(decode_header(message["Subject"])))
    return subject + "\n" + message.get_payload(decode=True).decode("utf-8")


def test_the_digest_holds_counts_and_links_and_no_name(app, db, inbox, overdue):
    with at_noon_in_beijing(date(2026, 11, 20)):  # October's duties 20 days overdue
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "sent to jia_staff <jia@example.cn>: 4 overdue" in result.output
    assert "no e-mail address: no_address (4 overdue)" in result.output
    # 20 days: the Home's staff (14), not yet the township (30) or the county.
    assert "xiang@example.cn" not in result.output and "county@example.cn" not in result.output
    assert [to for to, _ in inbox.received] == [["jia@example.cn"]]
    body = text_of(inbox.received[0][1])
    assert "逾期未落实的关爱职责：4" in body and "https://county.example/admin/reminders/" in body
    for name in ("林小北", "张妈妈", "甲之家"):
        assert name not in body


def test_after_30_days_the_township_and_the_county_are_told(app, db, inbox, overdue):
    with at_noon_in_beijing(date(2026, 11, 30)):
        result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert sorted(to[0] for to, _ in inbox.received) == [
        "county@example.cn", "jia@example.cn", "xiang@example.cn"]
    county = next(m for to, m in inbox.received if to == ["county@example.cn"])
    body = text_of(county)
    assert "甲乡：4" in body and "reminders/?township=%E7%94%B2%E4%B9%A1" in body
    assert "林小北" not in body and "张妈妈" not in body


def test_a_dry_run_and_a_missing_server_send_nothing(app, db, inbox, overdue, monkeypatch):
    with at_noon_in_beijing(date(2026, 11, 20)):
        dry = app.test_cli_runner().invoke(args=["reminders", "send", "--dry-run"])
        assert "would send to jia_staff <jia@example.cn>: 4 overdue" in dry.output
        assert "1 to send, 1 without an e-mail address (2026-11-20)." in dry.output
        monkeypatch.setitem(app.config, "MAIL_SERVER", "")
        unset = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert "MAIL_SERVER is not set: nothing is sent" in unset.output
    assert inbox.received == []
