"""考核 scorecards: per Children's Home, for a month, a term or a year, the figures a yearly
review asks for — children in care and the share whose archive is complete (建档率),
pairing coverage, each duty of care done against due, activities held, family calls, and
the children at risk with their duties done at their pace — counted by the database in one
query per figure group, whatever the size of the county; townships and the county add
their Homes up. Ranked by duties done."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)

from admin_app import access
from admin_app.extensions import db
from models import Activity, CareRecord, Child, Home, Pairing, ParentContact
from models.duties import Duty, duties, risk_among
from models.enums import ActivityStatus, CareKind, Frequency, Risk
from models.followup import duty_days, join_month, month_bounds, window_tests
from models.terms import term_named

TERMS = {"spring": 2, "autumn": 9}  # the month each term usually begins in


@dataclass(frozen=True)
class Period:
    """A month (2026-12), a school term as the county entered it, else its usual dates
    (2026-autumn: the one beginning in 2026; 2026-spring; models.terms) or a year (2026)."""

    key: str
    first: date
    last: date

    @classmethod
    def parse(cls, text: str | None, today: date) -> Period:
        text = (text or "").strip()
        try:
            if "-" in text:
                year_text, part = text.split("-", 1)
                year = int(year_text)
                if part in TERMS and 1900 <= year <= 2200:
                    span = term_named(db.session, f"{year}-{part}")
                    return cls(text, span.first, span.last)
                month = int(part)
                if 1 <= month <= 12 and 1900 <= year <= 2200:
                    return cls(f"{year}-{month:02d}", date(year, month, 1),
                               _month_end(date(year, month, 1)))
            elif text and 1900 <= int(text) <= 2200:
                return cls(text, date(int(text), 1, 1), date(int(text), 12, 31))
        except ValueError:
            pass
        # Unasked: last month, the latest whose every window has ended.
        last_month = today.replace(day=1) - timedelta(days=1)
        return cls(f"{last_month.year}-{last_month.month:02d}", last_month.replace(day=1),
                   last_month)

    @classmethod
    def choices(cls, today: date) -> list[Period]:
        """What the page offers: this year's and last year's months, terms and years."""
        found = []
        for year in (today.year, today.year - 1):
            found += [cls.parse(f"{year}-{month:02d}", today) for month in range(12, 0, -1)
                      if date(year, month, 1) <= today]
            found += [cls.parse(f"{year}-{term}", today) for term in ("autumn", "spring")
                      if date(year, TERMS[term], 1) <= today]
            found.append(cls.parse(str(year), today))
        return found

    @property
    def label(self) -> str:
        if self.key.endswith("-autumn"):
            return gettext("%(year)s autumn term", year=self.first.year)
        if self.key.endswith("-spring"):
            return gettext("%(year)s spring term", year=self.first.year)
        if "-" in self.key:
            return gettext("%(year)s-%(month)s", year=self.first.year,
                           month=f"{self.first.month:02d}")
        return gettext("Year %(year)s", year=self.first.year)

    def months(self, today: date) -> list[date]:
        """The first days of the period's months that have begun by `today` (a term's
        first month from its first day on: the windows before it are not counted)."""
        found, month = [], self.first.replace(day=1)
        while month <= min(self.last, today):
            found.append(month)
            month = _month_end(month) + timedelta(days=1)
        return found


def _month_end(day: date) -> date:
    return month_bounds(day)[1]


@dataclass
class Figures:
    children: int = 0
    complete: int = 0
    paired: int = 0
    activities: int = 0
    calls: int = 0
    at_risk: int = 0
    done: dict = field(default_factory=dict)   # duty key -> windows done
    due: dict = field(default_factory=dict)    # duty key -> windows due
    risk_done: int = 0
    risk_due: int = 0

    def add(self, other: Figures) -> None:
        for name in ("children", "complete", "paired", "activities", "calls", "at_risk",
                     "risk_done", "risk_due"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, n in other.done.items():
            self.done[key] = self.done.get(key, 0) + n
        for key, n in other.due.items():
            self.due[key] = self.due.get(key, 0) + n

    @property
    def duties_done(self) -> int:
        return sum(self.done.values())

    @property
    def duties_due(self) -> int:
        return sum(self.due.values())

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None


def _homes_among(column, township: str | None, home_id: int | None):
    """`column` (a Home id) narrowed to one Home or a township's, in SQL: a township's
    scorecard counts its Homes only, not the county's to keep some."""
    if home_id is not None:
        return column == home_id
    if township is not None:
        return column.in_(select(Home.id).where(Home.township == township))
    return true()


