"""Screens for the Home's activities, with the children taking part inline."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import flash, request, url_for
from flask_admin.actions import action
from flask_admin.model.form import InlineFormAdmin
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from admin_app.extensions import db
from admin_app.i18n import show_date
from models import Activity, ActivityParticipant, ActivitySeries, Child
from models import validators as rules
from models.calendar import public_holidays_among
from models.enums import ActivityStatus
from models.series import MAX_DAYS, cancel_remaining, enrolment_changes, sync_series
from views.base import AppModelView
from views.display import home_filter, row_filter
from views.fields import TRIMMED, FieldError, field_value, lookup
from views.labels import LABELS


def _activity_ends_after_start(form) -> None:
    try:
        rules.check_end_after_start(field_value(form, "starts_at"), field_value(form, "ends_at"))
    except rules.InvalidValue as error:
        raise FieldError("ends_at", error.message) from None


class ParticipantInline(InlineFormAdmin):
    form_columns = ("id", "child", "attended")
    form_label = _l("Children taking part")
    column_labels = LABELS
    form_ajax_refs = {"child": lookup(Child, "name")}


def _participants(view, context, activity: Activity, name: str) -> Markup:
    """Who was enrolled, and for a date held whether each child came."""
    rows = sorted(activity.participants, key=lambda row: row.child.name)
    if not rows:
        return Markup('<span class="text-muted">{}</span>').format(gettext("Nobody enrolled"))
    held = activity.status is ActivityStatus.DONE
    came = sum(row.attended for row in rows)
    lines = [Markup('<tr><td><a href="{}">{}</a></td><td>{}</td></tr>').format(
        url_for("child.details_view", id=row.child_id), row.child.name,
        (gettext("Came") if row.attended else gettext("Did not come")) if held
        else gettext("Enrolled")) for row in rows]
    summary = (gettext("%(n)s enrolled, %(came)s came", n=len(rows), came=came) if held
               else gettext("%(n)s enrolled", n=len(rows)))
    return Markup('<p class="mb-1" id="participants-count">{}</p>'
                  '<table class="table table-sm table-bordered mb-0" id="participants">'
                  '<tr><th>{}</th><th>{}</th></tr>{}</table>').format(
        summary, gettext("Name"), gettext("Attended"), Markup("").join(lines))


class ActivityView(AppModelView):
    column_labels = LABELS
    column_details_list = ("title", "kind", "home", "starts_at", "ends_at", "place",
                           "organiser", "status", "series", "volunteers", "summary",
                           "participants")
    column_formatters_detail = {"participants": _participants}
    record_load_options = (joinedload(Activity.home), joinedload(Activity.kind),
                           joinedload(Activity.series), selectinload(Activity.volunteers),
                           selectinload(Activity.participants)
                           .joinedload(ActivityParticipant.child))
    column_list = ("starts_at", "title", "kind", "home", "place", "organiser", "status")
    column_phone_list = ("title", "starts_at", "kind", "place", "status")
    column_searchable_list = ("title", "place", "organiser")
    column_filters = (home_filter(Activity.home_id),
                      row_filter(Activity.kind_id, LABELS["kind"], "ActivityKind"), "status",
                      "starts_at")
    column_sortable_list = ("starts_at", "title", "status", ("home", "home_id"))
    column_default_sort = ("starts_at", True)
    form_columns = ("home", "title", "kind", "starts_at", "ends_at", "place", "organiser",
                    "status", "volunteers", "summary", "participants")
    form_args = {"title": TRIMMED, "organiser": TRIMMED}
    form_ajax_refs = {"volunteers": {"fields": ("name", "phone"), "page_size": 10}}
    inline_models = (ParticipantInline(ActivityParticipant),)
    form_checks = (_activity_ends_after_start,)

    def create_form(self, obj=None):
        """A click on a day of the calendar opens this form with that day filled in."""
        form = super().create_form(obj)
        if request.method == "GET":
            try:
                day = date.fromisoformat(request.args.get("date", ""))
            except ValueError:
                day = None
            if day is not None:
                form.starts_at.data = datetime.combine(day, time(15, 0))
                form.ends_at.data = datetime.combine(day, time(17, 0))
            homes = form.home.query_factory().limit(2).all()
            if len(homes) == 1:
                form.home.data = homes[0]
        return form


WEEKDAYS = [("1", _l("Monday")), ("2", _l("Tuesday")), ("3", _l("Wednesday")),
            ("4", _l("Thursday")), ("5", _l("Friday")), ("6", _l("Saturday")),
            ("7", _l("Sunday"))]


def _series_is_sound(form) -> None:
    if not field_value(form, "days"):
        raise FieldError("days", _l("Please choose at least one day of the week."))
    try:
        rules.check_end_after_start(field_value(form, "first_day"), field_value(form, "last_day"))
    except rules.InvalidValue as error:
        raise FieldError("last_day", error.message) from None
    start, end = field_value(form, "starts_at_time"), field_value(form, "ends_at_time")
    if start and end and end <= start:
        raise FieldError("ends_at_time", _l("The end must be after the start."))
    first, last = field_value(form, "first_day"), field_value(form, "last_day")
    if first and last and (last - first).days > MAX_DAYS:
        raise FieldError("last_day", _l("A series may span one year at most."))


def _enrolled_of_its_home(form) -> None:
    """The children and caring mothers enrolled in a series are of the series' Home."""
    home = field_value(form, "home")
    for name in ("children", "volunteers"):
        strangers = [person.name for person in field_value(form, name) or ()
                     if home is not None and person.home_id != home.id]
        if strangers:
            raise FieldError(name, _l("Not of this Children's Home: %(names)s.",
                                      names="、".join(strangers)))


