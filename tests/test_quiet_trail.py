"""The audit trail says what changed and nothing else (issue 23.2): a field appears in a
change only if its value changed, an edit that changes nothing writes nothing, and a
sign-in is a sign-in, not a change of the account (the overview's 最近修改 are records)."""

from __future__ import annotations

from sqlalchemy import func, select

from models import AuditEntry, Child, User
from models.enums import AuditAction, Role
from tests.conftest import sign_in
from tests.test_children import child_form


def updates(db, table: str) -> list[dict]:
    return [entry.changes for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.UPDATE,
                                 AuditEntry.table_name == table).order_by(AuditEntry.id))]


def test_an_edit_records_the_fields_it_changed_only(admin_client, make, db):
    home = make.home()
    assert admin_client.post("/admin/child/new/", data=child_form(home)).status_code == 302
    child = db.session.scalar(select(Child))
    edited = admin_client.post(f"/admin/child/edit/?id={child.id}", data=child_form(
        home, school="红星小学", loaded_version=str(child.version)))
    assert edited.status_code == 302
    assert updates(db, "child") == [{"school": ["城关中心小学", "红星小学"]}]
    db.session.expire_all()
    again = admin_client.post(f"/admin/child/edit/?id={child.id}", data=child_form(
        home, school="红星小学", loaded_version=str(db.session.get(Child, child.id).version)))
    assert again.status_code == 302
    assert len(updates(db, "child")) == 1  # nothing changed: nothing written


def test_a_sign_in_is_recorded_as_one_not_as_a_change_of_the_account(app, make, db):
    make.user(Role.STAFF, username="zhang")
    client = app.test_client()
    assert sign_in(client, "zhang").status_code == 302
    assert updates(db, "user_account") == []
    signed = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == AuditAction.SIGN_IN, AuditEntry.username == "zhang"))
    assert signed == 1
    assert db.session.scalar(select(User.last_login_at).where(User.username == "zhang"))
    supervisor = make.user(Role.SUPERVISOR, username="watcher")
    watcher = app.test_client()
    assert sign_in(watcher, supervisor.username).status_code == 302
    page = watcher.get("/admin/").text
    assert "最近登录" not in page
