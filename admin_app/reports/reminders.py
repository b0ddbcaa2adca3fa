"""What is owed of the duties of care, pairing by pairing: what a caring mother has to do
this week and what is overdue, and the overdue duties raised to the Home's staff after
ESCALATE_TO_HOME_DAYS and to the township's supervisors after ESCALATE_TO_TOWNSHIP_DAYS.
Read from the care summary in three queries (the duties, the pairings, their months)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from admin_app import access
from admin_app.extensions import db
from admin_app.reports.followup import Named
from models import Child, Home, Pairing, Volunteer
from models.duties import RISK_COLUMNS, RiskColumns, duties, risks_of
from models.enums import Role
from models.followup import Owed, care_days, needs_everyone, owed, owed_since

LISTED_IDS = 2000


@dataclass(frozen=True)
class Owing:
    child: Named
    volunteer: Named
    home: str
    owed: Owed


def escalation_days(user) -> int:
    """How long a duty must be overdue before `user` is told of it: a Home's staff after
    ESCALATE_TO_HOME_DAYS, supervisors and administrators after ESCALATE_TO_TOWNSHIP_DAYS
    (a caring mother at once)."""
    role = getattr(user, "role", None)
    if role is Role.VOLUNTEER:
        return 0
    if role is Role.STAFF:
        return current_app.config["ESCALATE_TO_HOME_DAYS"]
    return current_app.config["ESCALATE_TO_TOWNSHIP_DAYS"]


def owing(user, today: date, home_id: int | None = None, township: str | None = None,
          volunteer_id: int | None = None) -> list[Owing]:
    """Every duty owed for the children of primary pairings in force today in `user`'s
    scope (narrowed to a Home, a township or a caring mother), most overdue first."""
    query = (select(Child.id, Child.name, Volunteer.id, Volunteer.name, Home.name,
                    Pairing.started_on, *RISK_COLUMNS)
             .select_from(Pairing).join(Child, Child.id == Pairing.child_id)
             .join(Volunteer, Volunteer.id == Pairing.volunteer_id)
             .join(Home, Home.id == Child.home_id)
             .where(Pairing.primary_for_child(today)))
    if home_id is not None:
        query = query.where(Child.home_id == home_id)
    if township is not None:
        query = query.where(Home.township == township)
    if volunteer_id is not None:
        query = query.where(Pairing.volunteer_id == volunteer_id)
    query = access.scoped(query, Pairing, user)
    pairings = db.session.execute(query).all()
    if not pairings:
        return []
    children = sorted({row[0] for row in pairings})
    # A Home's children by their ids; a township's through the same query again.
    ids = children if len(children) <= LISTED_IDS else query.with_only_columns(Child.id)
    rules = duties(db.session)
    found = care_days(db.session, ids, today, rules, since=owed_since(today),
                      everyone=needs_everyone(rules))
    rows = []
    for child_id, child, volunteer_id_, volunteer, home, started_on, *risk in pairings:
        risks = risks_of(RiskColumns(*risk))
        for duty in rules:
            days = found.get((child_id, None if duty.by_anyone else volunteer_id_), {})
            if (due := owed(duty, days, today, risks, started_on)) is not None:
                rows.append(Owing(Named(child_id, child), Named(volunteer_id_, volunteer),
                                  home, due))
    rows.sort(key=lambda r: (-r.owed.overdue_days, r.home, r.volunteer.name, r.child.name))
    return rows


def this_week(rows: list[Owing], today: date) -> list[Owing]:
    """The overdue, and what is due by a week from today."""
    soon = today + timedelta(days=6)
    return [row for row in rows if row.owed.overdue_days or row.owed.by <= soon]


def escalated(rows: list[Owing], days: int) -> list[Owing]:
    return [row for row in rows if row.owed.overdue_days >= max(days, 1)]
