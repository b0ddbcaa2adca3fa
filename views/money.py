"""资金台账: a Home's money in and out (models.money), each payment drawn on one income —
first in, first out unless staff choose another — and never below zero."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.validators import NumberRange

from admin_app import access
from admin_app.extensions import db
from admin_app.reports.ledger import money_workbook
from models import Home, MoneyEntry
from models.enums import MoneyKind
from models.money import kind_of
from views.base import AppModelView
from views.display import home_filter
from views.fields import PAST_DATE, FieldError, field_value
from views.labels import LABELS

INCOMING = [kind for kind in MoneyKind if kind.incoming]


def _incomes():
    """The incomes a payment may draw on: those of the user's Homes, newest first."""
    return access.scoped(db.session.query(MoneyEntry).filter(MoneyEntry.kind.in_(INCOMING)),
                         MoneyEntry, current_user).order_by(MoneyEntry.occurred_on.desc(),
                                                            MoneyEntry.id.desc())


def _income_label(entry: MoneyEntry) -> str:
    return str(_l("%(entry)s, ¥%(left)s left", entry=entry, left=entry.remaining))


def _says_who_and_what(form) -> None:
    """Money in says who gave it; 慰问金 names the child; goods bought name their stock
    movement in; an activity's costs name the activity."""
    kind = kind_of(field_value(form, "kind"))
    if kind is None:
        return
    if kind is MoneyKind.DONATION and not (field_value(form, "donor") or "").strip():
        raise FieldError("donor", _l("A donation names its donor."))
    if kind.incoming and field_value(form, "source") is not None:
        raise FieldError("source", _l("Money coming in draws on no other income."))
    if kind is MoneyKind.CONDOLENCE and field_value(form, "child") is None:
        raise FieldError("child", _l("Money given to a child names the child."))
    if kind is MoneyKind.PURCHASE and field_value(form, "stock_movement") is None:
        raise FieldError("stock_movement", _l("A purchase names the stock movement of the "
                                              "goods it bought."))
    if kind is MoneyKind.ACTIVITY and field_value(form, "activity") is None:
        raise FieldError("activity", _l("An activity's costs name the activity."))


def balances(user) -> list[tuple[str, str]]:
    """Each of the user's Homes with money recorded, and what it has left (one query)."""
    return [(home, f"{Decimal(left):.2f}") for home, left in db.session.execute(access.scoped(
        select(Home.name, func.coalesce(func.sum(MoneyEntry.remaining), 0))
        .join(Home, Home.id == MoneyEntry.home_id)
        .group_by(Home.name).order_by(Home.name), MoneyEntry, user))]


class MoneyEntryView(AppModelView):
    """资金台账: corrected, never deleted (a line that was wrong is changed, the trail
    keeps what it said)."""

    allow_delete = False
    allow_export = True
    export_builder = staticmethod(money_workbook)
    export_name = _l("money ledger")
    list_template = "admin/money_list.html"
    column_labels = LABELS
    column_list = ("occurred_on", "home", "kind", "amount", "donor", "remaining", "source",
                   "child", "note")
    column_phone_list = ("occurred_on", "kind", "amount", "donor", "child")
    column_searchable_list = ("donor", "child.name", "note")
    column_filters = (home_filter(MoneyEntry.home_id), "kind", "occurred_on")
    column_sortable_list = ("occurred_on", "kind", "amount", ("home", "home_id"))
    column_default_sort = ("occurred_on", True)
    form_columns = ("home", "occurred_on", "kind", "amount", "donor", "source", "child",
                    "stock_movement", "activity", "note")
    form_args = {
        "occurred_on": PAST_DATE,
        "amount": {"validators": [NumberRange(min=0.01, message=_l(
            "The amount is at least ¥0.01."))], "places": 2},
        "source": {"query_factory": _incomes, "get_label": _income_label,
                   "allow_blank": True, "blank_text": _l("The oldest income that holds it")},
    }
    form_ajax_refs = {
        "child": {"fields": ("name",), "page_size": 10},
        "stock_movement": {"fields": ("donor", "note"), "page_size": 10},
        "activity": {"fields": ("title",), "page_size": 10},
    }
    form_checks = (_says_who_and_what,)

    def on_model_change(self, form, model: MoneyEntry, is_created: bool) -> None:
        if is_created:
            model.recorded_by_id = current_user.id
        super().on_model_change(form, model, is_created)

    def render(self, template, **kwargs):
        if template == self.list_template:
            kwargs["balances"] = balances(current_user)
        return super().render(template, **kwargs)
