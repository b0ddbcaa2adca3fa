"""The ticks of the duties of care (models.duties: the five ones unless the county changed
them), as one rule: a duty due every week, half month or month, or three times a term, is
done in a window when a care record of one of its kinds falls in it, written by the paired
caring mother (or by anyone, as the duty says); a yearly duty once in the year so far. What
is still owed, and since when, for the reminders. Read from the care summary (CareMonth's
days of each kind), by the pages in Python and by the counts in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, true
from sqlalchemy.orm import Session

from models.base import among
from models.care import CareMonth, kind_days
from models.duties import Duty
from models.enums import CareKind, Frequency, Risk
from models.people import Child


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _bits(first_day: int, last_day: int) -> int:
    return sum(1 << (day - 1) for day in range(first_day, last_day + 1))


# Each pace's windows in a month, as their first and last days (the 31st: the month's end),
# and as bits of those days (a short month's missing days are never set). A yearly duty has
# none: it is due once in the year.
SPANS = {
    Frequency.WEEKLY: ((1, 7), (8, 14), (15, 21), (22, 31)),
    Frequency.FORTNIGHTLY: ((1, 15), (16, 31)),
    Frequency.MONTHLY: ((1, 31),),
    Frequency.TERM_VISITS: (),  # windows of the terms' own (Duty.term_windows)
    Frequency.YEARLY: (),
}
WINDOWS = {pace: tuple(_bits(*span) for span in spans) for pace, spans in SPANS.items()}


class Mark(NamedTuple):
    """A duty for one child in one month: windows done of those due, the latest day that
    counts for it (None: none), its pace for this child and the risks that set it."""

    done: int
    due: int
    last: date | None
    pace: Frequency
    why: frozenset[Risk] = frozenset()

    @property
    def complete(self) -> bool:
        return self.done >= self.due


KINDS = tuple(CareKind)
Days = dict[date, tuple[int, ...]]  # a month's first day -> each kind's days, as KINDS


def care_days(session: Session, children, month: date, duties: Iterable[Duty],
              since: date | None = None, everyone: bool = True
              ) -> dict[tuple[int, int | None], Days]:
    """For `children` (ids, or a select of ids): each (child, volunteer) and, with
    `everyone`, (child, None: all the child's records) with the days of each kind of the
    month, of every month from `since` (a month's first day) if given, and of the year's
    earlier months that hold a record of a yearly duty's kind. One query, whatever the
    number of children. Without `everyone` (no duty anyone may do, and each child read with
    her caring mother: needs_everyone), half the rows."""
    if isinstance(children, list | tuple | set) and not children:
        return {}
    first = month.replace(day=1)
    duties = list(duties)
    yearly = {kind for duty in duties if Frequency.YEARLY in (duty.frequency, duty.stricter)
              for kind in duty.kinds}
    if any(duty.term_windows for duty in duties):  # a visit window began the month before
        before = (first - timedelta(days=1)).replace(day=1)
        since = min(since or before, before)
    earliest = min(first.replace(month=1), since or first)
    query = (select(CareMonth.child_id, CareMonth.volunteer_id, CareMonth.month,
                    *(kind_days(CareMonth, kind) for kind in KINDS))
             .where(among(CareMonth.child_id, children), CareMonth.month >= earliest,
                    CareMonth.month <= first,
                    or_(CareMonth.month >= (since or first),
                        *(kind_days(CareMonth, kind) != 0 for kind in yearly))))
    if not everyone:
        query = query.where(CareMonth.volunteer_id.is_not(None))
    found: dict[tuple[int, int | None], Days] = {}
    for child_id, volunteer_id, row_month, *days in session.execute(query):
        found.setdefault((child_id, volunteer_id), {})[row_month] = tuple(days)
    return found


def needs_everyone(duties: Iterable[Duty]) -> bool:
    """Whether a caring mother's marks need the child's records of everyone (care_days)."""
    return any(duty.by_anyone for duty in duties)


_POSITIONS: dict[frozenset, tuple[int, ...]] = {}


def _positions(kinds: frozenset[CareKind]) -> tuple[int, ...]:
    """Where `kinds` are in a month's days (KINDS' order), worked out once per set."""
    if kinds not in _POSITIONS:
        _POSITIONS[kinds] = tuple(KINDS.index(kind) for kind in kinds)
    return _POSITIONS[kinds]


def _last(first: date, days: int) -> date | None:
    return first.replace(day=days.bit_length()) if days else None


def _of(month_days: tuple[int, ...] | None, positions: tuple[int, ...]) -> int:
    """The days of a month with a record of the kinds at `positions`."""
    combined = 0
    if month_days is not None:
        for position in positions:
            combined |= month_days[position]
    return combined


def mark(duty: Duty, days: Days, month: date, risks: frozenset[Risk] = frozenset()) -> Mark:
    """`duty` for one child in `month`, from the days of `days` (care_days' of the child,
    or of the child and her caring mother)."""
    first = month if month.day == 1 else month.replace(day=1)
    why = duty.why_stricter(risks) if duty.stricter is not None else frozenset()
    pace = duty.stricter if why else duty.frequency
    positions = _positions(duty.kinds)
    if pace is Frequency.YEARLY:
        # This year's months only: last December may be read for a term's visit window.
        latest = max((_last(m, _of(d, positions)) for m, d in days.items()
                      if m.year == first.year and m <= first and _of(d, positions)),
                     default=None)
        return Mark(int(latest is not None), 1, latest, pace, why)
    this_month = _of(days.get(first), positions)
    if pace is Frequency.TERM_VISITS:
        # The visit windows that end in the month are its due.
        _, last = month_bounds(first)
        ending = [(start, end) for start, end in duty.term_windows if first <= end <= last]
        latest = [day for start, end in ending
                  if (day := latest_between(days, positions, start, end)) is not None]
        # The latest day that counts: in a window begun last month, maybe last month's.
        return Mark(len(latest), len(ending), max(latest, default=None), pace, why)
    windows = WINDOWS[pace]
    return Mark(sum(1 for window in windows if this_month & window), len(windows),
                _last(first, this_month), pace, why)


def latest_between(days: Days, positions, start: date, end: date) -> date | None:
    """The latest day from `start` to `end` with a record of the kinds at `positions`."""
    month = end.replace(day=1)
    while month >= start.replace(day=1):
        _, last = month_bounds(month)
        bits = _bits(start.day if month == start.replace(day=1) else 1,
                     end.day if month == end.replace(day=1) else last.day)
        if found := _of(days.get(month), positions) & bits:
            return _last(month, found)
        month = (month - timedelta(days=1)).replace(day=1)
    return None


def done_between(days: Days, positions, start: date, end: date) -> bool:
    """Whether `days` hold a record of the kinds at `positions` from `start` to `end`."""
    return latest_between(days, positions, start, end) is not None


def marker(duties: Iterable[Duty], month: date):
    """`marks` for many children of one month: what each duty needs is worked out once, and
    a duty due in windows of the month is marked inline (a Home's 500 pairings, five duties
    each, called `mark` 2,500 times)."""
    first = month.replace(day=1)
    plans = []
    for duty in duties:
        inline = {pace: (WINDOWS[pace], len(WINDOWS[pace])) for pace in
                  (duty.frequency, duty.stricter) if pace is not None and WINDOWS[pace]}
        plans.append((duty, duty.key, duty.by_anyone, _positions(duty.kinds), inline))

    def marks_of(found: dict[tuple[int, int | None], Days], child_id: int,
                 volunteer_id: int | None, risks: frozenset[Risk] = frozenset()
                 ) -> dict[str, Mark]:
        everyone = found.get((child_id, None), {})
        mine = found.get((child_id, volunteer_id), {}) if volunteer_id is not None else everyone
        result = {}
        for duty, key, by_anyone, positions, inline in plans:
            days = everyone if by_anyone else mine
            why = risks & duty.stricter_for if duty.stricter is not None else frozenset()
            pace = duty.stricter if why else duty.frequency
            if pace not in inline:
                result[key] = mark(duty, days, first, risks)
                continue
            windows, due = inline[pace]
            bits = _of(days.get(first), positions)
            result[key] = Mark(sum(1 for window in windows if bits & window), due,
                               _last(first, bits), pace, why)
        return result

    return marks_of


def marks(duties: Iterable[Duty], found: dict[tuple[int, int | None], Days], child_id: int,
          volunteer_id: int | None, month: date, risks: frozenset[Risk] = frozenset()
          ) -> dict[str, Mark]:
    """Each duty's mark for the child and her caring mother `volunteer_id` (None: whoever
    wrote), from care_days' `found`."""
    return marker(duties, month)(found, child_id, volunteer_id, risks)