def _in_care_at(day: date) -> ColumnElement[bool]:
    return and_(Child.entered_on <= day, or_(Child.left_on.is_(None), Child.left_on > day))


# Each field a county may require of a complete archive (ARCHIVE_REQUIRED, beyond the
# form's own: name, gender, birth date, the kind of left-behind and where the child lives).
ARCHIVE_CHECKS = {
    "id_number": lambda: Child.id_number_hash.is_not(None),
    "school": lambda: Child.school != "",
    "grade": lambda: Child.grade != "",
    "class_teacher": lambda: Child.class_teacher != "",
    "guardian": lambda: Child.guardian_id.is_not(None),
    "guardianship": lambda: Child.guardianship.is_not(None),
    "parent": lambda: exists().where(ParentContact.child_id == Child.id),
}


def _archive_complete() -> ColumnElement[bool]:
    return and_(true(), *(ARCHIVE_CHECKS[name]()
                          for name in current_app.config["ARCHIVE_REQUIRED"]))


def _children(user, day: date, narrowed) -> dict[int, tuple[int, int, int, int]]:
    """Per Home: children in care on `day`, with a complete archive, with a primary
    caring mother that day, at risk."""
    paired = exists().where(Pairing.child_id == Child.id, Pairing.is_primary.is_(True),
                            Pairing.overlapping(day, day))
    query = (select(Child.home_id, func.count(), func.count().filter(_archive_complete()),
                    func.count().filter(paired), func.count().filter(risk_among(frozenset(Risk))))
             .where(_in_care_at(day), narrowed(Child.home_id)).group_by(Child.home_id))
    return {home: tuple(rest) for home, *rest in db.session.execute(
        access.scoped(query, Child, user))}


def _counted(user, period: Period, today: date, narrowed) -> dict[int, tuple[int, int]]:
    """Per Home: activities held in the period, and family calls made."""
    end = min(period.last, today)
    held = (select(Activity.home_id.label("home"), literal_column("1").label("activity"),
                   literal_column("0").label("call"))
            .where(Activity.status == ActivityStatus.DONE, narrowed(Activity.home_id),
                   Activity.starts_at >= datetime.combine(period.first, time.min),
                   Activity.starts_at < datetime.combine(end + timedelta(days=1), time.min)))
    calls = (select(Child.home_id.label("home"), literal_column("0"), literal_column("1"))
             .join(CareRecord, CareRecord.child_id == Child.id)
             .where(CareRecord.kind == CareKind.PARENT_CALL, narrowed(Child.home_id),
                    CareRecord.occurred_on >= period.first, CareRecord.occurred_on <= end))
    both = union_all(access.scoped(held, Activity, user),
                     access.scoped(calls, Child, user)).subquery()
    return {home: (activities, calls_) for home, activities, calls_ in db.session.execute(
        select(both.c.home, func.sum(both.c.activity), func.sum(both.c.call))
        .group_by(both.c.home))}


