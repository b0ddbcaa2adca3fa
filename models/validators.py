"""Checks and normal forms for the values staff type: ID numbers, phones, names, dates.

Pure functions, used by the forms and (later) the roster import, so one rule holds on
every way in. Each raises `InvalidValue` with a message for users.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from datetime import date

from flask_babel import lazy_gettext as _l

from models.base import local_today
from models.enums import HOME_SCOPED_ROLES

NAME_MAX_LENGTH = 50
CARE_AGE_LIMIT = 18

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
# Spaces, dashes and brackets people type inside numbers.
_NUMBER_SEPARATORS = re.compile(r"[\s\-–—()（）]+")
COLOUR = re.compile(r"#[0-9a-f]{6}")


class InvalidValue(ValueError):
    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def _halfwidth(value: str) -> str:
    """Full-width digits, letters and spaces (from Chinese input methods) to ASCII."""
    return unicodedata.normalize("NFKC", value)


def clean_name(value: str | None) -> str:
    """A person's name: trimmed (full-width spaces too), non-empty, at most 50 characters.

    Characters outside the BMP (𠮷, 𡈼) count as one, as Python and PostgreSQL count them.
    """
    name = (value or "").strip().strip("\u3000").strip()
    if not name:
        raise InvalidValue(_l("Please enter a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidValue(_l("A name may have at most 50 characters."))
    return name


def clean_id_number(value: str | None) -> str | None:
    """A resident ID number (GB 11643-1999): 17 digits and a mod 11-2 check character.

    Returns the normal form (half-width, no spaces, upper-case X), or None when empty.
    """
    if value is None:
        return None
    number = _NUMBER_SEPARATORS.sub("", _halfwidth(value)).upper()
    if not number:
        return None
    if len(number) != 18:
        raise InvalidValue(_l("A resident ID number has 18 characters."))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidValue(
            _l("A resident ID number is 17 digits followed by a digit or X.")
        )
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK_CHARS[total % 11] != number[17]:
        raise InvalidValue(_l("This resident ID number's check digit is wrong; please check it."))
    if id_number_birth_date(number) is None:
        raise InvalidValue(_l("The birth date inside this resident ID number is not a real date."))
    return number


def id_number_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_id_matches_birth_date(number: str | None, birth_date: date | None) -> None:
    if number and birth_date and id_number_birth_date(number) != birth_date:
        raise InvalidValue(
            _l("The birth date in the resident ID number does not match the birth date.")
        )


def clean_phone(value: str | None) -> str | None:
    """A mobile (13812345678) or landline (0730-1234567) number, or None when empty."""
    if value is None:
        return None
    digits = _NUMBER_SEPARATORS.sub("", _halfwidth(value))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        return None
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(digits):
        # Beijing, Shanghai, Tianjin, Chongqing and the 02x cities have 3-digit area codes.
        area = 3 if digits[1] in "12" else 4
        return f"{digits[:area]}-{digits[area:]}"
    raise InvalidValue(
        _l("Please enter an 11-digit mobile number or a landline with its area code.")
    )


def clean_colour(value: str | None) -> str:
    """A colour as #rrggbb (lower case): the calendar draws activities in their kind's
    colour, and nothing else may reach the page's style."""
    colour = (value or "").strip().lower()
    if not COLOUR.fullmatch(colour):
        raise InvalidValue(_l("Please choose a colour such as #4e79a7."))
    return colour


def check_not_future(value: date | None, today: date | None = None) -> None:
    if value and value > (today or local_today()):
        raise InvalidValue(_l("This date is in the future."))


def check_age_on_entering_care(birth_date: date | None, entered_on: date | None) -> None:
    if not birth_date or not entered_on:
        return
    if entered_on < birth_date:
        raise InvalidValue(_l("A child cannot enter care before being born."))
    if age_on(birth_date, entered_on) >= CARE_AGE_LIMIT:
        raise InvalidValue(_l("A child must be under 18 on entering care."))


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birthday_in(born: date, year: int) -> date:
    """The day of `year` someone born on `born` has her birthday (29 February: the 28th in
    a year without one)."""
    return date(year, born.month, min(born.day, monthrange(year, born.month)[1]))


def next_birthday(born: date, today: date) -> date:
    """Her birthday today or next, from `today`."""
    this_year = birthday_in(born, today.year)
    return this_year if this_year >= today else birthday_in(born, today.year + 1)


def check_birth_year(value: int | None, today: date | None = None) -> None:
    if value is not None and not 1900 <= value <= (today or local_today()).year:
        raise InvalidValue(_l("Please enter a birth year such as 1958."))


def check_end_after_start(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InvalidValue(_l("The end must not be before the start."))


def check_positive_quantity(value: int | None) -> None:
    if value is None or value <= 0:
        raise InvalidValue(_l("The quantity must be a whole number greater than zero."))


def clean_township(value: str | None, *, role, has_home: bool, townships) -> str | None:
    """An account's township scope (None for none): only staff and supervisors have one,
    never beside a Home of their own, and only a township some Home is in."""
    value = _halfwidth(value or "").strip()
    if not value:
        return None
    if role not in HOME_SCOPED_ROLES:
        raise InvalidValue(_l("Only staff and supervisors may be given a township."))
    if has_home:
        raise InvalidValue(_l("Choose a Home or a township, not both."))
    if value not in townships:
        raise InvalidValue(_l("No Children's Home is in this township."))
    return value


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
EMAIL_MAX_LENGTH = 120


def clean_email(value: str | None) -> str | None:
    """An account's e-mail address for the reminders' digest: trimmed (full-width @ and
    dots made half-width), None when empty; one @ and a domain with a dot, or refused."""
    address = _halfwidth(value or "").strip()
    if not address:
        return None
    if len(address) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(address):
        raise InvalidValue(_l("Enter an e-mail address such as name@example.com."))
    return address