class Owed(NamedTuple):
    """A duty owed for one child: the last day of the window it is owed for, and how many
    days it has been overdue (0: its window is still open)."""

    duty: Duty
    by: date
    overdue_days: int


# How far back a missed window is still owed: this month and the two before it.
OWED_MONTHS = 3


@lru_cache(maxsize=64)
def owed_since(today: date) -> date:
    """The first day of the earliest month whose windows may still be owed."""
    first = today.replace(day=1)
    for _ in range(OWED_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


@lru_cache(maxsize=256)
def _month_windows(pace: Frequency, since: date, today: date
                   ) -> tuple[tuple[date, date, date, int], ...]:
    """Each window of a month-nested `pace` from the month of `since` to the one open
    `today`, in order: its first and last days, its month's first day and its bits."""
    found = []
    month = since.replace(day=1)
    while month <= today:
        _, last = month_bounds(month)
        for (first_day, last_day), bits in zip(SPANS[pace], WINDOWS[pace], strict=True):
            start = month.replace(day=first_day)
            if start <= today:
                found.append((start, month.replace(day=min(last_day, last.day)), month, bits))
        month = last + timedelta(days=1)
    return tuple(found)


def owed(duty: Duty, days: Days, today: date, risks: frozenset[Risk], paired_on: date
         ) -> Owed | None:
    """What is owed of `duty` for one child: the first window missed since the latest done
    (overdue since its last day), else the open window if not yet done, else nothing. Only
    windows that begin on or after `paired_on` (a caring mother owes nothing from before
    her pairing) and in the last OWED_MONTHS months count; a yearly duty is never owed."""
    pace = duty.pace(risks)
    if pace is Frequency.YEARLY:
        return None
    positions = _positions(duty.kinds)
    since = max(owed_since(today), paired_on)
    if pace is Frequency.TERM_VISITS:
        windows = [(start, end, None, 0) for start, end in duty.term_windows
                   if since <= start <= today]
    else:
        windows = _month_windows(pace, since.replace(day=1), today)
    missed = None
    for start, end, month, bits in windows:
        if start < paired_on:
            continue
        if month is None:
            done = done_between(days, positions, start, end)
        else:
            done = bool(_of(days.get(month), positions) & bits)
        if done:
            missed = None
        elif end < today:
            missed = missed or end
        elif missed is None:
            return Owed(duty, end, 0)
    return Owed(duty, missed, (today - missed).days) if missed else None


def month_done(found: dict[str, Mark]) -> bool:
    """Every duty due in the month done in each of its windows (yearly ones do not count)."""
    return all(m.complete for m in found.values() if m.pace is not Frequency.YEARLY)


def days_of_kinds(source, duty: Duty):
    """The days of the month with a record of `duty`'s kinds, in SQL, from an alias of
    CareMonth (none: no day)."""
    days = literal_column("0")
    for kind in duty.kinds:
        days = days.op("|")(func.coalesce(kind_days(source, kind), 0))
    return days


def duty_days(duty: Duty, mine, everyone, before=None):
    """The month's days with a record of `duty`'s kinds and the month before's (none where
    `before` is not joined), in SQL: from her rows, or the child's of everyone, as the duty
    says who may do it."""
    source = everyone if duty.by_anyone else mine
    earlier = (days_of_kinds(before[1] if duty.by_anyone else before[0], duty)
               if before else literal_column("0"))
    return days_of_kinds(source, duty), earlier


def _any_day(days, bits: int) -> ColumnElement[bool]:
    return days.op("&")(literal_column(str(bits))) != 0


def window_tests(duty: Duty, pace: Frequency, month: date, days, before_days
                 ) -> list[tuple[date, date, ColumnElement[bool]]]:
    """Each window of `pace` counted in `month` (a visit window: in the month it ends in),
    with the SQL test that it was done, from `days` (days_of_kinds of the month) and
    `before_days` (of the month before, for a visit window begun then)."""
    _, last = month_bounds(month)
    if pace is Frequency.TERM_VISITS:
        found = []
        for start, end in duty.term_windows:
            if month <= end <= last:
                this = _any_day(days, _bits(max(start, month).day, end.day))
                found.append((start, end, this if start >= month else or_(
                    this, _any_day(before_days, _bits(start.day, 31)))))
        return found
    return [(month.replace(day=first_day), month.replace(day=min(last_day, last.day)),
             _any_day(days, bits))
            for (first_day, last_day), bits in zip(SPANS[pace], WINDOWS[pace], strict=True)]


def _complete_in_month(duty: Duty, pace: Frequency, month: date, days, before_days
                       ) -> ColumnElement[bool]:
    if pace is Frequency.YEARLY:
        return true()
    return and_(true(), *(test for _, _, test in window_tests(duty, pace, month, days,
                                                              before_days)))


def month_done_sql(duties: Iterable[Duty], month: date, mine, everyone, before=None
                   ) -> ColumnElement[bool]:
    """`month_done` in SQL, for a child (`Child`) and her caring mother in `month`: `mine`
    and `everyone` are aliases of CareMonth outer-joined on the month (hers, and the child's
    row without a volunteer); `before`, the same two of the month before (needed for a duty
    due three times a term: with_month_done joins them)."""
    parts = []
    for duty in duties:
        days, before_days = duty_days(duty, mine, everyone, before)
        usual = _complete_in_month(duty, duty.frequency, month, days, before_days)
        if duty.stricter is None:
            parts.append(usual)
            continue
        stricter = duty.at_stricter_pace()
        parts.append(or_(and_(stricter, _complete_in_month(duty, duty.stricter, month, days,
                                                           before_days)),
                         and_(~stricter, usual)))
    return and_(true(), *parts)


def join_month(query, month: date, child_id, volunteer_id):
    """`query` outer-joined to the care summary of `month` for a child and her caring
    mother: the query and the two aliases (hers, and the child's row of all records).
    Aliases of the table, not of the class: a scorecard's year joins 24 of them, and the
    ORM's adapting of each column was most of its time."""
    table = CareMonth.__table__
    mine, everyone = table.alias(), table.alias()
    query = (query.outerjoin(mine, and_(mine.c.child_id == child_id,
                                        mine.c.volunteer_id == volunteer_id,
                                        mine.c.month == month))
             .outerjoin(everyone, and_(everyone.c.child_id == child_id,
                                       everyone.c.month == month,
                                       everyone.c.volunteer_id.is_(None))))
    return query, mine, everyone


def with_month_done(query, duties: Iterable[Duty], month: date, child_id, volunteer_id):
    """`query` (of pairings, with `Child` joined) outer-joined to the care summary of
    `month` for the child and caring mother of `child_id`, `volunteer_id` (and of the month
    before where a duty is due three times a term), and the test of `month_done` on it."""
    duties = list(duties)
    query, mine, everyone = join_month(query, month, child_id, volunteer_id)
    before = None
    if any(duty.term_windows for duty in duties):
        query, *before = join_month(query, (month - timedelta(days=1)).replace(day=1), child_id,
                                 volunteer_id)
    return query, month_done_sql(duties, month, mine, everyone, before)


def last_contact(session: Session, child_ids: Iterable[int]) -> dict[int, date]:
    """The date of each child's latest care record (one query of the care summary)."""
    ids = list(child_ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(Child.id, Child.last_care_on)
        .where(among(Child.id, ids), Child.last_care_on.is_not(None))
    ).all())
