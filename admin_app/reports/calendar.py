"""The activity calendar workbook: a wall-calendar sheet per month laid out like the page,
and a detail sheet with one row per activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from babel.dates import get_day_names
from flask_babel import get_locale, gettext
from sqlalchemy import extract, select

from admin_app import access
from admin_app.extensions import db
from admin_app.xlsx import Column, Workbook, display_width
from models import Activity, Child
from models.calendar import Month, marked_days, month_activities, volunteer_names
from models.enums import ActivityStatus, ChildStatus
from models.terms import term_marks
from models.validators import birthday_in

BATCH = 1000


def calendar_title(place: str, month: Month) -> str:
    return gettext("%(place)s activity calendar, %(year)s-%(month)s", place=place,
                   year=month.year, month=month.month)


def weekday_names() -> list[str]:
    names = get_day_names("abbreviated", locale=get_locale())
    return [names[i] for i in range(7)]


def activities_in(user, months: Sequence[Month], home_id: int | None, columns: tuple):
    """The months' activities in the user's scope, as (*columns, kind, colour, home,
    children), in date order (a select)."""
    return access.scoped(month_activities(months[0].first, months[-1].last, home_id,
                                          columns), Activity, user)


class Birthday(NamedTuple):
    day: date  # this month's (a 29 February birthday is the 28th in other years)
    child_id: int
    name: str
    age: int  # the age the child turns


def birthdays_in(user, month: Month, home_id: int) -> list[Birthday]:
    """The birthdays this month of a Home's children in care whom `user` may see (a caring
    mother: her own), by day: for the Home's birthday party (生日会), one query."""
    rows = db.session.execute(access.scoped(
        select(Child.id, Child.name, Child.birth_date).where(
            Child.home_id == home_id, Child.status == ChildStatus.IN_CARE,
            extract("month", Child.birth_date) == month.month,
            Child.birth_date <= month.last), Child, user))
    return sorted(Birthday(birthday_in(born, month.year), child_id, name, month.year - born.year)
                  for child_id, name, born in rows)


def month_rows(user, month: Month, home_id: int | None, columns: tuple):
    """The month's activities in the user's scope, read (the calendar page)."""
    return db.session.execute(activities_in(user, [month], home_id, columns)).all()


# What the workbook shows of an activity: read as columns, no record loaded.
COLUMNS = (Activity.id, Activity.starts_at, Activity.ends_at, Activity.title, Activity.place,
           Activity.organiser, Activity.status, Activity.summary)


def write_calendar(user, months: Sequence[Month], place: str, home_id: int | None) -> Workbook:
    """A wall sheet for each month, then one row per activity, in one pass over one query:
    the rows stream into the details sheet while each month's wall sheet is drawn as its
    month ends (a county's year is 12,000 activities; only one month's lines are held)."""
    book = Workbook(title=calendar_title(place, months[0]))
    language = get_locale().language
    # The terms' and school holidays' days of the whole period, read once.
    terms = term_marks(db.session, months[0].first, months[-1].last)
    walls = {(month.year, month.month): WallSheet(
        book, month, place, marked_days(db.session, month, language, terms)) for month in months}
    period = activities_in(user, months, home_id, COLUMNS)
    names = volunteer_names(db.session, period.with_only_columns(Activity.id).order_by(None))
    columns = [
        Column(gettext("Date"), "date", 11), Column(gettext("Weekday"), "text", 6),
        Column(gettext("Starts"), "time", 7), Column(gettext("Ends"), "time", 7),
        Column(gettext("Title"), "text", 24), Column(gettext("Kind"), "text", 10),
        Column(gettext("Children's Home"), "text", 22), Column(gettext("Place"), "text", 14),
        Column(gettext("Organiser"), "text", 10), Column(gettext("Volunteers"), "text", 18),
        Column(gettext("Number of children"), "int", 8), Column(gettext("Status"), "text", 8),
        Column(gettext("Summary"), "text", 40),
    ]
    weekdays = weekday_names()
    title = calendar_title(place, months[0]) if len(months) == 1 else gettext(
        "%(place)s activities, %(year)s", place=place, year=months[0].year)

    def details():
        month = None
        for activity_id, starts_at, ends_at, title, where, organiser, status, summary, kind, \
                _colour, home, children in db.session.execute(
                    period.execution_options(yield_per=BATCH)):
            if (starts_at.year, starts_at.month) != month:
                if month is not None:
                    walls[month].draw()  # its activities are all in: the rows come by date
                month = starts_at.year, starts_at.month
            walls[month].add(starts_at, title, status, kind, children)
            yield (starts_at.date(), weekdays[starts_at.weekday()], starts_at, ends_at, title,
                   kind or "", home, where, organiser, "、".join(names.get(activity_id, ())),
                   children, status, summary)

    book.table(gettext("Activity details"), title, columns, details())
    for wall in walls.values():
        wall.draw()  # the last month, and months without activities
    return book


