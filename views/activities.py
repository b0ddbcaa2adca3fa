"""Screens for the Home's activities, with the children taking part inline."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import request
from flask_admin.model.form import InlineFormAdmin
from flask_babel import lazy_gettext as _l

from models import Activity, ActivityParticipant, Child
from models import validators as rules
from views.base import AppModelView
from views.display import home_filter
from views.fields import TRIMMED, FieldError, field_value, lookup
from views.labels import LABELS


def _activity_ends_after_start(form) -> None:
    try:
        rules.check_end_after_start(field_value(form, "starts_at"), field_value(form, "ends_at"))
    except rules.InvalidValue as error:
        raise FieldError("ends_at", error.message) from None


class ParticipantInline(InlineFormAdmin):
    form_columns = ("id", "child", "attended")
    form_label = _l("Children taking part")
    column_labels = LABELS
    form_ajax_refs = {"child": lookup(Child, "name")}


class ActivityView(AppModelView):
    column_labels = LABELS
    column_list = ("starts_at", "title", "kind", "home", "place", "organiser", "status")
    column_searchable_list = ("title", "place", "organiser")
    column_filters = (home_filter(Activity.home_id), "kind", "status", "starts_at")
    column_sortable_list = ("starts_at", "title", "status", ("home", "home.name"))
    column_default_sort = ("starts_at", True)
    form_columns = ("home", "title", "kind", "starts_at", "ends_at", "place", "organiser",
                    "status", "volunteers", "summary", "participants")
    form_args = {"title": TRIMMED, "organiser": TRIMMED}
    form_ajax_refs = {"volunteers": {"fields": ("name", "phone"), "page_size": 10}}
    inline_models = (ParticipantInline(ActivityParticipant),)
    form_checks = (_activity_ends_after_start,)

    def create_form(self, obj=None):
        """A click on a day of the calendar opens this form with that day filled in."""
        form = super().create_form(obj)
        if request.method == "GET":
            try:
                day = date.fromisoformat(request.args.get("date", ""))
            except ValueError:
                day = None
            if day is not None:
                form.starts_at.data = datetime.combine(day, time(15, 0))
                form.ends_at.data = datetime.combine(day, time(17, 0))
            homes = form.home.query_factory().limit(2).all()
            if len(homes) == 1:
                form.home.data = homes[0]
        return form
