"""The one base every admin view derives from.

One gate before every handler (signed in, role allowed to do this on this resource), one
scope on every path that reads rows (list, count, details, edit, delete, bulk actions,
look-ups, relation drop-downs, search), masking of sensitive columns, the version check
that stops lost updates, and database errors turned into plain messages. A view declares
what it shows; it never builds its own permission check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cached_property

from flask import (
    abort,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_admin import AdminIndexView, BaseView
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import rules as layout
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from wtforms import HiddenField

from admin_app import access
from admin_app.access import CREATE, DELETE, EDIT, EXPORT, READ
from admin_app.audit import changes_since
from admin_app.extensions import db
from admin_app.i18n import show_date
from admin_app.masking import column_mask, shown
from models.sealed import Sealed
from models.validators import InvalidValue
from views.display import (
    DETAIL_FORMATTERS,
    FORMATTERS,
    LabelledFilterConverter,
    masked_formatters,
)
from views.exporting import ExportMixin
from views.fields import BaseForm, FieldError, ScopedAjaxLoader, ScopedModelConverter, lookup
from views.listing import ListMixin
from views.search import ScopedSearchMixin

log = logging.getLogger(__name__)

FormCheck = Callable[[BaseForm], None]

# The rights Flask-Admin's own model-view handlers need (ours declare theirs with
# access.needs). A bulk action is an edit, the bulk delete a delete (GateMixin._needed).
MODEL_VIEW_HANDLERS = {
    "index_view": READ, "details_view": READ, "ajax_lookup": READ, "create_view": CREATE,
    "edit_view": EDIT, "ajax_update": EDIT, "delete_view": DELETE, "action_view": EDIT,
}


class StaleEdit(Exception):
    """Someone else saved the record after this user opened it."""


class HiddenRule(layout.BaseRule):
    """Keeps a hidden field in a form laid out with rules; the form's hidden_tag() draws it."""

    def __init__(self, field_name: str) -> None:
        super().__init__()
        self.field_name = field_name

    @property
    def visible_fields(self) -> list[str]:
        return [self.field_name]

    def __call__(self, form, form_opts=None, field_args=None) -> str:
        return ""


class GateMixin:
    """The gate before every page: anonymous users go to sign-in, a signed-in user whose
    role may not do this gets 403. `resource` names the page in access.PERMISSIONS."""

    resource: str | None = None

    @property
    def resource_name(self) -> str:
        return self.resource or self.endpoint

    def is_accessible(self) -> bool:
        return access.can(current_user, READ, self.resource_name)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    def _handle_view(self, name, **kwargs):
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        needed = self._needed(name, request.method)
        if needed is None:
            log.error("%s.%s declares no right (access.needs); refused", self.endpoint, name)
            abort(403)
        if not access.can(current_user, needed, self.resource_name) or not self._offers(needed):
            abort(403)
        return None

    def _needed(self, name: str, method: str) -> access.Action | None:
        """The right the handler `name` declares (access.needs), else, for Flask-Admin's own
        model-view handlers, the one in MODEL_VIEW_HANDLERS; None for an undeclared one."""
        declared = access.needed(getattr(self, name, None), method)
        if declared is not None or not isinstance(self, ModelView):
            return declared
        if name == "action_view":
            return DELETE if request.form.get("action") == "delete" else EDIT
        return MODEL_VIEW_HANDLERS.get(name)

    def _offers(self, action) -> bool:
        """Whether the page offers `action` at all, whoever asks."""
        return True


class AppIndexView(GateMixin, AdminIndexView):
    resource = "dashboard"
    format_date = staticmethod(show_date)


class AppView(GateMixin, BaseView):
    """Base of custom (non-model) pages; set `resource`."""

    format_date = staticmethod(show_date)


