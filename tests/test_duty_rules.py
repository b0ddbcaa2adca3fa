"""The county's duties of care: an administrator edits them in one table, and the follow-up,
我的孩子, the overview, the workbook and the archive card all tick by them. A risk (living
alone, no one caring, 重点帮扶 …) sets a stricter pace. Windows are the month's weeks (1–7,
8–14, 15–21, 22–end) and halves (1–15, 16–end), 29 February in the last week."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
import time_machine

from admin_app.extensions import db
from admin_app.reports.followup import followup_rows, home_totals, totals
from models import DutyRule
from models.duties import duties
from models.enums import CareKind as K
from models.enums import Frequency, FulfilledBy, Guardianship, LivingArrangement, Role
from models.followup import care_days, mark
from tests.conftest import export_through_approval
from tests.test_calendar import signed_in

FIVE = (K.TALK, K.PARENT_CALL, K.TEACHER_CONTACT, K.GUARDIAN_CONTACT)


@pytest.fixture
def march_28():
    """Noon in Beijing on 28 March 2026 (04:00 UTC)."""
    with time_machine.travel(datetime(2026, 3, 28, 4, 0, tzinfo=UTC), tick=False):
        yield date(2026, 3, 28)


def rule(name: str) -> DutyRule:
    return db.session.scalar(sa.select(DutyRule).where(DutyRule.name == name))


def the_home(make):
    """A Home where 张妈妈 cares for 独居小林 (living alone) and 普通小王, each with all four
    monthly duties done once in March 2026 — the talk on the 2nd."""
    home = make.home(name="甲之家")
    mother = make.volunteer(home=home, name="张妈妈")
    alone = make.child(home=home, name="独居小林", living_arrangement=LivingArrangement.ALONE)
    other = make.child(home=home, name="普通小王")
    for child in (alone, other):
        make.pairing(mother, child, started_on=date(2026, 1, 1))
        for kind in FIVE:
            make.care_record(child, volunteer=mother, kind=kind, occurred_on=date(2026, 3, 2))
    return home, mother, alone, other


def weekly_talk_for_children_alone(admin) -> None:
    talk = rule("与孩子谈心")
    response = admin.post(f"/admin/duty_rule/edit/?id={talk.id}", data={
        "name": talk.name, "position": "1", "frequency": "MONTHLY",
        "care_kinds": ["talk", "home_visit"], "fulfilled_by": "PAIRED",
        "stricter_frequency": "WEEKLY", "risks": ["alone"], "active": "y",
        "loaded_version": str(talk.version)})
    assert response.status_code == 302, response.text[-2000:]


def summary(page: str) -> str:
    return page.split('id="followup-summary">')[1].split("</p>")[0]


def five_ones_figure(page: str) -> str:
    return re.search(r'id="five-ones">(\d+)<small[^>]*>/(\d+)', page).group(0)


def test_the_defaults_are_the_five_ones(db):
    assert [(d.label, sorted(k.value for k in d.kinds), d.frequency, d.by_anyone)
            for d in duties(db.session)] == [
        ("与孩子谈心", ["home_visit", "talk"], Frequency.MONTHLY, False),
        ("与父母通话或写信", ["parent_call", "parent_letter"], Frequency.MONTHLY, False),
        ("联系班主任", ["teacher_contact"], Frequency.MONTHLY, False),
        ("联系临时监护人", ["guardian_contact", "home_visit"], Frequency.MONTHLY, False),
        ("今年陪伴过节", ["festival"], Frequency.YEARLY, False)]


def test_a_weekly_talk_for_children_living_alone_changes_every_page(app, make, march_28):
    home, mother, alone, other = the_home(make)
    staff = signed_in(app, make, Role.STAFF, home=home)
    mine = signed_in(app, make, Role.VOLUNTEER, username="zhang", volunteer=mother)
    admin = signed_in(app, make, Role.ADMIN, username="county")
    assert summary(staff.get("/admin/followup/").text).startswith("2 个结对中有 2 个")
    assert five_ones_figure(staff.get("/admin/").text).startswith('id="five-ones">2<')

    weekly_talk_for_children_alone(admin)

    page = staff.get("/admin/followup/").text
    assert summary(page).startswith("2 个结对中有 1 个")
    row = page.split(f'data-child="{alone.id}"')[1].split("</tr>")[0]
    assert "◐</span> 1/4 · 3/2" in row  # the 2nd's talk: one week of four
    assert "◐" not in page.split(f'data-child="{other.id}"')[1].split("</tr>")[0]
    assert five_ones_figure(staff.get("/admin/").text).startswith('id="five-ones">1<')
    cards = mine.get("/admin/my-children/").text.split('id="my-children"')[1]
    card = next(c for c in cards.split('class="card h-100 child-card"')[1:] if "独居小林" in c)
    assert "1/4" in card and "每周：独自生活" in card

    # The three other weeks' talks (the last on the 23rd, in the week of 22nd–31st).
    for day in (9, 16, 23):
        make.care_record(alone, volunteer=mother, occurred_on=date(2026, 3, day))
    assert summary(staff.get("/admin/followup/").text).startswith("2 个结对中有 2 个")
    assert five_ones_figure(staff.get("/admin/").text).startswith('id="five-ones">2<')


def test_the_workbook_says_what_is_still_due_at_the_childs_pace(app, make, march_28):
    home, *_ = the_home(make)
    weekly_talk_for_children_alone(signed_in(app, make, Role.ADMIN, username="county"))
    staff = signed_in(app, make, Role.STAFF, home=home)
    response = staff.get("/admin/followup/export.xlsx?month=2026-03")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = {r[2]: r for r in book["五个一"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["独居小林"][8:10] == ("否", "与孩子谈心 1/4")
    assert rows["普通小王"][8:10] == ("是", None)


def test_the_archive_card_says_why_a_child_is_at_a_stricter_pace(app, make, march_28):
    home, _, alone, other = the_home(make)
    make.child(home=home, name="无人监护小赵", guardianship=Guardianship.NOBODY)
    weekly_talk_for_children_alone(signed_in(app, make, Role.ADMIN, username="county"))
    staff = signed_in(app, make, Role.STAFF, home=home)
    card = staff.get(f"/admin/child/details/?id={alone.id}").text
    paces = card.split('id="archive-paces"')[1].split("</ul>")[0]
    assert "与孩子谈心</strong>：每周" in paces and "更频繁，因为：独自生活" in paces
    assert "联系班主任</strong>：每月" in paces
    plain = staff.get(f"/admin/child/details/?id={other.id}").text
    paces = plain.split('id="archive-paces"')[1].split("</ul>")[0]
    assert "与孩子谈心</strong>：每月" in paces and "因为" not in paces


def test_a_duty_anyone_may_do_counts_staffs_records(app, make, march_28):
    home, mother, *_ = the_home(make)
    teacher = rule("联系班主任")
    teacher.fulfilled_by = FulfilledBy.ANYONE
    teacher.kinds = "teacher_contact"
    guardian = rule("联系临时监护人")
    db.session.commit()
    child = make.child(home=home, name="新来的")
    make.pairing(mother, child, started_on=date(2026, 3, 1))
    make.care_record(child, kind=K.TEACHER_CONTACT, occurred_on=date(2026, 3, 5))  # staff's
    make.care_record(child, kind=K.GUARDIAN_CONTACT, occurred_on=date(2026, 3, 5))
    rows = {r.child.name: r for r in followup_rows(make.user(Role.ADMIN), date(2026, 3, 1))}
    assert rows["新来的"].ticks[str(teacher.id)].complete is True
    assert rows["新来的"].ticks[str(guardian.id)].complete is False  # hers only


def test_an_inactive_duty_is_no_longer_ticked(app, make, march_28):
    home, *_ = the_home(make)
    festival = rule("今年陪伴过节")
    festival.active = False
    db.session.commit()
    page = signed_in(app, make, Role.STAFF, home=home).get("/admin/followup/").text
    assert "今年陪伴过节" not in page and "联系班主任" in page


def test_with_no_duty_in_force_the_follow_up_says_so(app, make, march_28):
    home, *_ = the_home(make)
    db.session.execute(sa.update(DutyRule).values(active=False))
    db.session.commit()
    page = signed_in(app, make, Role.STAFF, home=home).get("/admin/followup/").text
    assert 'id="no-duties"' in page and "没有启用任何关爱职责" in page


@pytest.mark.parametrize(("pace", "days", "done"), [
    (Frequency.FORTNIGHTLY, (1, 15), 1),        # both in the first half
    (Frequency.FORTNIGHTLY, (15, 16), 2),       # one in each half
    (Frequency.WEEKLY, (7, 8, 14, 15), 3),      # the 7th, 8th and 14th, 15th: three weeks
    (Frequency.WEEKLY, (1, 8, 15, 29), 4),      # 29 February, in the week of 22nd–end
    (Frequency.WEEKLY, (21, 22), 2),
    (Frequency.MONTHLY, (29,), 1),
])
def test_the_windows_of_a_month(make, db, pace, days, done):
    child = make.child()
    for day in days:
        make.care_record(child, occurred_on=date(2024, 2, day))
    talk = next(d for d in duties(db.session) if d.label == "与孩子谈心")
    talk = type(talk)(talk.key, talk.label, talk.kinds, pace, True)
    found = care_days(db.session, [child.id], date(2024, 2, 1), [talk])
    got = mark(talk, found[(child.id, None)], date(2024, 2, 1))
    assert (got.done, got.due, got.last) == (done, {Frequency.WEEKLY: 4,
                                                    Frequency.FORTNIGHTLY: 2,
                                                    Frequency.MONTHLY: 1}[pace],
                                             date(2024, 2, max(days)))
    # March's windows hold none of February's days.
    nothing = mark(talk, found[(child.id, None)], date(2024, 3, 1))
    assert (nothing.done, nothing.last) == (0, None)


@pytest.mark.parametrize(("changes", "message"), [
    ({"stricter_frequency": "WEEKLY"}, "请选择哪些情形的孩子需要更频繁地落实这项职责"),
    ({"risks": ["alone"]}, "请选择这些孩子的落实频次"),
    ({"stricter_frequency": "MONTHLY", "risks": ["alone"]}, "必须比一般频次更密"),
    ({"care_kinds": []}, "请选择哪些关爱记录可以落实这项职责"),
    ({"name": "  "}, "请填写"),
])
def test_a_duty_that_makes_no_sense_is_refused_in_chinese(app, make, db, changes, message):
    admin = signed_in(app, make, Role.ADMIN)
    talk = rule("与孩子谈心")
    form = {"name": "与孩子谈心", "position": "1", "frequency": "MONTHLY",
            "care_kinds": ["talk"], "fulfilled_by": "PAIRED", "stricter_frequency": "__None",
            "active": "y", "loaded_version": str(talk.version), **changes}
    response = admin.post(f"/admin/duty_rule/edit/?id={talk.id}", data=form)
    assert response.status_code == 200 and message in response.text
    db.session.expire_all()
    assert (rule("与孩子谈心").kinds, rule("与孩子谈心").stricter_frequency) == (
        "talk,home_visit", None)


def test_a_change_of_a_duty_is_in_the_audit_trail_in_words(app, make, db):
    admin = signed_in(app, make, Role.ADMIN)
    weekly_talk_for_children_alone(admin)
    trail = admin.get("/admin/audit/?flt0_table_name_equals=duty_rule").text
    assert "重点关注的情形: — → 独自生活" in trail
    assert "重点关注孩子的频次: — → 每周一次" in trail


def test_staff_read_the_duties_and_nobody_deletes_one(app, make, db):
    staff = signed_in(app, make, Role.STAFF, home=make.home())
    assert "与孩子谈心" in staff.get("/admin/duty_rule/").text
    talk = rule("与孩子谈心")
    assert staff.get(f"/admin/duty_rule/edit/?id={talk.id}").status_code == 403
    admin = signed_in(app, make, Role.ADMIN, username="county")
    admin.post("/admin/duty_rule/delete/", data={"id": str(talk.id)})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DutyRule)) == 5


def test_the_databases_count_is_the_pages_at_every_pace(app, make, db):
    """The county's totals (SQL, models.followup.month_done_sql) and a Home's rows (Python)
    agree, with weekly, half-monthly, anyone's and risk-paced duties in force."""
    talk, parents, teacher = rule("与孩子谈心"), rule("与父母通话或写信"), rule("联系班主任")
    talk.stricter_frequency, talk.stricter_for = Frequency.WEEKLY, "alone,nobody"
    parents.stricter_frequency, parents.stricter_for = Frequency.WEEKLY, "key_target"
    parents.frequency = Frequency.FORTNIGHTLY
    teacher.fulfilled_by = FulfilledBy.ANYONE
    db.session.commit()
    homes = [make.home(name=f"{n}之家") for n in "甲乙"]
    for h, home in enumerate(homes):
        mother = make.volunteer(home=home)
        for i in range(8):
            child = make.child(home=home, living_arrangement=(
                LivingArrangement.ALONE if i % 3 == 0 else LivingArrangement.GRANDPARENTS),
                key_target=i % 4 == 1,
                guardianship=(Guardianship.NOBODY if i % 3 == 1 else None if i % 3 else
                              Guardianship.GOOD))
            make.pairing(mother, child, started_on=date(2025, 1, 1))
            for k, kind in enumerate((*FIVE, K.PARENT_LETTER, K.HOME_VISIT)):
                for day in (2, 9 + i, 16 + h, 23):
                    if (i + k + day) % (2 + h) != 0:
                        make.care_record(child, volunteer=mother if (k + day) % 5 else None,
                                         kind=kind, occurred_on=date(2025, 6, day))
    admin = make.user(Role.ADMIN)
    rows = followup_rows(admin, date(2025, 6, 1))
    overall, by_home, _ = totals(rows)
    counted, counted_by_home = home_totals(admin, date(2025, 6, 1))
    assert (counted.pairings, counted.done) == (overall.pairings, overall.done)
    assert {name: (t.pairings, t.done) for name, t in counted_by_home.items()} == {
        name: (t.pairings, t.done) for name, t in by_home.items()}
    assert 0 < overall.done < overall.pairings == 16


def test_the_follow_up_exports_through_approval_with_the_duties_as_columns(app, make,
                                                                          march_28):
    home, *_ = the_home(make)
    client = signed_in(app, make, Role.STAFF, home=home)
    response = export_through_approval(client, "/admin/followup/export.xlsx?month=2026-03")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["五个一"]
    header = [c for c in next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))]
    assert header[3:8] == ["与孩子谈心", "与父母通话或写信", "联系班主任", "联系临时监护人",
                           "今年陪伴过节"]
