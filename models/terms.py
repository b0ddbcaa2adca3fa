"""School terms (学期) as the county enters them, one row per term of a school year; where a
term is not entered, the usual dates, marked as estimated. The breaks between them are the
winter and summer holidays (寒假, 暑假). The calendar marks them; the scorecard's terms are
these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from flask_babel import gettext
from sqlalchemy import CheckConstraint, Date, Integer, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Timestamped, Versioned, db, enum_column
from models.enums import Term


class SchoolTerm(Versioned, Timestamped, db.Model):
    """A term of the school year that begins in `school_year` (2026: 2026–2027): its autumn
    term begins that year, its spring term the next."""

    __tablename__ = "school_term"
    __table_args__ = (UniqueConstraint("school_year", "term", name="one_of_each"),
                      CheckConstraint("last_day > first_day", name="ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year: Mapped[int] = mapped_column(Integer)
    term: Mapped[Term] = mapped_column(enum_column(Term))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)

    def __str__(self) -> str:
        # Before its flush the form's choice is the member's name, not yet the member.
        return f"{self.school_year}–{self.school_year + 1} {Term.label_of(self.term)}"


# The usual dates where the county has not entered a term: autumn from 1 September to
# 20 January, spring from 20 February to 5 July.
USUAL = {Term.AUTUMN: ((0, 9, 1), (1, 1, 20)), Term.SPRING: ((1, 2, 20), (1, 7, 5))}


@dataclass(frozen=True)
class Span:
    term: Term
    school_year: int
    first: date
    last: date
    estimated: bool

    @property
    def key(self) -> str:
        """As the scorecard names it: 2026-autumn, 2027-spring (the year it begins in)."""
        return f"{self.first.year}-{self.term.value}"


def _usual(school_year: int, term: Term) -> Span:
    (y1, m1, d1), (y2, m2, d2) = USUAL[term]
    return Span(term, school_year, date(school_year + y1, m1, d1),
                date(school_year + y2, m2, d2), True)


def terms(session: Session, first_year: int, last_year: int) -> list[Span]:
    """Both terms of each school year from `first_year` to `last_year`, in order: as
    entered, else the usual dates (estimated). One query."""
    entered = {(row.school_year, row.term): row for row in session.scalars(
        select(SchoolTerm).where(SchoolTerm.school_year.between(first_year, last_year)))}
    found = []
    for year in range(first_year, last_year + 1):
        for term in (Term.AUTUMN, Term.SPRING):
            row = entered.get((year, term))
            found.append(Span(term, year, row.first_day, row.last_day, False) if row
                         else _usual(year, term))
    return found


def term_named(session: Session, key: str) -> Span | None:
    """The term of a scorecard's period key ("2026-autumn", "2027-spring")."""
    year_text, _, name = key.partition("-")
    if not year_text.isdigit() or name not in ("autumn", "spring"):
        return None
    year = int(year_text) - (1 if name == "spring" else 0)
    return next(span for span in terms(session, year, year) if span.term.value == name)


# A term's visits (期初、期中、期末) are due in three windows of this many days, at its
# start, around its middle and at its end (shorter for a term under nine weeks).
VISIT_WINDOW_DAYS = 21


def visit_windows(spans: list[Span]) -> tuple[tuple[date, date], ...]:
    """The start, middle and end windows of each term, in order: (first day, last day)."""
    found = []
    for span in spans:
        length = (span.last - span.first).days + 1
        days = max(1, min(VISIT_WINDOW_DAYS, length // 3))
        middle = span.first + timedelta(days=length // 2 - days // 2)
        found += [(span.first, span.first + timedelta(days=days - 1)),
                  (middle, middle + timedelta(days=days - 1)),
                  (span.last - timedelta(days=days - 1), span.last)]
    return tuple(found)


def term_marks(session: Session, first: date, last: date) -> dict[date, list[str]]:
    """The first and last days of terms and of the winter and summer holidays between
    `first` and `last`, as the calendar writes them (estimated ones said so)."""
    spans = terms(session, first.year - 2, last.year)
    marks: dict[date, list[str]] = {}

    def mark(day: date, text: str, estimated: bool) -> None:
        if first <= day <= last:
            marks.setdefault(day, []).append(
                gettext("%(what)s (estimated)", what=text) if estimated else text)

    for span, following in pairwise(spans):
        label = str(span.term.label)
        mark(span.first, gettext("%(term)s begins", term=label), span.estimated)
        mark(span.last, gettext("%(term)s ends", term=label), span.estimated)
        if following.first - span.last > timedelta(days=1):
            holiday = gettext("Winter holiday") if span.term is Term.AUTUMN else gettext(
                "Summer holiday")
            estimated = span.estimated or following.estimated
            mark(span.last + timedelta(days=1), gettext("%(holiday)s begins", holiday=holiday),
                 estimated)
            mark(following.first - timedelta(days=1),
                 gettext("%(holiday)s ends", holiday=holiday), estimated)
    return marks
