"""活动行事历: the month calendar page and its workbook, for every role in its scope."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask import abort, request, send_file, url_for
from flask_admin import expose
from flask_babel import get_locale, gettext
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import load_only

from admin_app import access
from admin_app.access import EXPORT
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.i18n import show_date
from admin_app.replica import replica_reads
from admin_app.reports.calendar import (
    birthdays_in,
    calendar_title,
    month_rows,
    weekday_names,
    write_calendar,
)
from models import Activity, Home
from models.base import local_today
from models.calendar import Month, marked_days
from models.enums import AuditAction
from models.validators import COLOUR
from views.base import AppView
from views.exporting import XLSX, place_name, refused_over_daily_limit


def visible_homes(user) -> list[Home]:
    """The Homes `user` may see, for a choice of Home (or township): only their ids, names
    and townships are read (a county's 200 whole records were a tenth of the follow-up)."""
    return db.session.scalars(access.scoped(select(Home), Home, user)
                              .options(load_only(Home.id, Home.name, Home.township))
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


class Place(NamedTuple):
    """Where a page is asked to look (?home=, ?township=), each in the user's scope (else
    404): her Homes, their townships, the township and the Home chosen."""

    homes: list
    townships: list[str]
    township: str | None
    home: Home | None


def chosen_place(user, one_home_by_default: bool = True) -> Place:
    """The Homes `user` may see and the township and Home the request names; a Home of a
    township left before is dropped when the township is changed. With one Home in her
    scope it is chosen unless `one_home_by_default` is False."""
    homes = visible_homes(user)
    home = chosen_home(homes) if one_home_by_default or request.args.get("home") else None
    # A township's women's federation follows its villages' Homes together.
    townships = sorted({h.township for h in homes if h.township})
    township = request.args.get("township") or None
    if township is not None and township not in townships:
        abort(404)
    if home is not None and township is not None and home.township != township:
        home = None
    return Place(homes, townships, township, home)


class Shown(NamedTuple):
    """An activity as the calendar page draws it, twice: in its day of the month grid
    (`chip`) and in the month's list under it (`row`). Both written here, each value escaped
    once (a county's month holds some 900 activities; drawn through the template, their
    dozen values each were two thirds of the page)."""

    day: date
    chip: Markup
    row: Markup


# What the page shows of each activity: read as columns, no record loaded.
PAGE_COLUMNS = (Activity.id, Activity.starts_at, Activity.ends_at, Activity.title,
                Activity.place, Activity.status)


def shown_activities(rows) -> list[Shown]:
    url = url_for("activity.details_view", id=0)
    before, after = (escape(part) for part in url.split("id=0", 1))
    children = gettext("%(n)s children")  # translated once, filled in for each activity
    # A month repeats a few kinds, Homes, statuses and at most 31 days: each escaped once.
    said: dict = {}

    def once(what: str, value, make=str) -> str:
        if (what, value) not in said:
            said[what, value] = str(escape(make(value)))
        return said[what, value]

    shown = []
    for activity_id, starts_at, ends_at, title, place, status, kind, colour, home_name, count \
            in rows:
        day = starts_at.date()
        title, link = escape(title), f"{before}id={activity_id}{after}"
        starts, ends = f"{starts_at:%H:%M}", f"{ends_at:%H:%M}"
        label = once("status", status, lambda s: s.label)
        kind = once("kind", kind or "")
        how_many = once("children", count, lambda n: children % {"n": n})
        on, home, place = once("day", day, show_date), once("home", home_name), escape(place)
        # Only a colour, never other CSS, goes in the style (kinds saved before the check).
        colour = colour if colour and COLOUR.fullmatch(colour.lower()) else "#888"
        shown.append(Shown(
            day=day,
            chip=Markup(  # noqa: S704 (every value is escaped here)
                f'<a class="activity {status.value}" style="border-color: {colour}" '
                f'href="{link}">{starts} {title} <span class="meta text-muted">· {kind} · '
                f"{how_many} · {label}</span></a>"),
            row=Markup(  # noqa: S704 (every value is escaped here)
                f"<tr><td>{on}</td><td>{starts}–{ends}</td>"
                f'<td><a href="{link}">{title}</a></td><td>{kind}</td><td>{home}</td>'
                f"<td>{place}</td><td>{count}</td><td>{label}</td></tr>")))
    return shown


class CalendarView(AppView):
    resource = "calendar"

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        today = local_today()
        month = Month.parse(request.args.get("month"), today)
        homes = visible_homes(current_user)
        home = chosen_home(homes)
        rows = shown_activities(month_rows(current_user, month, home.id if home else None,
                                           PAGE_COLUMNS))
        by_day: dict[date, list] = {}
        for row in rows:
            by_day.setdefault(row.day, []).append(row)
        # A Home's children's birthdays (a county's would be thousands a month).
        birthdays = birthdays_in(current_user, month, home.id) if home else []
        born_on: dict[date, list] = {}
        for birthday in birthdays:
            born_on.setdefault(birthday.day, []).append(birthday)
        return self.render(
            "admin/calendar.html", month=month, weeks=month.weeks(), by_day=by_day, rows=rows,
            marked=marked_days(db.session, month, get_locale().language), today=today,
            homes=homes,
            home=home, title=calendar_title(place_name(home), month),
            birthdays=birthdays, born_on=born_on, agenda=sorted(by_day.keys() | born_on.keys()),
            may_open_child=access.can(current_user, access.READ, "child"),
            weekdays=weekday_names(),
            can_create=access.can(current_user, access.CREATE, "activity"),
            can_export=access.can(current_user, EXPORT, self.resource_name),
            link=lambda **args: url_for(".index", **{"home": home.id if home and len(homes) > 1
                                                     else None, **args}),
        )

    @expose("/export.xlsx")
    @access.needs(access.EXPORT)
    def export(self):
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
        with replica_reads():
            book = write_calendar(current_user, months, place_name(home),
                                  home.id if home else None)
        record_access(AuditAction.EXPORT, table_name=Activity.__tablename__,
                      home_id=home.id if home else None, label=name[:100])
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{name}.xlsx")
