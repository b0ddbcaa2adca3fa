"""Roster import: files built the way staff's files look (title rows, merged cells, header
variants, dates in every form, ID numbers typed as numbers, full-width digits, unknown
words, duplicates, siblings), checked through the preview, the commit and the CLI."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from admin_app import importing
from admin_app.access import SYSTEM
from admin_app.importing.rows import ERROR, NEW, UNCHANGED, UPDATED
from models import AuditEntry, Child, Guardian, ParentContact, RosterUpload
from models.enums import (
    AuditAction,
    Gender,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
    ParentRelation,
    Role,
)
from seed.demo import id_number
from tests.conftest import export_through_approval, wall_time
from tests.test_children import valid_id_for

HEADER = ["序号", "姓名", "性别", "出生年月", "公民身份号码", "学校", "年级", "班主任及电话",
          "留守类型", "生活/监护方式", "是否寄宿", "监护人姓名", "与儿童关系", "监护人电话"]


def roster(rows, header=HEADER, title="城关镇2026年留守儿童花名册", sheet_title=None) -> bytes:
    """An .xlsx the way a township sends it: a merged title row above the header."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title or "花名册"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(name="王小明", gender="男", born="2015.3.12", id_number=None, school="城关小学",
        grade="三年级", teacher="张老师 138 1234 5678", kind="父母均外出", living="随祖辈",
        boarding="否", guardian="李奶奶", relation="奶奶", phone="13800001111", n=1):
    return [n, name, gender, born, id_number, school, grade, teacher, kind, living, boarding,
            guardian, relation, phone]


def preview(content, home, user=SYSTEM, filename="花名册.xlsx", mapping=None):
    from admin_app.extensions import db

    return importing.preview(db.session, content, filename, user, home, mapping)


def commit(plan, home, valid_only=False):
    from admin_app.extensions import db

    return importing.commit(db.session, plan, home, valid_only=valid_only)


def children(db):
    return db.session.scalar(select(func.count()).select_from(Child))


def errors_of(plan):
    return [(r.number, column, message) for r in plan.rows for column, message in r.errors]


def test_a_townships_roster_previews_and_imports(make, db):
    home = make.home()
    number = id_number("430626", date(2014, 5, 6), 3, male=False)  # a girl's
    content = roster([
        row(),
        row(name="王小红", gender="女", born="2014年5月6日", id_number=number, n=2),
        row(name="陈  刚", born="2013-9-1", living="跟爷爷奶奶", kind="双亲外出",
            guardian="陈爷爷", relation="爷爷", phone="139-0000-2222", n=3),
    ])
    plan = preview(content, home)
    assert plan.ready and plan.problems == []
    assert plan.counts == {NEW: 3, UPDATED: 0, UNCHANGED: 0, ERROR: 0}, errors_of(plan)
    assert children(db) == 0  # a preview saves nothing
    commit(plan, home)
    kept = {c.name: c for c in db.session.scalars(select(Child))}
    assert set(kept) == {"王小明", "王小红", "陈  刚"}
    xiaoming = kept["王小明"]
    assert xiaoming.birth_date == date(2015, 3, 12)
    assert xiaoming.class_teacher == "张老师" and xiaoming.class_teacher_phone == "13812345678"
    assert xiaoming.left_behind_type is LeftBehindType.BOTH_PARENTS
    assert xiaoming.living_arrangement is LivingArrangement.GRANDPARENTS
    assert xiaoming.boarding is False and xiaoming.home_id == home.id
    assert kept["王小红"].id_number == number and kept["王小红"].gender is Gender.FEMALE
    assert kept["陈  刚"].guardian.phone == "13900002222"
    # Saved a batch per statement, and still encrypted at rest.
    from sqlalchemy import text

    raw = db.session.execute(text("SELECT id_number FROM child WHERE id_number IS NOT NULL"))
    assert raw.scalar().startswith("s1.")
    assert kept["陈  刚"].guardian.relation is GuardianRelation.GRANDFATHER
    # Siblings with the same guardian (name + phone) share one record.
    assert xiaoming.guardian_id == kept["王小红"].guardian_id
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.IMPORT))
    assert entry.record_label == "花名册.xlsx" and entry.changes["new"] == 3


