"""What the care records add up to, kept beside them so the overview and the follow-up need
not read millions of records: each child's latest care record (`Child.last_care_on`) and,
per child, month and volunteer (and for the child's records all together), the days with a
record of each kind (`CareMonth`), from which any duty's ticks are read.

Both are derived and rewritten from `care_record` — never adjusted by a difference — for
every child and month a flush touched (a session hook below), and for everything at once by
`rebuild` after bulk writes (the demo seed) and in the migration that made them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    delete,
    distinct,
    event,
    extract,
    func,
    insert,
    inspect,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from models.base import previous
from models.care import CareMonth, CareRecord
from models.enums import CareKind
from models.followup import month_bounds
from models.people import Child


class month_start(FunctionElement):
    """The first day of the month of a date, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def _grouped(where) -> select:
    """care_record rows matching `where`, as care_month rows: one per child, month and
    volunteer, and one per child and month for all of them (no volunteer)."""
    month = month_start(CareRecord.occurred_on)
    # The day's bit, each day counted once (DISTINCT): SQLite has no bitwise OR to sum by.
    day = literal_column("1").op("<<")(cast(extract("day", CareRecord.occurred_on), Integer)
                                       - 1)
    days = [func.coalesce(func.sum(distinct(case((CareRecord.kind == kind, day)))), 0)
            for kind in CareKind]
    by_volunteer = (select(CareRecord.child_id, CareRecord.volunteer_id, month, *days)
                    .where(where, CareRecord.volunteer_id.is_not(None))
                    .group_by(CareRecord.child_id, CareRecord.volunteer_id, month))
    everyone = (select(CareRecord.child_id, null(), month, *days)
                .where(where).group_by(CareRecord.child_id, month))
    return union_all(by_volunteer, everyone)


_TARGET = ["child_id", "volunteer_id", "month", *(f"{kind.value}_days" for kind in CareKind)]


def _latest(child_id):
    return (select(func.max(CareRecord.occurred_on)).where(CareRecord.child_id == child_id)
            .scalar_subquery())


def _set_last_care(connection, where) -> None:
    # A derived column: no version bump, no audit entry, `updated_at` left as it was.
    table = Child.__table__
    connection.execute(update(table).where(where).values(
        last_care_on=_latest(table.c.id), updated_at=table.c.updated_at))


def refresh(connection, months: set[tuple[int, date]]) -> None:
    """Rewrite the summary of these (child id, first day of a month) pairs from the records."""
    if not months:
        return
    children = sorted({child_id for child_id, _ in months})
    if connection.dialect.name == "postgresql":
        # One writer per child at a time, so two records saved at once both count.
        connection.execute(select(Child.id).where(Child.id.in_(children)).order_by(Child.id)
                           .with_for_update())
    for child_id, first in sorted(months):
        _, last = month_bounds(first)
        connection.execute(delete(CareMonth).where(CareMonth.child_id == child_id,
                                                   CareMonth.month == first))
        connection.execute(insert(CareMonth).from_select(_TARGET, _grouped(and_(
            CareRecord.child_id == child_id, CareRecord.occurred_on >= first,
            CareRecord.occurred_on <= last))))
    _set_last_care(connection, Child.__table__.c.id.in_(children))


def rebuild(connection, child_ids=None) -> None:
    """Rewrite the whole summary (or that of `child_ids`: ids, or a select of ids) in two
    statements and an update: after bulk writes that bypass the session."""
    records = CareRecord.child_id.in_(child_ids) if child_ids is not None else True
    months = CareMonth.child_id.in_(child_ids) if child_ids is not None else True
    connection.execute(delete(CareMonth).where(months))
    connection.execute(insert(CareMonth).from_select(_TARGET, _grouped(records)))
    children = Child.__table__.c.id.in_(child_ids) if child_ids is not None else True
    _set_last_care(connection, children)


def _month(value) -> date | None:
    return value.replace(day=1) if value is not None else None


@event.listens_for(Session, "after_flush")
def _keep_summary(session: Session, flush_context) -> None:
    # After the flush the records are written and their history still says what they were.
    touched: set[tuple[int, date | None]] = set()
    for record in session.new:
        if isinstance(record, CareRecord):
            touched.add((record.child_id, _month(record.occurred_on)))
    for record in session.dirty:
        if not isinstance(record, CareRecord) or not session.is_modified(record):
            continue
        state = inspect(record)
        if not any(state.attrs[name].history.has_changes()
                   for name in ("volunteer_id", "kind", "occurred_on", "child_id")):
            continue
        touched.add((previous(record, "child_id"), _month(previous(record, "occurred_on"))))
        touched.add((record.child_id, _month(record.occurred_on)))
    for record in session.deleted:
        if isinstance(record, CareRecord):
            touched.add((record.child_id, _month(record.occurred_on)))
    touched = {(child, month) for child, month in touched if child and month}
    if touched:
        refresh(session.connection(), touched)
