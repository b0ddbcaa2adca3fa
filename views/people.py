"""Screens for children (the archive card), guardians, parents and volunteers."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, has_request_context, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.form import rules as layout
from flask_admin.model.form import InlineFormAdmin
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import (
    exists,
    inspect,
    or_,
    select,
)
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from admin_app import access
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.masking import mask, reveal, to_call
from admin_app.reports.records import roster_workbook
from models import (
    Assistance,
    CareRecord,
    Child,
    Guardian,
    Home,
    Pairing,
    ParentContact,
    RosterUpload,
    Volunteer,
)
from models import validators as rules
from models.base import local_today
from models.enums import AuditAction, CareKind, ChildStatus, GuardianRelation
from models.grades import GRADE_WORDS
from models.sealed import blind_index
from views.archive import archive_card
from views.assistance import AssistanceInline
from views.base import AppModelView
from views.display import RowOptions, home_filter
from views.duplicates import (
    CONFIRM,
    Offered,
    child_namesake,
    confirm_field,
    guardian_namesake,
    record_move,
)
from views.fields import (
    ID_NUMBER,
    NAME,
    PAST_DATE,
    PHONE,
    TRIMMED,
    Checked,
    Cleaned,
    FieldError,
    SuggestingInput,
    field_value,
)
from views.labels import LABELS

CONSENT_AGE = 14  # PIPL Art. 28: under 14, all of a child's information is sensitive

# Why someone needs to see a child's full ID number (the reveal is logged with it).
REVEAL_REASONS = (
    ("identity", _l("Checking identity (papers, school enrolment, insurance)")),
    ("authority", _l("Checking with the school or the civil affairs office")),
    ("guardian", _l("The guardian or the child asked")),
    ("report", _l("Checking a report to the county")),
    ("other", _l("Other (say why)")),
)


def _child_id_matches_birth_date(form) -> None:
    # An edit leaves the field empty to keep the number: check the kept one then.
    number = field_value(form, "id_number") or getattr(getattr(form, "_obj", None),
                                                       "id_number", None)
    try:
        rules.check_id_matches_birth_date(number, field_value(form, "birth_date"))
    except rules.InvalidValue as error:
        raise FieldError("id_number", error.message) from None


def _child_id_number_is_new(form) -> None:
    """One child per ID number, checked through its blind index (the number is encrypted,
    so the database cannot compare it; its unique index on the hash is the backstop)."""
    number = field_value(form, "id_number")
    if not number:
        return
    query = select(Child.id).where(Child.id_number_hash == blind_index(number))
    current = getattr(form, "_obj", None)
    if current is not None and current.id is not None:
        query = query.where(Child.id != current.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise FieldError("id_number", _l("A child with this resident ID number already exists."))


def _child_age_on_entering(form) -> None:
    try:
        rules.check_age_on_entering_care(
            field_value(form, "birth_date"), field_value(form, "entered_on")
        )
    except rules.InvalidValue as error:
        raise FieldError("entered_on", error.message) from None


def _child_leaving_is_complete(form) -> None:
    status = field_value(form, "status")
    if status in (ChildStatus.LEFT_CARE, ChildStatus.LEFT_CARE.name):
        if not field_value(form, "left_on"):
            raise FieldError("left_on", _l("Please give the date the child left care."))
        if not field_value(form, "leave_reason"):
            raise FieldError("leave_reason", _l("Please give the reason for leaving care."))


class ParentInline(InlineFormAdmin):
    form_columns = ("id", "relation", "name", "phone", "work_city", "employer",
                    "employer_address", "usual_return", "id_number", "health",
                    "able_to_guard")
    form_label = _l("Parents")
    column_labels = LABELS
    form_args = {"name": NAME, "phone": PHONE, "id_number": ID_NUMBER}


# The child's archive card (档案卡), grouped as the paper card is: the form and the
# details page both follow it.
CHILD_SECTIONS = (
    (_l("Basic facts"), ("name", "gender", "birth_date", "id_number", "ethnicity", "home",
                         "address", "hukou_address", "hukou_elsewhere", CONFIRM)),
    (_l("School"), ("schooling", "school", "grade", "class_name", "class_teacher",
                    "class_teacher_phone")),
    (_l("Family"), ("left_behind_type", "living_arrangement", "guardianship", "boarding",
                    "family_situation", "key_target", "in_difficulty")),
    (_l("Guardian and parents"), ("guardian", "new_guardian_name", "new_guardian_relation",
                                  "new_guardian_phone", "parents")),
    (_l("Assistance received"), ("assistance",)),
    (_l("Growth"), ("health", "study", "psychology", "behaviour", "hobbies")),
    (_l("Care status"), ("entered_on", "status", "left_on", "leave_reason", "leave_note")),
)


# A guardian not in the records yet is entered on the child's form and saved with her.
NEW_GUARDIAN = ("new_guardian_name", "new_guardian_relation", "new_guardian_phone")


def new_guardian_fields() -> dict:
    return {
        "new_guardian_name": StringField(
            _l("Or a new guardian: name"), validators=[Optional(), Cleaned(rules.clean_name)],
            description=_l("Not in the records yet? Enter the guardian here instead of "
                           "choosing above: saved with the child.")),
        "new_guardian_relation": SelectField(
            _l("Relation to the child"), default="",
            choices=[("", "—"), *((member.name, member.label) for member in GuardianRelation)]),
        "new_guardian_phone": StringField(_l("The new guardian's phone"), **PHONE),
    }


def _child_new_guardian(form) -> None:
    """A new guardian needs a name and a relation, and is not one already chosen or kept:
    the Home's guardian of the same name and phone is chosen instead, for the user to check."""
    if "new_guardian_name" not in form:
        return
    name = field_value(form, "new_guardian_name")
    if not name:
        if field_value(form, "new_guardian_phone") or field_value(form, "new_guardian_relation"):
            raise FieldError("new_guardian_name", _l("Please enter the new guardian's name."))
        return
    if field_value(form, "guardian") is not None:
        raise FieldError("new_guardian_name", _l(
            "A guardian is already chosen above: clear that choice, or leave the new "
            "guardian's fields empty."))
    if not access.can(current_user, access.CREATE, "guardian"):
        raise FieldError("new_guardian_name", _l("You may not add guardians."))
    if not field_value(form, "new_guardian_relation"):
        raise FieldError("new_guardian_relation", _l(
            "Please choose how the guardian is related to the child."))
    phone, home = field_value(form, "new_guardian_phone"), field_value(form, "home")
    if not phone or home is None:
        return
    kept = db.session.scalar(access.scoped(select(Guardian).where(
        Guardian.name == name, Guardian.phone_hash == blind_index(phone),
        Guardian.home_id == home.id), Guardian, current_user).limit(1))
    if kept is not None:
        form.guardian.data = kept
        for field in NEW_GUARDIAN:
            form[field].data = ""
        raise FieldError("guardian", _l(
            "%(name)s, with this phone, is already a guardian in this Home's records: she is "
            "chosen here instead of entered twice. Check, and save again.", name=name))


