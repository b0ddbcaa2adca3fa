"""Screens for pairings (结对帮扶) and care records (关爱记录)."""

from __future__ import annotations

from flask import abort, current_app, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.validators import NumberRange

from admin_app import access
from admin_app.access import scoped
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.reports.records import care_records_workbook
from models import CareRecord, Child, Pairing, Volunteer
from models import validators as rules
from models.base import local_today
from models.enums import AuditAction, CareKind
from views.base import AppModelView
from views.exporting import XLSX, refused_over_daily_limit
from views.fields import PAST_DATE, FieldError, field_value
from views.labels import LABELS


def _pairing_ends_after_start(form) -> None:
    try:
        rules.check_end_after_start(field_value(form, "started_on"), field_value(form, "ended_on"))
    except rules.InvalidValue as error:
        raise FieldError("ended_on", error.message) from None


def _active_pairings(*conditions, excluding=None):
    today = local_today()
    query = select(Pairing).where(Pairing.overlapping(today, today), *conditions)
    if excluding is not None and excluding.id is not None:
        query = query.where(Pairing.id != excluding.id)
    return db.session.scalars(query).all()


def _still_open(form) -> bool:
    ended = field_value(form, "ended_on")
    return ended is None or ended >= local_today()


def _one_caring_mother(form) -> None:
    """A child has one primary caring mother at a time."""
    child = field_value(form, "child")
    if child is None or not field_value(form, "is_primary") or not _still_open(form):
        return
    others = _active_pairings(Pairing.child_id == child.id, Pairing.is_primary.is_(True),
                              excluding=getattr(form, "_obj", None))
    if others:
        raise FieldError("child", _l(
            "%(child)s is already paired with %(volunteer)s. End that pairing first, or make "
            "this one not the primary.", child=child.name, volunteer=others[0].volunteer.name))


def _volunteer_has_room(form) -> None:
    volunteer = field_value(form, "volunteer")
    if volunteer is None or not _still_open(form):
        return
    limit = current_app.config["MAX_ACTIVE_PAIRINGS"]
    active = _active_pairings(Pairing.volunteer_id == volunteer.id,
                              excluding=getattr(form, "_obj", None))
    if len(active) >= limit:
        raise FieldError("volunteer", _l(
            "%(volunteer)s already cares for %(n)s children, the most allowed.",
            volunteer=volunteer.name, n=len(active)))


class PairingView(AppModelView):
    column_list = ("volunteer", "child", "started_on", "ended_on", "end_reason")
    column_searchable_list = ("volunteer.name", "child.name")
    column_filters = ("started_on", "ended_on")
    column_sortable_list = ("started_on", "ended_on", ("volunteer", "volunteer_id"),
                            ("child", "child_id"))
    column_default_sort = ("started_on", True)
    form_columns = ("volunteer", "child", "is_primary", "started_on", "ended_on", "end_reason")
    form_args = {"started_on": {"default": local_today}}
    form_ajax_refs = {
        "volunteer": {"fields": ("name", "phone"), "page_size": 10},
        "child": {"fields": ("name",), "page_size": 10},
    }
    form_checks = (_pairing_ends_after_start, _one_caring_mother, _volunteer_has_room)
    column_labels = {**LABELS, "is_primary": _l("Primary caring mother")}

    def create_form(self, obj=None):
        """Pairing from the child's page or the volunteer's page: that side is filled in."""
        form = super().create_form(obj)
        if request.method == "GET":
            for name, model in (("child", Child), ("volunteer", Volunteer)):
                record_id = request.args.get(f"{name}_id", type=int)
                if record_id:
                    form[name].data = db.session.scalar(scoped(
                        select(model).where(model.id == record_id), model, current_user))
        return form


class CareForms:
    """What a care record's forms do for every view of them: opened from a child's page
    with the child filled in; a caring mother writes as herself; who recorded it kept."""

    def _for_volunteer(self, form):
        # A caring mother writes as herself: the form does not offer the field at all.
        if access.writes_as_herself(current_user) and "volunteer" in form:
            del form.volunteer
        return form

    def create_form(self, obj=None):
        form = super().create_form(obj)
        child_id = request.args.get("child_id", type=int)
        if request.method == "GET" and child_id:
            form.child.data = db.session.scalar(
                scoped(select(Child).where(Child.id == child_id), Child, current_user))
        return self._for_volunteer(form)

    def edit_form(self, obj=None):
        return self._for_volunteer(super().edit_form(obj))

    def on_model_change(self, form, model: CareRecord, is_created: bool) -> None:
        if is_created:
            model.recorded_by_id = current_user.id
        if access.writes_as_herself(current_user):
            model.volunteer_id = current_user.volunteer_id
        super().on_model_change(form, model, is_created)


