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
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.base import among
from models.care import CareMonth
from models.enums import CareKind
from models.people import Child


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
    date that ticks it, or None. One query of the care summary (the year's months of these
    children), whatever the number of children."""
    if isinstance(children, list | tuple | set) and not children:
        return {}
    first = month.replace(day=1)
    columns = [getattr(CareMonth, f"{duty.key}_on") for duty in FIVE_ONES]
    festival = [getattr(CareMonth, f"{duty.key}_on").is_not(None)
                for duty in FIVE_ONES if duty.yearly]
    # The month's rows, and the year's earlier months only where they hold a yearly tick.
    query = (select(CareMonth.child_id, CareMonth.volunteer_id, CareMonth.month, *columns)
             .where(among(CareMonth.child_id, children), CareMonth.month >= first.replace(month=1),
                    CareMonth.month <= first, or_(CareMonth.month == first, *festival)))
    ticks: dict[tuple[int, int | None], dict[str, date | None]] = {}
    for child_id, volunteer_id, row_month, *dates in session.execute(query):
        found = ticks.setdefault((child_id, volunteer_id if by_volunteer else None),
                                 dict(NO_TICKS))
        for duty, when in zip(FIVE_ONES, dates, strict=True):
            counts = duty.yearly or row_month == first
            if when and counts and (found[duty.key] is None or when > found[duty.key]):
                found[duty.key] = when
    return {key: found for key, found in ticks.items() if any(found.values())}


NO_TICKS = {duty.key: None for duty in FIVE_ONES}
MONTHLY = tuple(duty.key for duty in FIVE_ONES if not duty.yearly)


def month_done(ticks: dict[str, date | None]) -> bool:
    """All four monthly duties done (the festival is once a year)."""
    return all(ticks.get(key) for key in MONTHLY)


def last_contact(session: Session, child_ids: Iterable[int]) -> dict[int, date]:
    """The date of each child's latest care record (one query of the care summary)."""
    ids = list(child_ids)
    if not ids:
        return {}
    return dict(session.execute(
        select(Child.id, Child.last_care_on)
        .where(among(Child.id, ids), Child.last_care_on.is_not(None))
    ).all())
