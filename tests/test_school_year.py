"""学年升级: every grade of a Home moved up once a school year, after a preview."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import AuditEntry, Child
from models.base import local_today
from models.enums import AuditAction, ChildStatus, LeaveReason, Role
from models.grades import next_grade, school_year
from tests.test_calendar import signed_in


@pytest.mark.parametrize(("grade", "after"), [
    ("一年级", "二年级"), ("五年级", "六年级"), ("六年级", "七年级"), ("八年级", "九年级"),
    ("九年级", "高一"), ("3年级", "4年级"), ("３年级", "4年级"), ("小学五年级", "小学六年级"),
    ("小学六年级", "七年级"), (" 二 年级 ", "三年级"), ("初一", "初二"), ("初三", "高一"),
    ("高二", "高三"), ("学前班", "一年级"), ("大班", "一年级"),
    # Not read without doubt, or the last grade: left as they are.
    ("高三", None), ("四班", None), ("", None), (None, None), ("十年级", None),
    ("三年级二班", None), ("初中", None),
])
def test_next_grade(grade, after):
    assert next_grade(grade) == after


def test_grades_are_shown_in_school_order():
    from models.grades import grade_rank

    shown = ["四班", "高一", "七年级", "初三", "3年级", "一年级", "学前班", "小学六年级", ""]
    assert sorted(shown, key=grade_rank) == [
        "学前班", "一年级", "3年级", "小学六年级", "七年级", "初三", "高一", "", "四班"]


def test_the_school_year_begins_in_august():
    assert school_year(date(2026, 7, 31)) == 2025
    assert school_year(date(2026, 8, 1)) == 2026
    assert school_year(date(2027, 1, 15)) == 2026


def grades(db, *children) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Child, child.id).grade for child in children]


def test_staff_preview_and_move_their_homes_grades_up_once_a_school_year(app, make, db):
    home, other = make.home(name="甲家儿童之家"), make.home(name="乙家儿童之家")
    first = make.child(home=home, grade="一年级")
    second = make.child(home=home, grade="一年级")
    sixth = make.child(home=home, grade="六年级")
    odd = make.child(home=home, grade="四班")
    left = make.child(home=home, grade="二年级", status=ChildStatus.LEFT_CARE,
                      left_on=date(2026, 6, 30), leave_reason=LeaveReason.MOVED)
    theirs = make.child(home=other, grade="一年级")
    staff = signed_in(app, make, Role.STAFF, home=home)
    page = staff.get("/admin/school-year/").text
    plan = page.split('id="school-year-plan"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td>", plan)
    assert rows == ["一年级", "六年级", "四班"]  # in school order, words not read last
    assert "二年级" in plan and "七年级" in plan
    assert "3 名儿童升一个年级，1 名保持不变" in page
    assert "乙家" not in page
    year = str(school_year(local_today()))
    moved = staff.post(f"/admin/school-year/move-up?home={home.id}", data={"year": year},
                       follow_redirects=True)
    assert moved.status_code == 200 and "3 名儿童升了一个年级" in moved.text
    assert grades(db, first, second, sixth, odd, left, theirs) == [
        "二年级", "二年级", "七年级", "四班", "二年级", "一年级"]
    # Each child's change is in the trail, and the move once.
    changed = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.UPDATE, AuditEntry.table_name == "child")).all()
    assert {e.record_id: e.changes for e in changed} == {
        first.id: {"grade": ["一年级", "二年级"]}, second.id: {"grade": ["一年级", "二年级"]},
        sixth.id: {"grade": ["六年级", "七年级"]}}
    move = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == AuditAction.SCHOOL_YEAR))
    assert move.home_id == home.id and move.changes == {
        "school_year": int(year), "moved": 3, "kept": 1}
    # Twice in a school year: refused, unless asked for again.
    again = staff.post(f"/admin/school-year/move-up?home={home.id}", data={"year": year},
                       follow_redirects=True)
    assert "本学年已经升过级" in again.text
    assert grades(db, first, sixth) == ["二年级", "七年级"]
    assert 'name="again"' in again.text
    staff.post(f"/admin/school-year/move-up?home={home.id}", data={"year": year,
                                                                    "again": "1"})
    assert grades(db, first, sixth) == ["三年级", "八年级"]
    # A page of last school year's: nothing moved.
    stale = staff.post(f"/admin/school-year/move-up?home={home.id}",
                       data={"year": str(int(year) - 1), "again": "1"}, follow_redirects=True)
    assert "学年已经变了" in stale.text and grades(db, first) == ["三年级"]


def test_only_staff_of_the_home_may_move_it_up(app, make, db):
    home, other = make.home(), make.home()
    child = make.child(home=home, grade="一年级")
    year = str(school_year(local_today()))
    staff_elsewhere = signed_in(app, make, Role.STAFF, home=other)
    assert staff_elsewhere.get(f"/admin/school-year/?home={home.id}").status_code == 404
    assert staff_elsewhere.post(f"/admin/school-year/move-up?home={home.id}",
                                data={"year": year}).status_code == 404
    for role, kw in ((Role.SUPERVISOR, {"home": home}), (Role.SUPERVISOR, {}),
                     (Role.VOLUNTEER, {"volunteer": make.volunteer(home=home)})):
        client = signed_in(app, make, role, **kw)
        assert client.get("/admin/school-year/").status_code == 403, role
        assert client.post(f"/admin/school-year/move-up?home={home.id}",
                           data={"year": year}).status_code == 403, role
    assert grades(db, child) == ["一年级"]


def test_the_child_form_offers_the_usual_grade_words(app, make, db):
    from models.grades import GRADE_WORDS

    home = make.home()
    child = make.child(home=home, grade="三年级")
    staff = signed_in(app, make, Role.STAFF, home=home)
    for url in ("/admin/child/new/", f"/admin/child/edit/?id={child.id}"):
        form = staff.get(url).text
        box = re.search(r'<input[^>]*name="grade"[^>]*>', form).group(0)
        assert 'list="grade-words"' in box and 'class="form-control' in box, box
        listed = re.search(r'<datalist id="grade-words">(.*?)</datalist>', form).group(1)
        assert re.findall(r'<option value="([^"]*)">', listed) == list(GRADE_WORDS)
    assert 'value="三年级"' in box
    # Every word offered is one the new school year moves on (高三 is the last).
    assert all(next_grade(word) for word in GRADE_WORDS[:-1])
    assert next_grade(GRADE_WORDS[-1]) is None
