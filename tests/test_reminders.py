"""Reminders that escalate: a caring mother's page starts with what she owes this week and
what is overdue; a duty overdue 14 days reaches the Home's staff, 30 days the township's
supervisors (ESCALATE_TO_HOME_DAYS, ESCALATE_TO_TOWNSHIP_DAYS), under a frozen clock at
noon in Beijing. Nothing is owed from before a pairing began; doing the duty clears it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from admin_app.extensions import db
from models import DutyRule
from models.duties import duties
from models.enums import CareKind as K
from models.enums import Frequency, FulfilledBy, LivingArrangement, Role
from models.followup import care_days, owed, owed_since
from tests.conftest import sign_in
from tests.test_calendar import signed_in

ALL_FIVE = (K.TALK, K.PARENT_CALL, K.TEACHER_CONTACT, K.GUARDIAN_CONTACT)


def at_noon_in_beijing(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC),
                               tick=False)


def talk_owed(make, child, volunteer_id, today, paired_on, risks=frozenset()):
    rules = duties(db.session)
    found = care_days(db.session, [child.id], today, rules, since=owed_since(today))
    talk = rules[0]
    return owed(talk, found.get((child.id, volunteer_id), {}), today, risks, paired_on)


@pytest.fixture
def pair(make):
    home = make.home(name="甲之家", township="甲乡")
    mother = make.volunteer(home=home, name="张妈妈")
    child = make.child(home=home, name="小林")
    make.pairing(mother, child, started_on=date(2026, 9, 1))
    for kind in ALL_FIVE:
        make.care_record(child, volunteer=mother, kind=kind, occurred_on=date(2026, 9, 10))
    return home, mother, child


def test_a_missed_month_is_overdue_from_its_last_day_and_a_talk_clears_it(make, pair):
    _, mother, child = pair
    due = talk_owed(make, child, mother.id, date(2026, 11, 14), date(2026, 9, 1))
    assert (due.by, due.overdue_days) == (date(2026, 10, 31), 14)
    make.care_record(child, volunteer=mother, occurred_on=date(2026, 11, 3))
    # November's talk done: October's miss is history (the follow-up still shows it).
    assert talk_owed(make, child, mother.id, date(2026, 11, 14), date(2026, 9, 1)) is None
    # In December, December's window is open and owed by its last day.
    due = talk_owed(make, child, mother.id, date(2026, 12, 2), date(2026, 9, 1))
    assert (due.by, due.overdue_days) == (date(2026, 12, 31), 0)


def test_a_duty_anyone_may_do_is_not_owed_when_staff_did_it(app, make, pair):
    home, _, child = pair
    teacher = db.session.get(DutyRule, int(duties(db.session)[2].key))
    teacher.fulfilled_by = FulfilledBy.ANYONE
    db.session.commit()
    make.care_record(child, kind=K.TEACHER_CONTACT, occurred_on=date(2026, 10, 20))  # staff's
    with at_noon_in_beijing(date(2026, 11, 14)):
        page = signed_in(app, make, Role.STAFF, username="staff", home=home).get(
            "/admin/reminders/").text
    assert 'badge-danger">3<' in page and "联系班主任" not in page.split('id="reminders-count"')[1]


def test_nothing_is_owed_from_before_the_pairing(make, pair):
    home, mother, _ = pair
    late = make.child(home=home, name="后来的")
    make.pairing(mother, late, started_on=date(2026, 11, 10))
    # November began before her pairing: only December's window is owed.
    due = talk_owed(make, late, mother.id, date(2026, 12, 2), date(2026, 11, 10))
    assert (due.by, due.overdue_days) == (date(2026, 12, 31), 0)


def test_a_child_living_alone_at_a_weekly_pace_owes_each_week(make, pair):
    home, mother, _ = pair
    talk = db.session.get(DutyRule, int(duties(db.session)[0].key))
    talk.stricter_frequency, talk.stricter_for = Frequency.WEEKLY, "alone"
    db.session.commit()
    alone = make.child(home=home, living_arrangement=LivingArrangement.ALONE)
    make.pairing(mother, alone, started_on=date(2026, 12, 1))
    make.care_record(alone, volunteer=mother, occurred_on=date(2026, 12, 3))
    from models.enums import Risk

    due = talk_owed(make, alone, mother.id, date(2026, 12, 16), date(2026, 12, 1),
                    frozenset({Risk.ALONE}))
    assert (due.by, due.overdue_days) == (date(2026, 12, 14), 2)  # the 8th–14th missed


def again(app, username: str):
    """A new sign-in at the clock's day (a session begun on another day has lapsed)."""
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


