"""The floor of an export: the rows its sheet holds, read by the export's own query and
written straight with XlsxWriter, with no formats, masking or safety — the least an export
costs, measured in the same run as the export (bench/run.py)."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable

import xlsxwriter

BATCH = 1000
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def query_rows(session, query) -> Iterable:
    """The query's rows as they are: the sheet holds what the query reads."""
    return session.execute(query.execution_options(yield_per=BATCH))


def calendar_rows(session, query) -> Iterable:
    """The calendar's detail rows as its sheet holds them, from a query of (id, starts_at,
    ends_at, title, place, organiser, status, summary, kind, colour, home, children): the
    date and the weekday first, the volunteers' names (read by the one query the export
    makes for them) among them, the colour left out — the 13 cells the export writes of the
    12 columns it reads. The month sheets the export draws besides are not in the floor."""
    from models import Activity
    from models.calendar import volunteer_names

    names = volunteer_names(session, query.with_only_columns(Activity.id).order_by(None))
    for activity_id, starts_at, ends_at, title, where, organiser, status, summary, kind, \
            _colour, home, children in query_rows(session, query):
        yield (starts_at.date(), WEEKDAYS[starts_at.weekday()], starts_at, ends_at, title,
               kind or "", home, where, organiser, "、".join(names.get(activity_id, ())),
               children, status, summary)


Rows = Callable[[object, object], Iterable]


def write_floor(session, query, columns: int, rows: Rows = query_rows) -> None:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        book = xlsxwriter.Workbook(handle.name, {"constant_memory": True})
        sheet = book.add_worksheet()
        for r, row in enumerate(rows(session, query)):
            for c, value in enumerate(row[:columns]):
                sheet.write(r, c, value.name if hasattr(value, "name") else value)
        book.close()


def floor_seconds(session, query, columns: int, rows: Rows = query_rows) -> float:
    started = time.perf_counter()
    write_floor(session, query, columns, rows)
    return time.perf_counter() - started


def floor_peak(session, query, columns: int, rows: Rows = query_rows) -> float:
    tracemalloc.start()
    write_floor(session, query, columns, rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20
