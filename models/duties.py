"""The duties of care a county sets (关爱职责), one row each: what is due, how often, which
kinds of care record fulfil it and who may; and the risks that make a child's pace stricter.
The defaults are the five ones (五个一). `duties` reads them for every page that ticks them
(models.followup)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    and_,
    event,
    false,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Timestamped, Versioned, db, enum_column, local_today, sorted_by
from models.enums import (
    CareKind,
    Frequency,
    FulfilledBy,
    Guardianship,
    LivingArrangement,
    Risk,
)
from models.people import Child
from models.terms import terms, visit_windows


class DutyRule(Versioned, Timestamped, db.Model):
    """One duty of care. Never deleted (months already ticked by it would change meaning
    without a trace): a duty the county drops is made inactive."""

    __tablename__ = "duty_rule"
    __table_args__ = (sorted_by("duty_rule", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # CareKind values, "talk,home_visit": a record of any of them fulfils the duty.
    kinds: Mapped[str] = mapped_column(String(200), info={"members": CareKind})
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    fulfilled_by: Mapped[FulfilledBy] = mapped_column(enum_column(FulfilledBy),
                                                      default=FulfilledBy.PAIRED)
    # For children with any of `stricter_for` (Risk values), the duty is due this often.
    stricter_frequency: Mapped[Frequency | None] = mapped_column(enum_column(Frequency),
                                                                 nullable=True)
    stricter_for: Mapped[str] = mapped_column(String(200), default="", info={"members": Risk})
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


def _members(enum_cls, values: str) -> frozenset:
    return frozenset(enum_cls(value) for value in values.split(",") if value)


def joined(enum_cls, chosen) -> str:
    """Members (or their values) as a column keeps them: values in their category's order."""
    values = {getattr(member, "value", member) for member in chosen}
    return ",".join(member.value for member in enum_cls if member.value in values)


@dataclass(frozen=True)
class Duty:
    """A duty as the pages read it (`key`: the rule's id, as a string)."""

    key: str
    label: str
    kinds: frozenset[CareKind]
    frequency: Frequency
    by_anyone: bool
    stricter: Frequency | None = None
    stricter_for: frozenset[Risk] = frozenset()
    # For a duty due three times a term: the terms' visit windows (models.terms).
    term_windows: tuple[tuple[date, date], ...] = ()

    @property
    def yearly(self) -> bool:
        return self.frequency is Frequency.YEARLY

    def pace(self, risks: frozenset[Risk]) -> Frequency:
        """How often the duty is due for a child with `risks`."""
        return self.stricter if self.why_stricter(risks) else self.frequency

    def why_stricter(self, risks: frozenset[Risk]) -> frozenset[Risk]:
        """The child's risks that make the duty due more often (none: at the usual pace)."""
        return risks & self.stricter_for if self.stricter is not None else frozenset()

    def at_stricter_pace(self) -> ColumnElement[bool]:
        """Children (`Child`) for whom the duty is due at its stricter pace, in SQL."""
        return risk_among(self.stricter_for) if self.stricter is not None else false()


def _duty(rule: DutyRule, windows) -> Duty:
    termly = Frequency.TERM_VISITS in (rule.frequency, rule.stricter_frequency)
    return Duty(str(rule.id), rule.name, _members(CareKind, rule.kinds), rule.frequency,
                rule.fulfilled_by is FulfilledBy.ANYONE, rule.stricter_frequency,
                _members(Risk, rule.stricter_for), windows() if termly else ())


def _visit_windows(session: Session):
    """The terms' visit windows from two school years back to the next, read once and only
    if a duty asks for them."""
    kept: list = []

    def windows():
        if not kept:
            year = local_today().year
            kept.append(visit_windows(terms(session, year - 2, year + 1)))
        return kept[0]

    return windows


_CACHE = "duties"


def _asker() -> int | None:
    """The request being answered (None outside one): the duties are read again for each,
    even where one session serves several (the tests' app context)."""
    return id(request._get_current_object()) if has_request_context() else None