@pytest.mark.parametrize(("day", "staff_sees", "supervisor_sees"), [
    (date(2026, 11, 13), False, False),   # 13 days after October's end
    (date(2026, 11, 14), True, False),    # 14: the Home's staff
    (date(2026, 11, 29), True, False),
    (date(2026, 11, 30), True, True),     # 30: the township's supervisors
])
def test_an_overdue_duty_escalates_after_14_and_30_days(app, make, pair, day, staff_sees,
                                                        supervisor_sees):
    home, _, _ = pair
    other = make.home(name="乙之家", township="乙乡")
    with at_noon_in_beijing(day):
        staff = signed_in(app, make, Role.STAFF, username="staff", home=home)
        outsider = signed_in(app, make, Role.STAFF, username="outsider", home=other)
        supervisor = signed_in(app, make, Role.SUPERVISOR, username="sup", township="甲乡")
        page = staff.get("/admin/reminders/").text
        assert ("小林" in page) is staff_sees
        assert ("小林" in supervisor.get("/admin/reminders/").text) is supervisor_sees
        assert "小林" not in outsider.get("/admin/reminders/").text
        overview = staff.get("/admin/").text
        badge = overview.split('id="escalated">')[1].split("</p>")[0]
        # Four monthly duties, all missed in October.
        assert ('badge-danger">4<' in badge) is staff_sees


def test_my_children_starts_with_what_is_owed_this_week(app, make, pair):
    _, mother, child = pair
    with at_noon_in_beijing(date(2026, 11, 14)):
        mine = signed_in(app, make, Role.VOLUNTEER, username="zhang", volunteer=mother)
        to_do = mine.get("/admin/my-children/").text.split('id="my-to-do"')[1].split(
            "</ul>")[0]
        assert to_do.count("逾期 14 天") == 4 and "小林：与孩子谈心" in to_do
    for kind in ALL_FIVE:
        make.care_record(child, volunteer=mother, kind=kind, occurred_on=date(2026, 11, 14))
    with at_noon_in_beijing(date(2026, 11, 25)):
        mine = again(app, "zhang")
        page = mine.get("/admin/my-children/").text
        assert 'id="my-to-do"' not in page  # November done; nothing due within the week
    with at_noon_in_beijing(date(2026, 12, 26)):
        mine = again(app, "zhang")
        to_do = mine.get("/admin/my-children/").text.split('id="my-to-do"')[1].split(
            "</ul>")[0]
        assert to_do.count("12/31 前") == 4


def test_a_county_chooses_a_township_first(app, make, pair):
    make.home(name="乙之家", township="乙乡")
    with at_noon_in_beijing(date(2026, 12, 1)):
        admin = signed_in(app, make, Role.ADMIN, username="county")
        assert 'id="reminders-choose"' in admin.get("/admin/reminders/").text
        page = admin.get("/admin/reminders/?township=甲乡").text
        assert "小林" in page and "张妈妈（甲之家）" in page
        assert admin.get("/admin/reminders/?township=无此乡").status_code == 404
    mother = signed_in(app, make, Role.VOLUNTEER, username="v", volunteer=pair[1])
    assert mother.get("/admin/reminders/").status_code == 403


def test_the_owed_window_reaches_back_three_months_only(make, pair):
    _, mother, child = pair
    # September done, nothing since; on 31 December only October onwards is owed.
    due = talk_owed(make, child, mother.id, date(2026, 12, 31), date(2026, 9, 1))
    assert owed_since(date(2026, 12, 31)) == date(2026, 10, 1)
    assert (due.by, due.overdue_days) == (date(2026, 10, 31), 61)
    assert owed_since(date(2026, 3, 1)) == date(2026, 1, 1)
    assert owed_since(date(2024, 3, 31)) == date(2024, 1, 1)
    assert (date(2026, 12, 31) - timedelta(days=61)) == date(2026, 10, 31)