class WallSheet:
    """A month laid out as the calendar page is, a sheet of its own: made (title and days'
    names) before the details sheet, so it comes first in the workbook; its grid drawn as
    soon as the month's activities have all been read (the rows come in date order)."""

    def __init__(self, book: Workbook, month: Month, place: str, marked: dict) -> None:
        self.book, self.month, self.marked = book, month, marked
        self.sheet = sheet = book.sheet(f"{month.year}-{month.month:02d}")
        sheet.set_row(0, 28)
        sheet.merge_range(0, 0, 0, 6, calendar_title(place, month), book.formats["title"])
        sheet.set_column(0, 6, 24)
        for col, name in enumerate(weekday_names()):
            sheet.write_string(1, col, name, book.formats["header"])
        sheet.freeze_panes(2, 0)
        self.children_text = gettext("%(n)s children")  # translated once, filled in for each
        self.labels: dict = {}
        self.by_day: dict[date, list[str]] | None = {}

    def add(self, starts_at, title: str, status, kind: str | None, children: int) -> None:
        if self.by_day is None:
            raise RuntimeError("the month is drawn already: activities come in date order")
        labels = self.labels  # each status's and each number of children's words, once
        if status not in labels:
            labels[status] = "" if status is ActivityStatus.PLANNED else str(status.label)
        if children not in labels:
            labels[children] = self.children_text % {"n": children} if children else ""
        line = f"{starts_at.hour:02d}:{starts_at.minute:02d} {title}"
        extra = [part for part in (kind, labels[children], labels[status]) if part]
        if extra:
            line += f"（{'，'.join(extra)}）"
        self.by_day.setdefault(starts_at.date(), []).append(line)

    def draw(self) -> None:
        if self.by_day is None:
            return
        _draw_grid(self.book, self.sheet, self.month, self.by_day, self.marked)
        self.by_day = None


def _draw_grid(book: Workbook, sheet, month: Month, by_day: dict, marked: dict) -> None:
    day_format = book.add_format(bold=True, valign="top", border=1, bottom=0)
    other_month = book.add_format(font_color="#999999", valign="top", border=1, bottom=0)
    festival_format = book.add_format(bold=True, font_color="#C00000", valign="top", border=1,
                                      bottom=0)
    body = book.add_format(valign="top", text_wrap=True, border=1, top=0, font_size=10)
    row = 2
    for week in month.weeks():
        for col, day in enumerate(week):
            inside = day.month == month.month
            label = str(day.day)
            if inside and day in marked:
                label += " " + "、".join(marked[day])
            cell_format = festival_format if inside and day in marked else (
                day_format if inside else other_month)
            book.write_text(sheet, row, col, label, cell_format)
        # Wrapped lines of the fullest day of the week (a column is 24 units wide).
        lines = max([sum(-(-display_width(text) // 23) for text in by_day.get(day, []))
                     for day in week if day.month == month.month] or [0])
        sheet.set_row(row + 1, max(48, 14 * lines + 6))
        for col, day in enumerate(week):
            text = "\n".join(by_day.get(day, [])) if day.month == month.month else ""
            book.write_text(sheet, row + 1, col, text, body)
        row += 2
