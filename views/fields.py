"""Form building: the CSRF base form, WTForms adapters for the value rules in
models.validators, select lists with labels, and relation fields and look-ups that only
offer rows the user may see."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import Select2Field, Select2Widget
from flask_admin.model.fields import AjaxSelectField
from flask_admin.model.form import converts
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from markupsafe import Markup, escape
from sqlalchemy import String, cast, false, or_
from wtforms import fields, validators
from wtforms.fields import FieldList, FormField
from wtforms.validators import ValidationError
from wtforms.widgets import core as widgets_core

from admin_app import access, guard
from admin_app.extensions import db
from admin_app.masking import shown
from models import validators as rules


class BaseForm(FlaskForm):
    """Every admin form carries Flask-WTF's CSRF token, and knows the record it edits
    (Flask-Admin's unique-value check compares against `_obj`)."""

    def __init__(self, formdata=_Auto, obj=None, **kwargs) -> None:
        self._obj = obj
        super().__init__(formdata, obj=obj, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        """A field holding a character no column can hold (NUL) says so, and nothing else
        is checked: a validator that queries (a unique value) would fail on PostgreSQL."""
        bad = [field for field in self if _holds_unstorable(field)]
        for field in bad:
            field.errors = [*field.errors, str(guard.MESSAGE)]
        if bad:
            return False
        return super().validate(extra_validators)


def _holds_unstorable(field) -> bool:
    """Whether the field (or, for an inline form, any of its fields) was sent a NUL."""
    if isinstance(field, FieldList):
        return any(_holds_unstorable(entry) for entry in field.entries)
    if isinstance(field, FormField):
        return any(_holds_unstorable(sub) for sub in field.form)
    return guard.holds_unstorable(str(value) for value in getattr(field, "raw_data", None) or ())


class FieldError(Exception):
    """Raised by a form check to put `message` under the field `field`."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def field_value(form: FlaskForm, name: str):
    field = form._fields.get(name)
    return field.data if field is not None else None


class Cleaned:
    """Run a rule from models.validators on the field: its message on failure, its normal
    form (trimmed, half-width digits, ...) as the field's data on success."""

    def __init__(self, rule: Callable[[object], object]) -> None:
        self.rule = rule

    def __call__(self, form, field) -> None:
        try:
            field.data = self.rule(field.data)
        except rules.InvalidValue as error:
            raise ValidationError(str(error.message)) from None


class Checked:
    """Run a check that returns nothing (e.g. not in the future) on the field's data."""

    def __init__(self, check: Callable[[object], None]) -> None:
        self.check = check

    def __call__(self, form, field) -> None:
        try:
            self.check(field.data)
        except rules.InvalidValue as error:
            raise ValidationError(str(error.message)) from None


def _optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


def strip(value):
    """A WTForms filter: trim text, leave anything else (None on a blank form) alone."""
    return value.strip() if isinstance(value, str) else value


TRIMMED = {"filters": [strip]}
NAME = {"validators": [Cleaned(rules.clean_name)]}
# A phone opens the phone's dial pad, and is never filled in with the user's own number.
PHONE = {"validators": [Cleaned(rules.clean_phone)], "filters": [_optional_text],
         "render_kw": {"type": "tel", "inputmode": "tel", "autocomplete": "off"}}
# An ID number ends in a digit or X: a numeric keypad has no X, so the phone's keyboard is
# its text one, x written as X. No pattern: clean_id_number takes spaces and full-width
# digits too, and says in its own words what is wrong (a pattern's refusal says less).
ID_NUMBER = {"validators": [Cleaned(rules.clean_id_number)], "filters": [_optional_text],
             "render_kw": {"inputmode": "text", "autocapitalize": "characters",
                           "autocomplete": "off", "autocorrect": "off", "spellcheck": "false"}}
COLOUR = {"validators": [Cleaned(rules.clean_colour)]}
PAST_DATE = {"validators": [Checked(rules.check_not_future)]}
QUANTITY = {"validators": [Checked(rules.check_positive_quantity)]}


class SuggestingInput(widgets_core.TextInput):
    """A text box offering `words` as the browser types (a datalist): staff still type what
    they like, but the usual words come first and are spelt alike."""

    def __init__(self, words: tuple[str, ...]) -> None:
        super().__init__()
        self.words = words

    def __call__(self, field, **kwargs) -> Markup:
        listed = f"{field.id}-words"
        options = Markup("").join(Markup('<option value="{}">').format(word)
                                  for word in self.words)
        return (super().__call__(field, list=listed, **kwargs)
                + Markup('<datalist id="{}">{}</datalist>').format(listed, options))


def _describe(record) -> str:
    """What tells two 李奶奶 or two 王小明 apart in a look-up: relation, phone (as the user
    may see it) or birth date."""
    from models import Child, Guardian, StockMovement, Volunteer

    if isinstance(record, StockMovement) and record.incoming:
        return str(_l("%(day)s %(item)s from %(donor)s, %(left)s %(unit)s left",
                      day=record.occurred_on.isoformat(), item=record.item,
                      donor=record.donor or record.kind.label, left=record.remaining,
                      unit=record.item.unit))
    if isinstance(record, Guardian):
        extra = [str(record.relation.label), shown(current_user, "phone", record.phone) or ""]
    elif isinstance(record, Child):
        extra = [f"{record.birth_date:%Y-%m-%d}", record.grade]
    elif isinstance(record, Volunteer):
        extra = [shown(current_user, "phone", record.phone) or ""]
    else:
        return str(record)
    details = " ".join(part for part in extra if part)
    return f"{record}（{details}）" if details else str(record)


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """An ajax look-up that finds, and accepts on submit, only rows the user may see."""

    def format(self, model):
        if model is None:
            return None
        return model.id, _describe(model)

    def get_query(self):
        return access.scoped(db.session.query(self.model), self.model, current_user)

    def get_list(self, term: str, offset: int = 0, limit: int = 10):
        """Names by fragment; an encrypted phone only by the whole number, through its
        blind index, and only for roles that see phones unmasked."""
        from views.search import index_match, is_sealed, whole_numbers

        numbers = whole_numbers(term) if access.handles_numbers(current_user) else {}
        clauses = []
        for field in self._cached_fields:
            if not is_sealed(field):
                clauses.append(cast(field, String).ilike(f"%{term}%"))
            elif field.info.get("mask") in numbers and "index" in field.info:
                clauses.append(index_match(field, numbers[field.info["mask"]]))
        query = self.get_query().filter(or_(*clauses) if clauses else false())
        if self.order_by:
            query = query.order_by(self.order_by)
        return query.offset(offset).limit(limit).all()

    def get_one(self, pk):
        try:
            key = int(pk)
        except (TypeError, ValueError):
            return None
        with db.session.no_autoflush:
            return self.get_query().filter(self.model.id == key).one_or_none()


class ScopedAjaxSelectField(AjaxSelectField):
    """An id that the look-up does not find (another Home's guardian, say) is an error,
    not a silent blank (Flask-Admin clears an optional field instead)."""

    def pre_validate(self, form) -> None:
        if self.data is None and self._formdata:
            raise ValidationError(str(_l("Not a valid choice")))
        super().pre_validate(form)


def lookup(model, *fields: str, page_size: int = 10, placeholder=None,
           **options) -> ScopedAjaxLoader:
    """A scoped look-up of `model` by `fields`, for form_ajax_refs of views and inlines."""
    return ScopedAjaxLoader("lookup", db, model, fields=fields, page_size=page_size,
                            placeholder=placeholder or _l("Type to search"), **options)


WTFORMS_HTML_PARAMS = widgets_core.html_params  # WTForms' own, for the tests to compare


def quick_html_params(**kwargs) -> Markup:
    """WTForms' `html_params` with the same output, each attribute joined by an f-string
    instead of `Markup.format` (Python's string.Formatter): a child's form writes some 300
    attributes, and the formatter was a fifth of its time. Installed by `use_quick_html_params`;
    tests compare the two on every kind of value."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = widgets_core.clean_key(key)
        if value is True:
            params.append(key)
        elif value is not False:
            # As WTForms: escaped, then any quote left (in Markup passed in) as &quot;.
            value = str(escape(value)).replace('"', "&quot;")
            params.append(Markup(f'{escape(key)}="{value}"'))  # noqa: S704
    return Markup(" ").join(params)


def use_quick_html_params() -> None:
    """Let WTForms' own widgets (inputs, selects, text areas, buttons) write their
    attributes with `quick_html_params`: selects and text areas look the function up in
    their module, inputs and buttons keep it as a class attribute."""
    widgets_core.html_params = quick_html_params
    for widget in list(vars(widgets_core).values()):
        if isinstance(widget, type) and "html_params" in vars(widget):
            widget.html_params = staticmethod(quick_html_params)


class QuickSelect2Widget(Select2Widget):
    """Flask-Admin's Select2 drop-down with each option written straight, in the markup
    WTForms writes: html_params for each of a county's 200 Homes was a third of the time
    of an edit form."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        chosen = "selected " if choice.selected else ""
        value, label = escape(choice.value), escape(choice.label or choice.value)
        # As WTForms writes it; the value and the label are escaped just above.
        return Markup(f'<option {chosen}value="{value}">{label}</option>')  # noqa: S704


class NamedSelectField(QuerySelectField):
    """Flask-Admin's drop-down of related rows, its options read as (id, name) pairs: a
    county's 200 Homes were loaded as 200 whole records for every child's form (a sixth of
    its time) to show their names. The record chosen is loaded only when a form is sent
    (from the session's identity map when it is the record already there); an id not
    offered is an error, not a blank. For models whose label is one column, `label_column`
    (Home: its name)."""

    def __init__(self, *args, model, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model = model
        self._pairs: list[tuple[str, str]] | None = None

    def _get_pairs(self) -> list[tuple[str, str]]:
        if self._pairs is None:
            model = self.model
            query = (self.query or self.query_factory()).with_entities(
                model.id, getattr(model, model.label_column))
            self._pairs = [(str(key), label) for key, label in query]
        return self._pairs

    def _chosen_key(self) -> str | None:
        return None if self.data is None else str(self.get_pk(self.data))

    def _get_data(self):
        if self._formdata is not None:
            if any(key == self._formdata for key, _label in self._get_pairs()):
                self._set_data(db.session.get(self.model, int(self._formdata)))
        return self._data

    data = property(_get_data, QuerySelectField._set_data)

    def iter_choices(self):
        chosen = self._chosen_key()
        if self.allow_blank:
            yield "__None", self.blank_text, chosen is None, {}
        for key, label in self._get_pairs():
            yield key, label, key == chosen, {}

    def pre_validate(self, form) -> None:
        data = self.data
        # An id not offered (another Home's, say) is an error; Flask-Admin's field would
        # leave an optional relation blank instead.
        if self._formdata is not None:
            raise ValidationError(self.gettext("Not a valid choice"))
        if self.allow_blank and data is None:
            return
        chosen = self._chosen_key()
        if not any(key == chosen for key, _label in self._get_pairs()):
            raise ValidationError(self.gettext("Not a valid choice"))


def _yes_no_unsaid(value) -> bool | None:
    if value in (True, False, None):
        return value
    return {"1": True, "0": False}.get(str(value))


UNSAID_YES_NO = [("", "—"), ("1", _l("Yes")), ("0", _l("No"))]


class ScopedModelConverter(AdminModelConverter):
    """Enum columns become labelled select lists; relation drop-downs list only the rows the
    user may see (Flask-Admin's default lists the whole table)."""

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
        return Select2Field(widget=QuickSelect2Widget(), **field_args)

    @converts("Boolean", "sqlalchemy.dialects.mssql.base.BIT")
    def conv_Boolean(self, field_args, column=None, **extra):
        """A yes/no that may be unknown (nullable) is a choice of 是 / 否 / — (not asked),
        never a box whose blank would say 否."""
        if column is None or not column.nullable:
            return fields.BooleanField(**field_args)
        field_args["validators"] = [validators.Optional()]
        return fields.SelectField(choices=UNSAID_YES_NO, coerce=_yes_no_unsaid, **field_args)

    @converts("models.sealed.Sealed")
    def convert_sealed(self, column, field_args, **extra):
        """An encrypted column edits like the text it holds, within its plain length."""
        self._string_common(column=column, field_args=field_args, **extra)
        if column.type.multiline:
            return fields.TextAreaField(**field_args)
        return fields.StringField(**field_args)

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        loader = getattr(self.view, "_form_ajax_refs", {}).get(prop.key)
        if loader is not None and not multiple:
            return ScopedAjaxSelectField(loader, **kwargs)
        if "query_factory" not in kwargs and loader is None:
            kwargs["query_factory"] = lambda: access.scoped(
                db.session.query(remote_model), remote_model, current_user
            )
        if kwargs.get("allow_blank"):
            kwargs.setdefault("blank_text", "—")  # Flask-Admin's blank reads __None
        if loader is None:
            kwargs.setdefault("widget", QuickSelect2Widget(multiple=bool(multiple)))
            if not multiple and getattr(remote_model, "label_column", None):
                return NamedSelectField(model=remote_model, **kwargs)
        return super()._model_select_field(prop, multiple, remote_model, **kwargs)
