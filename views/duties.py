"""The county's duties of care (设置 → 关爱职责): administrators edit them, staff and
supervisors read them. The follow-up, 我的孩子 and the overview tick what is set here."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from models.duties import DutyRule, joined
from models.enums import CareKind, Frequency, Risk
from models.figures import forget
from views.base import AppModelView
from views.fields import TRIMMED, FieldError, field_value
from views.labels import LABELS_BY_TABLE

# Paces from the most to the least often.
_ORDER = list(Frequency)


def _checkboxes(label, choices, **kw) -> SelectMultipleField:
    return SelectMultipleField(label, choices=choices, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput(), **kw)


def _labels(enum_cls):
    def shown(view, context, rule: DutyRule, name: str) -> str:
        values = set(getattr(rule, name).split(","))
        return "、".join(str(m.label) for m in enum_cls if m.value in values)
    return shown


def _pace(value) -> Frequency | None:
    """A pace as the form holds it: a member, its name, or nothing."""
    if not value or value == "__None":
        return None
    return value if isinstance(value, Frequency) else Frequency[value]


def _named_and_counted(form) -> None:
    # A check, not InputRequired: that would mark every checkbox required in the browser.
    if not (field_value(form, "care_kinds") or []):
        raise FieldError("care_kinds", _l("Choose the care records that fulfil the duty."))
    if not (field_value(form, "name") or "").strip():
        raise FieldError("name", _l("Please enter the duty's name."))


def _stricter_is_sound(form) -> None:
    pace = _pace(field_value(form, "stricter_frequency"))
    risks = field_value(form, "risks") or []
    if pace and not risks:
        raise FieldError("risks", _l("Choose the risks that make the duty due more often."))
    if risks and not pace:
        raise FieldError("stricter_frequency",
                         _l("Choose how often the duty is due for these children."))
    usual = _pace(field_value(form, "frequency"))
    if pace and usual and _ORDER.index(pace) >= _ORDER.index(usual):
        raise FieldError("stricter_frequency",
                         _l("The pace for children at risk must be more often than the usual "
                            "pace."))


class DutyRuleView(AppModelView):
    """One row per duty. Never deleted: a duty the county drops is made inactive, so the
    months it ticked keep their meaning in the audit trail."""

    allow_delete = False
    column_labels = {**LABELS_BY_TABLE["duty_rule"], "care_kinds": _l("Counted records"),
                     "risks": _l("Children at risk")}
    column_list = ("position", "name", "frequency", "kinds", "fulfilled_by",
                   "stricter_frequency", "stricter_for", "active")
    column_details_list = column_list
    column_formatters = {"kinds": _labels(CareKind), "stricter_for": _labels(Risk)}
    column_formatters_detail = column_formatters
    column_default_sort = "position"
    column_sortable_list = ("position", "name")
    form_columns = ("name", "position", "frequency", "care_kinds", "fulfilled_by",
                    "stricter_frequency", "risks", "active")
    form_extra_fields = {
        "care_kinds": _checkboxes(_l("Counted records"), CareKind.choices()),
        "risks": _checkboxes(_l("Children at risk"), Risk.choices()),
    }
    form_args = {"name": TRIMMED}
    form_checks = (_named_and_counted, _stricter_is_sound)

    def _loaded(self, form, rule: DutyRule | None):
        if request.method == "GET" and rule is not None:
            form.care_kinds.data = [value for value in rule.kinds.split(",") if value]
            form.risks.data = [value for value in rule.stricter_for.split(",") if value]
        return form

    def edit_form(self, obj=None):
        return self._loaded(super().edit_form(obj), obj)

    def on_model_change(self, form, model: DutyRule, is_created: bool) -> None:
        model.kinds = joined(CareKind, form.care_kinds.data)
        model.stricter_for = joined(Risk, form.risks.data)
        super().on_model_change(form, model, is_created)
        # The overview's and the scorecards' kept figures counted the duties as they were.
        forget()
