"""Rows an import must refuse, each written out: a row naming another Home than the one
imported into, a birth date the ID number contradicts, a child two namesakes born the same
day could be; and in a pairing roster, a child who left care or an ID number that is
another child's. Each refusal leaves the child as kept."""

from __future__ import annotations

from datetime import date

from models.enums import ChildStatus, LeaveReason
from seed.demo import id_number
from tests.test_import import HEADER, errors_of, preview, roster, row
from tests.test_pairing_roster import _book, _preview


def test_a_row_naming_another_home_is_refused_not_imported_into_the_chosen_one(make, db):
    home = make.home(name="新联村儿童之家")
    make.home(name="红星村儿童之家")
    rows = [[*row(), "红星村儿童之家"], [*row(name="王小红", n=2), "新联村儿童之家"]]
    plan = preview(roster(rows, header=[*HEADER, "儿童之家"]), home)
    assert [r.outcome for r in plan.rows] == ["error", "new"]
    assert [column for _, column, _ in errors_of(plan)] == ["儿童之家"]


def test_a_birth_date_the_id_number_contradicts_is_refused(make, db):
    home = make.home()
    number = id_number("430626", date(2014, 5, 6), 1, male=True)
    plan = preview(roster([row(born="2015.3.12", id_number=number)]), home)
    assert [r.outcome for r in plan.rows] == ["error"]
    assert [column for _, column, _ in errors_of(plan)] == ["出生年月"]


def test_the_id_numbers_gender_digit_decides_when_the_row_gives_none(make, db):
    home = make.home()
    girl = id_number("430626", date(2015, 3, 12), 2, male=False)
    plan = preview(roster([row(gender=None, id_number=girl)]), home)
    assert plan.rows[0].outcome == "new" and plan.rows[0].values["gender"].name == "FEMALE"


def test_two_namesakes_born_the_same_day_refuse_a_row_without_an_id_number(make, db):
    home = make.home()
    for grade in ("二年级", "三年级"):
        make.child(home=home, name="王小明", birth_date=date(2015, 3, 12), grade=grade)
    plan = preview(roster([row(grade="四年级")]), home)
    assert [r.outcome for r in plan.rows] == ["error"]
    assert [column for _, column, _ in errors_of(plan)] == ["姓名"]


def test_a_pairing_roster_refuses_a_child_who_left_care_or_another_childs_number(make, db):
    home = make.home()
    born = date(2015, 3, 12)
    number = id_number("430624", born, 1, male=False)
    left = make.child(home=home, name="李小花", birth_date=born, id_number=number,
                      status=ChildStatus.LEFT_CARE, leave_reason=LeaveReason.MOVED,
                      left_on=date(2025, 6, 30))
    other = id_number("430624", date(2016, 1, 2), 3, male=False)
    make.child(home=home, name="李小草", birth_date=date(2016, 1, 2), id_number=other)
    plan = _preview(db, _book([
        [1, "张爱芳", "13812345678", "城关镇妇联", "李小花", number, None, "2025-09-01"],
        [2, "张爱芳", "13812345678", "城关镇妇联", "李小树", other, None, "2025-09-01"],
    ]), home)
    assert [r.outcome for r in plan.rows] == ["error", "error"]
    assert [len(r.errors) for r in plan.rows] == [1, 1]
    assert left.status is ChildStatus.LEFT_CARE
