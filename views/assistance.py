"""The help from the state a child's family receives (救助帮扶): edited with the child (the
archive card's form) or in a list of its own, for the county's summary table."""

from __future__ import annotations

from flask_admin.model.form import InlineFormAdmin
from flask_babel import lazy_gettext as _l
from wtforms.validators import NumberRange

from views.base import AppModelView
from views.fields import FieldError, field_value
from views.labels import LABELS

AMOUNT = {"validators": [NumberRange(min=0, message=_l("The amount cannot be negative."))]}


def _ends_after_it_starts(form) -> None:
    since, until = field_value(form, "since"), field_value(form, "until")
    if since and until and until < since:
        raise FieldError("until", _l("The end date is before the start date."))


class AssistanceInline(InlineFormAdmin):
    form_columns = ("id", "kind", "monthly_amount", "since", "until", "note")
    form_label = _l("Assistance received")
    column_labels = LABELS
    form_args = {"monthly_amount": AMOUNT}


class AssistanceView(AppModelView):
    """救助帮扶: who receives which help from the state, for the county's summary."""

    column_labels = LABELS
    column_list = ("child", "kind", "monthly_amount", "since", "until", "note")
    column_searchable_list = ("child.name",)
    column_filters = ("kind", "since", "until")
    column_sortable_list = (("child", "child_id"),)
    form_columns = ("child", "kind", "monthly_amount", "since", "until", "note")
    form_args = {"monthly_amount": AMOUNT}
    form_ajax_refs = {"child": {"fields": ("name",), "page_size": 10}}
    form_checks = (_ends_after_it_starts,)
