"""Moments (created_at, an audit entry's time, a sign-in) are stored in UTC and shown in the
Home's own zone (BABEL_DEFAULT_TIMEZONE, Asia/Shanghai), on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from models import AuditEntry
from models.enums import AuditAction, Role
from tests.test_calendar import signed_in

# 16:30 UTC on 1 January is half past midnight on 2 January in Beijing.
STORED = datetime(2026, 1, 1, 16, 30, tzinfo=UTC)
SHOWN = "2026-01-02 00:30"


def entry(db, home_id=None, **kw) -> AuditEntry:
    item = AuditEntry(at=STORED, username="王老师", action=AuditAction.UPDATE,
                      table_name="child", record_id=1, home_id=home_id, record_label="李小明",
                      **kw)
    db.session.add(item)
    db.session.commit()
    return item


def test_a_moment_comes_back_aware_in_utc_on_either_database(db):
    item = entry(db)
    db.session.expire_all()
    again = db.session.get(AuditEntry, item.id)
    assert again.at.tzinfo is not None and again.at.utcoffset().total_seconds() == 0
    assert again.at == STORED
    # A naive value is taken as UTC; an aware one in another zone is stored as its UTC.
    from zoneinfo import ZoneInfo

    naive = AuditEntry(at=datetime(2026, 1, 1, 16, 30),  # noqa: DTZ001 (the naive case itself)
                       action=AuditAction.VIEW, table_name="child")
    beijing = AuditEntry(at=datetime(2026, 1, 2, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
                         action=AuditAction.VIEW, table_name="child")
    db.session.add_all([naive, beijing])
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalars(select(AuditEntry.at).where(
        AuditEntry.id.in_([naive.id, beijing.id]))).all() == [STORED, STORED]


def test_the_audit_list_and_the_overview_show_beijing_time(app, make, db):
    home = make.home(name="甲之家")
    entry(db, home_id=home.id)
    supervisor = signed_in(app, make, Role.SUPERVISOR, home=home)
    changes = supervisor.get("/admin/").text.split('id="recent-changes"')[1]
    assert SHOWN in changes
    admin = signed_in(app, make, Role.ADMIN)
    listed = admin.get("/admin/audit/").text
    # With its time: a datetime is a date too, and was shown as the date alone.
    assert SHOWN in listed and "2026-01-01 16:30" not in listed


def test_an_audit_entry_describes_a_changed_moment_in_beijing_time(app, db):
    from admin_app.access import SYSTEM
    from admin_app.audit import describe_changes

    item = AuditEntry(action=AuditAction.UPDATE, table_name="user_account",
                      changes={"last_login_at": [None, STORED.isoformat()]})
    with app.test_request_context("/?lang=zh_Hans_CN"):
        assert describe_changes(item, SYSTEM) == [f"最近登录: — → {SHOWN}"]


def test_a_refused_stale_edit_names_the_other_save_in_beijing_time(app, make, db):
    from admin_app.audit import changes_since

    child = make.child(name="李小明")
    entry(db, home_id=child.home_id, version=5, changes={"name": ["李小明", "李晓明"]})
    with app.test_request_context("/?lang=zh_Hans_CN"):
        lines = changes_since("child", 1, 4)
    assert len(lines) == 1 and SHOWN in lines[0]


def test_the_daily_export_limit_counts_from_midnight_in_beijing(app, make, db, monkeypatch):
    import views.exporting as exporting

    user = make.user(Role.STAFF)
    monkeypatch.setitem(app.config, "DAILY_EXPORT_LIMIT", 1)
    # At 18:00 UTC on 1 January it is 02:00 on 2 January in Beijing: an export at 16:30 UTC
    # (00:30 Beijing) is today's, one at 15:30 UTC (23:30 on 1 January) is yesterday's.
    with time_machine.travel(datetime(2026, 1, 1, 18, 0, tzinfo=UTC), tick=False):
        db.session.add(AuditEntry(at=datetime(2026, 1, 1, 15, 30, tzinfo=UTC), user_id=user.id,
                                  action=AuditAction.EXPORT, table_name="child"))
        db.session.commit()
        with app.test_request_context("/"):
            assert not exporting.over_daily_limit(user)
        entry(db, user_id=user.id).action = AuditAction.EXPORT
        db.session.commit()
        with app.test_request_context("/"):
            assert exporting.over_daily_limit(user)
