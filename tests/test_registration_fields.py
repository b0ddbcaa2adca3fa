"""What the MCA registration form (附件1 登记表) asks that the roster did not hold: 民族,
户籍所在地, 就学情况 with the stage from the grade, the parents' ID numbers, health and whether
each can act as guardian, and the help the family receives. Read from a roster in the form's
own words, saved as said (checked straight in SQL), refused where the row contradicts
itself, shown on the archive card to those who may see it, exported and imported back with
no change, and wiped when a child's record is anonymised."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import text

from admin_app.importing.rows import ERROR, NEW, UNCHANGED, UPDATED
from models.enums import (
    AssistanceKind,
    ParentRelation,
    Role,
    Schooling,
    SchoolStage,
)
from models.grades import school_stage
from seed.demo import id_number
from tests.conftest import export_through_approval, sign_in
from tests.test_import import commit, errors_of, preview, roster

HEADER = ["姓名", "性别", "出生日期", "民族", "户籍所在地", "人户分离", "就学情况", "学校",
          "年级", "留守类型", "生活方式", "监护人姓名", "与儿童关系", "监护人电话", "父亲姓名",
          "父亲公民身份证号码", "父亲有无监护能力", "父亲健康状况", "母亲姓名",
          "母亲公民身份证号码", "救助帮扶情况"]
FATHER = id_number("430624", date(1985, 6, 1), 3, male=True)
MOTHER = id_number("430624", date(1987, 2, 9), 4, male=False)


def _roster(*rows) -> bytes:
    return roster(list(rows), header=HEADER, title=None)


def _row(name, **cells):
    values = {"性别": "女", "出生日期": "2016-05-04", "留守类型": "父母均外出",
              "生活方式": "随祖辈", "监护人姓名": f"{name[0]}奶奶", "与儿童关系": "奶奶",
              "监护人电话": "13800001111", **cells}
    return [name if header == "姓名" else values.get(header) for header in HEADER]


def test_school_stage_follows_the_grade_as_written():
    expected = {("学前班", ""): SchoolStage.PRESCHOOL, ("三年级", ""): SchoolStage.PRIMARY,
                ("小学六年级", ""): SchoolStage.PRIMARY, ("七年级", ""): SchoolStage.JUNIOR,
                ("初三", ""): SchoolStage.JUNIOR, ("高一", ""): SchoolStage.SENIOR,
                ("一年级", "县职业中专"): SchoolStage.VOCATIONAL,
                ("中职二年级", ""): SchoolStage.VOCATIONAL, ("", ""): None,
                ("培优班", ""): None, ("高一", "市技工学校"): SchoolStage.VOCATIONAL}
    assert {key: school_stage(*key) for key in expected} == expected


def test_a_roster_in_the_forms_words_saves_what_it_says(make, db):
    home = make.home()
    content = _roster(
        _row("李一", 民族="土家族", 户籍所在地="湖南省平江县新联村3组", 人户分离="否",
             就学情况="小学", 学校="新联小学", 年级="三年级", 父亲姓名="李大",
             父亲公民身份证号码=FATHER, 父亲有无监护能力="否", 父亲健康状况="重残",
             母亲姓名="张二", 母亲公民身份证号码=MOTHER, 救助帮扶情况="低保、医疗救助"),
        _row("李二", 就学情况="辍学", 救助帮扶情况="无"),
        # A stage that contradicts the grade, a mother's number that says a man, help we
        # do not know: each refused, never saved half-read.
        _row("李三", 就学情况="初中", 年级="三年级"),
        _row("李四", 母亲姓名="王五", 母亲公民身份证号码=FATHER),
        _row("李五", 救助帮扶情况="低保、扶贫车"),
        # The stage without a grade: imported, and said once.
        _row("李六", 就学情况="初中"),
        # A father's number without his name: not dropped in silence.
        _row("李七", 父亲公民身份证号码=FATHER),
        # A stage whose grade does not say it: imported, and said too.
        _row("李八", 就学情况="初中", 年级="培优班"),
    )
    plan = preview(content, home)
    assert plan.ready, (plan.problems, plan.unmatched)
    refused = {number: column for number, column, _message in errors_of(plan)}
    assert refused == {4: "就学情况", 5: "母亲公民身份证号码", 6: "救助帮扶情况",
                       8: "父亲姓名"}, errors_of(plan)
    assert any("第7行" in note and "第9行" in note and "年级" in note
               for note in plan.notes), plan.notes
    commit(plan, home, valid_only=True)
    rows = {row.name: row for row in db.session.execute(text(
        "SELECT id, name, ethnicity, hukou_elsewhere, schooling, grade FROM child"))}
    assert set(rows) == {"李一", "李二", "李六", "李八"}
    assert (rows["李一"].ethnicity, rows["李一"].hukou_elsewhere, rows["李一"].schooling) == (
        "土家族", False, "IN_SCHOOL")
    assert (rows["李二"].ethnicity, rows["李二"].hukou_elsewhere, rows["李二"].schooling) == (
        "", None, "DROPPED_OUT")
    assert (rows["李六"].schooling, rows["李六"].grade) == ("IN_SCHOOL", "")
    # Sealed at rest: the address and the parents' numbers are not in the table in clear.
    stored = db.session.execute(text("SELECT hukou_address FROM child WHERE name = '李一'"))
    assert "新联村" not in stored.scalar()
    parents = db.session.execute(text(
        "SELECT relation, id_number, able_to_guard FROM parent_contact WHERE child_id = :id "
        "ORDER BY relation"), {"id": rows["李一"].id}).all()
    assert [(p.relation, p.able_to_guard) for p in parents] == [("FATHER", False),
                                                                ("MOTHER", None)]
    assert all(FATHER not in (p.id_number or "") for p in parents)
    from models import Child

    db.session.expire_all()
    first = db.session.get(Child, rows["李一"].id)
    assert first.hukou_address == "湖南省平江县新联村3组"
    assert {p.relation: p.id_number for p in first.parents} == {
        ParentRelation.FATHER: FATHER, ParentRelation.MOTHER: MOTHER}
    assert next(p for p in first.parents if p.relation is ParentRelation.FATHER).health == "重残"
    helped = db.session.execute(text(
        "SELECT child_id, kind FROM assistance ORDER BY child_id, kind")).all()
    assert helped == [(rows["李一"].id, "MEDICAL"), (rows["李一"].id, "MINIMUM_LIVING")]


def test_the_roster_export_carries_the_new_fields_and_imports_back_unchanged(
        app, make, db, admin_client):
    home = make.home()
    guardian = make.guardian(home=home)
    child = make.child(home=home, name="王小明", guardian=guardian, ethnicity="苗族",
                       hukou_address="湖南省平江县", hukou_elsewhere=True,
                       schooling=Schooling.IN_SCHOOL, grade="初二")
    make.parent(child, id_number=FATHER, able_to_guard=True, health="良好")
    make.parent(child, relation=ParentRelation.MOTHER, name="张芳", phone="13933334444",
                id_number=MOTHER, able_to_guard=False)
    from models import Assistance

    db.session.add_all([
        Assistance(child=child, kind=AssistanceKind.MINIMUM_LIVING, since=date(2025, 1, 1)),
        # Ended: not on the roster, and not added again by the roster's import.
        Assistance(child=child, kind=AssistanceKind.TEMPORARY, since=date(2025, 3, 1),
                   until=date(2025, 6, 30))])
    db.session.commit()
    response = export_through_approval(admin_client, "/admin/child/export/xlsx/")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [cell.value for cell in sheet[2]]
    values = dict(zip(header, (cell.value for cell in sheet[3]), strict=False))
    assert (values["民族"], values["户籍所在地"], values["人户分离"], values["就学情况"]) == (
        "苗族", "湖南省平江县", "是", "在校")
    assert (values["父亲有无监护能力"], values["母亲有无监护能力"]) == ("是", "否")
    assert values["救助帮扶情况"] == "低保"
    # Masked as the child's own number is, and so read back as no change.
    assert (values["父亲身份证号码"], values["母亲身份证号码"]) == (
        FATHER[:6] + "*" * 8 + FATHER[14:], MOTHER[:6] + "*" * 8 + MOTHER[14:])
    plan = preview(response.data, None, filename="roster.xlsx")
    assert plan.ready, (plan.problems, plan.unmatched)
    assert plan.counts == {NEW: 0, UPDATED: 0, UNCHANGED: 1, ERROR: 0}, (
        errors_of(plan), [r.changes for r in plan.rows])


def test_the_archive_card_shows_the_help_to_staff_and_not_to_a_caring_mother(app, make, db):
    home = make.home()
    child = make.child(home=home, name="王小明")
    make.parent(child, id_number=FATHER, able_to_guard=False)
    from models import Assistance

    db.session.add(Assistance(child=child, kind=AssistanceKind.ORPHAN))
    volunteer = make.volunteer(home=home)
    make.pairing(volunteer, child)
    db.session.commit()
    staff = make.user(Role.STAFF, home_id=home.id)
    mother = make.user(Role.VOLUNTEER, volunteer_id=volunteer.id)
    seen = {}
    for user in (staff, mother):
        client = app.test_client()
        assert sign_in(client, user.username).status_code == 302
        page = client.get(f"/admin/child/details/?id={child.id}")
        assert page.status_code == 200
        seen[user.role] = page.text
        assert FATHER not in page.text  # masked as the child's number is
        assert FATHER[:6] in page.text
    assert "孤儿基本生活费" in seen[Role.STAFF] and "archive-assistance" in seen[Role.STAFF]
    assert "孤儿基本生活费" not in seen[Role.VOLUNTEER]
    assert "archive-assistance" not in seen[Role.VOLUNTEER]
    client = app.test_client()
    sign_in(client, mother.username)
    assert client.get("/admin/assistance/").status_code == 403


def test_anonymising_a_child_wipes_the_registration_details(app, make, db):
    from admin_app.privacy import anonymise
    from models import Assistance

    child = make.child(hukou_address="湖南省平江县新联村", ethnicity="汉族")
    parent = make.parent(child, id_number=FATHER, health="重病")
    db.session.add(Assistance(child=child, kind=AssistanceKind.OTHER, note="县慈善会每月"))
    db.session.commit()
    anonymise(db.session, [child.id], date(2026, 12, 1))
    db.session.commit()
    db.session.expire_all()
    row = db.session.execute(text(
        "SELECT c.hukou_address, p.id_number, p.health, a.note FROM child c "
        "JOIN parent_contact p ON p.child_id = c.id JOIN assistance a ON a.child_id = c.id "
        "WHERE c.id = :id"), {"id": child.id}).one()
    from models import ParentContact

    assert db.session.get(ParentContact, parent.id).id_number is None
    assert db.session.get(ParentContact, parent.id).health == ""
    assert row.note == ""
    from models import Child

    assert db.session.get(Child, child.id).hukou_address == ""


def test_the_roster_counts_children_by_school_stage_and_gender(app, make, db, admin_client):
    from models.enums import ChildStatus, Gender

    home = make.home(name="新联村儿童之家")
    girl, boy = Gender.FEMALE, Gender.MALE
    make.child(home=home, gender=girl, grade="三年级", schooling=Schooling.IN_SCHOOL)
    make.child(home=home, gender=boy, grade="初二")  # schooling not asked: the grade says it
    make.child(home=home, gender=girl, grade="初一", schooling=Schooling.DROPPED_OUT)
    make.child(home=home, gender=boy, schooling=Schooling.KINDERGARTEN)
    make.child(home=home, gender=girl, grade="培优班")
    make.child(home=home, gender=boy, grade="五年级", status=ChildStatus.LEFT_CARE,
               left_on=date(2026, 6, 30))
    response = export_through_approval(admin_client, "/admin/child/export/xlsx/")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.data))["学段与性别"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    groups, genders = rows[1], rows[2]
    headers, group = ["儿童之家", "在册儿童"], None
    for top, low in zip(groups[2:], genders[2:], strict=True):
        group = top or group
        headers.append(f"{group}{low}")
    line = dict(zip(headers, rows[3], strict=True))
    assert line == {"儿童之家": "新联村儿童之家", "在册儿童": 5, "学前男": 1, "学前女": 0,
                    "小学男": 0, "小学女": 1, "初中男": 1, "初中女": 0, "高中男": 0,
                    "高中女": 0, "中职男": 0, "中职女": 0, "不在校男": 0, "不在校女": 1,
                    "学段不明男": 0, "学段不明女": 1}
    assert rows[4][:2] == ["合计", 5]
