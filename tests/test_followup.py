"""The five-ones follow-up: each tick just inside and just outside its window, a pairing that
began mid-month, an ended pairing, the totals, and the export matching the page."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl

from models.enums import CareKind as K
from models.enums import Role
from tests.conftest import wall_time
from tests.test_calendar import signed_in


def world(make):
    home = make.home(name="甲之家")
    mother = make.volunteer(home=home, name="张妈妈")
    other = make.volunteer(home=home, name="李妈妈")
    late = make.child(home=home, name="三月才结对")
    make.pairing(mother, late, started_on=date(2026, 3, 15))
    for kind, day in ((K.TALK, date(2026, 3, 31)), (K.PARENT_CALL, date(2026, 4, 1)),
                      (K.TEACHER_CONTACT, date(2026, 2, 28)), (K.HOME_VISIT, date(2026, 3, 1)),
                      (K.FESTIVAL, date(2026, 1, 20))):
        make.care_record(late, volunteer=mother, kind=kind, occurred_on=day)
    make.care_record(late, volunteer=None, kind=K.PARENT_CALL, occurred_on=date(2026, 3, 10))
    diligent = make.child(home=home, name="样样都做了")
    make.pairing(other, diligent, started_on=date(2025, 9, 1))
    for kind in (K.TALK, K.PARENT_LETTER, K.TEACHER_CONTACT, K.GUARDIAN_CONTACT):
        make.care_record(diligent, volunteer=other, kind=kind, occurred_on=date(2026, 3, 1))
    make.care_record(diligent, volunteer=other, kind=K.TALK, occurred_on=date(2026, 3, 2),
                     follow_up_needed=True, follow_up_note="书包坏了")
    gone = make.child(home=home, name="已结束结对")
    make.pairing(mother, gone, started_on=date(2025, 9, 1), ended_on=date(2026, 2, 10),
                 end_reason="父母返乡")
    return home


def ticks_of(page: str, child: str) -> list[str]:
    row = page.split(child)[1].split("</tr>")[0]
    return re.findall(
        r"<td[^>]*>(?:<span class=\"text-(?:success|danger)\">(✔|✘)</span>)\s*([\d/]*)", row)


def test_ticks_windows_pairings_and_totals(app, make):
    home = world(make)
    client = signed_in(app, make, Role.STAFF, home=home)
    page = client.get("/admin/followup/?month=2026-03").text
    assert "已结束结对" not in page
    late = ticks_of(page, "三月才结对")
    assert late == [("✔", "3/31"), ("✘", ""), ("✘", ""), ("✔", "3/1"), ("✔", "1/20")]
    diligent = ticks_of(page, "样样都做了")
    assert [mark for mark, _ in diligent[:4]] == ["✔"] * 4 and diligent[4] == ("✘", "")
    # The open follow-up comes first.
    assert page.index("样样都做了") < page.index("三月才结对")
    assert "2 个结对中有 1 个完成了本月全部应做事项" in page
    only = client.get("/admin/followup/?month=2026-03&incomplete=1").text
    assert "三月才结对" in only and "样样都做了" not in only.split('id="followup-rows"')[1]
    april = client.get("/admin/followup/?month=2026-04").text
    assert ticks_of(april, "三月才结对")[1] == ("✔", "4/1")


def test_rows_show_names_escaped_and_open_follow_ups_marked(app, make):
    home = make.home(name="乙之家")
    mother = make.volunteer(home=home, name="<b>王</b>妈妈")
    child = make.child(home=home, name="小<i>明</i>")
    make.pairing(mother, child, started_on=date(2026, 1, 1))
    make.care_record(child, volunteer=mother, kind=K.TALK, occurred_on=date(2026, 3, 5),
                     follow_up_needed=True)
    page = signed_in(app, make, Role.STAFF, home=home).get("/admin/followup/?month=2026-03").text
    row = page.split(f'data-child="{child.id}"')[1].split("</tr>")[0]
    assert page.split(f'data-child="{child.id}"')[0].endswith('<tr class="table-warning" ')
    assert "小&lt;i&gt;明&lt;/i&gt;" in row and "&lt;b&gt;王&lt;/b&gt;妈妈" in row
    assert '<span class="badge badge-warning">待跟进</span>' in row
    assert "<i>" not in row and "<b>" not in row


def test_export_matches_the_page(app, make):
    home = world(make)
    client = signed_in(app, make, Role.SUPERVISOR, home=home)
    response = client.get("/admin/followup/export.xlsx?month=2026-03")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["五个一", "按儿童之家", "按爱心妈妈"]
    rows = [r for r in book["五个一"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert [r[2] for r in rows] == ["样样都做了", "三月才结对"]
    late = rows[1]
    assert late[3] == wall_time(2026, 3, 31) and late[4] is None
    assert late[7] == wall_time(2026, 1, 20)
    assert late[8] == "否" and rows[0][8] == "是" and rows[0][10] == "是"
    assert late[9] == "与父母通话或写信、联系班主任" and rows[0][9] is None
    by_home = [r for r in book["按儿童之家"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert by_home == [("甲之家", 2, 1, 2, 1, 1, 2, 1)]


def test_followup_is_scoped_and_not_for_volunteers(app, make):
    world(make)
    other_home = make.home(name="乙之家")
    outsider = signed_in(app, make, Role.STAFF, home=other_home)
    page = outsider.get("/admin/followup/?month=2026-03").text
    assert "三月才结对" not in page
    volunteer = signed_in(app, make, Role.VOLUNTEER, username="v",
                          volunteer=make.volunteer(home=other_home))
    assert volunteer.get("/admin/followup/").status_code == 403


def totals_by_home(page: str) -> list[tuple[str, str, str]]:
    table = page.split('id="totals-home"')[1].split("</table>")[0]
    return re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", table)


def test_a_countys_totals_by_home_are_those_of_each_homes_rows(app, make):
    home = world(make)
    other = make.home(name="乙之家")
    mother = make.volunteer(home=other, name="王妈妈")
    for i in range(3):
        child = make.child(home=other, name=f"乙{i}")
        make.pairing(mother, child, started_on=date(2026, 1, 1))
        if i == 0:
            for kind in (K.TALK, K.PARENT_CALL, K.TEACHER_CONTACT, K.GUARDIAN_CONTACT):
                make.care_record(child, volunteer=mother, kind=kind, occurred_on=date(2026, 3, 5))
    county = signed_in(app, make, Role.SUPERVISOR)
    for query in ("month=2026-03", "month=2026-03&incomplete=1", "month=2026-04"):
        page = county.get(f"/admin/followup/?{query}").text
        assert 'id="followup-rows"' not in page  # a county's rows wait for a Home
        each = []
        for place in (home, other):
            own = county.get(f"/admin/followup/?{query}&home={place.id}").text
            each += totals_by_home(own)
        assert sorted(totals_by_home(page)) == sorted(each), query
    assert sorted(totals_by_home(county.get("/admin/followup/?month=2026-03").text)) == [
        ("乙之家", "3", "1"), ("甲之家", "2", "1")]
    summary = county.get("/admin/followup/?month=2026-03").text
    assert "5 个结对中有 2 个完成了本月全部应做事项" in summary


def test_a_township_shows_the_totals_of_its_own_homes(app, make):
    home = world(make)  # 甲之家, of 城关镇
    homes = {}
    for name, township in (("东村之家", "龙门镇"), ("西村之家", "龙门镇"), ("南村之家", "安定镇")):
        homes[name] = place = make.home(name=name, township=township)
        mother = make.volunteer(home=place, name=f"{name}妈妈")
        for i in range(2):
            make.pairing(mother, make.child(home=place, name=f"{name}{i}"),
                         started_on=date(2026, 1, 1))
    county = signed_in(app, make, Role.SUPERVISOR)
    page = county.get("/admin/followup/?month=2026-03").text
    choices = page.split('id="township"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', choices) == ["", "城关镇", "安定镇", "龙门镇"]
    township = county.get("/admin/followup/?month=2026-03&township=龙门镇").text
    assert "龙门镇 2026年3月“五个一”落实情况" in township
    assert 'id="followup-rows"' not in township  # its rows wait for a Home
    assert sorted(totals_by_home(township)) == [("东村之家", "2", "0"), ("西村之家", "2", "0")]
    offered = township.split('name="home"')[1].split("</select>")[0]
    assert "东村之家" in offered and "南村之家" not in offered and "甲之家" not in offered
    # A Home chosen: its rows; a Home of another township is dropped with the change.
    one = county.get(f"/admin/followup/?month=2026-03&township=龙门镇&home={homes['东村之家'].id}")
    assert "东村之家0" in one.text and "西村之家0" not in one.text
    moved = county.get(f"/admin/followup/?month=2026-03&township=安定镇&home={home.id}").text
    assert sorted(totals_by_home(moved)) == [("南村之家", "2", "0")]
    assert county.get("/admin/followup/?township=无此镇").status_code == 404
    book = openpyxl.load_workbook(io.BytesIO(county.get(
        "/admin/followup/export.xlsx?month=2026-03&township=龙门镇").data))
    cells = [value for row in book.active.iter_rows(min_row=3, values_only=True)
             for value in row if isinstance(value, str)]
    assert sorted(v for v in cells if "村之家" in v and v[-1].isdigit()) == [
        "东村之家0", "东村之家1", "西村之家0", "西村之家1"]
    # Staff of one Home are offered no township.
    staff = signed_in(app, make, Role.STAFF, home=homes["南村之家"], username="s")
    assert 'id="township"' not in staff.get("/admin/followup/?month=2026-03").text


def test_ids_known_in_python_are_one_parameter_on_postgresql(app, make, db):
    from sqlalchemy import select

    from models import Child
    from models.base import among

    home = make.home()
    children = [make.child(home=home, name=f"甲{n}") for n in range(3)]
    make.child(home=home, name="乙")
    wanted = [children[0].id, children[2].id]
    condition = among(Child.id, wanted)
    sql = str(select(Child.id).where(condition).compile(db.engine))
    if db.engine.dialect.name == "postgresql":
        assert "= ANY (" in sql and sql.count("%(") == 1, sql
    else:
        assert " IN (" in sql
    assert sorted(db.session.scalars(select(Child.id).where(condition))) == wanted
    # A select of ids stays a sub-query, and no ids is no rows.
    assert " IN (SELECT" in str(select(Child.id).where(
        among(Child.id, select(Child.id).where(Child.name == "乙"))).compile(db.engine))
    assert db.session.scalars(select(Child.id).where(among(Child.id, []))).all() == []
