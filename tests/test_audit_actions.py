"""What the trail records, written out: a delete as DELETE with the record's values, leaving
care as its own action (ARCHIVE), a return to care as UPDATE, sealed values sealed in the
trail too; a roster import saved in one transaction (a late row's failure leaves nothing
of the earlier batches) and recorded as IMPORT; and an officer who asks for an export never
approving it herself."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from admin_app import importing
from admin_app.importing import saving
from models import AuditEntry, Child, ExportRequest, Guardian
from models.consent import ExportState
from models.enums import AuditAction, ChildStatus, LeaveReason, Role
from tests.conftest import sign_in
from tests.test_children import child_form
from tests.test_import import HEADER, preview, roster, row


def _entries(db, table: str, record_id: int) -> list[tuple[str, dict | None]]:
    return [(entry.action.name, entry.changes) for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == table,
                                 AuditEntry.record_id == record_id).order_by(AuditEntry.id))]


def _client(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def test_a_delete_is_audited_with_the_records_values(app, make, db):
    make.user(Role.ADMIN, username="admin")
    guardian = make.guardian(name="钱奶奶", phone="13800002222")
    home_id, guardian_id = guardian.home_id, guardian.id
    response = _client(app, "admin").post("/admin/guardian/delete/", data={"id": guardian_id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Guardian, guardian_id) is None
    actions = [action for action, _ in _entries(db, "guardian", guardian_id)]
    assert actions == ["CREATE", "DELETE"]
    deleted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.DELETE))
    assert deleted.username == "admin" and deleted.home_id == home_id
    assert deleted.address == "127.0.0.1"
    # What it held, its phone sealed in the trail as in its table.
    assert deleted.changes["name"] == "钱奶奶" and deleted.changes["birth_year"] == 1955
    assert deleted.changes["phone"].startswith("s1.")
    assert "13800002222" not in str(deleted.changes)


def test_leaving_care_is_its_own_action_and_returning_an_update(app, make, db):
    make.user(Role.ADMIN, username="admin")
    child = make.child(name="周小雨", birth_date=date(2015, 3, 12))
    admin = _client(app, "admin")
    form = child_form(child.home, name="周小雨", status="LEFT_CARE", leave_reason="MOVED",
                      left_on="2025-07-01")
    left = admin.post(f"/admin/child/edit/?id={child.id}", data=form)
    assert left.status_code == 302, left.text[-2000:]
    db.session.expire_all()
    assert db.session.get(Child, child.id).status is ChildStatus.LEFT_CARE
    back = db.session.get(Child, child.id)
    back.status, back.leave_reason, back.left_on = ChildStatus.IN_CARE, None, None
    db.session.commit()
    assert [action for action, _ in _entries(db, "child", child.id)] == [
        "CREATE", "ARCHIVE", "UPDATE"]
    archived = _entries(db, "child", child.id)[1][1]
    assert archived["status"] == ["IN_CARE", "LEFT_CARE"]


def test_an_archive_entry_is_named_by_its_own_label(make, db):
    child = make.child()
    child.status, child.leave_reason = ChildStatus.LEFT_CARE, LeaveReason.TURNED_18
    child.left_on = date(2025, 7, 1)
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.ARCHIVE))
    assert entry is not None and entry.record_id == child.id


def test_an_id_number_in_the_trail_is_sealed(make, db):
    child = make.child(id_number="430626201503120037")
    raw = db.session.execute(text("SELECT changes FROM audit_entry WHERE table_name = 'child' "
                                  "AND record_id = :id"), {"id": child.id}).scalar()
    assert "430626201503120037" not in str(raw) and "s1." in str(raw)


def test_a_late_rows_failure_leaves_nothing_of_the_earlier_batches(make, db, monkeypatch):
    """One transaction for the whole file: with batches of one row, the second row's
    child, saved by someone after the preview, stops the import, and the first row's new
    child (a batch already flushed) is not saved."""
    home = make.home()
    kept = make.child(home=home, name="王小明", birth_date=date(2015, 3, 12), grade="二年级")
    plan = preview(roster([row(name="新来的", born="2014.1.1", n=1), row(grade="三年级", n=2)]),
                   home)
    assert [r.outcome for r in plan.rows] == ["new", "updated"]
    kept.grade = "四年级"
    db.session.commit()
    monkeypatch.setattr(saving, "BATCH", 1)
    with pytest.raises(importing.StaleImport):
        importing.commit(db.session, plan, home)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Child)) == 1
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == AuditAction.IMPORT)) == 0


def test_an_import_is_recorded_as_an_import_and_its_children_as_created(make, db):
    home = make.home()
    plan = preview(roster([row(name="新来的", born="2014.1.1", id_number="430626201401010013")],
                          header=HEADER), home)
    importing.commit(db.session, plan, home)
    actions = {(entry.action.name, entry.table_name) for entry in db.session.scalars(
        select(AuditEntry))}
    assert ("IMPORT", "child") in actions and ("CREATE", "child") in actions
    assert ("UPDATE", "child") not in actions
    raw = db.session.execute(text("SELECT changes FROM audit_entry WHERE action = 'CREATE' "
                                  "AND table_name = 'child'")).scalar()
    assert "430626201401010013" not in str(raw)


def test_an_officer_never_approves_her_own_export_request(app, make, db):
    home = make.home(name="光明村儿童之家")
    make.child(home=home, name="郑小花")
    make.user(Role.STAFF, username="officer", home=home, privacy_officer=True)
    make.user(Role.STAFF, username="county_officer", privacy_officer=True)
    officer = _client(app, "officer")
    asked = officer.post("/admin/export-requests/ask",
                         data={"list": "child", "query": "", "purpose": "report"})
    assert asked.status_code == 302
    item = db.session.scalar(select(ExportRequest))
    assert item.state is ExportState.PENDING
    assert officer.post(f"/admin/export-requests/{item.id}/decide",
                        data={"approve": "1"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(ExportRequest, item.id).state is ExportState.PENDING
    other = _client(app, "county_officer")
    assert other.post(f"/admin/export-requests/{item.id}/decide",
                      data={"approve": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ExportRequest, item.id).state is ExportState.APPROVED


def test_an_accounts_password_hash_never_reaches_the_trail(make, db):
    user = make.user(Role.STAFF, username="new_staff")
    user.set_password("another long password")
    db.session.commit()
    entries = _entries(db, "user_account", user.id)
    assert [action for action, _ in entries] == ["CREATE"]  # a new hash is no change to show
    raw = str(db.session.execute(text("SELECT changes FROM audit_entry WHERE table_name = "
                                      "'user_account'")).scalars().all())
    assert "password_hash" not in raw and "pbkdf2" not in raw


def test_entries_carry_the_home_of_the_record_or_of_its_child(make, db):
    home = make.home(name="长青村儿童之家")
    child = make.child(home=home)
    parent = make.parent(child)
    record = make.care_record(child)
    item = make.item(home=home)
    movement = make.movement(item)
    # Changed and removed later, their child no longer loaded: the Home is looked up.
    db.session.expire_all()
    parent.name = "王大军"
    db.session.delete(record)
    db.session.commit()
    for table, record_id in (("home", home.id), ("child", child.id),
                             ("parent_contact", parent.id), ("care_record", record.id),
                             ("stock_movement", movement.id)):
        homes = {(action.name, home_id) for action, home_id in db.session.execute(
            select(AuditEntry.action, AuditEntry.home_id).where(
                AuditEntry.table_name == table, AuditEntry.record_id == record_id))}
        assert {home_id for _, home_id in homes} == {home.id}, (table, homes)
    assert {(table, action.name) for table, action in db.session.execute(select(
        AuditEntry.table_name, AuditEntry.action).where(AuditEntry.action.in_(
            [AuditAction.UPDATE, AuditAction.DELETE])))} == {
        ("parent_contact", "UPDATE"), ("care_record", "DELETE")}


def test_the_trail_names_only_records_in_the_readers_scope(make, db):
    from admin_app.audit import related_names

    home_a, home_b = make.home(name="甲村儿童之家"), make.home(name="乙村儿童之家")
    guardian_a = make.guardian(home=home_a, name="甲奶奶")
    guardian_b = make.guardian(home=home_b, name="乙奶奶")
    child = make.child(home=home_a, guardian=guardian_b)
    db.session.refresh(child)  # loaded, as a form's edit loads it
    child.guardian = guardian_a
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.table_name == "child", AuditEntry.action == AuditAction.UPDATE))
    assert entry.changes["guardian_id"] == [guardian_b.id, guardian_a.id]
    supervisor = make.user(Role.SUPERVISOR, username="sup_a", home=home_a)
    admin = make.user(Role.ADMIN, username="adm")
    assert {key for key in related_names([entry], supervisor)} == {(Guardian, guardian_a.id)}
    assert {key for key in related_names([entry], admin)} == {
        (Guardian, guardian_a.id), (Guardian, guardian_b.id)}


def test_a_change_to_an_expired_record_keeps_the_value_it_replaced(make, db):
    """After a commit the record's values are expired: a change made then (a command, a
    second step of one request) still records the old value, not an empty one."""
    child = make.child(school="城关小学", grade="三年级", class_name="")
    db.session.commit()
    child.school, child.grade, child.class_name = "南桥小学", "三年级", "2班"
    db.session.commit()
    assert _entries(db, "child", child.id)[-1] == (
        "UPDATE", {"school": ["城关小学", "南桥小学"], "class_name": ["", "2班"]})
