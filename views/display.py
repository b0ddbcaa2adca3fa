"""How values look: enum labels, yes/no, dates as 2026年12月1日, masked ID numbers and
phones; the list filters that offer labelled choices; and the list rows' icons."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from types import SimpleNamespace

from flask import current_app, g, request
from flask_admin.contrib.sqla.filters import FilterConverter, IntEqualFilter
from flask_admin.model import filters, typefmt
from flask_admin.model.template import BaseListRowAction, TemplateLinkRowAction
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
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


def _yes_no_icon(view, value: bool, name: str) -> Markup:
    """A list's yes/no as Flask-Admin's icon, its hover text 是 or 否 (Flask-Admin's reads
    `follow_up_needed: true`)."""
    icon = "fa-check-circle" if value else "fa-minus-circle"
    said = escape(_yes_no(view, value, name))
    return Markup(f'<span class="fa {icon}" title="{said}" aria-label="{said}"></span>')  # noqa: S704


def _date(view, value: date, name: str) -> str:
    return show_date(value)


def _datetime(view, value: datetime, name: str) -> str:
    return show_datetime(value)


# Flask-Admin takes the first type the value is an instance of: datetime before date (a
# datetime is a date too, and would lose its time).
FORMATTERS = {**typefmt.BASE_FORMATTERS, bool: _yes_no_icon, Enum: _enum_label,
              datetime: _datetime, date: _date}
DETAIL_FORMATTERS = {
    **typefmt.DETAIL_FORMATTERS, bool: _yes_no, Enum: _enum_label, datetime: _datetime,
    date: _date,
}


def phone_link(value) -> Markup | str:
    """A phone shown in full as a link that dials it (a phone's browser calls on a tap); a
    masked or empty one as it is."""
    if not value or "*" in str(value):
        return value or ""
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return Markup(f'<a class="tel" href="tel:{digits}">{escape(value)}</a>')  # noqa: S704


def masked_formatters(model, links: bool = False) -> dict:
    """Column formatters that mask the model's tagged columns for roles that see them masked;
    with `links` (the details pages), a phone shown in full dials on a tap."""

    def formatter(kind):
        if links and kind == "phone":
            return lambda view, context, record, name: phone_link(
                shown(current_user, kind, getattr(record, name)))
        return lambda view, context, record, name: shown(current_user, kind,
                                                         getattr(record, name))

    return {
        column.key: formatter(column.info["mask"])
        for column in model.__table__.columns
        if column.info.get("mask")
    }


class _KnownMembers:
    """An enum filter given a value no member is named (a hand-edited or stale link: a kind
    no longer offered, a date where a kind goes): left out, as Flask-Admin leaves out any
    value it cannot read, where Flask-Admin's own enum filters raised KeyError (a 500)."""

    def clean(self, value):
        try:
            return super().clean(value)
        except KeyError as error:
            raise ValueError(f"no such choice: {value}") from error


_KNOWN: dict[type, type] = {}


def known_members(cls: type) -> type:
    """`cls`, an enum filter of Flask-Admin's, refusing unknown names as a bad value."""
    if cls not in _KNOWN:
        _KNOWN[cls] = type(cls.__name__, (_KnownMembers, cls), {})
    return _KNOWN[cls]


class LabelledFilterConverter(FilterConverter):
    @filters.convert("enum")
    def conv_enum(self, column, name, options=None, **kwargs):
        if not options:
            options = [(member.name, member.label) for member in column.type.enum_class]
        return [known_members(f)(column, name, options, **kwargs) for f in self.enum]

    @filters.convert("moment")  # models.base.Moment: a datetime (converters go by class name)
    def conv_moment(self, column, name, **kwargs):
        return self.conv_datetime(column, name, **kwargs)


class RowOptions:
    """The rows of `model` the user may see (a Home, an activity kind), by name, as filter
    options read when a page is drawn (Flask-Admin reads a list or a callable once, when
    the view is made)."""

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def __bool__(self) -> bool:
        return True

    def __iter__(self):
        import models

        model = getattr(models, self.model_name)
        query = access.scoped(db.select(model.id, model.name), model, current_user)
        rows = db.session.execute(query.order_by(model.name))
        return iter([(str(row_id), name) for row_id, name in rows])


def row_filter(column, label, model_name: str) -> IntEqualFilter:
    """Filter a list by a related row, offered as a drop-down of their names; Flask-Admin's
    filter on a relation offers one filter per column of the related table instead ("活动类别
    / Colour")."""
    return IntEqualFilter(column, label, options=RowOptions(model_name))


def home_filter(column, label=None) -> IntEqualFilter:
    """Filter a list by Children's Home, offered as a drop-down of the user's Homes."""
    return row_filter(column, label or _l("Children's Home"), "Home")


class StampedRowAction(BaseListRowAction):
    """One of Flask-Admin's row icons (view, edit, delete), drawn by its own macro once per
    page for a marker id and then stamped with each row's id. Drawn for every row, its
    url_for calls and the delete form's fields (with their CSRF token) were a third of a
    list page's time."""

    MARK = "ROWIDMARK"

    def __init__(self, action: TemplateLinkRowAction) -> None:
        super().__init__(action.title)
        self.action = action

    def render(self, context, row_id, row):
        if not str(row_id).isdigit():  # every model here has an integer id
            return self.action.render(context, row_id, row)
        view = context.resolve("admin_view")
        key = (view.endpoint, self.action.template_name, context.resolve("return_url"))
        made = g.setdefault("row_actions", {})
        if key not in made:
            marker = SimpleNamespace(**{view._primary_key: self.MARK})
            made[key] = str(self.action.render(context, self.MARK, marker)).split(self.MARK)
        # The macro's own escaped markup, with a number where the marker was.
        return Markup(str(row_id).join(made[key]))  # noqa: S704


def quick_row_actions(actions: list) -> list:
    """Flask-Admin's own row icons, stamped (see StampedRowAction); any other as it was."""
    return [StampedRowAction(action) if isinstance(action, TemplateLinkRowAction)
            and action.template_name.startswith("row_actions.") else action
            for action in actions]


@pass_context
def kept_menu(context, draw) -> Markup:
    """The main menu, drawn by Flask-Admin's macro (`draw`) once per role, language and
    page, then kept: which items a user is offered depends on the role alone (access.can),
    and drawing the menu's twenty items was a tenth of a list page."""
    view = context["admin_view"]
    key = (getattr(current_user, "role", None), str(get_locale()), view.endpoint,
           request.script_root)
    kept = current_app.extensions.setdefault("kept_menus", {})
    if key not in kept:
        kept[key] = Markup(draw())  # noqa: S704 (the macro's own escaped markup)
    return kept[key]
