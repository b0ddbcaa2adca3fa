"""The county's school terms (设置 → 学期): administrators enter each school year's autumn
and spring terms; everyone else reads them. Where none is entered the usual dates apply,
marked as estimated on the calendar (models.terms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models import validators as rules
from models.figures import forget
from views.base import AppModelView
from views.fields import FieldError, field_value
from views.labels import LABELS

LONGEST_TERM_DAYS = 200


def _term_is_sound(form) -> None:
    first, last = field_value(form, "first_day"), field_value(form, "last_day")
    try:
        rules.check_end_after_start(first, last)
    except rules.InvalidValue as error:
        raise FieldError("last_day", error.message) from None
    if first and last and (last - first).days > LONGEST_TERM_DAYS:
        raise FieldError("last_day", _l("A term lasts at most 200 days."))
    year = field_value(form, "school_year")
    if first and year and first.year not in (year, year + 1):
        raise FieldError("first_day", _l("The term must begin in its school year."))


class SchoolTermView(AppModelView):
    column_labels = {**LABELS, "school_year": _l("School year (starting)"), "term": _l("Term"),
                     "first_day": _l("First day"), "last_day": _l("Last day")}
    column_list = ("school_year", "term", "first_day", "last_day")
    column_sortable_list = ("school_year",)
    column_default_sort = ("school_year", True)
    form_columns = ("school_year", "term", "first_day", "last_day")
    form_args = {"school_year": {"description": _l(
        "2026 for the 2026–2027 school year: its autumn term begins in 2026, its spring "
        "term in 2027.")}}
    form_checks = (_term_is_sound,)
    allow_delete = False

    def on_model_change(self, form, model, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        # The scorecards' kept figures counted the term visits in the terms as they were.
        forget()