def test_every_new_record_has_its_audit_entry(make, db):
    home = make.home()
    commit(preview(roster([row(), row(name="王小红", born="2014.5.6", n=2)]), home), home)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.CREATE, AuditEntry.table_name != "home")).all()
    made = {(e.table_name, e.record_label) for e in entries}
    assert made == {("child", "王小明"), ("child", "王小红"), ("guardian", "李奶奶")}
    child = next(e for e in entries if e.record_label == "王小明")
    assert child.home_id == home.id and child.changes["living_arrangement"] == "GRANDPARENTS"
    assert child.record_id == db.session.scalar(select(Child.id).where(Child.name == "王小明"))


def test_a_changed_child_and_a_new_sibling_share_their_new_guardian(make, db):
    home = make.home()
    kept = make.child(home=home, name="王小明", birth_date=date(2015, 3, 12))
    content = roster([row(guardian="赵外婆", relation="外婆", phone="13611112222"),
                      row(name="王小红", born="2014.5.6", guardian="赵外婆", relation="外婆",
                          phone="13611112222", n=2)])
    plan = preview(content, home)
    assert [r.outcome for r in plan.rows] == [UPDATED, NEW]
    commit(plan, home)
    db.session.expire_all()
    sister = db.session.scalar(select(Child).where(Child.name == "王小红"))
    assert db.session.get(Child, kept.id).guardian_id == sister.guardian_id is not None
    assert sister.guardian.relation is GuardianRelation.MATERNAL_GRANDMOTHER


def test_every_date_form_and_id_forms_are_read(make, db):
    home = make.home()
    born = date(2015, 3, 12)
    number = valid_id_for(born, 7)
    lower_x = next(valid_id_for(born, s) for s in range(200) if valid_id_for(born, s)[-1] == "X")
    other = valid_id_for(born, 8)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in other)
    forms = ["2015.3.12", "2015/03/12", "2015-3-12", "2015年3月12日", "20150312",
             wall_time(2015, 3, 12), "201503"]
    rows = [row(name=f"孩子{i}", born=form, n=i) for i, form in enumerate(forms[:-1])]
    rows.append(row(name="月份", born="201503", id_number=f"{number[:6]} {number[6:14]} "
                    f"{number[14:]}", n=10))
    rows.append(row(name="小写", born=None, id_number=lower_x.lower(), n=11))
    rows.append(row(name="全角", born=None, id_number=full_width,
                    phone="１３８００００３３３３", n=12))
    plan = preview(roster(rows), home)
    assert errors_of(plan) == []
    births = {r.values["name"]: r.values["birth_date"] for r in plan.rows}
    assert set(births.values()) == {born}
    ids = {r.values["name"]: r.values.get("id_number") for r in plan.rows}
    assert ids["月份"] == number and ids["小写"] == lower_x
    assert plan.rows[-1].values["guardian_phone"] == "13800003333"


def test_an_id_number_excel_kept_as_a_number_is_refused_with_the_reason(make, db):
    home = make.home()
    number = valid_id_for(date(2015, 3, 12), 1)
    plan = preview(roster([row(id_number=int(number))]), home)
    [(_, column, message)] = errors_of(plan)
    assert column == "公民身份号码"
    assert "15" in message and "文本" in message
    assert plan.count(ERROR) == 1


def test_unknown_category_word_is_reported_never_guessed(make, db):
    home = make.home()
    plan = preview(roster([row(living="跟邻居住")]), home)
    [(number, column, message)] = errors_of(plan)
    assert (number, column) == (3, "生活/监护方式")
    assert "跟邻居住" in message and "随祖辈生活" in message