def _window_columns(duty: Duty, month: date, period: Period, today: date, mine, everyone,
                    before):
    """Windows of `duty` done and due in `month` for one pairing (SQL, for a sum): only the
    windows inside the period that have ended by `today` and that begin on or after the
    pairing's start."""
    days, before_days = duty_days(duty, mine, everyone, before)

    def counted(pace: Frequency):
        done, due = literal_column("0"), literal_column("0")
        if pace is Frequency.YEARLY:
            return done, due
        for start, end, test in window_tests(duty, pace, month, days, before_days):
            # In the period it ends in, as the follow-up counts it in the month it ends in.
            if end >= today or end < period.first or end > period.last:
                continue
            owed = and_(Pairing.started_on <= start,
                        or_(Pairing.ended_on.is_(None), Pairing.ended_on >= end))
            due = due + case((owed, 1), else_=0)
            done = done + case((and_(owed, test), 1), else_=0)
        return done, due

    usual = counted(duty.frequency)
    if duty.stricter is None:
        return usual
    stricter, risky = counted(duty.stricter), duty.at_stricter_pace()
    return (case((risky, stricter[0]), else_=usual[0]),
            case((risky, stricter[1]), else_=usual[1]))


def _duties(user, period: Period, today: date, rules: Iterable[Duty], narrowed) -> dict:
    """Per Home and month ("2026-11"): each duty's windows done and due in the period's
    months (yearly duties apart), and those of children at risk together: one statement,
    a branch per month."""
    rules = counted_duties(rules)
    at_risk = risk_among(frozenset(Risk))
    branches = []
    termly = any(duty.term_windows for duty in rules)
    for month in period.months(today):
        query, mine, everyone = join_month(select().select_from(Pairing).join(
            Child, Child.id == Pairing.child_id), month, Pairing.child_id, Pairing.volunteer_id)
        before = None
        if termly:
            query, *before = join_month(query, (month - timedelta(days=1)).replace(day=1),
                                        Pairing.child_id, Pairing.volunteer_id)
        columns = []
        for duty in rules:
            done, due = _window_columns(duty, month, period, today, mine, everyone, before)
            columns += [done.label(f"done_{duty.key}"), due.label(f"due_{duty.key}")]
        risky = case((at_risk, 1), else_=0).label("risky")
        query = (query.add_columns(Child.home_id.label("home"),
                                   literal_column(f"'{month:%Y-%m}'").label("month"), risky,
                                   *columns)
                 .where(Pairing.is_primary.is_(True),
                        Pairing.overlapping(month, _month_end(month)),
                        narrowed(Child.home_id)))
        branches.append(access.scoped(query, Pairing, user))
    if not branches or not rules:
        return {}
    rows = union_all(*branches).subquery()
    sums = []
    for duty in rules:
        sums += [func.sum(rows.c[f"done_{duty.key}"]), func.sum(rows.c[f"due_{duty.key}"])]
    risk_done = sum((rows.c[f"done_{duty.key}"] for duty in rules), literal_column("0"))
    risk_due = sum((rows.c[f"due_{duty.key}"] for duty in rules), literal_column("0"))
    query = (select(rows.c.home, rows.c.month, *sums,
                    func.sum(case((rows.c.risky == 1, risk_done), else_=0)),
                    func.sum(case((rows.c.risky == 1, risk_due), else_=0)))
             .group_by(rows.c.home, rows.c.month))
    found = {}
    for home, month, *values in db.session.execute(query):
        done = {duty.key: int(values[2 * i] or 0) for i, duty in enumerate(rules)}
        due = {duty.key: int(values[2 * i + 1] or 0) for i, duty in enumerate(rules)}
        found[home, month] = (done, due, int(values[-2] or 0), int(values[-1] or 0))
    return found


def counted_duties(rules: Iterable[Duty]) -> list[Duty]:
    """The duties the scorecard counts: all but those due only once a year (a yearly duty
    with a stricter pace counts, for the children at risk)."""
    return [duty for duty in rules if duty.frequency is not Frequency.YEARLY
            or duty.stricter not in (None, Frequency.YEARLY)]