class CareRecordView(CareForms, AppModelView):
    allow_export = True
    export_builder = staticmethod(care_records_workbook)
    export_sensitive = True  # talk notes
    export_name = _l("care records")
    column_labels = LABELS
    column_list = ("occurred_on", "child", "kind", "volunteer", "follow_up_needed",
                   "follow_up_note")
    column_phone_list = ("child", "occurred_on", "kind", "volunteer", "follow_up_note")
    column_searchable_list = ("child.name", "volunteer.name")
    column_filters = ("kind", "occurred_on", "follow_up_needed")
    # Not by kind: the county's millions of records sorted by five kinds are no use to anyone
    # (the kind filter is), and no index pays for it.
    column_sortable_list = ("occurred_on", ("child", "child_id"))
    column_default_sort = ("occurred_on", True)
    form_columns = ("child", "volunteer", "occurred_on", "kind", "notes", "follow_up_needed",
                    "follow_up_note", "follow_up_done_on")
    form_args = {
        "occurred_on": {**PAST_DATE, "default": local_today},
        "kind": {"default": CareKind.TALK.name},
    }
    form_ajax_refs = {
        "child": {"fields": ("name",), "page_size": 10},
        "volunteer": {"fields": ("name", "phone"), "page_size": 10},
    }
    column_details_list = ("child", "volunteer", "occurred_on", "kind", "notes",
                           "follow_up_needed", "follow_up_note", "recorded_by", "created_at",
                           "updated_at")

    @expose("/mine.xlsx")
    @access.needs(access.READ)
    def mine(self):
        """Her own care records as a workbook (a caring mother's; 404 for anyone else)."""
        if not access.writes_as_herself(current_user):
            abort(404)
        if (refused := refused_over_daily_limit(url_for("my_children.index"))) is not None:
            return refused
        ids = select(CareRecord.id).where(access.her_care_records(current_user))
        title = gettext("%(name)s's care records, %(day)s",
                        name=current_user.display_name or current_user.username,
                        day=local_today().isoformat())
        book, count = care_records_workbook(ids, current_user, title)
        record_access(AuditAction.EXPORT, table_name=CareRecord.__tablename__,
                      label=title[:100], details={"rows": count, "own": True})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")


def _call_is_the_childs(form) -> None:
    """A parent and the minutes given (the columns may be empty for other care records, so
    the form's own checks let them through); the parent the child's, the device one of the
    child's Home."""
    child, parent, device = (field_value(form, name) for name in ("child", "parent", "device"))
    if field_value(form, "minutes") is None:
        raise FieldError("minutes", _l("Enter how many minutes, 1 to 600."))
    if parent is None:
        raise FieldError("parent", _l("Choose the parent the child spoke with."))
    if child is None:
        return
    if parent is not None and parent.child_id != child.id:
        raise FieldError("parent", _l("Choose one of %(child)s's parents.", child=child.name))
    if device is not None and device.home_id != child.home_id:
        raise FieldError("device", _l("Choose a device of %(child)s's Children's Home.",
                                      child=child.name))


class FamilyCallView(CareForms, AppModelView):
    """亲情电话: the calls and videos children make with a parent, on the Home's phone or
    tablet, helped by staff or a caring mother. Each is a care record of the kind "call or
    video with parents", so it fulfils the duties that count that kind."""

    column_labels = {**LABELS, "parent": _l("Parent"), "minutes": _l("Minutes"),
                     "video": _l("Video"), "device": _l("Device"),
                     "volunteer": _l("Helped by (caring mother)"),
                     "recorded_by": _l("Recorded by")}
    column_list = ("occurred_on", "child", "parent", "minutes", "video", "device", "volunteer")
    column_phone_list = ("child", "occurred_on", "parent", "minutes")
    column_searchable_list = ("child.name", "parent.name")
    column_filters = ("occurred_on", "video")
    column_sortable_list = ("occurred_on", ("child", "child_id"))
    column_default_sort = ("occurred_on", True)
    column_details_list = ("child", "parent", "occurred_on", "minutes", "video", "device",
                           "volunteer", "notes", "recorded_by", "created_at")
    form_columns = ("child", "parent", "occurred_on", "minutes", "video", "device",
                    "volunteer", "notes")
    form_args = {
        "occurred_on": {**PAST_DATE, "default": local_today},
        "minutes": {"validators": [NumberRange(1, 600, _l("Enter how many minutes, 1 to 600."))]},
    }
    form_ajax_refs = {
        "child": {"fields": ("name",), "page_size": 10},
        "parent": {"fields": ("name",), "page_size": 10},
        "volunteer": {"fields": ("name", "phone"), "page_size": 10},
        "device": {"fields": ("name",), "page_size": 10},
    }
    form_checks = (_call_is_the_childs,)
    # Of the care records, the calls: on every path to a row (list, count, details, edit).
    kept_rows = CareRecord.kind == CareKind.PARENT_CALL

    def _for_volunteer(self, form):
        # The Home's devices are its staff's inventory, which a caring mother does not see.
        if access.writes_as_herself(current_user) and "device" in form:
            del form.device
        return super()._for_volunteer(form)

    def _scoped_query(self):
        return super()._scoped_query().filter(self.kept_rows)

    def get_count_query(self):
        return super().get_count_query().filter(self.kept_rows)

    def on_model_change(self, form, model: CareRecord, is_created: bool) -> None:
        model.kind = CareKind.PARENT_CALL
        super().on_model_change(form, model, is_created)
