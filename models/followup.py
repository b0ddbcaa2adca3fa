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


def five_ones(session: Session, child_ids: Iterable[int], month: date
              ) -> dict[int, dict[str, date | None]]:
    """For each child, each duty's key with the date that ticks it in `month`, or None.
    One query, whatever the number of children."""
    ids = list(child_ids)
    first, last = month_bounds(month)
    year_start = first.replace(month=1)
    latest: dict[tuple[int, CareKind], dict[str, date]] = {}
    if ids:
        rows = session.execute(
            select(CareRecord.child_id, CareRecord.kind,
                   func.max(CareRecord.occurred_on),
                   func.max(CareRecord.occurred_on).filter(CareRecord.occurred_on >= first))
            .where(CareRecord.child_id.in_(ids), CareRecord.occurred_on >= year_start,
                   CareRecord.occurred_on <= last)
            .group_by(CareRecord.child_id, CareRecord.kind)
        )
        for child_id, kind, in_year, in_month in rows:
            latest[(child_id, kind)] = {"year": in_year, "month": in_month}
    result = {}
    for child_id in ids:
        ticks = {}
        for duty in FIVE_ONES:
            window = "year" if duty.yearly else "month"
            dates = [latest[(child_id, kind)][window] for kind in duty.kinds
                     if (child_id, kind) in latest and latest[(child_id, kind)][window]]
            ticks[duty.key] = max(dates) if dates else None
        result[child_id] = ticks
    return result


def last_contact(session: Session, child_ids: Iterable[int]) -> dict[int, date]:
    """The date of each child's latest care record (one query)."""
    ids = list(child_ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(CareRecord.child_id, func.max(CareRecord.occurred_on))
        .where(CareRecord.child_id.in_(ids)).group_by(CareRecord.child_id)
    ).all())
