"""Screens for the Children's Homes and the lookup tables staff edit."""

from __future__ import annotations

from wtforms.fields import ColorField

from views.base import AppModelView
from views.fields import COLOUR, PHONE, TRIMMED
from views.labels import THING_LABELS


class HomeView(AppModelView):
    column_labels = THING_LABELS
    column_list = ("name", "township", "village", "phone", "opening_hours")
    column_searchable_list = ("name", "township", "village")
    column_filters = ("township",)
    column_sortable_list = ("name", "township", "village")
    form_columns = ("name", "township", "village", "address", "phone", "opening_hours")
    form_args = {"name": TRIMMED, "phone": PHONE}
    # A Home keeps its history: children, activities and stock all point at it.
    allow_delete = False


class LookupView(AppModelView):
    column_labels = THING_LABELS
    column_list = ("name", "sort_order")
    column_sortable_list = ("name", "sort_order")
    column_default_sort = "sort_order"
    form_columns = ("name", "sort_order")
    form_args = {"name": TRIMMED}


class ActivityKindView(LookupView):
    column_list = ("name", "colour", "sort_order")
    form_columns = ("name", "colour", "sort_order")
    # The calendar draws each activity's border in its kind's colour: a colour picker, and
    # nothing but #rrggbb is kept (models.validators.clean_colour).
    form_overrides = {"colour": ColorField}
    form_args = {**LookupView.form_args, "colour": COLOUR}
