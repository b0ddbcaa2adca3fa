"""The one base every admin view derives from: sign-in gate, CSRF forms, Chinese display
of enums and dates, form-level checks, and database errors turned into plain messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum

from flask import flash, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import Select2Field
from flask_admin.model import filters, typefmt
from flask_admin.model.form import converts
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from wtforms import validators

from admin_app.extensions import db
from admin_app.i18n import show_date, show_datetime
from models.validators import InvalidValue

log = logging.getLogger(__name__)


class BaseForm(FlaskForm):
    """Every admin form carries Flask-WTF's CSRF token."""


class FieldError(Exception):
    """Raised by a form check to put `message` under the field `field`."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


FormCheck = Callable[[FlaskForm], None]


def field_value(form: FlaskForm, name: str):
    field = form._fields.get(name)
    return field.data if field is not None else None


class LabelledModelConverter(AdminModelConverter):
    """Enum columns become select lists showing each member's label."""

    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column, field_args, **extra):
        enum_class = column.type.enum_class
        field_args["choices"] = [(member.name, member.label) for member in enum_class]
        if column.nullable:
            field_args["allow_blank"] = True
            field_args["blank_text"] = "—"
        self._nullable_common(column, field_args)
        field_args["coerce"] = lambda v: v.name if isinstance(v, Enum) else v
        accepted = [member.name for member in enum_class]
        if column.nullable:
            accepted += [None, "", "__None"]
        field_args["validators"].append(
            validators.AnyOf(accepted, message=_l("Please choose from the list."))
        )
        return Select2Field(**field_args)


class LabelledFilterConverter(FilterConverter):
    @filters.convert("enum")
    def conv_enum(self, column, name, options=None, **kwargs):
        if not options:
            options = [(member.name, member.label) for member in column.type.enum_class]
        return [f(column, name, options, **kwargs) for f in self.enum]


def _enum_label(view, value: Enum, name: str) -> str:
    return str(getattr(value, "label", value.name))


def _yes_no(view, value: bool, name: str) -> str:
    return str(_l("Yes") if value else _l("No"))


def _date(view, value: date, name: str) -> str:
    return show_date(value)


def _datetime(view, value: datetime, name: str) -> str:
    return show_datetime(value)


FORMATTERS = {
    **typefmt.BASE_FORMATTERS,
    Enum: _enum_label,
    date: _date,
    datetime: _datetime,
}
DETAIL_FORMATTERS = {
    **typefmt.DETAIL_FORMATTERS,
    bool: _yes_no,
    Enum: _enum_label,
    date: _date,
    datetime: _datetime,
}


class SignedInMixin:
    """The gate before every admin page: anonymous users go to the sign-in page."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class AppIndexView(SignedInMixin, AdminIndexView):
    pass


class AppView(SignedInMixin, BaseView):
    """Base of custom (non-model) pages."""


class AppModelView(SignedInMixin, ModelView):
    form_base_class = BaseForm
    model_form_converter = LabelledModelConverter
    filter_converter = LabelledFilterConverter()
    column_type_formatters = FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    can_view_details = True
    # The built-in exports load every row into memory and break on relationships (SECURITY.md);
    # exports are built on admin_app.xlsx instead.
    can_export = False
    page_size = 50
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    form_excluded_columns = ("created_at", "updated_at")
    column_details_exclude_list = ()
    # Cross-field checks, run after the fields' own validators; see FieldError.
    form_checks: Iterable[FormCheck] = ()
    # For custom templates (e.g. the archive card) to show dates as the lists do.
    format_date = staticmethod(show_date)

    def __init__(self, model, name=None, category=None, endpoint=None, **kwargs):
        super().__init__(model, db, name=name, category=category, endpoint=endpoint,
                         **kwargs)

    def validate_form(self, form) -> bool:
        if not super().validate_form(form):
            return False
        if not isinstance(form, (self._create_form_class, self._edit_form_class)):
            return True  # the delete and action forms have nothing more to check
        ok = True
        for check in self.form_checks:
            try:
                check(form)
            except FieldError as error:
                field = form._fields.get(error.field)
                if field is None:
                    flash(str(error.message), "error")
                else:
                    field.errors = [*field.errors, str(error.message)]
                ok = False
        return ok

    def get_one(self, id):
        """By primary key; an id that is not a whole number is simply not found (no 500)."""
        try:
            key = int(id)
        except (TypeError, ValueError):
            return None
        return db.session.get(self.model, key)

    def handle_view_exception(self, exc: Exception) -> bool:
        # Never show SQL to users: log it, and say in plain words what went wrong.
        if isinstance(exc, IntegrityError):
            log.warning("integrity error in %s: %s", self.endpoint, exc)
            flash(_l("This record could not be saved: it conflicts with another record "
                     "(for example a duplicate ID number or name), or is still in use."),
                  "error")
            return True
        if isinstance(exc, InvalidValue):
            flash(str(exc.message), "error")
            return True
        if isinstance(exc, SQLAlchemyError):
            log.exception("database error in %s", self.endpoint)
            flash(_l("The database could not complete this request. Please try again."), "error")
            return True
        if super().handle_view_exception(exc):
            return True
        log.exception("unexpected error in %s", self.endpoint)
        flash(_l("Something went wrong; nothing was saved. Please try again."), "error")
        return True


class HomeOptions:
    """The Homes as filter options, read when a page is drawn (not when the view is made,
    which is what Flask-Admin does with a list or a callable)."""

    def __bool__(self) -> bool:
        return True

    def __iter__(self):
        from models import Home

        rows = db.session.execute(db.select(Home.id, Home.name).order_by(Home.name))
        return iter([(str(home_id), name) for home_id, name in rows])


def home_filter(column, label=None):
    """Filter a list by Children's Home, offered as a drop-down of the Homes."""
    from flask_admin.contrib.sqla.filters import IntEqualFilter

    return IntEqualFilter(column, label or _l("Children's Home"), options=HomeOptions())
