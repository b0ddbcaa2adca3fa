"""Every workbook, opened with openpyxl: sheets, titles, headers, the rows the user may see,
real dates, masking, formula-looking text kept as text, Chinese intact."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from urllib.parse import unquote

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from admin_app.xlsx import needs_quote
from models import AuditEntry
from models.enums import AuditAction, CareKind, LivingArrangement, MovementKind, Role
from seed.demo import id_number
from tests.conftest import export_through_approval, sign_in, wall_time

HOSTILE = '=HYPERLINK("http://x")'


def signed_in(app, make, role=Role.ADMIN, **kw):
    client = app.test_client()
    user = make.user(role, **kw)
    assert sign_in(client, user.username).status_code == 302
    return client


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def data_rows(sheet, header_row: int = 2):
    return [row for row in sheet.iter_rows(min_row=header_row + 1, values_only=True)
            if any(value is not None for value in row)]


@pytest.mark.parametrize("text, quoted", [
    ("=SUM(A1)", True), ("+1", True), ("-1", True), ("@SUM(A1)", True), ("＝1+1", True),
    ("＋1", True), ("－1", True), ("＠x", True), ("\t=1", True), ("\r=1", True),
    ("\n@x", True), ("王小明", False), ("1-2", False), ("a=b", False),
    ("  =1", True), (" \t－1", True), ("\0x", True), (" 王", False), ("\t王", True), ("", False),
])
def test_formula_looking_text_is_recognised(text, quoted):
    assert needs_quote(text) is quoted


@pytest.mark.parametrize("text, width", [
    ("", 0), ("abc", 3), ("王小明", 6), ("15:00 讲座（12人）", 18), ("ａ1", 3),
    ("\u2e7f\u2e80", 3), ("😀x", 3),
])
def test_a_texts_width_counts_chinese_characters_twice(text, width):
    from admin_app.xlsx import display_width

    assert display_width(text) == width


def test_calendar_export_of_a_month(app, make):
    home = make.home(name="城关镇新联村留守儿童之家")
    volunteer = make.volunteer(home=home, name="陈爱心")
    first = make.activity(home=home, title="安全知识讲座", starts_at=wall_time(2026, 12, 1, 15),
                          place="活动室", organiser="王老师", summary=HOSTILE)
    first.volunteers.append(volunteer)
    make.session.commit()
    make.activity(home=home, title="@SUM(A1)", starts_at=wall_time(2026, 12, 31, 9))
    make.activity(home=home, title="明年", starts_at=wall_time(2027, 1, 2, 9))
    response = signed_in(app, make).get(f"/admin/calendar/export.xlsx?month=2026-12&home={home.id}")
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert "2026年12月活动行事历" in unquote(disposition)
    book = workbook(response)
    assert book.sheetnames == ["2026-12", "活动明细"]
    wall = book["2026-12"]
    assert wall["A1"].value == "城关镇新联村留守儿童之家 2026年12月活动行事历"
    assert [c.value for c in wall[2]] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    # 1 December is a Tuesday (column B, the first week); the 31st a Thursday (the fifth).
    assert wall["B3"].value == "1" and wall["B4"].value == "15:00 安全知识讲座"
    assert wall["D11"].value == "31" and wall["D12"].value == "09:00 @SUM(A1)"
    assert not wall["A4"].value and not wall["C4"].value
    details = book["活动明细"]
    assert details["A1"].value == "城关镇新联村留守儿童之家 2026年12月活动行事历"
    headers = [c.value for c in details[2]]
    assert headers[:5] == ["日期", "星期", "开始时间", "结束时间", "活动名称"]
    rows = data_rows(details)
    assert len(rows) == 2
    assert rows[0][0] == wall_time(2026, 12, 1) and details["A3"].is_date
    assert rows[0][2] == time(15, 0) and rows[0][1] == "周二"
    assert rows[0][9] == "陈爱心"
    assert details["M3"].value == HOSTILE and details["M3"].data_type == "s"
    assert details["E4"].value == "@SUM(A1)" and details["E4"].data_type == "s"
    assert details.freeze_panes == "A3" and details.auto_filter.ref
    assert details.page_setup.orientation == "landscape" and details.page_setup.paperSize == 9


def test_calendar_export_of_a_year_from_the_command_line(app, make, tmp_path):
    home = make.home(name="安定镇红星村留守儿童之家")
    for month in (1, 6, 12):
        make.activity(home=home, title=f"{month}月活动", starts_at=wall_time(2026, month, 1, 15))
    output = tmp_path / "year.xlsx"
    result = app.test_cli_runner().invoke(args=[
        "export", "calendar", "--year", "2026", "--home", "安定镇红星村留守儿童之家",
        "--output", str(output)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == [f"2026-{m:02d}" for m in range(1, 13)] + ["活动明细"]
    assert len(data_rows(book["活动明细"])) == 3
    # Each month's wall drawn with its own activities (1 January: a Thursday; 1 June: a
    # Monday; 1 December: a Tuesday), the months without any drawn empty.
    assert book["2026-01"]["D4"].value == "15:00 1月活动"
    assert book["2026-06"]["A4"].value == "15:00 6月活动"
    assert book["2026-12"]["B4"].value == "15:00 12月活动"
    february = book["2026-02"]
    assert february["A3"].value == "26" and not february["A4"].value
    assert not any("活动" in str(cell.value) for row in february.iter_rows(min_row=3)
                   for cell in row if cell.value)
    month = app.test_cli_runner().invoke(args=[
        "export", "calendar", "--month", "2026-06", "--output", str(tmp_path / "m.xlsx")])
    assert month.exit_code == 0, month.output
    bad = app.test_cli_runner().invoke(args=[
        "export", "calendar", "--month", "June", "--output", str(tmp_path / "x.xlsx")])
    assert bad.exit_code != 0


def make_children(make, home, n=3, **kw):
    return [make.child(home=home, name=f"孩子{i}", **kw) for i in range(n)]


def test_roster_export_is_the_list_the_user_sees(app, make, db):
    home_a, home_b = make.home(name="甲之家"), make.home(name="乙之家")
    guardian = make.guardian(home=home_a, name="李奶奶", phone="13800001111")
    born = date(2015, 3, 12)
    number = id_number("430626", born, 5, True)
    hostile = make.child(home=home_a, name=HOSTILE, guardian=guardian, id_number=number,
                         birth_date=born)
    make.parent(hostile, name="王大明", phone="13912345678", work_city="深圳")
    make.child(home=home_a, name="𠮷𡈼", living_arrangement=LivingArrangement.ALONE,
               boarding=True)
    make_children(make, home_b)
    staff = signed_in(app, make, Role.STAFF, home=home_a)
    book = workbook(export_through_approval(staff, "/admin/child/export/xlsx/"))
    assert book.sheetnames == ["花名册", "分类统计", "学段与性别"]
    roster = book["花名册"]
    assert roster["A1"].value.startswith("甲之家花名册")
    headers = [c.value for c in roster[2]]
    assert headers[:5] == ["编号", "姓名", "性别", "出生日期", "身份证号"]
    rows = data_rows(roster)
    assert len(rows) == 2
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {HOSTILE, "𠮷𡈼"}
    row = by_name[HOSTILE]
    # ID numbers masked for every role (PIPL); phones in full for the Home's staff.
    masked = "430626********" + number[-4:]
    assert row[4] == masked and row[19] == "13800001111" and row[20] == "王大明"
    name_cell = next(c for c in roster["B"] if c.value == HOSTILE)
    assert name_cell.data_type == "s"
    id_cell = next(c for c in roster["E"] if c.value == masked)
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    assert row[3] == wall_time(2015, 3, 12)
    counts = book["分类统计"]
    values = list(counts.iter_rows(min_row=2, values_only=True))
    assert values[0][0] == "儿童之家" and values[1][0] == "甲之家" and values[1][1] == 2
    assert values[-1][0] == "合计" and values[-1][1] == 2
    assert counts._charts, "the counts sheet carries a native chart"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT))
    assert entry.table_name == "child" and entry.changes["rows"] == 2


def test_roster_rows_name_each_childs_first_father_and_mother_once(app, make, db):
    """One row per child whatever her parents' records: two fathers' records (the first
    entered is shown), a mother only, none; a father and a mother each in their columns."""
    from models.enums import ParentRelation

    home = make.home(name="甲之家")
    twice = make.child(home=home, name="两个父亲")
    make.parent(twice, name="先录父", work_city="深圳")
    make.parent(twice, name="后录父", work_city="东莞")
    make.parent(twice, relation=ParentRelation.MOTHER, name="李母", phone="13700001111",
                work_city="广州")
    mother_only = make.child(home=home, name="只有母亲")
    make.parent(mother_only, relation=ParentRelation.MOTHER, name="赵母", phone="",
                work_city="")
    make.child(home=home, name="没有父母")
    admin = signed_in(app, make, Role.ADMIN)
    rows = data_rows(workbook(export_through_approval(admin, "/admin/child/export/xlsx/"))
                     ["花名册"])
    by_name = {row[1]: row for row in rows}
    assert len(rows) == 3 and set(by_name) == {"两个父亲", "只有母亲", "没有父母"}
    # Father's name, phone, city; mother's name, phone, city (columns U–Z), phones masked
    # in a county-wide export.
    assert by_name["两个父亲"][20:26] == ("先录父", "139****5678", "深圳", "李母",
                                         "137****1111", "广州")
    assert by_name["只有母亲"][20:26] == (None, None, None, "赵母", None, None)
    assert by_name["没有父母"][20:26] == (None,) * 6


def test_roster_export_follows_the_lists_filters_and_masks_for_a_supervisor(app, make, db):
    home = make.home(name="甲之家")
    guardian = make.guardian(home=home, phone="13800001111")
    born = date(2015, 3, 12)
    make.child(home=home, name="独自", living_arrangement=LivingArrangement.ALONE,
               guardian=guardian, id_number=id_number("430626", born, 1, True), birth_date=born)
    make.child(home=home, name="随祖辈")
    supervisor = signed_in(app, make, Role.SUPERVISOR, home=home)
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "child")
    arg = next(f["arg"] for g in view._filter_groups.values() for f in g.filters
               if str(g.label) == "生活方式")
    book = workbook(export_through_approval(supervisor,
                                            f"/admin/child/export/xlsx/?flt0_{arg}=ALONE"))
    rows = data_rows(book["花名册"])
    assert [row[1] for row in rows] == ["独自"]
    assert rows[0][4] == "430626********" + id_number("430626", born, 1, True)[-4:]
    assert rows[0][19] == "138****1111"


def test_care_records_export_for_a_period(app, make):
    home = make.home()
    child = make.child(home=home, name="小红")
    make.care_record(child, occurred_on=date(2026, 3, 31), notes="三月")
    make.care_record(child, occurred_on=date(2026, 4, 1), notes="四月一日",
                     kind=CareKind.HOME_VISIT)
    make.care_record(child, occurred_on=date(2026, 4, 30), notes="四月底")
    make.care_record(child, occurred_on=date(2026, 5, 1), notes="五月")
    client = signed_in(app, make)
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "care_record")
    arg = next(f["arg"] for g in view._filter_groups.values() for f in g.filters
               if str(g.label) == "日期" and f["type"] == "daterangepicker")
    book = workbook(export_through_approval(
        client, f"/admin/care_record/export/xlsx/?flt0_{arg}=2026-04-01+to+2026-04-30"))
    rows = data_rows(book["关爱记录"])
    assert [row[5] for row in rows] == ["四月一日", "四月底"]
    assert rows[0][0] == wall_time(2026, 4, 1) and rows[0][3] == "家访"


def test_stock_export_shows_on_hand_and_movements(app, make):
    home = make.home()
    item = make.item(home=home, name="书包", low_stock_threshold=5)
    child = make.child(home=home, name="领书包的孩子")
    make.movement(item, quantity=10, donor="县妇联")
    make.movement(item, quantity=7, kind=MovementKind.HAND_OUT, child=child)
    book = workbook(signed_in(app, make).get("/admin/stock_movement/export/xlsx/"))
    assert book.sheetnames == ["库存", "出入库"]
    stock = data_rows(book["库存"])
    assert stock[0][0] == "书包" and stock[0][4] == 3 and stock[0][6] == "是"
    movements = data_rows(book["出入库"])
    assert [row[3] for row in movements] == ["捐赠", "发放"]
    assert movements[1][7] == "领书包的孩子"


def test_only_xlsx_is_offered_and_only_to_roles_that_export(app, make):
    home = make.home()
    admin = signed_in(app, make)
    assert admin.get("/admin/child/export/csv/").status_code == 404
    assert admin.get("/admin/home/export/xlsx/").status_code == 403
    volunteer = signed_in(app, make, Role.VOLUNTEER, volunteer=make.volunteer(home=home))
    assert volunteer.get("/admin/child/export/xlsx/").status_code == 403
    assert volunteer.get("/admin/care_record/export/xlsx/").status_code == 403


def test_rows_beyond_one_sheet_continue_on_the_next_never_cut_off(monkeypatch):
    """Excel holds 1,048,576 rows a sheet and XlsxWriter drops any beyond without a word;
    a county's care records over years are more than that."""
    from admin_app.xlsx import Column, Workbook

    monkeypatch.setattr(Workbook, "max_rows", 6)  # title, header and 4 rows a sheet
    book = Workbook(title="测试")
    written = book.table("关爱记录", "测试", [Column("编号", "int", 6)],
                         ([n] for n in range(1, 11)))
    assert written == 10
    with book.close() as handle:
        result = openpyxl.load_workbook(handle)
    assert result.sheetnames == ["关爱记录", "关爱记录 (2)", "关爱记录 (3)"]
    numbers = [row[0] for sheet in result.worksheets
               for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert numbers == list(range(1, 11))
    exactly = Workbook(title="测试")
    assert exactly.table("表", "测试", [Column("编号", "int", 6)], ([n] for n in range(4))) == 4
    with exactly.close() as handle:
        assert openpyxl.load_workbook(handle).sheetnames == ["表"]


def test_dates_and_times_are_the_numbers_xlsxwriter_writes():
    import random
    from datetime import UTC, date, timedelta

    from xlsxwriter.utility import _datetime_to_excel_datetime  # XlsxWriter's own conversion

    from admin_app.xlsx import excel_serial

    draw = random.Random(6)  # noqa: S311 (test values, not secrets)
    moments = [date(1901, 1, 1), date(2026, 2, 28), date(2026, 3, 1), wall_time(2026, 12, 1, 9),
               wall_time(1901, 1, 1, 0, 0, 0, 1), wall_time(9999, 12, 31, 23, 59, 59, 999999),
               time(0, 0), time(23, 59, 59, 999999), time(15, 0), time(9, 30, 0, 500)]
    for _ in range(2000):
        moment = wall_time(1901, 1, 1) + timedelta(seconds=draw.randint(0, 4 * 10**9),
                                                   microseconds=draw.randint(0, 999999))
        moments += [moment, moment.date(), moment.time()]
    for moment in moments:
        assert excel_serial(moment) == _datetime_to_excel_datetime(moment, False, False), moment
    # Where XlsxWriter's own conversion is needed: none here.
    for other in (date(1900, 2, 28), wall_time(1900, 1, 1, 12),
                  datetime(2026, 1, 1, tzinfo=UTC), time(9, tzinfo=UTC)):
        assert excel_serial(other) is None


def test_postgresql_plans_an_exports_streamed_rows_for_all_of_them(app, db):
    """Exports stream through server-side cursors, always read to the end: PostgreSQL is told
    to plan them for every row (cursor_tuple_fraction 1), not for the first tenth, which
    made this month's care records take twice as long at 100,000 children."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SHOW cursor_tuple_fraction")).scalar() == "1"