def test_a_refused_row_stops_the_whole_import_unless_valid_rows_only(make, db):
    home = make.home()
    content = roster([row(), row(name="错的", born="2015.13.40", n=2)])
    plan = preview(content, home)
    assert plan.counts[NEW] == 1 and plan.counts[ERROR] == 1
    with pytest.raises(ValueError):
        commit(plan, home)
    assert children(db) == 0
    commit(preview(content, home), home, valid_only=True)
    assert [c.name for c in db.session.scalars(select(Child))] == ["王小明"]


def test_a_duplicate_row_is_refused_with_the_first_rows_number(make, db):
    home = make.home()
    plan = preview(roster([row(), row(n=2)]), home)
    [(number, _, message)] = errors_of(plan)
    assert number == 4 and "3" in message


def test_the_same_file_twice_changes_nothing(make, db):
    home = make.home()
    content = roster([row(), row(name="王小红", born="2014.5.6", n=2)])
    commit(preview(content, home), home)
    versions = {c.id: c.version for c in db.session.scalars(select(Child))}
    audit_count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    plan = preview(content, home)
    assert plan.counts == {NEW: 0, UPDATED: 0, UNCHANGED: 2, ERROR: 0}
    commit(plan, home)
    db.session.expire_all()
    assert {c.id: c.version for c in db.session.scalars(select(Child))} == versions
    # Only the import's own entry is added.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_count + 1


def test_a_changed_row_updates_the_child_with_audit_and_version(make, db):
    home = make.home()
    child = make.child(home=home, name="王小明", birth_date=date(2015, 3, 12), grade="二年级")
    plan = preview(roster([row(grade="三年级")]), home)
    assert plan.counts[UPDATED] == 1
    assert "年级" in plan.rows[0].changes
    commit(plan, home)
    db.session.refresh(child)
    assert child.grade == "三年级" and child.version == 2
    change = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == AuditAction.UPDATE, AuditEntry.table_name == "child"))
    assert change.changes["grade"] == ["二年级", "三年级"]


def test_a_child_saved_by_someone_after_the_plan_stops_the_import(make, db):
    home = make.home()
    child = make.child(home=home, name="王小明", birth_date=date(2015, 3, 12), grade="二年级")
    plan = preview(roster([row(grade="三年级"), row(name="新来的", born="2014.1.1", n=2)]),
                   home)
    child.grade = "四年级"
    db.session.commit()
    with pytest.raises(importing.StaleImport):
        commit(plan, home)
    db.session.refresh(child)
    assert child.grade == "四年级" and children(db) == 1


def test_empty_cells_never_erase_what_is_kept(make, db):
    home = make.home()
    child = make.child(home=home, name="王小明", birth_date=date(2015, 3, 12), school="城关小学",
                       grade="三年级", class_teacher="张老师",
                       class_teacher_phone="13812345678",
                       guardian=make.guardian(home=home))
    plan = preview(roster([row(school=None, grade=None, boarding=None)]), home)
    assert plan.counts[UNCHANGED] == 1, plan.rows[0].changes
    db.session.refresh(child)
    assert child.school == "城关小学"


def test_parents_become_parent_contacts_and_headers_may_span_two_rows(make, db):
    home = make.home()
    book = Workbook()
    sheet = book.active
    sheet.append(["某镇留守儿童基本情况登记表"])
    sheet.append(["姓名", "性别", "出生日期", "留守类型", "监护方式", "父亲", None, None,
                  "母亲", None, None])
    sheet.append([None, None, None, None, None, "姓名", "电话", "务工地点", "姓名", "电话",
                  "务工地点"])
    sheet.merge_cells("F2:H2")
    sheet.merge_cells("I2:K2")
    sheet.append(["刘洋", "男", "2016/1/2", "双亲外出", "祖父母监护", "刘大", "13911112222",
                  "广东东莞", "张芳", "13933334444", "浙江义乌"])
    out = io.BytesIO()
    book.save(out)
    plan = preview(out.getvalue(), home)
    assert plan.unmatched == [] and errors_of(plan) == []
    commit(plan, home)
    parents = {p.relation.name: p for p in db.session.scalars(select(ParentContact))}
    assert parents["FATHER"].name == "刘大" and parents["FATHER"].work_city == "广东东莞"
    assert parents["MOTHER"].phone == "13933334444"


