"""WTForms adapters for the value rules in models.validators."""

from __future__ import annotations

from collections.abc import Callable

from wtforms.validators import ValidationError

from models import validators as rules


class Cleaned:
    """Run a rule from models.validators on the field: its message on failure, its normal
    form (trimmed, half-width digits, ...) as the field's data on success."""

    def __init__(self, rule: Callable[[object], object]) -> None:
        self.rule = rule

    def __call__(self, form, field) -> None:
        try:
            field.data = self.rule(field.data)
        except rules.InvalidValue as error:
            raise ValidationError(str(error.message)) from None


class Checked:
    """Run a check that returns nothing (e.g. not in the future) on the field's data."""

    def __init__(self, check: Callable[[object], None]) -> None:
        self.check = check

    def __call__(self, form, field) -> None:
        try:
            self.check(field.data)
        except rules.InvalidValue as error:
            raise ValidationError(str(error.message)) from None


def _optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


def strip(value):
    """A WTForms filter: trim text, leave anything else (None on a blank form) alone."""
    return value.strip() if isinstance(value, str) else value


TRIMMED = {"filters": [strip]}


NAME = {"validators": [Cleaned(rules.clean_name)]}
PHONE = {"validators": [Cleaned(rules.clean_phone)], "filters": [_optional_text]}
ID_NUMBER = {"validators": [Cleaned(rules.clean_id_number)], "filters": [_optional_text]}
PAST_DATE = {"validators": [Checked(rules.check_not_future)]}
QUANTITY = {"validators": [Checked(rules.check_positive_quantity)]}
