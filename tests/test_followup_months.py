"""The five ones' windows, written out: a month's ticks are that month's records only (not
an earlier month's, not a later one's, across a year's end and around 29 February); the
festival counts for the whole year so far, never last year's; the latest record ticks; a
home visit counts for the child and the guardian, a letter for the parents."""

from __future__ import annotations

from datetime import date

import pytest

from models.duties import duties
from models.enums import CareKind, Frequency
from models.followup import Mark, care_days, marks, month_bounds, month_done

# The five ones as the county starts with them, in their order (models.duties).
NAMES = ("child", "parents", "teacher", "guardian", "festival")
NO_TICKS = dict.fromkeys(NAMES)


@pytest.mark.parametrize(("day", "bounds"), [
    (date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
    (date(2025, 2, 1), (date(2025, 2, 1), date(2025, 2, 28))),
    (date(2024, 12, 31), (date(2024, 12, 1), date(2024, 12, 31))),
    (date(2025, 1, 31), (date(2025, 1, 1), date(2025, 1, 31))),
    (date(2025, 4, 30), (date(2025, 4, 1), date(2025, 4, 30))),
])
def test_a_months_bounds(day, bounds):
    assert month_bounds(day) == bounds


@pytest.fixture
def child(make):
    return make.child(name="林小北")


def _ticks(db, child, month, volunteer=None):
    """Each of the five ones' latest counting day (None: not done) for the child's records
    (or her caring mother's, `volunteer`)."""
    rules = duties(db.session)
    found = care_days(db.session, [child.id], month, rules)
    by_key = marks(rules, found, child.id, volunteer, month)
    return {name: by_key[duty.key].last for name, duty in zip(NAMES, rules, strict=True)}


def _record(make, child, day, kind=CareKind.TALK):
    make.care_record(child, occurred_on=day, kind=kind, notes="记录")


def test_an_earlier_months_tick_does_not_count_this_month(make, db, child):
    _record(make, child, date(2025, 1, 31))
    _record(make, child, date(2025, 1, 20), CareKind.FESTIVAL)  # fetched for the festival
    _record(make, child, date(2025, 1, 31), CareKind.TEACHER_CONTACT)
    assert _ticks(db, child, date(2025, 2, 1)) == {
        "child": None, "parents": None, "teacher": None, "guardian": None,
        "festival": date(2025, 1, 20)}


def test_across_the_years_end_nothing_carries_over_not_even_the_festival(make, db, child):
    _record(make, child, date(2024, 12, 31))
    _record(make, child, date(2024, 12, 25), CareKind.FESTIVAL)
    assert _ticks(db, child, date(2025, 1, 15)) == NO_TICKS
    assert _ticks(db, child, date(2024, 12, 1)) == {
        "child": date(2024, 12, 31), "parents": None, "teacher": None, "guardian": None,
        "festival": date(2024, 12, 25)}


def test_29_february_ticks_february_only(make, db, child):
    _record(make, child, date(2024, 2, 29), CareKind.HOME_VISIT)
    assert _ticks(db, child, date(2024, 2, 1)) == {
        "child": date(2024, 2, 29), "parents": None, "teacher": None,
        "guardian": date(2024, 2, 29), "festival": None}
    assert _ticks(db, child, date(2024, 3, 1)) == NO_TICKS
    assert _ticks(db, child, date(2024, 1, 1)) == NO_TICKS


def test_a_later_months_record_does_not_tick_an_earlier_month(make, db, child):
    _record(make, child, date(2025, 7, 1))
    _record(make, child, date(2025, 7, 1), CareKind.FESTIVAL)
    assert _ticks(db, child, date(2025, 6, 1)) == NO_TICKS


def test_the_festival_counts_for_the_year_so_far_and_the_latest_record_ticks(make, db, child):
    _record(make, child, date(2025, 3, 5), CareKind.FESTIVAL)
    _record(make, child, date(2025, 6, 20))
    _record(make, child, date(2025, 6, 3))
    _record(make, child, date(2025, 6, 9), CareKind.PARENT_LETTER)
    _record(make, child, date(2025, 6, 12), CareKind.GUARDIAN_CONTACT)
    assert _ticks(db, child, date(2025, 6, 1)) == {
        "child": date(2025, 6, 20), "parents": date(2025, 6, 9), "teacher": None,
        "guardian": date(2025, 6, 12), "festival": date(2025, 3, 5)}


def test_a_month_is_done_with_its_four_monthly_duties_the_festival_apart():
    day = date(2025, 6, 1)
    done, undone = (Mark(1, 1, day, Frequency.MONTHLY), Mark(0, 1, None, Frequency.MONTHLY))
    no_festival, festival = (Mark(0, 1, None, Frequency.YEARLY),
                             Mark(1, 1, day, Frequency.YEARLY))
    assert month_done({"child": done, "parents": done, "teacher": done, "guardian": done,
                       "festival": no_festival}) is True
    assert month_done({"child": done, "parents": done, "teacher": undone, "guardian": done,
                       "festival": festival}) is False
    # A weekly duty with three of its four weeks is not done.
    assert month_done({"child": Mark(3, 4, day, Frequency.WEEKLY)}) is False
    assert month_done({"child": undone}) is False


def test_the_latest_tick_of_any_volunteer_and_any_month_of_the_year_wins(make, db, child):
    first, second = make.volunteer(home=child.home), make.volunteer(home=child.home)
    make.care_record(child, volunteer=first, occurred_on=date(2025, 6, 3), kind=CareKind.TALK)
    make.care_record(child, volunteer=second, occurred_on=date(2025, 6, 20), kind=CareKind.TALK)
    make.care_record(child, volunteer=first, occurred_on=date(2025, 6, 25), kind=CareKind.TALK)
    make.care_record(child, volunteer=second, occurred_on=date(2025, 2, 1),
                     kind=CareKind.FESTIVAL)
    make.care_record(child, volunteer=first, occurred_on=date(2025, 5, 31),
                     kind=CareKind.FESTIVAL)
    make.care_record(child, volunteer=second, occurred_on=date(2025, 3, 8),
                     kind=CareKind.FESTIVAL)
    ticks = _ticks(db, child, date(2025, 6, 1))
    assert (ticks["child"], ticks["festival"]) == (date(2025, 6, 25), date(2025, 5, 31))
    assert _ticks(db, child, date(2025, 6, 1), first.id)["child"] == date(2025, 6, 25)
    assert _ticks(db, child, date(2025, 6, 1), second.id)["child"] == date(2025, 6, 20)
    assert _ticks(db, child, date(2025, 6, 1), second.id)["festival"] == date(2025, 3, 8)