def duties(session: Session) -> tuple[Duty, ...]:
    """The active duties in the county's order: one query per request, read again after a
    flush that wrote a rule."""
    asker, kept = _asker(), session.info.get(_CACHE)
    if kept is None or kept[0] != asker:
        windows = _visit_windows(session)
        kept = session.info[_CACHE] = (asker, tuple(_duty(rule, windows) for rule in
                                                    session.scalars(
            select(DutyRule).where(DutyRule.active.is_(True))
            .order_by(DutyRule.position, DutyRule.id))))
    return kept[1]


@event.listens_for(Session, "after_flush")
def _forget_duties(session: Session, flush_context) -> None:
    if any(isinstance(row, DutyRule) for row in (*session.new, *session.dirty,
                                                 *session.deleted)):
        session.info.pop(_CACHE, None)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_CACHE, None)


# Guardianship assessments that are a risk, each its own reason (Guardianship: 监护情况).
_GUARDIANSHIP_RISKS = {
    Guardianship.NOBODY: Risk.NOBODY,
    Guardianship.PARENT_UNABLE: Risk.PARENT_UNABLE,
    Guardianship.PROXY_UNABLE: Risk.PROXY_UNABLE,
    Guardianship.POOR: Risk.POOR_CARE,
}


def risks_of(child) -> frozenset[Risk]:
    """What puts `child` at risk (a Child, or a row with its four columns)."""
    found = set()
    if child.living_arrangement == LivingArrangement.ALONE:
        found.add(Risk.ALONE)
    if child.guardianship in _GUARDIANSHIP_RISKS:
        found.add(_GUARDIANSHIP_RISKS[Guardianship(child.guardianship)])
    if child.key_target:
        found.add(Risk.KEY_TARGET)
    if child.in_difficulty:
        found.add(Risk.IN_DIFFICULTY)
    return frozenset(found)


RISK_COLUMNS = (Child.living_arrangement, Child.guardianship, Child.key_target,
                Child.in_difficulty)


class RiskColumns(NamedTuple):
    """A child's RISK_COLUMNS as a query returns them, for `risks_of`."""

    living_arrangement: LivingArrangement
    guardianship: Guardianship | None
    key_target: bool
    in_difficulty: bool


def risk_among(risks: frozenset[Risk]) -> ColumnElement[bool]:
    """Children with any of `risks`, in SQL (never NULL: a child with no assessment has no
    guardianship risk)."""
    tests = []
    if Risk.ALONE in risks:
        tests.append(Child.living_arrangement == LivingArrangement.ALONE)
    assessed = [value for value, risk in _GUARDIANSHIP_RISKS.items() if risk in risks]
    if assessed:
        tests.append(and_(Child.guardianship.is_not(None), Child.guardianship.in_(assessed)))
    if Risk.KEY_TARGET in risks:
        tests.append(Child.key_target.is_(True))
    if Risk.IN_DIFFICULTY in risks:
        tests.append(Child.in_difficulty.is_(True))
    return or_(*tests) if tests else false()


# The five ones (五个一): talk with the child, get the child in touch with the parents,
# contact the class teacher and the guardian each month; a festival together each year. A
# home visit meets the child and the guardian, so it counts for both.
FIVE_ONES = (
    (_l("Talked with the child"), "talk,home_visit", Frequency.MONTHLY),
    (_l("Parents called or written to"), "parent_call,parent_letter", Frequency.MONTHLY),
    (_l("Class teacher contacted"), "teacher_contact", Frequency.MONTHLY),
    (_l("Guardian contacted"), "guardian_contact,home_visit", Frequency.MONTHLY),
    (_l("A festival together this year"), "festival", Frequency.YEARLY),
)


def install_defaults(connection) -> None:
    """The five ones as the county's duties, named in the app's language (the migration
    that made the table wrote the same rows; the tests write them again for each test)."""
    connection.execute(insert(DutyRule.__table__), [
        {"name": str(name), "position": position, "kinds": kinds, "frequency": frequency,
         "fulfilled_by": FulfilledBy.PAIRED, "stricter_for": "", "active": True,
         "version": 1}
        for position, (name, kinds, frequency) in enumerate(FIVE_ONES, start=1)])
