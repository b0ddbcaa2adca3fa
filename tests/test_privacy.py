"""Minors' personal information (PIPL): what each column is, and how it is kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from admin_app.i18n import show_datetime
from models import Child
from models.base import db, local_today
from models.enums import LeaveReason, Role
from models.privacy import CLASSIFICATION, COMMON, LEVELS, SENSITIVE, classify
from tests.conftest import export_through_approval, sign_in, wall_time


def test_every_column_is_classified_with_a_purpose():
    missing, unknown = [], []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            try:
                level, purpose = classify(table.name, column.name)
            except KeyError:
                missing.append(f"{table.name}.{column.name}")
                continue
            if level not in LEVELS or len(purpose) < 4:
                unknown.append(f"{table.name}.{column.name}")
    assert missing == [], f"classify these columns in models/privacy.py: {missing}"
    assert unknown == []


def test_the_classification_names_no_column_that_does_not_exist():
    tables = {t.name: set(t.columns.keys()) for t in db.metadata.sorted_tables}
    stale = [f"{table}.{column}" for table, columns in CLASSIFICATION.items()
             for column in columns if column not in tables.get(table, set())]
    assert stale == []
    assert set(COMMON) == {"id", "version", "created_at", "updated_at"}


def test_what_the_law_calls_sensitive_is_sensitive():
    for table, column in [("child", "id_number"), ("child", "address"), ("child", "health"),
                          ("child", "psychology"), ("guardian", "phone"),
                          ("parent_contact", "phone"), ("volunteer", "phone"),
                          ("care_record", "notes"), ("guardian", "address")]:
        assert classify(table, column)[0] == SENSITIVE, (table, column)


# -- item 2: encryption at rest ----------------------------------------------------------------
SECRETS = {"id_number": "430626201503120034", "guardian phone": "13812349876",
           "parent phone": "13998761234", "address": "新联村八组门牌十六号",
           "notes": "孩子说晚上一个人害怕", "health": "先天性心脏病"}


def _record_secrets(make, db):
    from datetime import date

    from tests.test_children import valid_id_for

    home = make.home()
    number = valid_id_for(date(2015, 3, 12), 34)
    guardian = make.guardian(home=home, phone=SECRETS["guardian phone"])
    child = make.child(home=home, name="测试儿童甲", id_number=number, birth_date=date(2015, 3, 12),
                       address=SECRETS["address"], health=SECRETS["health"], guardian=guardian)
    make.parent(child, phone=SECRETS["parent phone"])
    make.care_record(child, notes=SECRETS["notes"])
    child.address = SECRETS["address"] + "（新）"  # an update: the trail records old and new
    db.session.commit()
    return {**SECRETS, "id_number": number}


def _clear_text_found(blob: bytes, secrets: dict) -> list[str]:
    return [name for name, value in secrets.items()
            if value.encode() in blob or value.encode("utf-16-le") in blob]


def test_no_id_number_phone_or_note_in_clear_in_the_database_file(app, make, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL run reads a dump instead")
    secrets = _record_secrets(make, db)
    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.commit()
    path = Path(db.engine.url.database)
    blob = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert _clear_text_found(blob, secrets) == []
    assert _clear_text_found(blob, {"name (not sealed)": "测试儿童甲"}) != []  # it can find
    # ...and the application reads them back as they were typed.
    child = db.session.scalar(select(Child))
    assert child.id_number == secrets["id_number"] and child.health == secrets["health"]


def test_no_id_number_phone_or_note_in_clear_in_a_postgresql_dump(app, make, db):
    import shutil
    import subprocess

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQLite run reads the file instead")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is missing (postgresql-client)")
    secrets = _record_secrets(make, db)
    url = db.engine.url
    dump = subprocess.run(  # noqa: S603 (our own database's address, as a list)
        [pg_dump, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U",
         url.username or "postgres", "--data-only", url.database],
        check=True, capture_output=True).stdout
    assert _clear_text_found(dump, secrets) == []
    assert _clear_text_found(dump, {"name (not sealed)": "测试儿童甲"}) != []  # it can find


def test_search_by_full_id_number_and_phone_goes_through_the_blind_index(app, make, db,
                                                                        admin_client):
    from models.sealed import blind_index
    from tests.conftest import count_queries

    secrets = _record_secrets(make, db)
    child = db.session.scalar(select(Child))
    assert child.id_number_hash == blind_index(secrets["id_number"])
    with count_queries(db.engine) as queries:
        page = admin_client.get(f"/admin/child/?search={secrets['id_number']}").text
    assert child.name in page
    assert any("id_number_hash" in sql for sql in queries.statements)
    page = admin_client.get(f"/admin/child/?search={secrets['guardian phone']}").text
    assert child.name in page
    # A fragment of the number finds nothing: the stored value is ciphertext.
    page = admin_client.get(f"/admin/child/?search={secrets['id_number'][:10]}").text
    assert child.name not in page


def test_key_rotation_reseals_every_value_and_drops_the_old_key(app, make, db, tmp_path):
    import json

    from models import sealed
    from models.audit import AuditEntry

    secrets = _record_secrets(make, db)
    before = sealed.keyring().current
    keys = tmp_path / "data_keys.json"
    original = sealed.keyring().content()
    keys.write_text(json.dumps(original))
    app.config["DATA_KEYS_FILE"] = keys
    try:
        result = app.test_cli_runner().invoke(args=["privacy", "rotate-key"])
        assert result.exit_code == 0, result.output
        after = json.loads(keys.read_text())
        assert list(after["keys"]) == [after["current"]] and after["current"] != before
        raw = db.session.execute(text("SELECT id_number, address FROM child")).one()
        assert all(value.startswith(f"s1.{after['current']}.") for value in raw)
        trail = db.session.scalars(select(AuditEntry.changes).where(
            AuditEntry.table_name == "child")).all()
        sealed_in_trail = [v for changes in trail for value in changes.values()
                           for v in (value if isinstance(value, list) else [value])
                           if isinstance(v, str) and v.startswith("s1.")]
        assert sealed_in_trail and all(v.startswith(f"s1.{after['current']}.")
                                       for v in sealed_in_trail)
        db.session.expire_all()
        assert db.session.scalar(select(Child)).id_number == secrets["id_number"]
    finally:
        app.config.pop("DATA_KEYS_FILE")
        sealed.configure(original)  # the tests after this one seal with the test key again


# -- item 3: masked by default, unmasked with a reason ----------------------------------------
def _child_with_number(make):
    from datetime import date

    from tests.test_children import valid_id_for

    home = make.home()
    number = valid_id_for(date(2015, 3, 12), 21)
    child = make.child(home=home, name="揭示测试", id_number=number,
                       birth_date=date(2015, 3, 12),
                       guardian=make.guardian(home=home, phone="13811112222"))
    return home, child, number


def _signed_in(app, make, role, home=None):
    from models.enums import Role
    from tests.conftest import sign_in

    user = make.user(getattr(Role, role), home_id=home.id if home else None)
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def _unmasks(db):
    from models import AuditEntry
    from models.enums import AuditAction

    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.UNMASK)).all()


def test_staff_see_the_full_id_number_only_with_a_reason_and_it_is_logged(app, make, db):
    home, child, number = _child_with_number(make)
    staff = _signed_in(app, make, "STAFF", home)
    card = staff.get(f"/admin/child/details/?id={child.id}").text
    assert number not in card and number[:6] + "********" + number[-4:] in card
    assert "13811112222" in card  # the Home's staff see phones
    assert 'id="reveal-id-number"' in card
    # No reason: refused, nothing shown, nothing logged.
    refused = staff.post(f"/admin/child/reveal/?id={child.id}", data={"reason": ""})
    assert refused.status_code == 302 and _unmasks(db) == []
    other = staff.post(f"/admin/child/reveal/?id={child.id}", data={"reason": "other"})
    assert other.status_code == 302 and _unmasks(db) == []
    # With a reason: the number on this page, and an entry saying who, why.
    shown = staff.post(f"/admin/child/reveal/?id={child.id}",
                       data={"reason": "identity", "note": "办理医保"})
    assert shown.status_code == 200 and number in shown.text and 'id="revealed"' in shown.text
    [entry] = _unmasks(db)
    assert entry.record_id == child.id and entry.changes["note"] == "办理医保"
    assert "证件" in entry.changes["reason"]
    # The next page masks it again.
    assert number not in staff.get(f"/admin/child/details/?id={child.id}").text


def test_volunteers_and_supervisors_cannot_unmask_and_admins_see_phones_masked(app, make, db):
    home, child, number = _child_with_number(make)
    for role in ("VOLUNTEER", "SUPERVISOR"):
        client = _signed_in(app, make, role, home)
        response = client.post(f"/admin/child/reveal/?id={child.id}",
                               data={"reason": "identity"})
        assert response.status_code == 403 and number not in response.text
    admin = _signed_in(app, make, "ADMIN")
    card = admin.get(f"/admin/child/details/?id={child.id}").text
    assert "13811112222" not in card and "138****2222" in card
    other_staff = _signed_in(app, make, "STAFF", make.home())
    assert other_staff.post(f"/admin/child/reveal/?id={child.id}",
                            data={"reason": "identity"}).status_code == 404
    assert _unmasks(db) == []


def test_the_edit_form_never_shows_the_id_number_and_an_empty_field_keeps_it(app, make, db):
    from tests.test_children import child_form

    home, child, number = _child_with_number(make)
    staff = _signed_in(app, make, "STAFF", home)
    form = staff.get(f"/admin/child/edit/?id={child.id}").text
    assert number not in form and f'placeholder="{number[:6]}********{number[-4:]}"' in form
    data = child_form(home, name="揭示测试", id_number="", grade="五年级",
                      loaded_version=str(child.version))
    response = staff.post(f"/admin/child/edit/?id={child.id}", data=data)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    saved = db.session.get(Child, child.id)
    assert saved.id_number == number and saved.grade == "五年级"


# -- item 5: legal basis and consent; item 6: the designated person ----------------------------
def test_a_refusal_of_consent_is_recorded_and_the_notice_names_the_designated_person(
        app, make, db):
    from models import Consent
    from models.consent import ConsentState

    home, child, _ = _child_with_number(make)
    officer = make.user(Role.STAFF,
                        home_id=home.id, display_name="周负责人", privacy_officer=True)
    staff = _signed_in(app, make, "STAFF", home)
    response = staff.post("/admin/consent/new/", data={
        "child": str(child.id), "basis": "GUARDIAN_CONSENT", "state": "REFUSED",
        "given_by": "李奶奶", "relation": "奶奶", "decided_on": "2026-01-05",
        "notice_version": "2026-11", "note": "只保留法定职责所需信息"})
    assert response.status_code == 302, response.text[-2000:]
    [consent] = db.session.scalars(select(Consent)).all()
    assert consent.state is ConsentState.REFUSED and consent.given_by == "李奶奶"
    notice = staff.get("/admin/privacy/notice/").text
    assert officer.display_name in notice and home.name in notice and "3年" in notice
    # Volunteers see neither consents nor the privacy pages.
    volunteer = _signed_in(app, make, "VOLUNTEER", home)
    assert volunteer.get("/admin/consent/").status_code == 403
    assert volunteer.get("/admin/privacy/notice/").status_code == 403


# -- item 7: retention --------------------------------------------------------------------------
def _past_retention(make, db):
    from datetime import date, timedelta

    from models.enums import CareKind, ChildStatus
    from tests.test_children import valid_id_for

    home = make.home()
    born = date(2010, 5, 1)
    guardian = make.guardian(home=home, name="旧监护人", phone="13500001111", address="旧址")
    old = make.child(home=home, name="早已离开", id_number=valid_id_for(born, 3),
                     birth_date=born, guardian=guardian, address="旧村", health="近视",
                     status=ChildStatus.LEFT_CARE, left_on=local_today() - timedelta(days=4 * 365),
                     leave_reason=LeaveReason.MOVED)
    make.parent(old, name="旧父亲", phone="13600002222", work_city="深圳")
    for kind in (CareKind.TALK, CareKind.HOME_VISIT, CareKind.TALK):
        make.care_record(old, kind=kind, notes="很久以前的谈心")
    current = make.child(home=home, name="仍在册")
    return old, current, guardian


def test_the_purge_dry_run_changes_nothing_and_the_real_one_anonymises_keeping_statistics(
        app, make, db):
    from models import CareRecord, Guardian, ParentContact

    old, current, guardian = _past_retention(make, db)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "1 children" in dry.output and "nothing was changed" in dry.output
    db.session.expire_all()
    assert db.session.get(Child, old.id).name == "早已离开"
    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0 and "Anonymised: 1 children" in done.output, done.output
    db.session.expire_all()
    child = db.session.get(Child, old.id)
    assert child.name.startswith("匿名-") and child.anonymised_on is not None
    assert (child.id_number, child.address, child.health) == (None, "", "")
    assert child.birth_date == old.birth_date and child.status is old.status  # statistics
    kept = db.session.get(Guardian, guardian.id)
    assert kept.phone is None and kept.name != "旧监护人"
    parent = db.session.scalar(select(ParentContact).where(ParentContact.child_id == old.id))
    assert parent.phone is None and parent.work_city == "深圳"
    records = db.session.scalars(select(CareRecord).where(CareRecord.child_id == old.id)).all()
    assert len(records) == 3 and {r.notes for r in records} == {""}
    assert sorted(r.kind.name for r in records) == ["HOME_VISIT", "TALK", "TALK"]
    assert db.session.get(Child, current.id).name == "仍在册"
    # A second run finds nothing left to do.
    again = runner.invoke(args=["privacy", "purge"])
    assert "Anonymised: 0 children" in again.output


def test_the_audit_trail_cannot_be_edited_or_deleted_through_the_application(app, make, db,
                                                                            admin_client):
    from models import AuditEntry

    make.child()
    entry = db.session.scalars(select(AuditEntry)).first()
    assert admin_client.get(f"/admin/audit/edit/?id={entry.id}").status_code == 403
    assert admin_client.post("/admin/audit/delete/", data={"id": str(entry.id)}).status_code \
        == 403
    assert db.session.get(AuditEntry, entry.id) is not None


# -- item 8: guardians' requests ----------------------------------------------------------------
def test_a_correction_request_is_tracked_to_done(app, make, db):
    from models import DataRequest
    from models.consent import RequestState

    home, child, _ = _child_with_number(make)
    staff = _signed_in(app, make, "STAFF", home)
    assert staff.post("/admin/data_request/new/", data={
        "child": str(child.id), "kind": "CORRECTION", "requested_by": "李奶奶",
        "relation": "奶奶", "received_on": "2026-11-02", "details": "年级应为四年级",
        "state": "OPEN"}).status_code == 302
    request = db.session.scalar(select(DataRequest))
    assert request.state is RequestState.OPEN
    page = staff.get("/admin/privacy/").text
    assert 'id="open-requests"' in page
    # Done needs a date and an outcome.
    form = {"child": str(child.id), "kind": "CORRECTION", "requested_by": "李奶奶",
            "relation": "奶奶", "received_on": "2026-11-02", "details": "年级应为四年级",
            "state": "DONE", "loaded_version": str(request.version)}
    refused = staff.post(f"/admin/data_request/edit/?id={request.id}", data=form)
    assert refused.status_code == 200 and "办结日期" in refused.text
    done = staff.post(f"/admin/data_request/edit/?id={request.id}", data={
        **form, "handled_on": "2026-11-05", "outcome": "已更正为四年级"})
    assert done.status_code == 302
    db.session.expire_all()
    request = db.session.get(DataRequest, request.id)
    assert request.state is RequestState.DONE and request.handled_by_id is not None
    assert request.outcome == "已更正为四年级"


def test_a_deletion_request_done_anonymises_the_child(app, make, db):
    home, child, _ = _child_with_number(make)
    staff = _signed_in(app, make, "STAFF", home)
    assert staff.post("/admin/data_request/new/", data={
        "child": str(child.id), "kind": "DELETION", "requested_by": "李奶奶",
        "relation": "奶奶", "received_on": "2026-11-02", "details": "要求删除",
        "state": "DONE", "handled_on": "2026-11-03", "outcome": "已匿名化"}).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Child, child.id)
    assert saved.name.startswith("匿名-") and saved.id_number is None


# -- item 9: the yearly audit and the incident query ---------------------------------------------
def test_the_yearly_audit_workbook_opens_and_lists_unmasks_and_exports(app, make, db):
    import io

    from openpyxl import load_workbook

    home, child, _ = _child_with_number(make)
    staff = _signed_in(app, make, "STAFF", home)
    staff.post(f"/admin/child/reveal/?id={child.id}", data={"reason": "identity"})
    export_through_approval(staff, "/admin/child/export/xlsx/")
    admin = _signed_in(app, make, "ADMIN")
    response = admin.get(f"/admin/privacy/audit.xlsx?year={local_today().year}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["查看记录", "查看完整号码", "导出与导入", "匿名化", "同意情况",
                               "申请"]
    unmasks = list(book["查看完整号码"].iter_rows(min_row=3, values_only=True))
    assert len(unmasks) == 1 and unmasks[0][5] == child.name
    exports = list(book["导出与导入"].iter_rows(min_row=3, values_only=True))
    assert len(exports) == 1
    assert _signed_in(app, make, "VOLUNTEER", home).get(
        "/admin/privacy/audit.xlsx").status_code == 403
    assert staff.get("/admin/privacy/audit.xlsx").status_code == 403


def test_the_yearly_audit_lists_the_requests_received_in_that_year_and_no_other(app, make,
                                                                                  db):
    import io

    from openpyxl import load_workbook

    from models import DataRequest
    from models.consent import RequestKind

    _, child, _ = _child_with_number(make)
    for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1)):
        db.session.add(DataRequest(child=child, kind=RequestKind.ACCESS, requested_by="李奶奶",
                                   received_on=day, details=day.isoformat()))
    db.session.commit()
    response = _signed_in(app, make, "ADMIN").get("/admin/privacy/audit.xlsx?year=2026")
    rows = load_workbook(io.BytesIO(response.data))["申请"].iter_rows(min_row=3,
                                                                     values_only=True)
    # The year's first moment is 16:00 UTC on 31 December: its UTC date is the year before.
    assert [row[3] for row in rows] == [wall_time(2026, 1, 1), wall_time(2026, 12, 31)]


def test_the_incident_query_finds_exactly_the_children_an_export_contained(app, make, db):
    from models import AuditEntry
    from models.base import local_today
    from models.enums import AuditAction

    home = make.home()
    exported = [make.child(home=home, name=f"导出{i}") for i in range(3)]
    other_home = make.home()
    make.child(home=other_home, name="别家孩子")
    staff = _signed_in(app, make, "STAFF", home)
    assert export_through_approval(staff, "/admin/child/export/xlsx/").status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT))
    admin = _signed_in(app, make, "ADMIN")
    today = local_today().isoformat()  # the day in Beijing, as the page reads dates
    page = admin.get(f"/admin/privacy/incident/?start={today}&end={today}"
                     f"&export={entry.id}").text
    found = page.split('id="incident-children"')[1].split("</ul>")[0]
    assert sorted(c.name for c in exported) == sorted(
        name for name in (f"导出{i}" for i in range(3)) if name in found)
    assert "别家孩子" not in found
    assert found.count("<li") == 3


# -- item 4: exports with sensitive columns ------------------------------------------------------
def test_a_sensitive_export_is_refused_before_approval_and_stamped_after(app, make, db):
    import io

    from openpyxl import load_workbook

    from models import AuditEntry, ExportRequest
    from models.consent import ExportState
    from models.enums import AuditAction

    home, _, _ = _child_with_number(make)
    make.user(Role.STAFF, home_id=home.id, username="officer", display_name="周负责人",
              privacy_officer=True)
    staff = _signed_in(app, make, "STAFF", home)
    # Before approval: no file, the request form instead.
    first = staff.get("/admin/child/export/xlsx/")
    assert first.status_code == 302 and "/export-requests/ask" in first.location
    assert staff.post("/admin/export-requests/ask", data={
        "list": "child", "query": "", "purpose": ""}).status_code == 400  # no reason
    asked = staff.post("/admin/export-requests/ask", data={
        "list": "child", "query": "", "purpose": "visits", "note": "安排暑期家访"})
    assert asked.status_code == 302
    item = db.session.scalar(select(ExportRequest))
    assert item.state is ExportState.PENDING
    early = staff.get(f"/admin/child/export/xlsx/?approved={item.id}")
    assert early.status_code == 302 and "/export-requests/ask" in early.location
    # The requester cannot approve her own request; the designated person can.
    assert staff.post(f"/admin/export-requests/{item.id}/decide",
                      data={"approve": "1"}).status_code == 403
    officer = app.test_client()
    assert sign_in(officer, "officer").status_code == 302
    queue = officer.get("/admin/export-requests/").text
    assert "安排暑期家访" in queue and 'id="to-decide"' in queue
    assert officer.post(f"/admin/export-requests/{item.id}/decide",
                        data={"approve": "1"}).status_code == 302
    download = staff.get(f"/admin/child/export/xlsx/?approved={item.id}")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.data))
    for sheet in book.worksheets:
        header = sheet.oddHeader.left.text
        assert "安排暑期家访" in header and "周负责人" in header
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT))
    assert entry.changes["request"] == item.id and "安排暑期家访" in entry.changes["reason"]
    # One approval, one download; the next try says when it was used, on the form to ask.
    again = staff.get(f"/admin/child/export/xlsx/?approved={item.id}")
    assert again.status_code == 302 and "/export-requests/ask" in again.location
    told = staff.get(again.location).text
    db.session.refresh(item)
    assert "只能下载一次" in told and show_datetime(item.updated_at) in told


def test_exports_without_sensitive_columns_need_no_approval(app, make, db):
    home = make.home()
    make.movement(make.item(home=home))
    staff = _signed_in(app, make, "STAFF", home)
    assert staff.get("/admin/stock_movement/export/xlsx/").status_code == 200


def test_the_daily_export_limit(app, make, db):
    home = make.home()
    make.movement(make.item(home=home))
    staff = _signed_in(app, make, "STAFF", home)
    app.config["DAILY_EXPORT_LIMIT"] = 2
    try:
        for _ in range(2):
            assert staff.get("/admin/stock_movement/export/xlsx/").status_code == 200
        refused = staff.get("/admin/stock_movement/export/xlsx/", follow_redirects=True)
        assert refused.status_code == 200 and "今天已导出 2 次" in refused.text
    finally:
        app.config["DAILY_EXPORT_LIMIT"] = 20


def test_volunteers_cannot_ask_for_exports(app, make, db):
    home = make.home()
    volunteer = _signed_in(app, make, "VOLUNTEER", home)
    assert volunteer.get("/admin/export-requests/ask?list=child").status_code == 403
    assert volunteer.get("/admin/export-requests/").status_code == 403


def test_children_under_14_are_flagged_on_their_archive_card(app, make, db, admin_client):
    from datetime import date

    young = make.child(birth_date=date(local_today().year - 9, 1, 1))
    older = make.child(birth_date=date(local_today().year - 16, 1, 1),
                       entered_on=date(local_today().year - 3, 1, 1))
    assert 'id="under-14"' in admin_client.get(f"/admin/child/details/?id={young.id}").text
    assert 'id="under-14"' not in admin_client.get(f"/admin/child/details/?id={older.id}").text


def test_the_audit_screen_counts_an_exports_children_rather_than_listing_them(app, make, db):
    home = make.home()
    kids = [make.child(home=home, name=f"计数{i}") for i in range(2)]
    staff = _signed_in(app, make, "STAFF", home)
    assert export_through_approval(staff, "/admin/child/export/xlsx/").status_code == 200
    page = _signed_in(app, make, "ADMIN").get("/admin/audit/").text
    assert "涉及儿童：2 人" in page and f"{kids[0].id} → {kids[1].id}" not in page


def test_comparing_an_encrypted_column_with_a_value_is_refused_not_silently_empty():
    from models import CareRecord

    for compare in (lambda: Child.id_number == "430626201503120034",
                    lambda: Child.id_number.in_(["430626201503120034"]),
                    lambda: CareRecord.notes.like("%谈心%")):
        with pytest.raises(TypeError, match="blind index"):
            compare()
    assert Child.id_number.is_(None) is not None and (Child.id_number == None) is not None  # noqa: E711


def test_masking_many_values_at_once_is_masking_each(app, make):
    """masking.shown_by (exports) decides as masking.shown (pages) for every role, kind and
    value, and a value revealed for the page stays revealed."""
    from admin_app.masking import reveal, shown, shown_by

    values = ["430626201503120012", "13900001111", "0730-1234567", "", None, "12"]
    with app.test_request_context():
        reveal("13900001111")
        for role in Role:
            user = make.user(role)
            for kind in ("id_number", "phone", None):
                many = shown_by(user, kind)
                assert [many(v) for v in values] == [shown(user, kind, v) for v in values]
        staff, supervisor = make.user(Role.STAFF), make.user(Role.SUPERVISOR)
        assert shown_by(staff, "phone")("13800001111") == "13800001111"
        assert shown_by(supervisor, "phone")("13800001111") == "138****1111"
        assert shown_by(supervisor, "phone")("13900001111") == "13900001111"  # revealed


def test_an_approver_sees_how_many_requests_wait_for_her(app, make, db):
    """The overview tells a designated person what waits for her decision (her own request
    is not hers to decide); the demo's supervisors are its designated persons."""
    from models import ExportRequest, User
    from seed.accounts import create_demo_accounts

    home = make.home(township="城关镇")
    make.volunteer(home=home)
    db.session.commit()
    created = {username: password for username, password, _, _ in
               create_demo_accounts(db.session, must_change_password=False)}
    officers = {u.username for u in db.session.scalars(
        select(User).where(User.privacy_officer.is_(True)))}
    assert officers == {"supervisor", "township"}
    staff = db.session.scalar(select(User).where(User.username == "staff"))
    township = db.session.scalar(select(User).where(User.username == "township"))
    for who in (staff, staff, township):
        db.session.add(ExportRequest(user_id=who.id, home_id=home.id, endpoint="child",
                                     query="", reason="家访", title="花名册"))
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, "township", created["township"]).status_code == 302
    badge = client.get("/admin/").text.split('id="to-decide-badge"')[1].split("</div>")[0]
    assert "2 个导出申请等待您审批" in badge
    requester = app.test_client()
    assert sign_in(requester, "staff", created["staff"]).status_code == 302
    assert 'id="to-decide-badge"' not in requester.get("/admin/").text
    # Every page's menu bar shows the approver the number, and nobody else anything.
    bar = client.get("/admin/child/").text.split('id="approvals-waiting"')[1].split("</a>")[0]
    assert "导出审批" in bar and '<span class="badge badge-danger">2</span>' in bar
    assert 'id="approvals-waiting"' not in requester.get("/admin/child/").text
    for item in db.session.scalars(select(ExportRequest).where(
            ExportRequest.user_id == staff.id)):
        assert client.post(f"/admin/export-requests/{item.id}/decide",
                           data={"approve": "0"}).status_code == 302
    assert 'id="approvals-waiting"' not in client.get("/admin/child/").text
