"""Rosters in the layouts counties really keep (the MCA survey's 附件1 with its two-row
header, a village's CSV that has been through Excel, a county summary with a family's cells
merged over its siblings and a total row, one sheet per village), each compared with what
was saved, value by value: no value saved wrong, no row dropped without a word."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select, text

from admin_app.importing.rows import ERROR, NEW
from models import Child, Guardian, ParentContact
from models.enums import (
    Gender,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
)
from seed.demo import id_number
from tests.test_import import commit, errors_of, preview

TODAY = date(2026, 12, 1)


def girl(born: date, seq: int = 1) -> str:
    return id_number("430624", born, seq, male=False)


def boy(born: date, seq: int = 1) -> str:
    return id_number("430624", born, seq, male=True)


def ending_000(start: date) -> str:
    """An ID number Excel has cut (…000) whose check digit happens to pass, as in the field."""
    from datetime import timedelta

    day = start
    while True:
        for lead in range(10):
            body = f"430624{day:%Y%m%d}{lead}00"
            total = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9,
                                                          10, 5, 8, 4, 2), strict=True))
            if "10X98765432"[total % 11] == "0":
                return body + "0"
        day += timedelta(days=1)


def csv_bytes(lines: list[list[str]], encoding="utf-8-sig") -> bytes:
    return "\r\n".join(",".join(cells) for cells in lines).encode(encoding)


def saved(db) -> dict[str, Child]:
    db.session.expire_all()
    return {child.name: child for child in db.session.scalars(select(Child))}


def test_a_village_csv_through_excel_never_saves_a_cut_id_number(make, db):
    home = make.home()
    cut = ending_000(date(2018, 1, 25))
    assert len(cut) == 18 and cut.endswith("000")
    good = boy(date(2016, 4, 2))
    content = csv_bytes([
        ["姓名", "性别", "身份证号", "留守类型", "生活方式", "监护人姓名", "与儿童关系",
         "监护人电话"],
        ["李一", "女", cut, "父母均外出", "随祖辈", "李奶奶", "奶奶", "13800001111"],
        ["李二", "男", "4.30624E+17", "父母均外出", "随祖辈", "李奶奶", "奶奶", "13800001111"],
        ["李三", "男", f"'{good}", "父母均外出", "随祖辈", "李奶奶", "奶奶", "13800001111"],
    ], encoding="gb18030")
    plan = preview(content, home, filename="新联村.csv")
    errors = {number: message for number, _column, message in errors_of(plan)}
    assert set(errors) == {2, 3}, errors
    assert "000" in errors[2] and cut in errors[2] and "Excel" in errors[2]
    assert "4.30624E+17" in errors[3] and "15" in errors[3]
    commit(plan, home, valid_only=True)
    kept = saved(db)
    assert set(kept) == {"李三"} and kept["李三"].id_number == good  # the apostrophe dropped
    # The cut number is nowhere (no child saved with another person's number).
    assert db.session.scalar(select(func.count()).select_from(Child)
                             .where(Child.name.in_(["李一", "李二"]))) == 0


def test_a_text_number_ending_in_000_alone_in_a_workbook_is_kept(make, db):
    """A genuine number may end in 000: in a workbook of text cells with no other sign of
    Excel, it is imported; two of them in one column are a sign."""
    home = make.home()
    cut = ending_000(date(2018, 1, 25))
    other = ending_000(date(2017, 6, 1))

    def book(numbers):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["姓名", "性别", "身份证号", "留守类型", "生活方式"])
        for n, number in enumerate(numbers):
            sheet.append([f"张{n}", "女", number, "父母均外出", "随祖辈"])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    plan = preview(book([cut, girl(date(2015, 2, 3))]), home)
    assert plan.counts[ERROR] == 0, errors_of(plan)
    plan = preview(book([cut, other]), home)
    assert plan.counts[ERROR] == 2


def test_dashes_are_empty_totals_and_signatures_are_skipped(make, db):
    home = make.home()
    content = csv_bytes([
        ["城关镇留守儿童花名册"],
        ["序号", "姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名", "与儿童关系",
         "监护人电话"],
        ["1", "周小一", "男", "2015-03-12", "父母均外出", "独自生活", "—", "—", "/"],
        ["2", "周小二", "女", "2014-05-06", "父母均外出", "随祖辈", "周奶奶", "奶奶", "无"],
        ["", "小计", "", "", "2", "2", "", "", ""],
        ["", "合计", "2", "", "2", "2", "", "", ""],
        ["共 2 人", "", "", "", "", "", "", "", ""],
        ["填表人：张三", "", "审核人：李四", "", "联系电话：0730-1234567", "", "", "", ""],
    ])
    plan = preview(content, home, filename="花名册.csv")
    assert plan.counts == {"new": 2, "updated": 0, "unchanged": 0, "error": 0}, errors_of(plan)
    skipped = [note for note in plan.notes if "跳过" in note or "skipped" in note]
    assert len(skipped) == 4, plan.notes
    commit(plan, home)
    kept = saved(db)
    assert kept["周小一"].guardian is None  # "—" is nobody, never a guardian named "—"
    grandmother = kept["周小二"].guardian
    assert grandmother.name == "周奶奶" and grandmother.phone is None
    assert grandmother.relation is GuardianRelation.GRANDMOTHER
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 1


def test_the_row_is_checked_against_its_id_number(make, db):
    home = make.home()
    content = csv_bytes([
        ["姓名", "性别", "出生日期", "身份证号", "留守类型", "生活方式"],
        # The row says boy, the number says girl.
        ["错性别", "男", "2015-03-12", girl(date(2015, 3, 12)), "父母均外出", "随祖辈"],
        # Twenty years old: not a child in care.
        ["成年人", "女", "2006-06-01", girl(date(2006, 6, 1)), "父母均外出", "随祖辈"],
        # Seventeen: in care, with a note on the MCA's under-16.
        ["十七岁", "男", "2009-06-01", boy(date(2009, 6, 1)), "父母均外出", "随祖辈"],
        # A birth cell no one can read: the ID number's date, with a note.
        ["不详生", "女", "不详", girl(date(2016, 8, 9)), "父母均外出", "随祖辈"],
        # Exactly 18 today (29 February 2008 → 28 February counts; here 1 December).
        ["刚十八", "男", "2008-12-01", boy(date(2008, 12, 1)), "父母均外出", "随祖辈"],
        ["差一天", "男", "2008-12-02", boy(date(2008, 12, 2)), "父母均外出", "随祖辈"],
    ])
    from admin_app.access import SYSTEM
    from admin_app.extensions import db as _db
    from admin_app.importing.plan import plan_import
    from admin_app.importing.reading import read_roster

    with read_roster(content, "x.csv") as roster:
        plan = plan_import(_db.session, roster.sheets, "x.csv", SYSTEM, home, today=TODAY)
    errors = {number: (column, message) for number, column, message in errors_of(plan)}
    assert set(errors) == {2, 3, 6}, errors
    assert errors[2][0] == "性别" and "女" in errors[2][1]
    assert "20" in errors[3][1] and "18" in errors[3][1]
    assert "18" in errors[6][1]
    notes = " ".join(plan.notes)
    assert "16" in notes and "第4行" in notes and "第7行" in notes
    assert "第5行" in notes
    commit(plan, home, valid_only=True)
    kept = saved(db)
    assert set(kept) == {"十七岁", "不详生", "差一天"}
    assert kept["不详生"].birth_date == date(2016, 8, 9)
    assert kept["十七岁"].gender is Gender.MALE


def _merged_family_workbook() -> bytes:
    """A county summary: title, header, two families whose guardian, phone and address are
    merged over their siblings, and a total row merged across its first columns."""
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    header = ["序号", "姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名",
              "与儿童关系", "监护人电话", "家庭住址"]
    sheet.append(["某县农村留守儿童汇总表"])
    sheet.merge_cells("A1:J1")
    sheet.append(header)
    families = [
        ("吴", "吴奶奶", "奶奶", "13800002222", "新联村三组", 3),
        ("郑", "郑爷爷", "爷爷", "13800003333", "新联村五组", 2),
    ]
    row, n = 3, 1
    for surname, guardian, relation, phone, address, count in families:
        first = row
        for i in range(count):
            values = [n, f"{surname}小{i + 1}", "男" if i % 2 else "女", f"201{i + 2}-0{i + 1}-15",
                      "父母均外出", "随祖辈"]
            if i == 0:
                values += [guardian, relation, phone, address]
            sheet.append(values)
            row, n = row + 1, n + 1
        for col in "GHIJ":
            sheet.merge_cells(f"{col}{first}:{col}{row - 1}")
    sheet.append(["合计", None, None, None, 5, 5])
    sheet.merge_cells(f"A{row}:D{row}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_familys_merged_cells_reach_every_sibling(make, db):
    home = make.home()
    plan = preview(_merged_family_workbook(), home)
    assert plan.counts == {"new": 5, "updated": 0, "unchanged": 0, "error": 0}, errors_of(plan)
    assert any("合计" in note for note in plan.notes)
    commit(plan, home)
    kept = saved(db)
    assert len(kept) == 5
    families = {"吴": ("吴奶奶", "新联村三组"), "郑": ("郑爷爷", "新联村五组")}
    for name, child in kept.items():
        guardian, address = families[name[0]]
        assert child.guardian is not None and child.guardian.name == guardian, name
        assert child.address == address, name
    # Siblings share one guardian record.
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 2
    # Nothing landed in a column the file left empty: the gender of every child is as given.
    assert [kept[f"吴小{i}"].gender for i in (1, 2, 3)] == [Gender.FEMALE, Gender.MALE,
                                                          Gender.FEMALE]


def _village_sheets(hidden: bool = True) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for v, village in enumerate(("新联村", "光明村", "和平村")):
        sheet = book.create_sheet(village)
        sheet.append([f"{village}留守儿童名单"])
        sheet.append(["姓名", "性别", "出生日期", "留守类型", "生活方式"])
        for i in range(30):
            sheet.append([f"{village}{i:02d}", "女", f"2014-{v + 1:02d}-{i % 28 + 1:02d}",
                          "父母均外出", "随祖辈"])
    notes = book.create_sheet("填表说明")
    notes.append(["请按村分别填写，每村一张表。"])
    if hidden:
        secret = book.create_sheet("旧数据")
        secret.append(["姓名", "性别"])
        secret.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_sheet_is_read_and_a_sheet_not_read_is_named(make, db):
    home = make.home()
    plan = preview(_village_sheets(), home)
    assert plan.counts[NEW] == 90 and plan.counts[ERROR] == 0, errors_of(plan)
    assert plan.unread_sheets == ["填表说明"]
    assert any("填表说明" in note for note in plan.notes)
    assert {row.sheet for row in plan.rows} == {"新联村", "光明村", "和平村"}
    commit(plan, home)
    assert db.session.scalar(select(func.count()).select_from(Child)) == 90


def test_cli_names_the_sheet_not_read_and_exits_non_zero(app, make, db, tmp_path):
    home = make.home()
    path = tmp_path / "各村.xlsx"
    path.write_bytes(_village_sheets())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "children", str(path), "--home", home.name])
    assert result.exit_code == 1, result.output
    assert "填表说明" in result.output and "90 new" in result.output
    assert db.session.scalar(select(func.count()).select_from(Child)) == 0
    result = runner.invoke(args=["import", "children", str(path), "--home", home.name,
                                 "--valid-only"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Child)) == 90


def _mca_form() -> bytes:
    """附件1 登记表, its header in two rows: 父亲 / 母亲 / 受委托监护人 over their cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = "附件1"
    sheet.append(["农村留守儿童信息登记表"])
    sheet.append(["序号", "儿童姓名", "性别", "身份证号", "父母双方同时外出",
                  "父母一方外出、另一方无监护能力", "父亲", None, None, "母亲", None, None,
                  "受委托监护人", None, None])
    sheet.append([None, None, None, None, None, None, "姓名", "联系电话", "当前务工地点",
                  "姓名", "联系电话", "当前务工地点", "姓名", "与被监护人关系",
                  "受委托监护人电话"])
    for first, last in (("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("E", "E"),
                        ("F", "F")):
        sheet.merge_cells(f"{first}2:{last}3")
    sheet.merge_cells("G2:I2")
    sheet.merge_cells("J2:L2")
    sheet.merge_cells("M2:O2")
    sheet.append([1, "何小花", "女", girl(date(2013, 4, 5)), "是", "否", "何大山", "13911112222",
                  "广东东莞", "张小红", "13933334444", "浙江义乌", "何奶奶", "祖母", "13800005555"])
    sheet.append([2, "何小草", "男", boy(date(2015, 9, 9)), "否", "是", "何大山", "13911112222",
                  "广东东莞", "—", "—", "—", "何奶奶", "祖母", "13800005555"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_mca_forms_own_words_are_read(make, db):
    home = make.home()
    plan = preview(_mca_form(), home)
    assert plan.ready, (plan.problems, plan.unmatched)
    # Without a living-arrangement column new children cannot be added: said, not guessed.
    assert all(message.endswith("”。") or "生活方式" in message
               for _n, _c, message in errors_of(plan)), errors_of(plan)
    assert {"guardian_relation", "father_name", "father_phone", "father_work_city", "mother_name",
            "mother_work_city", "guardian_name", "guardian_phone",
            "both_parents_away", "one_away_other_unable"} <= set(plan.header.keys)
    values = {row.values.get("name"): row.values for row in plan.rows}
    assert values["何小花"]["left_behind_type"] is LeftBehindType.BOTH_PARENTS
    assert values["何小草"]["left_behind_type"] is LeftBehindType.ONE_PARENT
    assert values["何小花"]["father_work_city"] == "广东东莞"
    assert values["何小花"]["mother_work_city"] == "浙江义乌"
    assert values["何小花"]["guardian_relation"] is GuardianRelation.GRANDMOTHER
    assert values["何小花"]["guardian_phone"] == "13800005555"
    assert not values["何小草"].get("mother_name")  # "—": no mother entered, none invented


def test_the_mca_form_imports_with_its_living_arrangement_mapped(make, db):
    """The same form with a 生活方式 column added: every value in its place."""
    home = make.home()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_mca_form()))
    sheet = book.active
    sheet["P2"], sheet["P4"], sheet["P5"] = "生活方式", "随祖辈", "随祖辈"
    # 监护情况 is the survey's assessment: its own field, never the living arrangement.
    sheet["Q2"], sheet["Q4"], sheet["Q5"] = "监护情况", "较好", "受委托监护人监护能力不足"
    out = io.BytesIO()
    book.save(out)
    plan = preview(out.getvalue(), home)
    assert plan.counts == {"new": 2, "updated": 0, "unchanged": 0, "error": 0}, errors_of(plan)
    commit(plan, home)
    kept = saved(db)
    flower, grass = kept["何小花"], kept["何小草"]
    assert flower.living_arrangement is LivingArrangement.GRANDPARENTS
    assert grass.living_arrangement is LivingArrangement.GRANDPARENTS
    assert flower.guardianship is Guardianship.GOOD
    assert grass.guardianship is Guardianship.PROXY_UNABLE
    assert flower.guardian.name == "何奶奶" and flower.guardian.phone == "13800005555"
    assert flower.guardian_id == grass.guardian_id
    parents = {(p.child.name, p.relation.name): p for p in
               db.session.scalars(select(ParentContact))}
    assert set(parents) == {("何小花", "FATHER"), ("何小花", "MOTHER"), ("何小草", "FATHER")}
    assert parents["何小花", "MOTHER"].work_city == "浙江义乌"
    assert db.session.execute(text("SELECT count(*) FROM guardian")).scalar() == 1


def test_a_relation_that_does_not_say_which_is_asked_never_guessed(make, db):
    home = make.home()
    content = csv_bytes([
        ["姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名", "与儿童关系"],
        ["钱一", "男", "2015-03-12", "父母均外出", "随祖辈", "钱某", "祖孙"],
        ["钱二", "男", "2015-04-12", "父母均外出", "随其他亲戚生活", "钱叔", "叔侄"],
    ])
    plan = preview(content, home, filename="x.csv")
    errors = errors_of(plan)
    assert [number for number, *_ in errors] == [2]
    assert "奶奶" in errors[0][2] and "外婆" in errors[0][2]
    values = {row.values.get("name"): row.values for row in plan.rows}
    assert values["钱二"]["guardian_relation"] is GuardianRelation.RELATIVE


def test_cli_maps_a_column_it_could_not_place(app, make, db, tmp_path):
    home = make.home()
    path = tmp_path / "花名册.csv"
    path.write_bytes(csv_bytes([
        ["姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名", "跟孩子啥关系"],
        ["孙一", "男", "2015-03-12", "父母均外出", "随祖辈", "孙奶奶", "奶奶"],
    ]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "children", str(path), "--home", home.name])
    assert result.exit_code == 1 and "跟孩子啥关系" in result.output and "--map" in result.output
    assert db.session.scalar(select(func.count()).select_from(Child)) == 0
    result = runner.invoke(args=["import", "children", str(path), "--home", home.name,
                                 "--map", "跟孩子啥关系=guardian_relation"])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated, 0 unchanged, 0 refused" in result.output
    child = db.session.scalar(select(Child))
    assert child.guardian.relation is GuardianRelation.GRANDMOTHER


def test_dates_as_excel_writes_them_into_a_csv(make, db):
    home = make.home()
    content = csv_bytes([
        ["姓名", "性别", "出生日期", "身份证号", "入册日期", "留守类型", "生活方式"],
        ["时一", "男", "2010/11/23 0:00", "", "2024/9/1 0:00:00", "父母均外出", "随祖辈"],
        ["时二", "男", "40505", "", "45536", "父母均外出", "随祖辈"],
        # 2014.1: January, or October as Excel keeps 2014.10; the ID number says which.
        ["时三", "女", "2014.1", girl(date(2014, 10, 5)), "", "父母均外出", "随祖辈"],
        ["时四", "女", "2014.1", "", "", "父母均外出", "随祖辈"],
        ["时五", "男", "2016-2-29", "", "2024.1", "父母均外出", "随祖辈"],
    ])
    plan = preview(content, home, filename="x.csv")
    errors = {number: message for number, _c, message in errors_of(plan)}
    assert set(errors) == {5, 6}, errors
    assert "2014.10" in errors[5] and "2014.1" in errors[5]
    commit(plan, home, valid_only=True)
    kept = saved(db)
    assert kept["时一"].birth_date == date(2010, 11, 23)
    assert kept["时一"].entered_on == date(2024, 9, 1)
    assert kept["时二"].birth_date == date(2010, 11, 23)
    assert kept["时二"].entered_on == date(2024, 9, 1)
    assert kept["时三"].birth_date == date(2014, 10, 5)
    assert set(kept) == {"时一", "时二", "时三"}


def test_siblings_share_their_guardian_without_a_phone(make, db):
    home = make.home()
    content = csv_bytes([
        ["姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名", "与儿童关系",
         "家庭住址", "父亲姓名"],
        ["冯一", "男", "2014-03-12", "父母均外出", "随祖辈", "冯奶奶", "奶奶", "新联村一组", ""],
        ["冯二", "女", "2015-03-12", "父母均外出", "随祖辈", "冯奶奶", "奶奶", "新联村一组", ""],
        ["冯三", "女", "2013-03-12", "父母均外出", "随祖辈", "冯爷爷", "爷爷", "", "冯大"],
        ["冯四", "男", "2012-03-12", "父母均外出", "随祖辈", "冯爷爷", "爷爷", "", "冯大"],
        # Same name, nothing else to go by: two records, and the user is told.
        ["褚一", "男", "2014-04-12", "父母均外出", "随祖辈", "李奶奶", "奶奶", "", ""],
        ["褚二", "女", "2015-04-12", "父母均外出", "随祖辈", "李奶奶", "奶奶", "", ""],
    ])
    plan = preview(content, home, filename="x.csv")
    assert plan.counts[ERROR] == 0, errors_of(plan)
    assert any("李奶奶" in note and "第6行" in note and "第7行" in note for note in plan.notes)
    commit(plan, home)
    kept = saved(db)
    assert kept["冯一"].guardian_id == kept["冯二"].guardian_id
    assert kept["冯三"].guardian_id == kept["冯四"].guardian_id != kept["冯一"].guardian_id
    assert kept["褚一"].guardian_id != kept["褚二"].guardian_id
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 4


def test_a_second_column_read_as_the_same_field_waits_for_the_users_choice(app, make, db):
    """A school ledger with two 联系电话 columns (the guardian's, then a parent's): the second
    is set aside in the mapping step, never silently dropped nor allowed to overwrite."""
    from tests.test_import import _client_for, _upload

    home = make.home()
    content = csv_bytes([
        ["姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名", "联系电话", "父亲姓名",
         "联系电话"],
        ["卫一", "男", "2015-03-12", "父母均外出", "随祖辈", "卫奶奶", "13800001111", "卫大",
         "13900002222"],
    ])
    client, _ = _client_for(app, make, "STAFF", home)
    preview_url = _upload(client, content, home, filename="台账.csv").headers["Location"]
    page = client.get(preview_url).text
    assert 'id="import-mapping"' in page and 'id="import-commit"' not in page
    client.post(preview_url + "mapping", data={"text-1": "联系电话", "map-1": "father_phone"})
    page = client.get(preview_url).text
    assert 'id="import-commit"' in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    client.post(preview_url + "commit", data={"fingerprint": fingerprint})
    child = db.session.scalar(select(Child))
    assert child.guardian.phone == "13800001111"
    father = db.session.scalar(select(ParentContact))
    assert father.name == "卫大" and father.phone == "13900002222"


def test_a_guardian_whose_relation_the_file_omits_is_said_in_a_note(make, db):
    home = make.home()
    content = csv_bytes([
        ["姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名", "监护人电话"],
        ["蒋一", "男", "2015-03-12", "父母均外出", "随祖辈", "蒋奶奶", "13800001111"],
    ])
    plan = preview(content, home, filename="x.csv")
    assert any("其他" in note and "与儿童关系" in note and "第2行" in note
               for note in plan.notes), plan.notes


def test_a_countys_clean_csv_keeps_its_genuine_numbers_ending_in_000(make, db):
    """One genuine number in about 1,100 ends in 000: a clean roster of 1,200 holds one,
    and keeps it; the share Excel leaves (every number it kept) is far above that."""
    from datetime import timedelta

    home = make.home()
    genuine = ending_000(date(2014, 1, 1))
    lines = [["姓名", "性别", "身份证号", "留守类型", "生活方式"],
             ["真零", "女", genuine, "父母均外出", "随祖辈"]]
    day = date(2010, 1, 1)
    for n in range(1200):
        number = girl(day + timedelta(days=n), 3)
        lines.append([f"孩子{n}", "女", number, "父母均外出", "随祖辈"])
    plan = preview(csv_bytes(lines), home, filename="全县.csv")
    assert plan.counts[ERROR] == 0, errors_of(plan)[:3]
    assert plan.counts[NEW] == 1201


def _two_row_header(merged: bool) -> bytes:
    """父亲 over 姓名 / 务工地点 (merged F:G when `merged`), then 联系电话 and 监护人姓名 with
    nothing above them: the phone is the guardian's as far as the file says."""
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "出生日期", "留守类型", "生活方式", "父亲", None, None, None])
    sheet.append([None, None, None, None, None, "姓名", "务工地点", "联系电话", "监护人姓名"])
    for col in "ABCDE":
        sheet.merge_cells(f"{col}1:{col}2")
    if merged:
        sheet.merge_cells("F1:G1")
    sheet.append(["韩一", "男", "2015-03-12", "父母均外出", "随祖辈", "韩大", "广东", "13800001111",
                  "韩奶奶"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_group_header_reaches_as_far_as_its_merged_cell_and_is_asked_about_past_it(make,
                                                                                     db):
    home = make.home()
    plan = preview(_two_row_header(merged=True), home)
    keys = dict(zip(plan.header.texts, plan.header.keys, strict=True))
    assert keys["父亲姓名"] == "father_name" and keys["父亲务工地点"] == "father_work_city"
    assert "guardian_phone" in plan.header.keys and "father_phone" not in plan.header.keys
    # Nothing merged over the group: whether 联系电话 is the father's is asked, not guessed.
    book = io.BytesIO(_two_row_header(merged=False))
    from openpyxl import load_workbook

    wb = load_workbook(book)
    for merged in list(wb.active.merged_cells.ranges):
        wb.active.unmerge_cells(str(merged))
    out = io.BytesIO()
    wb.save(out)
    plan = preview(out.getvalue(), home)
    assert "father_phone" not in plan.header.keys and "guardian_phone" not in plan.header.keys
    assert any("联系电话" in text for text in plan.unmatched), plan.unmatched


def test_a_childs_row_is_never_skipped_as_a_footer(make, db):
    home = make.home()
    number = girl(date(2015, 3, 12))
    content = csv_bytes([
        ["姓名", "性别", "身份证号", "留守类型", "生活方式", "备注"],
        ["沈一", "女", number, "父母均外出", "随祖辈", "联系电话：13800001111（奶奶）"],
        ["", "女", girl(date(2014, 3, 12)), "", "", ""],
    ])
    plan = preview(content, home, filename="x.csv")
    names = [row.values.get("name") for row in plan.rows]
    assert "沈一" in names
    refused = [number for number, _c, _m in errors_of(plan)]
    assert refused == [3]  # the name is missing: refused, not skipped


def test_rows_past_a_stale_dimension_are_read(make, db):
    import re
    import zipfile

    home = make.home()
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "出生日期", "留守类型", "生活方式"])
    for n in range(10):
        sheet.append([f"朱{n}", "女", f"2014-03-{n + 1:02d}", "父母均外出", "随祖辈"])
    out = io.BytesIO()
    book.save(out)
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    stale = io.BytesIO()
    with zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:E5"', data)
            dst.writestr(info, data)
    plan = preview(stale.getvalue(), home)
    assert plan.counts[NEW] == 10, errors_of(plan)


def test_one_address_two_families_two_guardians(make, db):
    home = make.home()
    content = csv_bytes([
        ["姓名", "性别", "出生日期", "留守类型", "生活方式", "监护人姓名", "与儿童关系",
         "家庭住址", "父亲姓名"],
        ["杨一", "男", "2014-03-12", "父母均外出", "随祖辈", "李奶奶", "奶奶", "李家村3组",
         "李建国"],
        ["杨二", "女", "2015-03-12", "父母均外出", "随祖辈", "李奶奶", "奶奶", "李家村3组",
         "李建国"],
        ["杨三", "女", "2013-03-12", "父母均外出", "随祖辈", "李奶奶", "外婆", "李家村3组",
         "李建军"],
    ])
    plan = preview(content, home, filename="x.csv")
    assert plan.counts[ERROR] == 0, errors_of(plan)
    assert any("李奶奶" in note and "第4行" in note for note in plan.notes), plan.notes
    commit(plan, home)
    kept = saved(db)
    assert kept["杨一"].guardian_id == kept["杨二"].guardian_id != kept["杨三"].guardian_id
    assert kept["杨三"].guardian.relation is GuardianRelation.MATERNAL_GRANDMOTHER