@dataclass
class Line:
    """A Home's line of the scorecard (or a township's, or the county's: `home` None)."""

    name: str
    township: str
    figures: Figures
    home_id: int | None = None
    rank_township: int | None = None
    rank_county: int | None = None

    @property
    def rate(self) -> float:
        return Figures.rate(self.figures.duties_done, self.figures.duties_due) or 0.0


def counts(user, period: Period, today: date, township: str | None = None,
           home_id: int | None = None) -> dict:
    """Every figure of the scorecard the database counts, per Home (and month), as JSON:
    what `models.figures.kept` keeps of a county's scorecard for a few minutes."""
    day = min(period.last, today)

    def narrowed(column):
        return _homes_among(column, township, home_id)

    done_due = _duties(user, period, today, duties(db.session), narrowed)
    return {
        "children": [[home, *figures] for home, figures
                     in _children(user, day, narrowed).items()],
        "held": [[home, int(activities or 0), int(calls or 0)] for home, (activities, calls)
                    in _counted(user, period, today, narrowed).items()],
        "duties": [[home, month, *figures] for (home, month), figures
                   in sorted(done_due.items())],
    }


def scorecard(user, period: Period, today: date, township: str | None = None,
              home_id: int | None = None, counted: dict | None = None
              ) -> tuple[list[Line], dict[str, Line], Line, list[tuple[str, int, int]]]:
    """The Homes' lines in `user`'s scope (narrowed to a township or a Home), ranked by duties
    done within their township and the county; each township's total; the whole total; and
    (month, windows done, windows due) of each of the period's months, for its trend. From
    `counted` (what `counts` returned, perhaps a few minutes ago), or counted now."""
    homes = db.session.execute(access.scoped(
        select(Home.id, Home.name, Home.township), Home, user).order_by(Home.name)).all()
    homes = [h for h in homes if township in (None, h.township)
             and home_id in (None, h.id)]
    if counted is None:
        counted = counts(user, period, today, township, home_id)
    children = {home: tuple(figures) for home, *figures in counted["children"]}
    held = {home: tuple(figures) for home, *figures in counted["held"]}
    by_home: dict[int, Figures] = {}
    months: dict[str, list[int]] = {}
    shown = {home for home, _, _ in homes}
    for home, month, done, due, risk_done, risk_due in counted["duties"]:
        f = by_home.setdefault(home, Figures())
        f.add(Figures(done=done, due=due, risk_done=risk_done, risk_due=risk_due))
        if home in shown:
            sums = months.setdefault(month, [0, 0])
            sums[0] += sum(done.values())
            sums[1] += sum(due.values())
    lines = []
    for home, name, place in homes:
        f = by_home.get(home, Figures())
        f.children, f.complete, f.paired, f.at_risk = children.get(home, (0, 0, 0, 0))
        f.activities, f.calls = held.get(home, (0, 0))
        lines.append(Line(name, place or "", f, home))
    ranked = sorted(lines, key=lambda line: (-line.rate, line.name))
    # A rank in the county only where the county's every Home was counted: a township's
    # account, or a township chosen, ranks its Homes within the township alone.
    county_wide = access.sees_every_home(user) and township is None and home_id is None
    for position, line in enumerate(ranked, start=1):
        line.rank_county = position if county_wide else None
    townships: dict[str, Line] = {}
    townships_ranked: dict[str, int] = {}  # Homes of each township ranked so far
    for line in ranked:
        total = townships.setdefault(line.township, Line(line.township, line.township,
                                                         Figures()))
        total.figures.add(line.figures)
        ranked_before = townships_ranked.get(line.township, 0)
        line.rank_township = townships_ranked[line.township] = ranked_before + 1
    whole = Line(gettext("Whole county") if county_wide else gettext("Total"), "", Figures())
    for line in lines:
        whole.figures.add(line.figures)
    return lines, townships, whole, [(month, done, due) for month, (done, due)
                                     in sorted(months.items())]