class AppModelView(GateMixin, ScopedSearchMixin, ExportMixin, ListMixin, ModelView):
    form_base_class = BaseForm
    model_form_converter = ScopedModelConverter
    filter_converter = LabelledFilterConverter()
    column_type_formatters = FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    can_view_details = True
    page_size = 50
    can_set_page_size = True
    # The same list, its rows drawn with less work (no cell is editable in a list here).
    list_template = "admin/model/app_list.html"
    page_size_options = (20, 50, 100)
    form_excluded_columns = ("created_at", "updated_at", "version")
    column_details_exclude_list = ("version",)
    # What the view offers at all; the role decides the rest (see the can_* properties).
    allow_create = True
    allow_edit = True
    allow_delete = True
    # The built-in exports load every row into memory and break on relationships
    # (SECURITY.md); exports are built on admin_app.xlsx instead.
    allow_export = False
    # Loader options for the one record of details and edit pages (e.g. joinedload).
    record_load_options: tuple = ()
    # Cross-field checks, run after the fields' own validators; see FieldError.
    form_checks: Iterable[FormCheck] = ()
    # For custom templates (e.g. the archive card) to show dates as the lists do.
    format_date = staticmethod(show_date)

    def __init__(self, model, name=None, category=None, endpoint=None, **kwargs):
        self.column_formatters = {**masked_formatters(model), **dict(self.column_formatters)}
        self.column_formatters_detail = {
            **masked_formatters(model, links=True), **dict(self.column_formatters_detail or {})
        }
        # Blind indexes (phone_hash) are for look-ups, never for reading.
        self.column_details_exclude_list = (
            *self.column_details_exclude_list,
            *(column.key for column in model.__table__.columns if column.key.endswith("_hash")))
        # The version the user loaded travels with the edit form (see on_model_change).
        self.form_extra_fields = {**dict(self.form_extra_fields or {}),
                                  "loaded_version": HiddenField()}
        if self.form_columns:
            self.form_columns = (*self.form_columns, "loaded_version")
        if self.form_rules:
            self.form_rules = (*self.form_rules, HiddenRule("loaded_version"),
                               HiddenRule("csrf_token"))
        super().__init__(model, db, name=name, category=category, endpoint=endpoint,
                         **kwargs)
        unscoped = [name for name, loader in self._form_ajax_refs.items()
                    if not isinstance(loader, ScopedAjaxLoader)]
        if unscoped:
            raise TypeError(f"{self.endpoint}: look-ups {unscoped} are not scoped; "
                            "declare them with views.fields.lookup()")

    @property
    def may_pair(self) -> bool:
        """For templates: may the user create pairings (the pair buttons)?"""
        return access.can(current_user, CREATE, "pairing")

    def shown(self, kind: str, value):
        """For templates: a value as the current user may see it (masked or not)."""
        return shown(current_user, kind, value)

    def _offers(self, action) -> bool:
        flags = {CREATE: self.allow_create, EDIT: self.allow_edit, DELETE: self.allow_delete,
                 EXPORT: self.allow_export}
        return flags.get(action, True)

    # -- what the role may do here --------------------------------------------------------
    def _may(self, action) -> bool:
        if not has_request_context():
            return True  # building the view at start-up
        return access.can(current_user, action, self.resource_name)

    @property
    def can_create(self) -> bool:
        return self.allow_create and self._may(CREATE)

    @property
    def can_edit(self) -> bool:
        return self.allow_edit and self._may(EDIT)

    @property
    def can_delete(self) -> bool:
        return self.allow_delete and self._may(DELETE)

    @property
    def can_export(self) -> bool:
        return self.allow_export and self._may(EXPORT)

    # -- every read goes through the scope ----------------------------------------------
    @cached_property
    def _unlisted_sealed(self) -> tuple:
        """Encrypted columns the list does not show: left out of list queries, so a page of
        50 rows decrypts nothing it does not display."""
        listed = {name for name, _label in self._list_columns}
        return tuple(getattr(self.model, column.key) for column in self.model.__table__.columns
                     if isinstance(column.type, Sealed) and column.key not in listed)

    def get_query(self):
        return self._scoped_query().options(*(defer(c) for c in self._unlisted_sealed),
                                            *self.list_joins)

    def _scoped_query(self):
        return access.scoped(super().get_query(), self.model, current_user)

    def get_count_query(self):
        return access.scoped(super().get_count_query(), self.model, current_user)

    def get_one(self, id):
        """A row in the user's scope, else 404 (not 403: existence is not revealed)."""
        try:
            key = int(id)
        except (TypeError, ValueError):
            abort(404)
        query = self._scoped_query().filter(self.model.id == key)  # every column
        if self.record_load_options:
            query = query.options(*self.record_load_options)
        record = query.one_or_none()
        if record is None:
            abort(404)
        handler = (request.endpoint or "").rsplit(".", 1)[-1]
        action = {"edit_view": EDIT, "ajax_update": EDIT, "delete_view": DELETE}.get(handler)
        if action and not access.can_change(current_user, action, record):
            abort(403)
        return record

    def scoped_rows(self, ids: Iterable) -> list:
        """For bulk actions: the rows among `ids` that the user may see."""
        keys = [int(i) for i in ids if str(i).isdigit()]
        return self.get_query().filter(self.model.id.in_(keys)).all()

    def _create_ajax_loader(self, name, options):
        remote = getattr(self.model, name).property.mapper.class_
        loader = lookup(remote, *options["fields"], page_size=options.get("page_size", 10),
                        placeholder=options.get("placeholder"))
        loader.name = name
        return loader

    def _process_ajax_references(self):
        refs = super()._process_ajax_references()
        for name, loader in refs.items():
            loader.name = name
        return refs

    # -- forms -----------------------------------------------------------------------------
    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if request.method == "GET" and obj is not None:
            form.loaded_version.data = obj.version
        return form

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

    def on_model_change(self, form, model, is_created: bool) -> None:
        """After the form is applied, before commit: the version, the role's row rules, and
        the scope (a record may not be moved out of, or created outside, the user's Homes)."""
        if not is_created:
            loaded = getattr(form, "loaded_version", None)
            if loaded is not None and loaded.data and int(loaded.data) != model.version:
                raise StaleEdit(int(loaded.data))
        if masks := [name for name in form._fields if column_mask(self.model, name)]:
            if not access.handles_numbers(current_user):
                raise PermissionError(f"masked fields in form: {masks}")
        action = CREATE if is_created else EDIT
        if not access.can_change(current_user, action, model):
            abort(403)
        db.session.flush()
        inside = db.session.scalar(access.scoped(
            select(self.model.id).where(self.model.id == model.id), self.model, current_user))
        if inside is None:
            raise InvalidValue(_l("You may only save records of your own Children's Home."))

    def on_model_delete(self, model) -> None:
        if not access.can_change(current_user, DELETE, model):
            abort(403)

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, HTTPException):
            raise exc
        if isinstance(exc, (StaleEdit, StaleDataError)):
            db.session.rollback()
            self._explain_stale_edit(exc)
            return True
        if isinstance(exc, IntegrityError):
            # Never show SQL to users: log it, and say in plain words what went wrong.
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

    def _explain_stale_edit(self, exc: Exception) -> None:
        flash(_l("Someone else saved this record after you opened it, so your changes were "
                 "not saved. What you typed is still in the form; compare it with the "
                 "changes below, then save again."), "error")
        record_id = request.args.get("id", type=int)
        since = exc.args[0] if isinstance(exc, StaleEdit) else None
        for entry in changes_since(self.model.__tablename__, record_id, since):
            flash(entry, "warning")
        # The next save compares against the version now in the database.
        current = db.session.get(self.model, record_id)
        if current is not None:
            g.stale_version = current.version

    def update_model(self, form, model) -> bool:
        saved = super().update_model(form, model)
        if not saved and "stale_version" in g and hasattr(form, "loaded_version"):
            form.loaded_version.data = g.pop("stale_version")
        return saved
