"""The follow-up of a month's duties of care (五个一 unless the county changed them): one row
per active pairing with each duty's mark, children with an open follow-up first, and totals
per Home and per volunteer. The page and its workbook both come from `followup_rows`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import func, select

from admin_app import access
from admin_app.extensions import db
from admin_app.xlsx import Column, Workbook
from models import CareRecord, Child, Home, Pairing, Volunteer
from models.base import among
from models.duties import RISK_COLUMNS, Duty, RiskColumns, duties, risks_of
from models.enums import Frequency
from models.followup import (
    Mark,
    care_days,
    marker,
    month_bounds,
    month_done,
    needs_everyone,
    with_month_done,
)


class Named(NamedTuple):
    """The child or the caring mother of a row: what the page and the workbook show."""

    id: int
    name: str


LISTED_IDS = 2000


@dataclass
class Row:
    pairing_id: int
    child: Named
    volunteer: Named
    home: str
    ticks: dict[str, Mark]
    open_follow_up: bool

    @cached_property
    def done(self) -> bool:
        return month_done(self.ticks)

    def still_due(self, duties: tuple[Duty, ...]) -> str:
        """The duties not yet done, each with its windows done of those due when more than
        one: "与孩子谈心 2/4、联系班主任"."""
        return "、".join(
            duty.label + (f" {m.done}/{m.due}" if m.due > 1 else "")
            for duty in duties if not (m := self.ticks[duty.key]).complete
            and m.pace is not Frequency.YEARLY)


@dataclass
class Totals:
    pairings: int = 0
    done: int = 0
    ticks: Counter = field(default_factory=Counter)

    def add(self, row: Row) -> None:
        self.pairings += 1
        self.done += row.done
        ticks = self.ticks
        for key, mark in row.ticks.items():
            if mark.done >= mark.due:
                ticks[key] += 1

    @property
    def rate(self) -> float:
        return self.done / self.pairings if self.pairings else 0.0


def active_pairings(user, month: date, home_id: int | None, volunteer_id: int | None,
                    township: str | None = None):
    first, last = month_bounds(month)
    query = (select(Pairing, Child, Volunteer, Home.name)
             .join(Child, Child.id == Pairing.child_id)
             .join(Volunteer, Volunteer.id == Pairing.volunteer_id)
             .join(Home, Home.id == Child.home_id)
             .where(Pairing.overlapping(first, last)))
    if home_id is not None:
        # Said twice on purpose: with the IN, PostgreSQL takes the Home's children by their
        # Home's index and then their pairings by the child's, where it otherwise read every
        # pairing of the county to join them (29 ms -> 1 ms at 85,000 pairings).
        query = query.where(Child.home_id == home_id, Pairing.child_id.in_(
            select(Child.id).where(Child.home_id == home_id)))
    if volunteer_id is not None:
        query = query.where(Pairing.volunteer_id == volunteer_id)
    if township is not None:
        query = query.where(Home.township == township)
    return access.scoped(query, Pairing, user)


def followup_rows(user, month: date, home_id: int | None = None,
                  volunteer_id: int | None = None, only_incomplete: bool = False,
                  township: str | None = None) -> list[Row]:
    """Four queries: the duties, the pairings, their ticks, and the open follow-ups. Of the
    child and the caring mother only the id, name and what sets the child's pace are read
    (no record loaded, nothing decrypted)."""
    pairings = [
        (pairing_id, Named(child_id, child), Named(volunteer_id, volunteer), home,
         risks_of(RiskColumns(*risk)))
        for pairing_id, child_id, child, volunteer_id, volunteer, home, *risk
        in db.session.execute(
            active_pairings(user, month, home_id, volunteer_id, township).with_only_columns(
                Pairing.id, Child.id, Child.name, Volunteer.id, Volunteer.name, Home.name,
                *RISK_COLUMNS))]
    children = sorted({child.id for _, child, _, _, _ in pairings})
    # A Home's children by their ids (an index look-up each); a county's through the same
    # query again (too many ids to send).
    ids = children if len(children) <= LISTED_IDS else active_pairings(
        user, month, home_id, volunteer_id, township).with_only_columns(Pairing.child_id)
    rules = duties(db.session)
    found = care_days(db.session, ids, month, rules,
                      everyone=needs_everyone(rules)) if children else {}
    open_ids = set(db.session.scalars(
        select(CareRecord.child_id).where(among(CareRecord.child_id, ids),
                                          CareRecord.follow_up_needed.is_(True),
                                          CareRecord.follow_up_done_on.is_(None))
    )) if children else set()
    marks_of = marker(rules, month)
    rows = [Row(pairing, child, volunteer, home,
                marks_of(found, child.id, volunteer.id, risks), child.id in open_ids)
            for pairing, child, volunteer, home, risks in pairings]
    if only_incomplete:
        rows = [row for row in rows if not row.done]
    rows.sort(key=lambda r: (not r.open_follow_up, r.done, r.home, r.volunteer.name,
                             r.child.name))
    return rows


def totals(rows: list[Row]) -> tuple[Totals, dict[str, Totals], dict[str, Totals]]:
    overall, by_home, by_volunteer = Totals(), {}, {}
    for row in rows:
        overall.add(row)
        by_home.setdefault(row.home, Totals()).add(row)
        by_volunteer.setdefault(f"{row.volunteer.name}（{row.home}）", Totals()).add(row)
    return overall, by_home, by_volunteer


def home_totals(user, month: date, volunteer_id: int | None = None,
                only_incomplete: bool = False, township: str | None = None
                ) -> tuple[Totals, dict[str, Totals]]:
    """The totals by Home, as `totals` counts them from the rows, counted by the database
    from the care summary in one query: a county's page shows these and no rows (its tens
    of thousands of rows took seconds to make)."""
    first, _ = month_bounds(month)
    query, done = with_month_done(active_pairings(user, month, None, volunteer_id, township),
                                  duties(db.session), first, Pairing.child_id,
                                  Pairing.volunteer_id)
    query = (query
             .with_only_columns(Home.name, func.count(), func.count().filter(done))
             .group_by(Home.id, Home.name).order_by(Home.name))
    if only_incomplete:
        query = query.where(~done)
    overall, by_home = Totals(), {}
    for name, pairings, finished in db.session.execute(query):
        by_home[name] = Totals(pairings=pairings, done=finished)
        overall.pairings += pairings
        overall.done += finished
    return overall, by_home


def followup_workbook(rows: list[Row], title: str) -> Workbook:
    """Each duty's column holds the latest day that counts for it; "Still due" says what is
    missing, with the windows done of those due for a duty due more than once a month."""
    book = Workbook(title=title)
    rules = duties(db.session)
    duty_columns = [Column(duty.label, "date", 12) for duty in rules]
    book.table(gettext("Five ones"), title, [
        Column(gettext("Children's Home"), "text", 22),
        Column(gettext("Caring mother"), "text", 10), Column(gettext("Child"), "text", 10),
        *duty_columns,
        Column(gettext("Month done"), "text", 8), Column(gettext("Still due"), "text", 24),
        Column(gettext("Open follow-up"), "text", 8),
    ], ((row.home, row.volunteer.name, row.child.name,
         *(row.ticks[duty.key].last for duty in rules),
         gettext("Yes") if row.done else gettext("No"), row.still_due(rules),
         gettext("Yes") if row.open_follow_up else "") for row in rows))
    _, by_home, by_volunteer = totals(rows)
    header = [Column(gettext("Pairings"), "int", 8), Column(gettext("Month done"), "int", 8),
              *(Column(duty.label, "int", 12) for duty in rules)]

    def lines(groups: dict[str, Totals]):
        for name, t in groups.items():
            yield (name, t.pairings, t.done, *(t.ticks[duty.key] for duty in rules))

    book.table(gettext("By Home"), title, [Column(gettext("Children's Home"), "text", 24),
                                           *header], lines(by_home))
    book.table(gettext("By caring mother"), title,
               [Column(gettext("Caring mother"), "text", 30), *header], lines(by_volunteer))
    return book
