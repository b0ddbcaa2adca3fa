"""Keeping a weekly series and its dates in step.

`sync_series` makes an activity for every matching date that has none, brings the planned
ones up to date with the series (title, kind, times, place, organiser), and cancels the
planned ones whose date no longer matches. Dates already done or cancelled, or moved to
another day by hand, are left alone: changing the series never rewrites history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from models.activities import Activity, ActivitySeries
from models.base import local_today
from models.enums import ActivityStatus
from models.validators import InvalidValue

MAX_DAYS = 366


def series_dates(series: ActivitySeries) -> list[date]:
    if (series.last_day - series.first_day).days > MAX_DAYS:
        raise InvalidValue(_l("A series may span one year at most."))
    days = set(series.weekday_numbers)
    span = (series.last_day - series.first_day).days + 1
    return [series.first_day + timedelta(days=n) for n in range(span)
            if (series.first_day + timedelta(days=n)).isoweekday() in days]


def sync_series(session, series: ActivitySeries) -> None:
    wanted = set(series_dates(series))
    existing: dict[date, Activity] = {}
    for activity in series.activities:
        existing.setdefault(activity.starts_at.date(), activity)
    for day in sorted(wanted):
        activity = existing.get(day)
        if activity is None:
            activity = Activity(series=series, status=ActivityStatus.PLANNED, summary="")
            session.add(activity)
        elif activity.status is not ActivityStatus.PLANNED:
            continue
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


def cancel_remaining(series: ActivitySeries, today: date | None = None) -> int:
    """Cancel the planned dates from `today` on; returns how many."""
    today = today or local_today()
    count = 0
    for activity in series.activities:
        if activity.status is ActivityStatus.PLANNED and activity.starts_at.date() >= today:
            activity.status = ActivityStatus.CANCELLED
            count += 1
    return count