class PairedFilter(BaseSQLAFilter):
    """结对情况: children with or without an active primary caring mother."""

    def apply(self, query, value, alias=None):
        today = local_today()
        active = exists().where(Pairing.primary_for_child(today))
        return query.filter(active if value == "1" else ~active)

    def operation(self):
        return _l("is")


class ContactFilter(BaseSQLAFilter):
    """最近联系: children with no care record this month, or for more than N days (never
    contacted among them), by the care summary's date of each child's latest record."""

    def apply(self, query, value, alias=None):
        today = local_today()
        since = today.replace(day=1) if value == "month" else today - timedelta(
            days=int(value) if value in ("7", "14", "30") else 30)
        return query.filter(or_(Child.last_care_on.is_(None), Child.last_care_on < since))

    def operation(self):
        return _l("is")


def child_filter_key(admin, kind, column: str | None = None) -> str:
    """The key of the children list's filter of `kind` (on `column`), for a link to it."""
    children = next(v for v in admin._views if v.endpoint == "child")
    return next(key for key, (_, flt) in children._filter_args.items()
                if isinstance(flt, kind) and (column is None or flt.column.key == column))


class _MyImports(RowOptions):
    """The filter's choices: the roster files of children the user imported (kept a day:
    importing.forget_old), read when a page is drawn."""

    def __init__(self) -> None:
        super().__init__("RosterUpload")

    def __iter__(self):
        if not has_request_context() or not current_user.is_authenticated:
            return iter(())
        # A user's uploads of a day are few: sorted here, not by a sort of the table.
        uploads = sorted(db.session.execute(
            select(RosterUpload.uploaded_at, RosterUpload.id, RosterUpload.filename)
            .where(RosterUpload.user_id == current_user.id, RosterUpload.result.is_not(None),
                   RosterUpload.kind == "children")), reverse=True)
        return iter([(token, filename) for _at, token, filename in uploads[:10]])