def test_an_unrecognised_column_waits_for_the_users_choice(make, db):
    home = make.home()
    content = roster([[*row(), "很好"]], header=[*HEADER, "在校表现"])
    plan = preview(content, home)
    assert plan.unmatched == ["在校表现"] and not plan.ready
    with pytest.raises(ValueError):
        commit(plan, home)
    plan = preview(content, home, mapping={"在校表现": "health"})
    assert plan.ready and plan.rows[0].values["health"] == "很好"
    plan = preview(content, home, mapping={"在校表现": ""})
    assert plan.ready and "health" not in plan.rows[0].values


def test_csv_in_gbk_and_utf8_with_bom(make, db):
    home = make.home()
    text = ",".join(HEADER) + "\n" + ",".join(str(v or "") for v in row()) + "\n"
    for encoded in (text.encode("gbk"), text.encode("utf-8-sig")):
        plan = preview(encoded, home, filename="花名册.csv")
        assert errors_of(plan) == [] and plan.rows[0].values["name"] == "王小明"


def test_rows_naming_the_home_and_homes_out_of_reach(make, db):
    home, other = make.home(), make.home()
    header = [*HEADER, "儿童之家"]
    content = roster([[*row(), home.name], [*row(name="别家", n=2), other.name]],
                     header=header)
    staff = make.user(role=Role.STAFF,
                      home_id=home.id)
    plan = preview(content, None, user=staff)
    messages = errors_of(plan)
    assert [m[0] for m in messages] == [4]
    assert other.name in messages[0][2]  # the name the row gave, not a hint of others
    assert plan.rows[0].home.id == home.id


def test_an_id_number_kept_by_another_home_is_not_taken_over(make, db):
    home, other = make.home(), make.home()
    number = valid_id_for(date(2015, 3, 12), 4)
    make.child(home=other, id_number=number, birth_date=date(2015, 3, 12))
    plan = preview(roster([row(id_number=number)]), home)
    [(_, _, message)] = errors_of(plan)
    assert other.name in message  # the system user sees every Home
    staff = make.user(role=Role.STAFF,
                      home_id=home.id)
    [(_, _, message)] = errors_of(preview(roster([row(id_number=number)]), home, user=staff))
    assert other.name not in message


def test_footer_lines_are_skipped_and_said(make, db):
    home = make.home()
    content = roster([row(), ["填表人：张三", None, None, None, None, None, None, "联系电话：略"]])
    plan = preview(content, home)
    assert plan.counts[NEW] == 1 and plan.counts[ERROR] == 0
    assert any("填表人" in note for note in plan.notes)


# -- bad files: a clear message, nothing saved ----------------------------------------------
def _bad(content, filename, needle, home):
    with pytest.raises(importing.BadFile) as caught:
        preview(content, home, filename=filename)
    assert needle in str(caught.value.message)


def test_bad_files_are_refused_with_the_reason(make, db):
    home = make.home()
    _bad(b"hello", "花名册.txt", ".xlsx", home)
    _bad(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "花名册.xls", "xls", home)
    _bad(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "花名册.xlsx", "密码", home)
    _bad(roster([row()]), "花名册.xlsm", "宏", home)
    _bad(b"PK\x03\x04 not really a zip", "花名册.xlsx", "损坏", home)
    _bad(b"x" * (20 * 1024 * 1024 + 1), "花名册.xlsx", "20 MB", home)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    _bad(bomb.getvalue(), "花名册.xlsx", "解压", home)
    assert children(db) == 0


