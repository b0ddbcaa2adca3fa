"""The activity calendar workbook: a wall-calendar sheet per month laid out like the page,
and a detail sheet with one row per activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel.dates import get_day_names
from flask_babel import get_locale, gettext

from admin_app import access
from admin_app.extensions import db
from admin_app.xlsx import Column, Workbook, display_width
from models.calendar import Month, festivals, month_activities, volunteer_names

BATCH = 1000


def calendar_title(place: str, month: Month) -> str:
    return gettext("%(place)s activity calendar, %(year)s-%(month)s", place=place,
                   year=month.year, month=month.month)


def weekday_names() -> list[str]:
    names = get_day_names("abbreviated", locale=get_locale())
    return [names[i] for i in range(7)]


def month_rows(user, month: Month, home_id: int | None, columns: tuple = ()):
    """The month's activities in the user's scope: (activity, kind, colour, home, children),
    or (*columns, kind, colour, home, children)."""
    from models import Activity

    query = access.scoped(month_activities(month.first, month.last, home_id, columns),
                          Activity, user)
    return db.session.execute(query).all()


def write_calendar(user, months: Sequence[Month], place: str, home_id: int | None) -> Workbook:
    book = Workbook(title=calendar_title(place, months[0]))
    language = get_locale().language
    details: list[tuple] = []
    for month in months:
        rows = month_rows(user, month, home_id)
        _wall_sheet(book, month, place, rows, festivals(month, language))
        details.extend(rows)
    names = volunteer_names(db.session, [row[0].id for row in details])
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
    book.table(gettext("Activity details"), title, columns, (
        (activity.starts_at.date(), weekdays[activity.starts_at.weekday()], activity.starts_at,
         activity.ends_at, activity.title, kind or "", home, activity.place,
         activity.organiser, "、".join(names.get(activity.id, [])), children,
         activity.status, activity.summary)
        for activity, kind, _colour, home, children in details
    ))
    return book


def _wall_sheet(book: Workbook, month: Month, place: str, rows, marked: dict) -> None:
    sheet = book.sheet(f"{month.year}-{month.month:02d}")
    title = calendar_title(place, month)
    sheet.set_row(0, 28)
    sheet.merge_range(0, 0, 0, 6, title, book.formats["title"])
    sheet.set_column(0, 6, 24)
    for col, name in enumerate(weekday_names()):
        sheet.write_string(1, col, name, book.formats["header"])
    sheet.freeze_panes(2, 0)
    by_day: dict[date, list[str]] = {}
    for activity, kind, _colour, _home, children in rows:
        line = f"{activity.starts_at:%H:%M} {activity.title}"
        extra = [part for part in (kind, gettext("%(n)s children", n=children) if children
                                   else "", str(activity.status.label)
                                   if activity.status.name != "PLANNED" else "") if part]
        if extra:
            line += f"（{'，'.join(extra)}）"
        by_day.setdefault(activity.starts_at.date(), []).append(line)
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