def _weekdays(view, context, series: ActivitySeries, name: str) -> str:
    labels = dict(WEEKDAYS)
    return "、".join(str(labels[str(day)]) for day in series.weekday_numbers if str(day) in labels)


class ActivitySeriesView(AppModelView):
    """Weekly repeating activities, made in one step; each date stays an activity of its own."""

    allow_delete = False  # cancel the remaining dates instead: history stays
    column_labels = {**LABELS, "weekdays": _l("Every"), "days": _l("Every"),
                     "starts_at_time": _l("From"), "ends_at_time": _l("Until"),
                     "first_day": _l("First day"), "last_day": _l("Last day"),
                     "activities": _l("Dates")}
    column_list = ("title", "home", "weekdays", "starts_at_time", "ends_at_time", "first_day",
                   "last_day", "place")
    column_formatters = {"weekdays": _weekdays}
    column_formatters_detail = {"weekdays": _weekdays}
    column_details_list = ("title", "kind", "home", "weekdays", "starts_at_time",
                           "ends_at_time", "first_day", "last_day", "place", "organiser",
                           "children", "volunteers", "activities")
    column_searchable_list = ("title", "place", "organiser")
    column_filters = (home_filter(ActivitySeries.home_id), "first_day", "last_day")
    column_default_sort = ("first_day", True)
    form_columns = ("home", "title", "kind", "days", "starts_at_time", "ends_at_time",
                    "first_day", "last_day", "place", "organiser", "children", "volunteers")
    form_ajax_refs = {"children": lookup(Child, "name"),
                      "volunteers": {"fields": ("name", "phone"), "page_size": 10}}
    form_extra_fields = {
        "days": SelectMultipleField(_l("Every"), choices=WEEKDAYS,
                                    widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput()),
    }
    form_args = {"title": TRIMMED, "organiser": TRIMMED}
    form_checks = (_series_is_sound, _enrolled_of_its_home)

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if request.method == "GET" and obj is not None:
            form.days.data = [str(day) for day in obj.weekday_numbers]
        return form

    def on_model_change(self, form, model: ActivitySeries, is_created: bool) -> None:
        model.weekdays = ",".join(sorted(form.days.data))
        joined, left = enrolment_changes(model)  # before the flush below forgets them
        super().on_model_change(form, model, is_created)
        made = sync_series(db.session, model, joined, left)
        planned = [activity.starts_at.date() for activity in made]
        if off := public_holidays_among(planned, get_locale().language):
            flash(_l("These dates of the series are public holidays: %(days)s. If the Home "
                     "is closed then, cancel those dates on the calendar.",
                     days="；".join(f"{show_date(day)} {name}" for day, name in off.items())),
                  "warning")

    @action("cancel_remaining", _l("Cancel the remaining dates"),
            _l("Cancel every planned date from today on?"))
    def action_cancel_remaining(self, ids) -> None:
        count = sum(cancel_remaining(series) for series in self.scoped_rows(ids))
        db.session.commit()
        flash(_l("%(n)s planned dates were cancelled.", n=count), "info")