def test_formulas_give_their_cached_values_and_long_or_hostile_cells_stay_text(make, db,
                                                                                tmp_path):
    import xlsxwriter

    home = make.home()
    path = tmp_path / "formulas.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for number, values in enumerate([row(), row(name="<script>alert(1)</script>",
                                                born="2014.1.1", n=2),
                                     row(name="长", grade="年" * 10_000, born="2014.1.2", n=3)],
                                    start=1):
        for col, value in enumerate(values):
            if value is not None:
                sheet.write_string(number, col, str(value)) if isinstance(value, str) \
                    else sheet.write_number(number, col, value)
    # What Excel saved: the formula and its last value. The value is read; nothing runs.
    sheet.write_formula(1, HEADER.index("学校"), '=CONCATENATE("城关","小学")', None, "城关小学")
    sheet.write_formula(2, HEADER.index("学校"), '=HYPERLINK("http://evil","点我")', None,
                        "点我")
    book.close()
    plan = preview(path.read_bytes(), home)
    assert plan.rows[0].outcome == NEW and plan.rows[0].values["school"] == "城关小学"
    assert plan.rows[1].values["school"] == "点我"
    assert plan.rows[1].values["name"] == "<script>alert(1)</script>"
    assert plan.rows[2].outcome == ERROR
    assert [(column, message) for column, message in plan.rows[2].errors] == [
        ("年级", "这个单元格的内容远超这一列允许的长度。")]


def test_too_many_rows_are_refused(make, db, monkeypatch):
    from admin_app.importing import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    home = make.home()
    _bad(roster([row(name=f"孩{i}", n=i) for i in range(30)]), "花名册.xlsx",
         "超过 3 行", home)


# -- template and round trip ------------------------------------------------------------------
def test_the_template_has_our_headers_and_drop_down_lists(app, make, db):
    from admin_app.importing.workbooks import template_workbook

    with app.test_request_context():
        handle = template_workbook().close()
    book = load_workbook(handle)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[2]]
    assert headers[:4] == ["姓名", "性别", "出生日期", "身份证号"]
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert any("随祖辈生活" in (f or "") for f in formulas)
    assert book.sheetnames[1] == "填写说明"
    # The empty template itself imports: no unknown columns.
    home = make.home()
    handle.seek(0)
    plan = preview(handle.read(), home)
    assert plan.ready and plan.rows == []


def test_the_roster_export_imports_back_unchanged(app, make, db, admin_client):
    home = make.home()
    guardian = make.guardian(home=home)
    first = make.child(home=home, name="王小明", guardian=guardian,
                       id_number=valid_id_for(date(2015, 3, 12), 2),
                       class_teacher_phone="0730-1234567")
    make.parent(first)
    make.parent(first, relation=ParentRelation.MOTHER,
                name="张芳", phone="13933334444")
    make.child(home=home, name="王小红", guardian=guardian, birth_date=date(2014, 5, 6))
    # Living with the parent at home: its label was once the left-behind type's.
    make.child(home=home, name="王小单", guardian=guardian, birth_date=date(2013, 7, 8),
               left_behind_type=LeftBehindType.ONE_PARENT,
               living_arrangement=LivingArrangement.ONE_PARENT,
               guardianship=Guardianship.PARENT_UNABLE)
    response = export_through_approval(admin_client, "/admin/child/export/xlsx/")
    assert response.status_code == 200
    plan = preview(response.data, None, filename="roster.xlsx")
    assert plan.ready, (plan.problems, plan.unmatched)
    assert plan.counts == {NEW: 0, UPDATED: 0, UNCHANGED: 3, ERROR: 0}, (
        errors_of(plan), [r.changes for r in plan.rows])


# -- the import page --------------------------------------------------------------------------
def _client_for(app, make, role, home=None):
    from models.enums import Role
    from tests.conftest import sign_in

    user = make.user(getattr(Role, role), home_id=home.id if home else None)
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client, user


def _upload(client, content, home, filename="花名册.xlsx"):
    return client.post("/admin/import/", data={
        "file": (io.BytesIO(content), filename), "home": str(home.id) if home else ""},
        content_type="multipart/form-data")


