"""The floor of an export: the cells its sheet holds, read by one plain SELECT of the same
values (the tables joined once, no subquery, no order but the primary key's) and written
straight with plain XlsxWriter in constant-memory mode, with no formats, masking or safety:
the least an export costs, measured in the same run as the export (bench/run.py).

The year calendar's floor is the exception: its rows from the export's own query
(`calendar_rows`), the volunteers' names and the weekday it writes besides."""

from __future__ import annotations

import itertools
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.orm import aliased

BATCH = 1000
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def query_rows(session, query) -> Iterable:
    """The query's rows as they are: the sheet holds what the query reads."""
    return session.execute(query.execution_options(yield_per=BATCH))


def roster_plain():
    """The roster's 39 values of every child from one SELECT: the child, her Home and
    guardian, her father's and mother's records, the help her family receives now, joined
    by their keys, in the order of the children's ids; the child's id first, for
    `grouped_rows`. (The bench county holds one father and one mother a child at most.)"""
    from models import Assistance, Child, Guardian, Home, ParentContact
    from models.base import local_today
    from models.enums import ParentRelation

    father, mother = aliased(ParentContact), aliased(ParentContact)
    today = local_today()
    return (
        sa.select(Child.id, Child.name, Child.gender, Child.birth_date, Child.id_number,
                  Home.name, Child.school, Child.grade, Child.class_name, Child.class_teacher,
                  Child.class_teacher_phone, Child.left_behind_type, Child.living_arrangement,
                  Child.boarding, Child.family_situation, Child.guardianship,
                  Child.key_target, Guardian.name, Guardian.relation, Guardian.phone,
                  father.name, father.phone, father.work_city,
                  mother.name, mother.phone, mother.work_city,
                  Child.address, Child.entered_on, Child.status,
                  Child.ethnicity, Child.hukou_address, Child.hukou_elsewhere,
                  Child.schooling, father.id_number, father.health, father.able_to_guard,
                  mother.id_number, mother.health, mother.able_to_guard, Assistance.kind)
        .join(Home, Home.id == Child.home_id)
        .outerjoin(Guardian, Guardian.id == Child.guardian_id)
        .outerjoin(father, sa.and_(father.child_id == Child.id,
                                   father.relation == ParentRelation.FATHER))
        .outerjoin(mother, sa.and_(mother.child_id == Child.id,
                                   mother.relation == ParentRelation.MOTHER))
        .outerjoin(Assistance, sa.and_(Assistance.child_id == Child.id,
                                       sa.or_(Assistance.until.is_(None),
                                              Assistance.until >= today)))
        .order_by(Child.id)
    )


def grouped_rows(session, query) -> Iterable:
    """One row a child from a query whose first column is her id and whose last is one
    kind of help (a family receiving two kinds comes twice): the kinds in one cell, as the
    export writes them, the id left out."""
    rows = query_rows(session, query)
    for _id, group in itertools.groupby(rows, key=lambda row: row[0]):
        first, *others = group
        kind = first[-1]
        if others:
            kind = ",".join(k for k in (kind, *(row[-1] for row in others)) if k)
        yield (*first[1:-1], kind)


def care_records_plain(month, last):
    """The care records' 9 values of one month from one SELECT, in the records' id order."""
    from models import CareRecord, Child, Home, User, Volunteer

    recorder = aliased(User)
    return (
        sa.select(CareRecord.occurred_on, Child.name, Home.name, CareRecord.kind,
                  Volunteer.name, CareRecord.notes, CareRecord.follow_up_needed,
                  CareRecord.follow_up_note,
                  sa.func.coalesce(sa.func.nullif(recorder.display_name, ""),
                                   recorder.username))
        .join(Child, Child.id == CareRecord.child_id).join(Home, Home.id == Child.home_id)
        .outerjoin(Volunteer, Volunteer.id == CareRecord.volunteer_id)
        .outerjoin(recorder, recorder.id == CareRecord.recorded_by_id)
        .where(CareRecord.occurred_on >= month, CareRecord.occurred_on < last)
        .order_by(CareRecord.id)
    )


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


def floor_seconds(session, query, columns: int, rows: Rows = query_rows) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of writing the floor once."""
    started, cpu = time.perf_counter(), time.process_time()
    write_floor(session, query, columns, rows)
    return time.perf_counter() - started, time.process_time() - cpu


def floor_peak(session, query, columns: int, rows: Rows = query_rows) -> float:
    tracemalloc.start()
    write_floor(session, query, columns, rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20
