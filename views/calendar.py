"""活动行事历: the month calendar page and its workbook, for every role in its scope."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask import abort, request, send_file, url_for
from flask_admin import expose
from flask_babel import get_locale, gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import load_only

from admin_app import access
from admin_app.access import EXPORT
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.i18n import show_date
from admin_app.reports.calendar import calendar_title, month_rows, weekday_names, write_calendar
from models import Activity, Home
from models.calendar import Month, festivals
from models.enums import AuditAction
from views.base import AppView
from views.exporting import XLSX, refused_over_daily_limit


def visible_homes(user) -> list[Home]:
    """The Homes `user` may see, for a choice of Home: only their ids and names are read
    (a county's 200 whole records were a tenth of the follow-up page)."""
    return db.session.scalars(access.scoped(select(Home), Home, user)
                              .options(load_only(Home.id, Home.name))
                              .order_by(Home.name)).all()


def chosen_home(homes: list[Home]) -> Home | None:
    """The Home picked in ?home=, if the user may see it; 404 for any other id."""
    home_id = request.args.get("home", type=int)
    if home_id is None:
        return homes[0] if len(homes) == 1 else None
    for home in homes:
        if home.id == home_id:
            return home
    abort(404)


def place_name(home: Home | None) -> str:
    return home.name if home else gettext("All Children's Homes")


class Shown(NamedTuple):
    """An activity as the calendar page draws it, twice (in its day and in the month's
    list): every text made once, in Python, not in the template for every activity."""

    day: date
    date: str
    starts: str
    ends: str
    title: str
    kind: str
    colour: str
    home: str
    children: str
    children_count: int
    place: str
    status: str
    status_label: str
    url: str


# What the page shows of each activity: read as columns, no record loaded.
PAGE_COLUMNS = (Activity.id, Activity.starts_at, Activity.ends_at, Activity.title,
                Activity.place, Activity.status)


def shown_activities(rows) -> list[Shown]:
    url = url_for("activity.details_view", id=0)
    before, after = url.split("id=0", 1)
    children = gettext("%(n)s children")  # translated once, filled in for each activity
    labels: dict = {}  # a month has a few statuses and at most 31 days: each shown once
    shown = []
    for activity_id, starts_at, ends_at, title, place, status, kind, colour, home_name, count \
            in rows:
        day = starts_at.date()
        if status not in labels:
            labels[status] = str(status.label)
        if day not in labels:
            labels[day] = show_date(day)
        shown.append(Shown(
            day=day, date=labels[day],
            starts=f"{starts_at:%H:%M}", ends=f"{ends_at:%H:%M}", title=title,
            kind=kind or "", colour=colour or "#888", home=home_name,
            children=children % {"n": count}, children_count=count, place=place,
            status=status.value, status_label=labels[status],
            url=f"{before}id={activity_id}{after}"))
    return shown


class CalendarView(AppView):
    resource = "calendar"

    @expose("/")
    def index(self):
        today = date.today()
        month = Month.parse(request.args.get("month"), today)
        homes = visible_homes(current_user)
        home = chosen_home(homes)
        rows = shown_activities(month_rows(current_user, month, home.id if home else None,
                                           PAGE_COLUMNS))
        by_day: dict[date, list] = {}
        for row in rows:
            by_day.setdefault(row.day, []).append(row)
        return self.render(
            "admin/calendar.html", month=month, weeks=month.weeks(), by_day=by_day, rows=rows,
            marked=festivals(month, get_locale().language), today=today, homes=homes,
            home=home, title=calendar_title(place_name(home), month),
            weekdays=weekday_names(),
            can_create=access.can(current_user, access.CREATE, "activity"),
            can_export=access.can(current_user, EXPORT, self.resource_name),
            link=lambda **args: url_for(".index", **{"home": home.id if home and len(homes) > 1
                                                     else None, **args}),
        )

    @expose("/export.xlsx")
    def export(self):
        if not access.can(current_user, EXPORT, self.resource_name):
            abort(403)
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        homes = visible_homes(current_user)
        home = chosen_home(homes)
        year = request.args.get("year", type=int)
        if year and 1900 <= year <= 2200:
            months = [Month(year, m) for m in range(1, 13)]
            name = gettext("%(place)s activity calendar %(year)s", place=place_name(home),
                           year=year)
        else:
            months = [Month.parse(request.args.get("month"))]
            name = calendar_title(place_name(home), months[0])
        book = write_calendar(current_user, months, place_name(home),
                              home.id if home else None)
        record_access(AuditAction.EXPORT, table_name=Activity.__tablename__,
                      home_id=home.id if home else None, label=name[:100])
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{name}.xlsx")
