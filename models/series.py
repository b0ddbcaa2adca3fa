"""Keeping a weekly series and its dates in step.

`sync_series` makes an activity for every matching date that has none, brings the planned
ones up to date with the series (title, kind, times, place, organiser), and cancels the
planned ones whose date no longer matches. Dates already done or cancelled, or moved to
another day by hand, are left alone: changing the series never rewrites history.

The children and caring mothers enrolled in the series take part in every date it makes;
one enrolled or taken off later is added to, or taken off, the planned dates from today
on only (a date already held keeps who came, and a child added to one date by hand stays).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from models.activities import Activity, ActivityParticipant, ActivitySeries
from models.base import local_today
from models.enums import ActivityStatus
from models.people import Volunteer
from models.validators import InvalidValue

MAX_DAYS = 366


def series_dates(series: ActivitySeries) -> list[date]:
    if (series.last_day - series.first_day).days > MAX_DAYS:
        raise InvalidValue(_l("A series may span one year at most."))
    days = set(series.weekday_numbers)
    span = (series.last_day - series.first_day).days + 1
    return [series.first_day + timedelta(days=n) for n in range(span)
            if (series.first_day + timedelta(days=n)).isoweekday() in days]


def sync_series(session, series: ActivitySeries, joined: Iterable = (), left: Iterable = (),
                today: date | None = None) -> list[Activity]:
    """`joined`, `left`: the children and caring mothers enrolled in the series, or taken off
    it, by this save. Returns the dates made now."""
    today = today or local_today()
    joined, left = list(joined), list(left)
    wanted = set(series_dates(series))
    existing: dict[date, Activity] = {}
    for activity in series.activities:
        existing.setdefault(activity.starts_at.date(), activity)
    made = []
    for day in sorted(wanted):
        activity = existing.get(day)
        if activity is None:
            activity = Activity(series=series, status=ActivityStatus.PLANNED, summary="")
            session.add(activity)
            activity.participants = [ActivityParticipant(child=child)
                                     for child in series.children]
            activity.volunteers = list(series.volunteers)
            made.append(activity)
        elif activity.status is not ActivityStatus.PLANNED:
            continue
        elif day >= today and (joined or left):
            _carry_enrolment(activity, joined, left)
        activity.home = series.home
        activity.title = series.title
        activity.kind = series.kind
        activity.place = series.place
        activity.organiser = series.organiser
        activity.starts_at = datetime.combine(day, series.starts_at_time)
        activity.ends_at = datetime.combine(day, series.ends_at_time)
    for day, activity in existing.items():
        if day not in wanted and activity.status is ActivityStatus.PLANNED:
            activity.status = ActivityStatus.CANCELLED
    return made


def _carry_enrolment(activity: Activity, joined: list, left: list) -> None:
    """A date still to come takes the series' newly enrolled and loses those taken off."""
    children = {participant.child_id: participant for participant in activity.participants}
    for person in joined:
        if isinstance(person, Volunteer):
            if person not in activity.volunteers:
                activity.volunteers.append(person)
        elif person.id not in children:
            activity.participants.append(ActivityParticipant(child=person))
    for person in left:
        if isinstance(person, Volunteer):
            if person in activity.volunteers:
                activity.volunteers.remove(person)
        elif person.id in children:
            activity.participants.remove(children[person.id])


def enrolment_changes(series: ActivitySeries) -> tuple[list, list]:
    """Who this save enrolled in the series and who it took off, read from the session's
    pending changes (before they are flushed)."""
    joined, left = [], []
    for name in ("children", "volunteers"):
        history = inspect(series).attrs[name].history
        joined += list(history.added)
        left += list(history.deleted)
    return joined, left


def cancel_remaining(series: ActivitySeries, today: date | None = None) -> int:
    """Cancel the planned dates from `today` on; returns how many."""
    today = today or local_today()
    count = 0
    for activity in series.activities:
        if activity.status is ActivityStatus.PLANNED and activity.starts_at.date() >= today:
            activity.status = ActivityStatus.CANCELLED
            count += 1
    return count