class ImportedFilter(BaseSQLAFilter):
    """导入的文件: the children one of the user's imports created or changed."""

    def apply(self, query, value, alias=None):
        upload = db.session.scalar(select(RosterUpload).where(
            RosterUpload.id == value, RosterUpload.user_id == current_user.id))
        ids = [int(i) for i in ((upload.result or {}).get("children") or [])] if upload else []
        return query.filter(Child.id.in_(ids))

    def operation(self):
        return _l("is")


class ParentCallFilter(BaseSQLAFilter):
    """亲情电话: children with no call or video with a parent in the last N days (never among
    them); a letter is not a call."""

    def apply(self, query, value, alias=None):
        since = local_today() - timedelta(days=int(value) if value in ("14", "30", "60")
                                          else 30)
        called = exists().where(CareRecord.child_id == Child.id,
                                CareRecord.kind == CareKind.PARENT_CALL,
                                CareRecord.occurred_on >= since)
        return query.filter(~called)

    def operation(self):
        return _l("is")


CALL_OPTIONS = (("14", _l("No call with a parent for over 14 days")),
                ("30", _l("No call with a parent for over 30 days")),
                ("60", _l("No call with a parent for over 60 days")))

CONTACT_OPTIONS = (("month", _l("Not contacted this month")),
                   ("7", _l("Not contacted for over 7 days")),
                   ("14", _l("Not contacted for over 14 days")),
                   ("30", _l("Not contacted for over 30 days")))


