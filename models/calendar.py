"""The month calendar (活动行事历): its Monday-first weeks, the public holidays and festivals
of the month (from the `holidays` library), and the month's activities with their counts."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from holidays.countries.china import ChinaStaticHolidays
from sqlalchemy import Select, func, select

from models.activities import Activity, ActivityParticipant, activity_volunteer
from models.base import among, local_today
from models.people import Volunteer
from models.places import ActivityKind, Home
from models.terms import term_marks

# Our interface languages, as the holidays library names them.
HOLIDAY_LANGUAGES = {"zh": "zh_CN", "en": "en_US"}


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None, today: date | None = None) -> Month:
        """`2026-12` → Month(2026, 12); anything unreadable → this month."""
        today = today or local_today()
        try:
            year, month = (int(part) for part in (text or "").split("-"))
            if 1900 <= year <= 2200 and 1 <= month <= 12:
                return cls(year, month)
        except ValueError:
            pass
        return cls(today.year, today.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def previous(self) -> Month:
        day = self.first - timedelta(days=1)
        return Month(day.year, day.month)

    @property
    def next(self) -> Month:
        day = self.last + timedelta(days=1)
        return Month(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def weeks(self) -> list[list[date]]:
        """Monday-first weeks covering the month, with the neighbouring months' days."""
        return calendar.Calendar(firstweekday=0).monthdatescalendar(self.year, self.month)


def festivals(month: Month, language: str = "zh") -> dict[date, list[str]]:
    """Public holidays, half-day holidays (妇女节, 青年节, 六一), the days off that replace
    them and the weekend days worked instead (补班), by date. The public holidays of a year
    whose schedule the State Council has not yet announced (the library knows none of its
    调休) are marked as estimated."""
    found = holidays.China(years=month.year, categories=("public", "half_day"),
                           language=HOLIDAY_LANGUAGES.get(language, "zh_CN"))
    estimated = month.year > max(ANNOUNCED, default=month.year)
    public = holidays.China(years=month.year, categories=("public",)) if estimated else {}
    days: dict[date, list[str]] = {}
    for day, names in sorted(found.items()):
        if month.first <= day <= month.last:
            days[day] = [gettext("%(what)s (estimated)", what=name.strip()) if day in public
                         else name.strip() for name in names.split(";")]
    for day in sorted(found.weekend_workdays):
        if month.first <= day <= month.last:
            days.setdefault(day, []).append(str(WORKED))
    return days


def public_holidays_among(days: Iterable[date], language: str = "zh") -> dict[date, str]:
    """Those of `days` that are public holidays (days off, 法定节假日), with their names."""
    days = sorted(set(days))
    if not days:
        return {}
    found = holidays.China(years=range(days[0].year, days[-1].year + 1),
                           categories=("public",),
                           language=HOLIDAY_LANGUAGES.get(language, "zh_CN"))
    return {day: "、".join(name.strip() for name in found[day].split(";"))
            for day in days if day in found}


# The years whose holidays and 调休 the library has from the State Council's notices.
ANNOUNCED = set(getattr(ChinaStaticHolidays, "special_public_holidays", {}))
WORKED = _l("Make-up working day")


def marked_days(session, month: Month, language: str = "zh",
                terms: dict[date, list[str]] | None = None) -> dict[date, list[str]]:
    """What the month's calendar writes on its days: festivals and holidays, and the first
    and last days of terms and school holidays (models.terms; `terms`: those of a longer
    period, read once for its months)."""
    days = festivals(month, language)
    if terms is None:
        terms = term_marks(session, month.first, month.last)
    for day, names in terms.items():
        if month.first <= day <= month.last:
            days.setdefault(day, []).extend(names)
    return days


def month_activities(first: date, last: date, home_id: int | None = None,
                     columns: tuple = ()) -> Select:
    """Activities starting between `first` and `last` (inclusive), with their kind, Home and
    number of children taking part, in one query: each activity whole, or only `columns` of
    it. Scope it with access.scoped."""
    children = (select(func.count()).where(ActivityParticipant.activity_id == Activity.id)
                .correlate(Activity).scalar_subquery())
    query = (
        select(*(columns or (Activity,)), ActivityKind.name, ActivityKind.colour, Home.name,
               children.label("children"))
        .select_from(Activity)
        .join(Home, Home.id == Activity.home_id)
        .outerjoin(ActivityKind, ActivityKind.id == Activity.kind_id)
        .where(Activity.starts_at >= datetime.combine(first, time.min),
               Activity.starts_at < datetime.combine(last + timedelta(days=1), time.min))
        .order_by(Activity.starts_at, Activity.id)
    )
    if home_id is not None:
        query = query.where(Activity.home_id == home_id)
    return query


def volunteer_names(session, activity_ids) -> dict[int, list[str]]:
    """Each activity's volunteers' names (one query), for a list or a select of ids."""
    names: dict[int, list[str]] = {}
    if isinstance(activity_ids, list | tuple | set) and not activity_ids:
        return names
    rows = session.execute(
        select(activity_volunteer.c.activity_id, Volunteer.name)
        .join(Volunteer, Volunteer.id == activity_volunteer.c.volunteer_id)
        .where(among(activity_volunteer.c.activity_id, activity_ids))
        .order_by(Volunteer.name)
    )
    for activity_id, name in rows:
        names.setdefault(activity_id, []).append(name)
    return names
