"""Screens for the Home's resources and their stock movements (入库/出库)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from admin_app.reports.records import stock_workbook
from models import ResourceItem, StockMovement
from models.enums import MovementKind
from views.base import AppModelView
from views.display import home_filter, row_filter
from views.fields import PAST_DATE, QUANTITY, FieldError, field_value
from views.labels import LABELS, LABELS_BY_TABLE, THING_LABELS


def _stock_cell(view, context, item: ResourceItem, name: str):
    if item.low:
        return Markup('<span class="badge badge-warning" title="{}">{}</span>').format(
            _l("Below the low-stock threshold"), item.on_hand)
    return item.on_hand


class ResourceItemView(AppModelView):
    column_list = ("name", "category", "home", "on_hand", "unit", "low_stock_threshold",
                   "location")
    column_labels = THING_LABELS
    column_formatters = {"on_hand": _stock_cell}
    column_searchable_list = ("name",)
    column_filters = (home_filter(ResourceItem.home_id),
                      row_filter(ResourceItem.category_id, LABELS["category"], "ResourceCategory"))
    column_sortable_list = ("name", ("home", "home.name"), ("category", "category.name"))
    form_columns = ("home", "name", "category", "unit", "low_stock_threshold", "location")


def _going_out_says_where(form) -> None:
    """What leaves the store says where it went: a hand-out to which child, a loan to which
    child or whom (in the note), a transfer to which Home (in the note)."""
    kind = field_value(form, "kind")
    kind = MovementKind[kind] if isinstance(kind, str) and kind in MovementKind.__members__ \
        else kind
    child, note = field_value(form, "child"), (field_value(form, "note") or "").strip()
    if kind is MovementKind.HAND_OUT and child is None:
        raise FieldError("child", _l("A hand-out names the child who received it."))
    if kind is MovementKind.LOAN and child is None and not note:
        raise FieldError("child", _l("A loan names the child who borrowed it, or the "
                                     "borrower in the note."))
    if kind is not None and kind.sign > 0 and field_value(form, "source") is not None:
        raise FieldError("source", _l("Stock coming in draws on no other batch."))
    if kind is MovementKind.TRANSFER_OUT and not note:
        raise FieldError("note", _l("A transfer out names the Children's Home it went to, "
                                    "in the note."))


class StockMovementView(AppModelView):
    allow_export = True
    export_builder = staticmethod(stock_workbook)
    export_name = _l("stock")
    column_labels = LABELS_BY_TABLE["stock_movement"]
    column_list = ("occurred_on", "item", "kind", "quantity", "donor", "child", "recorded_by")
    column_phone_list = ("item", "occurred_on", "kind", "quantity", "child")
    column_searchable_list = ("item.name", "donor", "child.name")
    column_filters = ("kind", "occurred_on")
    column_sortable_list = ("occurred_on", "kind", "quantity", ("item", "item_id"))
    column_default_sort = ("occurred_on", True)
    form_columns = ("item", "occurred_on", "kind", "quantity", "donor", "source", "child",
                    "note")
    form_args = {"occurred_on": PAST_DATE, "quantity": QUANTITY}
    form_ajax_refs = {
        "item": {"fields": ("name",), "page_size": 10},
        # Stock going out: the batch in it comes from, found by its donor (left empty: the
        # item's oldest batch that holds it, models.stock).
        "source": {"fields": ("donor", "note"), "page_size": 10,
                   "placeholder": _l("The oldest batch that holds it")},
        "child": {"fields": ("name",), "page_size": 10},
    }
    form_checks = (_going_out_says_where,)

    def on_model_change(self, form, model: StockMovement, is_created: bool) -> None:
        if is_created:
            model.recorded_by_id = current_user.id
        super().on_model_change(form, model, is_created)
