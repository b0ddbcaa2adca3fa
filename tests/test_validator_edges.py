"""The validators at their edges, each answer written out: birthdays on the day itself and
on 29 February, this year as a birth year, a one-day span, a quantity of zero, a township
scope, a colour with anything after it."""

from __future__ import annotations

from datetime import date

import pytest

from models.enums import Role
from models.validators import (
    InvalidValue,
    birthday_in,
    check_birth_year,
    check_end_after_start,
    check_not_future,
    check_positive_quantity,
    clean_colour,
    clean_township,
    next_birthday,
)

LEAP_BORN = date(2016, 2, 29)


@pytest.mark.parametrize(("born", "today", "birthday"), [
    (date(2015, 3, 12), date(2026, 3, 12), date(2026, 3, 12)),  # today: this year's
    (date(2015, 3, 12), date(2026, 3, 13), date(2027, 3, 12)),
    (LEAP_BORN, date(2027, 2, 28), date(2027, 2, 28)),
    (LEAP_BORN, date(2027, 3, 1), date(2028, 2, 29)),
])
def test_the_next_birthday(born, today, birthday):
    assert next_birthday(born, today) == birthday


def test_29_february_in_common_and_leap_years():
    assert birthday_in(LEAP_BORN, 2027) == date(2027, 2, 28)
    assert birthday_in(LEAP_BORN, 2028) == date(2028, 2, 29)
    assert birthday_in(date(2015, 12, 31), 2026) == date(2026, 12, 31)


def test_birth_years_from_1900_to_this_year():
    today = date(2026, 12, 2)
    for year in (1900, 1958, 2026):
        check_birth_year(year, today)
    for year in (1899, 2027):
        with pytest.raises(InvalidValue):
            check_birth_year(year, today)


def test_today_is_not_the_future_and_a_span_may_last_one_day():
    day = date(2026, 12, 2)
    check_not_future(day, today=day)
    with pytest.raises(InvalidValue):
        check_not_future(date(2026, 12, 3), today=day)
    check_end_after_start(day, day)
    with pytest.raises(InvalidValue):
        check_end_after_start(day, date(2026, 12, 1))


@pytest.mark.parametrize("quantity", [0, -1, None])
def test_a_quantity_must_be_more_than_zero(quantity):
    with pytest.raises(InvalidValue):
        check_positive_quantity(quantity)
    check_positive_quantity(1)


def test_a_township_scope_is_a_township_some_home_is_in():
    townships = {"甲乡", "乙镇"}
    assert clean_township(" 甲乡 ", role=Role.STAFF, has_home=False,
                          townships=townships) == "甲乡"
    assert clean_township("", role=Role.VOLUNTEER, has_home=True, townships=townships) is None
    for value, role, has_home in (("丙村", Role.STAFF, False), ("甲乡", Role.VOLUNTEER, False),
                                  ("甲乡", Role.SUPERVISOR, True)):
        with pytest.raises(InvalidValue):
            clean_township(value, role=role, has_home=has_home, townships=townships)


@pytest.mark.parametrize("typed", ["#4e79a7;background:url(x)", "#4e79a", "red", ""])
def test_a_colour_is_exactly_six_hex_digits(typed):
    with pytest.raises(InvalidValue):
        clean_colour(typed)
    assert clean_colour(" #4E79A7 ") == "#4e79a7"