class ChildView(AppModelView):
    column_labels = LABELS
    column_list = ("name", "gender", "birth_date", "home", "school", "grade",
                   "living_arrangement", "left_behind_type", "guardian", "status")
    # On a phone: what staff look a child up for (views.listing.column_phone_list).
    column_phone_list = ("name", "grade", "living_arrangement", "guardian", "status")
    column_searchable_list = ("name", "id_number", "guardian.name", "guardian.phone")
    column_filters = (
        home_filter(Child.home_id),
        PairedFilter(Child.id, _l("Pairing"), options=(("0", _l("Not paired")),
                                                         ("1", _l("Paired")))),
        ContactFilter(Child.last_care_on, _l("Last contact"), options=CONTACT_OPTIONS),
        ParentCallFilter(Child.id, _l("Call with parents"), options=CALL_OPTIONS),
        ImportedFilter(Child.id, _l("Imported file"), options=_MyImports()),
        "status", "living_arrangement", "left_behind_type", "boarding", "key_target",
        "in_difficulty", "family_situation", "guardianship", "schooling", "gender", "birth_date",
        "entered_on",
    )
    # A relation sorts by its id (children grouped by Home): by the Home's name, the
    # county's 100,000 children were sorted in full for every page (70 ms and more).
    column_sortable_list = ("name", "birth_date", "entered_on", "grade", "school",
                            ("home", "home_id"), "status", "living_arrangement")
    column_default_sort = ("id", True)
    form_columns = tuple(name for _, names in CHILD_SECTIONS for name in names)
    form_rules = tuple(layout.FieldSet([Offered(n) if n == CONFIRM else n for n in names], title)
                       for title, names in CHILD_SECTIONS)
    form_extra_fields = {CONFIRM: confirm_field(), **new_guardian_fields()}
    form_args = {
        "name": NAME,
        "id_number": ID_NUMBER,
        "class_teacher": TRIMMED,
        "class_teacher_phone": PHONE,
        # The usual words offered, so the new school year's move up reads them.
        "grade": {**TRIMMED, "widget": SuggestingInput(GRADE_WORDS)},
        "birth_date": PAST_DATE,
        "entered_on": {**PAST_DATE, "default": local_today},
        "left_on": PAST_DATE,
    }
    form_ajax_refs = {
        "guardian": {"fields": ("name", "phone"), "page_size": 10,
                     "placeholder": _l("Type a name or phone number")},
    }
    inline_models = (ParentInline(ParentContact), AssistanceInline(Assistance))
    form_checks = (_child_id_matches_birth_date, _child_id_number_is_new, child_namesake,
                   _child_age_on_entering, _child_new_guardian,
                   _child_leaving_is_complete)
    details_template = "admin/child_details.html"
    # The archive card and the edit form show these: load them with the child.
    record_load_options = (joinedload(Child.home), joinedload(Child.guardian),
                           joinedload(Child.parents), joinedload(Child.assistance),
                           joinedload(Child.pairings).joinedload(Pairing.volunteer))
    # A child leaves care by a status change, never by deletion.
    allow_delete = False
    allow_export = True
    export_builder = staticmethod(roster_workbook)
    export_sensitive = True  # phones and addresses
    export_name = _l("roster")
    # The archive card shows guardian and parents in tables of their own (archive_card).
    details_sections = tuple(
        (title, tuple(name for name in names if name != CONFIRM))
        for title, names in CHILD_SECTIONS if "guardian" not in names
        and "assistance" not in names
    )

    @property
    def sees_assistance(self) -> bool:
        """For the archive card: the help the family receives is for those who keep the
        records and report them, not for a caring mother."""
        return access.can(current_user, access.READ, "assistance")

    @property
    def may_reveal(self) -> bool:
        """For the archive card: may this user ask to see the full ID number?"""
        return access.handles_numbers(current_user)

    reveal_reasons = REVEAL_REASONS

    @staticmethod
    def under_14(child: Child) -> bool:
        """PIPL Art. 28 and 31: a child under 14's information is all sensitive, and the
        guardian's consent (or a statutory duty) is needed for any of it."""
        return rules.age_on(child.birth_date, local_today()) < CONSENT_AGE

    @property
    def may_see_consent(self) -> bool:
        return access.can(current_user, access.READ, "consent")

    @expose("/reveal/", methods=("POST",))
    @access.needs(access.READ)
    def reveal_view(self):
        """The full ID number of one child, for this page only, to a user who may see it and
        says why; the reveal is an audit entry. Anyone else: 403; a child out of reach: 404."""
        if not access.handles_numbers(current_user):
            abort(403)
        child = self.get_one(request.args.get("id", ""))
        if child is None:
            abort(404)
        reasons = dict(REVEAL_REASONS)
        reason, note = request.form.get("reason", ""), request.form.get("note", "").strip()
        if reason not in reasons or (reason == "other" and not note) or len(note) > 200:
            flash(_l("Please choose why you need to see the full ID number (and for “Other”, "
                     "say why)."), "error")
            return redirect(url_for(".details_view", id=child.id))
        record_access(AuditAction.UNMASK, child, details={
            "field": "id_number", "reason": str(reasons[reason]), "note": note})
        reveal(child.id_number)
        g.revealed_reason = reasons[reason]
        return self.details_view()

    def on_form_prefill(self, form, id):
        """The edit form never shows the ID number: it is typed to change it, left empty
        to keep it (the kept one shows masked as the placeholder)."""
        super().on_form_prefill(form, id)
        field = getattr(form, "id_number", None)
        if field is not None and field.data:
            field.render_kw = {**(field.render_kw or {}),
                               "placeholder": str(mask("id_number", field.data)),
                               "autocomplete": "off"}
            field.data = None

    def create_form(self, obj=None):
        """A new child of the user's own Home, entering care today, unless she says else."""
        form = super().create_form(obj)
        if request.method == "GET" and current_user.home_id and form.home.data is None:
            form.home.data = db.session.get(Home, current_user.home_id)
        return form

    def on_model_change(self, form, model, is_created: bool) -> None:
        if not is_created:
            record_move(model)
        name = form.new_guardian_name.data if "new_guardian_name" in form else None
        if name and model.guardian is None:
            model.guardian = Guardian(
                home=model.home, name=name,
                relation=GuardianRelation[form.new_guardian_relation.data],
                phone=form.new_guardian_phone.data or None)
        if not is_created and getattr(form, "id_number", None) is not None \
                and not form.id_number.data:
            kept = inspect(model).attrs.id_number.history.deleted
            if kept and kept[0]:
                model.id_number = kept[0]  # left empty: the number is kept, not erased
        super().on_model_change(form, model, is_created)

    def render(self, template, **kwargs):
        if template == self.details_template and kwargs.get("model") is not None:
            if not g.get("revealed_reason"):
                record_access(AuditAction.VIEW, kwargs["model"], commit=False)
            kwargs["archive"] = archive_card(kwargs["model"])
            to_call(current_user, [kwargs["model"]])
            kwargs["sections"] = [
                (title, [(name, self.column_labels.get(name, name)) for name in names])
                for title, names in self.details_sections
            ]
            page = super().render(template, **kwargs)
            # The view is recorded with the page made: committing earlier would expire the
            # child, its parents and the user, and load them all again to draw the page.
            db.session.commit()
            return page
        return super().render(template, **kwargs)