def test_staff_upload_preview_and_import_through_the_page(app, make, db):
    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    page = client.get("/admin/import/")
    assert page.status_code == 200 and "导入花名册" in page.text and home.name in page.text
    response = _upload(client, roster([row(), row(name="错的", born="明天", n=2)]), home)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    assert 'data-count="new">1<' in page.text and 'data-count="error">1<' in page.text
    errors = page.text.split('id="import-errors"')[1].split("</table>")[0]
    assert "明天" in errors and "生活/监护方式" not in errors
    assert "<td>生活/监护方式</td><td>→</td><td>生活方式</td>" in page.text
    assert children(db) == 0
    errors = client.get(preview_url + "errors.xlsx")
    sheet = load_workbook(io.BytesIO(errors.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("行号", "错误说明", "序号")
    assert rows[2][0] == 4 and "明天" in rows[2][1] and rows[2][3] == "错的"
    fingerprint = page.text.split('name="fingerprint" value="')[1].split('"')[0]
    # All or nothing is refused while a row has errors; the valid rows only is a choice.
    assert client.post(preview_url + "commit", data={"fingerprint": fingerprint,
                                                     "mode": "all"}).status_code == 400
    assert children(db) == 0
    done = client.post(preview_url + "commit", data={"fingerprint": fingerprint,
                                                     "mode": "valid"})
    assert done.status_code == 302
    assert [c.name for c in db.session.scalars(select(Child))] == ["王小明"]
    assert "已导入" in client.get(preview_url).text
    # The import shows in the audit screen, with the file's name.
    admin, _ = _client_for(app, make, "ADMIN")
    audit = admin.get("/admin/audit/").text
    assert "花名册.xlsx" in audit and "导入" in audit


def test_hostile_text_in_a_roster_is_shown_escaped(app, make, db):
    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    content = roster([row(born="<script>alert(1)</script>")])
    page = client.get(_upload(client, content, home).headers["Location"]).text
    assert "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page


def test_records_changed_since_the_preview_are_not_overwritten(app, make, db):
    home = make.home()
    child = make.child(home=home, name="王小明", birth_date=date(2015, 3, 12), grade="二年级")
    client, _ = _client_for(app, make, "STAFF", home)
    preview_url = _upload(client, roster([row(grade="三年级")]), home).headers["Location"]
    page = client.get(preview_url).text
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    child.grade = "四年级"  # someone saves the child in the meantime
    db.session.commit()
    response = client.post(preview_url + "commit", data={"fingerprint": fingerprint,
                                                         "mode": "all"})
    assert response.status_code == 302
    db.session.refresh(child)
    assert child.grade == "四年级"
    assert "预览之后" in client.get(preview_url).text


def test_mapping_an_unknown_column_through_the_page(app, make, db):
    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    content = roster([[*row(), "很好"]], header=[*HEADER, "在校表现"])
    preview_url = _upload(client, content, home).headers["Location"]
    page = client.get(preview_url).text
    assert "在校表现" in page and 'id="import-commit"' not in page
    client.post(preview_url + "mapping", data={"text-1": "在校表现", "map-1": "health"})
    page = client.get(preview_url).text
    assert 'id="import-commit"' in page


def test_who_may_import_where(app, make, db):
    home, other = make.home(), make.home()
    content = roster([row()])
    for role in ("VOLUNTEER", "SUPERVISOR"):
        client, _ = _client_for(app, make, role, home)
        assert client.get("/admin/import/").status_code == 403
        assert _upload(client, content, home).status_code == 403
        assert client.get("/admin/import/template.xlsx").status_code == 403
    staff, _ = _client_for(app, make, "STAFF", home)
    assert other.name not in staff.get("/admin/import/").text
    assert _upload(staff, content, other).status_code == 404
    # A row naming the other Home is refused, never saved there.
    mixed = roster([[*row(), other.name]], header=[*HEADER, "儿童之家"])
    preview_url = _upload(staff, mixed, None).headers["Location"]
    assert 'data-count="error">1<' in staff.get(preview_url).text
    # Another user's upload is not found.
    colleague, _ = _client_for(app, make, "STAFF", home)
    assert colleague.get(preview_url).status_code == 404
    assert colleague.post(preview_url + "commit", data={"mode": "valid"}).status_code == 404
    assert children(db) == 0
    anonymous = app.test_client()
    assert anonymous.get("/admin/import/").status_code == 302


def test_bad_files_get_a_4xx_with_the_message_through_the_page(app, make, db):
    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    response = _upload(client, b"not a workbook", home, filename="花名册.xls")
    assert response.status_code == 400 and "xlsx" in response.text
    response = _upload(client, b"PK\x03\x04broken", home)
    assert response.status_code == 400 and "损坏" in response.text
    response = client.post("/admin/import/", data={"home": str(home.id)},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    too_big = _upload(client, b"x" * (21 * 1024 * 1024 + 10), home)
    assert too_big.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(
        RosterUpload)) == 0


def test_a_file_too_long_is_refused_at_upload_and_nothing_kept(app, make, db, monkeypatch):
    from admin_app.importing import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    page = _upload(client, roster([row(name=f"孩{i}", n=i) for i in range(30)]), home)
    assert page.status_code == 400 and "超过 3 行" in page.text
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0
    assert children(db) == 0


def test_the_template_downloads_from_the_page(app, make, db):
    client, _ = _client_for(app, make, "STAFF", make.home())
    response = client.get("/admin/import/template.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["花名册", "填写说明"]


# -- the command line -------------------------------------------------------------------------
def test_cli_dry_run_import_and_refused_rows(app, make, db, tmp_path):
    home = make.home()
    good = tmp_path / "good.xlsx"
    good.write_bytes(roster([row(), row(name="王小红", born="2014.5.6", n=2)]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "children", str(good), "--home", home.name,
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output and children(db) == 0
    result = runner.invoke(args=["import", "children", str(good), "--home", home.name])
    assert result.exit_code == 0 and children(db) == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(roster([row(name="新来的", born="2014.1.1"), row(name="错", living="乱写",
                                                                    n=2)]))
    result = runner.invoke(args=["import", "children", str(bad), "--home", home.name])
    assert result.exit_code == 1 and "乱写" in result.output and children(db) == 2
    result = runner.invoke(args=["import", "children", str(bad), "--home", home.name,
                                 "--valid-only"])
    assert result.exit_code == 1 and children(db) == 3
    result = runner.invoke(args=["import", "children", str(good), "--home", "没有这个"])
    assert result.exit_code != 0 and "没有名为“没有这个”的儿童之家" in result.output


def _import_through_the_page(client, content, home) -> str:
    preview_url = _upload(client, content, home).headers["Location"]
    page = client.get(preview_url).text
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    assert client.post(preview_url + "commit", data={"fingerprint": fingerprint,
                                                     "mode": "all"}).status_code == 302
    return client.get(preview_url).text


def listed(page: str) -> set[str]:
    return set(re.findall(r'<td class="col-name[^"]*"[^>]*>([^<]+)</td>', page))


def test_after_an_import_a_link_lists_the_children_it_added_or_changed(app, make, db):
    home = make.home()
    kept = make.child(home=home, name="早已在册")
    client, _ = _client_for(app, make, "STAFF", home)
    first = _import_through_the_page(client, roster([
        row(name="王小明"),
        row(name="李小红", born="2014.5.1", n=2)]), home)
    link = first.split('id="imported-children" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "2 名儿童" in first
    assert listed(client.get(link).text) == {"王小明", "李小红"}
    # Again with 王小明's school changed, 李小红 as she was, and a new child.
    second = _import_through_the_page(client, roster([
        row(name="王小明", school="红星小学"),
        row(name="李小红", born="2014.5.1", n=2),
        row(name="赵小刚", born="2013.9.9", n=3)]), home)
    link = second.split('id="imported-children" href="')[1].split('"')[0].replace("&amp;", "&")
    assert listed(client.get(link).text) == {"王小明", "赵小刚"}
    assert kept.name not in client.get(link).text
    # The file is its uploader's: another user's list filtered by it shows nobody.
    other, _ = _client_for(app, make, "STAFF", home)
    assert listed(other.get(link).text) == set()
