"""Screens for pairings (结对帮扶) and care records (关爱记录)."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from admin_app.access import scoped
from admin_app.extensions import db
from admin_app.reports.records import care_records_workbook
from models import CareRecord, Child
from models import validators as rules
from models.enums import CareKind, Role
from views.base import AppModelView
from views.fields import PAST_DATE, FieldError, field_value
from views.labels import LABELS


def _pairing_ends_after_start(form) -> None:
    try:
        rules.check_end_after_start(field_value(form, "started_on"), field_value(form, "ended_on"))
    except rules.InvalidValue as error:
        raise FieldError("ended_on", error.message) from None


class PairingView(AppModelView):
    column_labels = LABELS
    column_list = ("volunteer", "child", "started_on", "ended_on", "end_reason")
    column_searchable_list = ("volunteer.name", "child.name")
    column_filters = ("started_on", "ended_on")
    column_sortable_list = ("started_on", "ended_on", ("volunteer", "volunteer.name"),
                            ("child", "child.name"))
    column_default_sort = ("started_on", True)
    form_columns = ("volunteer", "child", "started_on", "ended_on", "end_reason")
    form_ajax_refs = {
        "volunteer": {"fields": ("name", "phone"), "page_size": 10},
        "child": {"fields": ("name",), "page_size": 10},
    }
    form_checks = (_pairing_ends_after_start,)


class CareRecordView(AppModelView):
    allow_export = True
    export_builder = staticmethod(care_records_workbook)
    export_name = _l("care records")
    column_labels = LABELS
    column_list = ("occurred_on", "child", "kind", "volunteer", "follow_up_needed",
                   "follow_up_note")
    column_searchable_list = ("child.name", "volunteer.name")
    column_filters = ("kind", "occurred_on", "follow_up_needed")
    column_sortable_list = ("occurred_on", "kind", ("child", "child.name"))
    column_default_sort = ("occurred_on", True)
    form_columns = ("child", "volunteer", "occurred_on", "kind", "notes", "follow_up_needed",
                    "follow_up_note")
    form_args = {
        "occurred_on": {**PAST_DATE, "default": date.today},
        "kind": {"default": CareKind.TALK.name},
    }
    form_ajax_refs = {
        "child": {"fields": ("name",), "page_size": 10},
        "volunteer": {"fields": ("name", "phone"), "page_size": 10},
    }
    column_details_list = ("child", "volunteer", "occurred_on", "kind", "notes",
                           "follow_up_needed", "follow_up_note", "recorded_by", "created_at",
                           "updated_at")

    def _for_volunteer(self, form):
        # A caring mother writes as herself: the form does not offer the field at all.
        if current_user.role is Role.VOLUNTEER and "volunteer" in form:
            del form.volunteer
        return form

    def create_form(self, obj=None):
        form = super().create_form(obj)
        child_id = request.args.get("child_id", type=int)
        if request.method == "GET" and child_id:
            form.child.data = db.session.scalar(
                scoped(select(Child).where(Child.id == child_id), Child, current_user))
        return self._for_volunteer(form)

    def edit_form(self, obj=None):
        return self._for_volunteer(super().edit_form(obj))

    def on_model_change(self, form, model: CareRecord, is_created: bool) -> None:
        if is_created:
            model.recorded_by_id = current_user.id
        if current_user.role is Role.VOLUNTEER:
            model.volunteer_id = current_user.volunteer_id
        super().on_model_change(form, model, is_created)
