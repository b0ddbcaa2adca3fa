"""The accounts screen: who may sign in, with which role and scope (a Home, a township or
the county)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField
from wtforms.validators import Length, Optional

from admin_app import access
from admin_app.extensions import db
from models import User
from models import validators as rules
from models.accounts import MIN_PASSWORD_LENGTH, username_taken
from models.enums import Role
from models.places import townships
from models.validators import InvalidValue
from views.base import AppModelView
from views.display import home_filter
from views.fields import Cleaned
from views.labels import LABELS


def _changed(user: User, *names: str) -> bool:
    from sqlalchemy import inspect

    state = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in names)


def _before(user: User, name: str):
    """The value `name` had when the form loaded the account (the one now if unchanged);
    the form hands the role over by its name, the column keeps a Role."""
    from sqlalchemy import inspect

    history = inspect(user).attrs[name].history
    value = history.deleted[0] if history.deleted else getattr(user, name)
    return Role[value] if name == "role" and not isinstance(value, Role) else value


def _changes_access(user: User) -> bool:
    return _changed(user, "active", "role", "home_id", "township", "volunteer_id")


def _township_choices() -> list[tuple[str, str]]:
    return [("", gettext("None (a Home, or the county)"))] + [
        (name, name) for name in townships(db.session)]


class UserView(AppModelView):
    column_labels = {**LABELS, "new_password": _l("New password"),
                     "volunteer": _l("Linked volunteer")}
    column_list = ("username", "display_name", "role", "home", "township", "volunteer",
                   "active", "privacy_officer", "last_login_at")
    column_searchable_list = ("username", "display_name")
    column_filters = ("role", "active", home_filter(User.home_id))
    column_sortable_list = ("username", "role", "last_login_at")
    form_columns = ("username", "display_name", "email", "role", "home", "township", "volunteer",
                    "active", "must_change_password", "privacy_officer", "new_password")
    column_details_exclude_list = ("password_hash", "session_token", "version")
    form_extra_fields = {
        "new_password": PasswordField(
            _l("New password"),
            validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH,
                                           message=_l("At least 10 characters."))],
            description=_l("Leave empty to keep the current password."),
        )
    }
    form_overrides = {"township": SelectField}
    form_args = {"email": {"validators": [Cleaned(rules.clean_email)],
                           "description": _l("For the daily digest of overdue duties "
                                             "(counts and links, never a child's name).")},
                 "township": {
        "choices": _township_choices, "validators": [Optional()],
        "description": _l("Staff and supervisors of a township's women's federation: every "
                          "Home of the township. Leave the Home empty.")}}
    form_ajax_refs = {"volunteer": {"fields": ("name", "phone"), "page_size": 10}}
    allow_delete = False

    def on_model_change(self, form, model: User, is_created: bool) -> None:
        with db.session.no_autoflush:  # the account is not whole yet (no password)
            offered = townships(db.session)
        # The form hands the role over by its name; the column turns it into a Role on flush.
        role = model.role if isinstance(model.role, Role) else Role[model.role]
        model.username = (model.username or "").strip()
        # An account kept from before these rules can still be edited (switched off, its
        # password reset) as long as what broke them is left as it was.
        with db.session.no_autoflush:
            taken = (is_created or _changed(model, "username")) and username_taken(
                db.session, model.username, excluding=model.id)
        if taken:
            raise InvalidValue(_l("An account with this username exists already (capital "
                                  "letters do not make a name different)."))
        linking = is_created or _changed(model, "volunteer") or _before(model, "role") != role
        model.township = access.account_scope(
            role, home=model.home, township=model.township,
            volunteer=model.volunteer if linking else True, townships=offered)
        if form.new_password.data:
            model.set_password(form.new_password.data)
        elif not is_created and _changes_access(model):
            model.end_sessions()  # a disabled account or a new role takes effect at once
        elif is_created:
            raise InvalidValue(_l("Please set a password for the new account."))
        super().on_model_change(form, model, is_created)
