"""The "five ones" (五个一) of a caring mother, as one rule.

Each month she should talk with the child, get the child to call or write to the parents,
contact the class teacher and the temporary guardian; once a year she spends a festival
with the child. A tick is the latest care record of a kind that counts for it, inside the
window (the month, or the year so far for the festival). A home visit meets the child and
the guardian, so it counts for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.care import CareRecord
from models.enums import CareKind


@dataclass(frozen=True)
class Duty:
    key: str
    label: object
    kinds: frozenset[CareKind]
    yearly: bool = False


FIVE_ONES = (
    Duty("child", _l("Talked with the child"), frozenset({CareKind.TALK, CareKind.HOME_VISIT})),
    Duty("parents", _l("Parents called or written to"),
         frozenset({CareKind.PARENT_CALL, CareKind.PARENT_LETTER})),
    Duty("teacher", _l("Class teacher contacted"), frozenset({CareKind.TEACHER_CONTACT})),
    Duty("guardian", _l("Guardian contacted"),
         frozenset({CareKind.GUARDIAN_CONTACT, CareKind.HOME_VISIT})),
    Duty("festival", _l("A festival together this year"), frozenset({CareKind.FESTIVAL}),
         yearly=True),
)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def five_ones(session: Session, children, month: date, by_volunteer: bool = False
              ) -> dict[tuple[int, int | None], dict[str, date | None]]:
    """The ticks of `month` for `children` (ids, or a select of ids): for each child — and,
    with `by_volunteer`, each volunteer who wrote about the child — each duty's key with the
    date that ticks it, or None. Two queries, whatever the number of children."""
    if isinstance(children, list | tuple | set) and not children:
        return {}
    first, last = month_bounds(month)
    year_start = first.replace(month=1)
    who = [CareRecord.volunteer_id] if by_volunteer else []
    festival_kinds = {kind for duty in FIVE_ONES if duty.yearly for kind in duty.kinds}
    latest: dict[tuple[int, int | None], dict[CareKind, date]] = {}
    for window_start, kinds in ((first, None), (year_start, festival_kinds)):
        query = (select(CareRecord.child_id, *who, CareRecord.kind,
                        func.max(CareRecord.occurred_on))
                 .where(CareRecord.child_id.in_(children),
                        CareRecord.occurred_on >= window_start, CareRecord.occurred_on <= last)
                 .group_by(CareRecord.child_id, *who, CareRecord.kind))
        if kinds:
            query = query.where(CareRecord.kind.in_(kinds))
        for row in session.execute(query):
            child_id, volunteer_id = row[0], (row[1] if by_volunteer else None)
            kind, when = row[-2], row[-1]
            latest.setdefault((child_id, volunteer_id), {})[kind] = when
    return {key: ticks_from(dates) for key, dates in latest.items()}


def ticks_from(dates: dict[CareKind, date]) -> dict[str, date | None]:
    ticks = {}
    for duty in FIVE_ONES:
        found = [dates[kind] for kind in duty.kinds if dates.get(kind)]
        ticks[duty.key] = max(found) if found else None
    return ticks


NO_TICKS = {duty.key: None for duty in FIVE_ONES}
MONTHLY = tuple(duty.key for duty in FIVE_ONES if not duty.yearly)


def month_done(ticks: dict[str, date | None]) -> bool:
    """All four monthly duties done (the festival is once a year)."""
    return all(ticks.get(key) for key in MONTHLY)


def last_contact(session: Session, child_ids: Iterable[int]) -> dict[int, date]:
    """The date of each child's latest care record (one query)."""
    ids = list(child_ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(CareRecord.child_id, func.max(CareRecord.occurred_on))
        .where(CareRecord.child_id.in_(ids)).group_by(CareRecord.child_id)
    ).all())