class GuardianView(AppModelView):
    column_labels = LABELS
    column_list = ("name", "relation", "phone", "birth_year", "health", "home")
    column_searchable_list = ("name", "phone")
    column_filters = (home_filter(Guardian.home_id), "relation")
    column_sortable_list = ("name", "birth_year", ("home", "home_id"))
    form_columns = ("name", "relation", "phone", "birth_year", "health", "occupation",
                    "education", "address", "home", CONFIRM)
    form_rules = (*form_columns[:-1], Offered(CONFIRM))
    form_extra_fields = {CONFIRM: confirm_field()}
    form_checks = (guardian_namesake,)
    form_args = {
        "name": NAME,
        "phone": PHONE,
        "birth_year": {"validators": [Checked(rules.check_birth_year)]},
    }
    column_details_list = ("name", "relation", "phone", "birth_year", "health", "occupation",
                           "education", "address", "home", "children", "created_at",
                           "updated_at")


class ParentContactView(AppModelView):
    column_labels = LABELS
    column_list = ("child", "relation", "name", "phone", "work_city", "employer",
                   "usual_return")
    column_searchable_list = ("name", "phone", "child.name")
    column_filters = ("relation", "work_city")
    column_sortable_list = ("name", "work_city", ("child", "child_id"))
    form_columns = ("child", "relation", "name", "phone", "work_city", "employer",
                    "employer_address", "usual_return")
    form_args = {"name": NAME, "phone": PHONE}
    form_ajax_refs = {"child": {"fields": ("name",), "page_size": 10}}


class VolunteerView(AppModelView):
    details_template = "admin/volunteer_details.html"
    column_labels = LABELS
    column_list = ("name", "gender", "phone", "kind", "organisation", "home", "active",
                   "joined_on")
    column_searchable_list = ("name", "phone")
    column_filters = (home_filter(Volunteer.home_id), "kind", "active", "joined_on")
    column_sortable_list = ("name", "joined_on", "kind", ("home", "home_id"))
    form_columns = ("name", "gender", "phone", "kind", "organisation", "home", "active",
                    "joined_on")
    form_args = {"name": NAME, "phone": PHONE, "joined_on": PAST_DATE}
