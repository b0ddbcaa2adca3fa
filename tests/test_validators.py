"""The value rules on their own: ID numbers, phones, names, dates, quantities."""

from __future__ import annotations

from datetime import date

import pytest

from models import validators as rules
from seed.demo import id_number

VALID_ID = "11010519491231002X"  # the standard's own example


def test_valid_id_number_is_normalised():
    assert rules.clean_id_number(VALID_ID) == VALID_ID
    assert rules.clean_id_number(" 110105 19491231 002x ") == VALID_ID


def test_full_width_id_number_is_accepted():
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    assert rules.clean_id_number(full_width) == VALID_ID


def test_empty_id_number_is_none():
    assert rules.clean_id_number("  ") is None
    assert rules.clean_id_number(None) is None


@pytest.mark.parametrize("bad", [
    "11010519491231002",      # 17 characters
    "110105194912310021",     # wrong check digit
    "11010519491331002X",     # month 13 (check digit recomputed below)
    "1101051949123100AX",     # letters inside
])
def test_bad_id_numbers_are_refused(bad):
    if bad.startswith("110105194913"):
        body = bad[:17]
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        bad = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    with pytest.raises(rules.InvalidValue):
        rules.clean_id_number(bad)


def test_generated_demo_id_numbers_pass_the_check():
    for seq in range(20):
        number = id_number("430626", date(2015, 3, 12), seq, male=seq % 2 == 0)
        assert rules.clean_id_number(number) == number
        assert rules.id_number_birth_date(number) == date(2015, 3, 12)


def test_id_number_must_match_birth_date():
    rules.check_id_matches_birth_date(VALID_ID, date(1949, 12, 31))
    with pytest.raises(rules.InvalidValue):
        rules.check_id_matches_birth_date(VALID_ID, date(1950, 1, 1))


@pytest.mark.parametrize("typed, stored", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("0730-1234567", "0730-1234567"),
    ("07301234567", "0730-1234567"),
    ("(010) 12345678", "010-12345678"),
    ("", None),
])
def test_phones_are_normalised(typed, stored):
    assert rules.clean_phone(typed) == stored


@pytest.mark.parametrize("bad", ["12345", "23812345678", "1381234567", "phone"])
def test_bad_phones_are_refused(bad):
    with pytest.raises(rules.InvalidValue):
        rules.clean_phone(bad)


def test_names_are_trimmed_and_keep_characters_outside_the_bmp():
    assert rules.clean_name("\u3000 𠮷𡈼 ") == "𠮷𡈼"
    assert rules.clean_name("王" * 50) == "王" * 50
    with pytest.raises(rules.InvalidValue):
        rules.clean_name("王" * 51)
    with pytest.raises(rules.InvalidValue):
        rules.clean_name("   ")


def test_dates_and_ages():
    today = date(2026, 11, 28)
    rules.check_not_future(today, today=today)
    with pytest.raises(rules.InvalidValue):
        rules.check_not_future(date(2026, 11, 29), today=today)
    rules.check_age_on_entering_care(date(2008, 11, 29), date(2026, 11, 28))  # 17 years
    with pytest.raises(rules.InvalidValue):
        rules.check_age_on_entering_care(date(2008, 11, 28), date(2026, 11, 28))  # 18
    with pytest.raises(rules.InvalidValue):
        rules.check_age_on_entering_care(date(2020, 1, 2), date(2020, 1, 1))


def test_end_after_start_and_quantities():
    rules.check_end_after_start(date(2025, 1, 1), date(2025, 1, 1))
    with pytest.raises(rules.InvalidValue):
        rules.check_end_after_start(date(2025, 1, 2), date(2025, 1, 1))
    rules.check_positive_quantity(1)
    for bad in (0, -3, None):
        with pytest.raises(rules.InvalidValue):
            rules.check_positive_quantity(bad)
