"""How values look: enum labels, yes/no, dates as 2026年12月1日, masked ID numbers and
phones; the list filters that offer labelled choices; and the list rows' icons."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from urllib.parse import quote

from flask import g
from flask_admin.contrib.sqla.filters import FilterConverter, IntEqualFilter
from flask_admin.model import filters, typefmt
from flask_admin.model.template import BaseListRowAction, EditRowAction, ViewRowAction
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from admin_app import access
from admin_app.extensions import db
from admin_app.i18n import show_date, show_datetime
from admin_app.masking import shown


def _once_per_request(value, make) -> str:
    """A label translated once per request, not once per cell (a list page shows the same
    few labels hundreds of times, and each translation looks up the locale)."""
    cache = g.setdefault("_labels", {})
    if value not in cache:
        cache[value] = make()
    return cache[value]


def _enum_label(view, value: Enum, name: str) -> str:
    return _once_per_request(value, lambda: str(getattr(value, "label", value.name)))


def _yes_no(view, value: bool, name: str) -> str:
    return _once_per_request(bool(value), lambda: str(_l("Yes") if value else _l("No")))


def _date(view, value: date, name: str) -> str:
    return show_date(value)


def _datetime(view, value: datetime, name: str) -> str:
    return show_datetime(value)


# Flask-Admin takes the first type the value is an instance of: datetime before date (a
# datetime is a date too, and would lose its time).
FORMATTERS = {**typefmt.BASE_FORMATTERS, Enum: _enum_label, datetime: _datetime, date: _date}
DETAIL_FORMATTERS = {
    **typefmt.DETAIL_FORMATTERS, bool: _yes_no, Enum: _enum_label, datetime: _datetime,
    date: _date,
}


def masked_formatters(model) -> dict:
    """Column formatters that mask the model's tagged columns for roles that see them masked."""

    def formatter(kind):
        return lambda view, context, record, name: shown(current_user, kind,
                                                         getattr(record, name))

    return {
        column.key: formatter(column.info["mask"])
        for column in model.__table__.columns
        if column.info.get("mask")
    }


class LabelledFilterConverter(FilterConverter):
    @filters.convert("enum")
    def conv_enum(self, column, name, options=None, **kwargs):
        if not options:
            options = [(member.name, member.label) for member in column.type.enum_class]
        return [f(column, name, options, **kwargs) for f in self.enum]

    @filters.convert("moment")  # models.base.Moment: a datetime (converters go by class name)
    def conv_moment(self, column, name, **kwargs):
        return self.conv_datetime(column, name, **kwargs)


class HomeOptions:
    """The Homes the user may see, as filter options, read when a page is drawn (Flask-Admin
    reads a list or a callable once, when the view is made)."""

    def __bool__(self) -> bool:
        return True

    def __iter__(self):
        from models import Home

        query = access.scoped(db.select(Home.id, Home.name), Home, current_user)
        rows = db.session.execute(query.order_by(Home.name))
        return iter([(str(home_id), name) for home_id, name in rows])


def home_filter(column, label=None) -> IntEqualFilter:
    """Filter a list by Children's Home, offered as a drop-down of the user's Homes."""
    return IntEqualFilter(column, label or _l("Children's Home"), options=HomeOptions())


class RowLink(BaseListRowAction):
    """A list row's view or edit icon, drawn as Flask-Admin's `row_actions.link` draws it,
    with its URL made once per page and each row's id put in: `url_for` on every row was a
    third of the time of a list page."""

    MARK = "ROWIDMARK"

    def __init__(self, endpoint: str, icon_class: str, title) -> None:
        super().__init__(title)
        self.endpoint, self.icon_class = endpoint, icon_class

    def render(self, context, row_id, row):
        return_url = context.resolve("return_url")
        key = (context.resolve("admin_view").endpoint, self.endpoint, return_url)
        made = g.setdefault("row_links", {})
        if key not in made:
            url = context.resolve("get_url")(self.endpoint, id=self.MARK, url=return_url)
            made[key] = url.split(self.MARK, 1)
        before, after = made[key]
        url = escape(before + quote(str(row_id), safe="") + after)
        title, icon = escape(self.title or ""), escape(self.icon_class)
        # The same markup as the macro; every value is escaped just above.
        return Markup(f'<a class="icon" href="{url}" title="{title}">\n'  # noqa: S704
                      f'  <span class="{icon}"></span>\n</a>')


def quick_row_actions(actions: list) -> list:
    """Flask-Admin's view and edit icons as RowLinks; any other action as it was."""
    quick = {ViewRowAction: (".details_view", "fa fa-eye glyphicon glyphicon-eye-open"),
             EditRowAction: (".edit_view", "fa fa-pencil glyphicon glyphicon-pencil")}
    return [RowLink(*quick[type(action)], action.title) if type(action) in quick else action
            for action in actions]

