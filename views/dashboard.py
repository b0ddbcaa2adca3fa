"""The overview at /admin/: what needs doing, by role, in a fixed handful of aggregate
queries whatever the size of the county. Volunteers are sent to their children."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import exists, func, or_, select, union_all

from admin_app import access
from admin_app.access import READ, scoped
from admin_app.extensions import db
from admin_app.reports.reminders import escalated, escalation_days, owing
from models import (
    Activity,
    AuditEntry,
    Child,
    Home,
    Pairing,
    ResourceItem,
)
from models.base import likely, local_today
from models.duties import duties
from models.enums import AuditAction, ChildStatus, LeftBehindType, LivingArrangement, Role
from models.figures import kept
from models.followup import with_month_done
from models.validators import CARE_AGE_LIMIT, birthday_in
from views.base import AppIndexView
from views.export_requests import waiting_count

OVERDUE = 10


def arrangement_counts(user) -> list[tuple[LivingArrangement, dict[LeftBehindType, int]]]:
    query = (select(Child.living_arrangement, Child.left_behind_type, func.count())
             .where(Child.status == ChildStatus.IN_CARE)
             .group_by(Child.living_arrangement, Child.left_behind_type))
    found: dict = {}
    for living, left_behind, count in db.session.execute(scoped(query, Child, user)):
        found.setdefault(living, {})[left_behind] = count
    return [(living, {kind: found.get(living, {}).get(kind, 0) for kind in LeftBehindType})
            for living in LivingArrangement]


def unpaired_count(user, today: date) -> int:
    query = (select(func.count()).select_from(Child)
             .where(Child.status == ChildStatus.IN_CARE,
                    ~exists().where(Pairing.primary_for_child(today))))
    return db.session.scalar(scoped(query, Child, user))


def uncontacted_count(user, today: date) -> int:
    """Children in care with no care record this month (never contacted among them)."""
    query = (select(func.count()).select_from(Child)
             .where(Child.status == ChildStatus.IN_CARE,
                    or_(Child.last_care_on.is_(None),
                        Child.last_care_on < today.replace(day=1))))
    return db.session.scalar(scoped(query, Child, user))


def born_by(today: date, years: int) -> date:
    """The latest birth date of someone who is `years` old `today` (29 February: the 28th)."""
    return birthday_in(today, today.year - years)


def grown_up_count(user, today: date) -> int:
    """Children still in care who have turned 18: staff check each and record her leaving
    (reason "Turned 18"); the archive stays."""
    # Nearly every child is in care (likely): the birth dates' index decides, not the status.
    query = (select(func.count()).select_from(Child)
             .where(likely(Child.status == ChildStatus.IN_CARE),
                    Child.birth_date <= born_by(today, CARE_AGE_LIMIT)))
    return db.session.scalar(scoped(query, Child, user))


def month_completion(user, today: date) -> tuple[int, int]:
    """(pairings active today, of which every duty due in the month is done), from the care
    summary: the pairing's month and the child's, one row each at most."""
    query, done = with_month_done(
        select(func.count()).select_from(Pairing).join(Child, Child.id == Pairing.child_id),
        duties(db.session), today.replace(day=1), Pairing.child_id, Pairing.volunteer_id)
    query = query.add_columns(func.count().filter(done)).where(Pairing.primary_for_child(today))
    total, done = db.session.execute(scoped(query, Pairing, user)).one()
    return total, done


def most_overdue(user, today: date) -> list[tuple[int, date | None]]:
    """The ids of the paired children whose last care record is oldest (never first), in
    one query: two short walks of the index of `Child.last_care_on`, the never-contacted
    and the oldest."""
    # Nearly every child is in care (likely): SQLite otherwise takes the index of statuses
    # and sorts the county, where the walk of last_care_on stops after ten (134 → 5 ms).
    paired = (select(Child.id, Child.last_care_on)
              .where(likely(Child.status == ChildStatus.IN_CARE),
                     exists().where(Pairing.primary_for_child(today))))
    # Ordered as the index is (the dates are all empty): PostgreSQL then walks the empty
    # ones in id order instead of every child of the county (80 → 10 ms).
    never = paired.where(Child.last_care_on.is_(None)).order_by(Child.last_care_on, Child.id)
    oldest = paired.where(Child.last_care_on.is_not(None)).order_by(Child.last_care_on,
                                                                    Child.id)
    found = union_all(*(scoped(walk.limit(OVERDUE), Child, user).subquery().select()
                        for walk in (never, oldest))).subquery()
    return db.session.execute(
        select(found.c.id, found.c.last_care_on)
        .order_by(found.c.last_care_on.is_not(None), found.c.last_care_on, found.c.id)
        .limit(OVERDUE)).all()


def counted(user, today: date) -> dict:
    """The figures that count the whole scope, in a form the database can keep (JSON)."""
    total, done = month_completion(user, today)
    return {
        "day": today.isoformat(),
        "arrangements": [[living.name, {kind.name: n for kind, n in kinds.items()}]
                         for living, kinds in arrangement_counts(user)],
        "unpaired": unpaired_count(user, today), "pairings": total, "done": done,
        "uncontacted": uncontacted_count(user, today),
        "grown": grown_up_count(user, today),
        "overdue": [[child_id, last.isoformat() if last else None]
                    for child_id, last in most_overdue(user, today)],
    }


COUNTY = "overview:county"


def figures(user, today: date, again: bool = False) -> tuple[dict, datetime | None]:
    """The overview's counts and when they were counted. A Home's are counted on every
    visit (a few hundred children); the whole county's are kept for OVERVIEW_MAX_AGE
    seconds, for everyone who sees the whole county alike, unless asked `again`."""
    if not access.sees_every_home(user):
        return counted(user, today), None
    return kept(COUNTY, today, lambda: counted(user, today), again)


def overdue_children(user, pairs: list) -> list[tuple[Child, date | None]]:
    children = {child.id: child for child in db.session.scalars(
        scoped(select(Child).where(Child.id.in_([child_id for child_id, _ in pairs])),
               Child, user))} if pairs else {}
    return [(children[child_id], date.fromisoformat(last) if last else None)
            for child_id, last in pairs if child_id in children]


def week_activities(user, today: date):
    monday = today - timedelta(days=today.weekday())
    query = (select(Activity, Home.name).join(Home, Home.id == Activity.home_id)
             .where(Activity.starts_at >= datetime.combine(monday, time.min),
                    Activity.starts_at < datetime.combine(monday + timedelta(days=7), time.min))
             .order_by(Activity.starts_at).limit(50))
    return db.session.execute(scoped(query, Activity, user)).all()


def low_stock(user):
    query = (select(ResourceItem, Home.name).join(Home, Home.id == ResourceItem.home_id)
             .where(ResourceItem.on_hand < ResourceItem.low_stock_threshold)
             .order_by(ResourceItem.on_hand).limit(10))
    return db.session.execute(scoped(query, ResourceItem, user)).all()


def recent_changes(user):
    if not access.can(user, READ, "audit"):
        return []
    query = select(AuditEntry).where(AuditEntry.action.in_(
        (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.ARCHIVE, AuditAction.DELETE)))
    return db.session.scalars(scoped(query, AuditEntry, user)
                              .order_by(AuditEntry.at.desc()).limit(10)).all()


class DashboardView(AppIndexView):
    def _child_filter(self, kind, column: str | None = None) -> str:
        """The key of the children list's filter of `kind` (on `column`), for a link."""
        from views.people import child_filter_key

        return child_filter_key(self.admin, kind, column)

    def _unpaired_url(self) -> str:
        """The children list filtered to those without a caring mother."""
        from views.people import PairedFilter

        return url_for("child.index_view", **{f"flt0_{self._child_filter(PairedFilter)}": "0"})

    def _uncontacted_url(self) -> str:
        """The children list filtered to those in care not contacted this month."""
        from flask_admin.contrib.sqla.filters import EnumEqualFilter

        from views.people import ContactFilter

        return url_for("child.index_view", **{
            f"flt0_{self._child_filter(EnumEqualFilter, 'status')}": ChildStatus.IN_CARE.name,
            f"flt1_{self._child_filter(ContactFilter)}": "month"})

    def _grown_up_url(self, today: date) -> str:
        """The children list filtered to those in care born on or before the day that makes
        them 18 today (the list's "before" filter is strict: the day after)."""
        from flask_admin.contrib.sqla.filters import DateSmallerFilter, EnumEqualFilter

        status = self._child_filter(EnumEqualFilter, "status")
        born = self._child_filter(DateSmallerFilter, "birth_date")
        return url_for("child.index_view", **{
            f"flt0_{status}": ChildStatus.IN_CARE.name,
            f"flt1_{born}": (born_by(today, CARE_AGE_LIMIT) + timedelta(days=1)).isoformat()})

    @staticmethod
    def _escalated(today: date) -> int | None:
        """The duties overdue long enough to be raised to this user, counted for one Home's
        scope; a township's or a county's are counted on the reminders page (a township's
        thousands of pairings took most of a second: bench/run.py)."""
        if current_user.home_id is None:
            return None
        return len(escalated(owing(current_user, today), escalation_days(current_user)))

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        if current_user.role is Role.VOLUNTEER:
            return redirect(url_for("my_children.index"))
        today = local_today()
        counts, counted_at = figures(current_user, today, again=bool(request.args.get("again")))
        arrangements = [(LivingArrangement[living],
                         {kind: kinds.get(kind.name, 0) for kind in LeftBehindType})
                        for living, kinds in counts["arrangements"]]
        return self.render(
            "admin/dashboard.html", today=today, arrangements=arrangements,
            unpaired_url=self._unpaired_url(), counted_at=counted_at,
            children=sum(sum(kinds.values()) for _, kinds in arrangements),
            widest=max([sum(kinds.values()) for _, kinds in arrangements] + [1]),
            left_behind_types=list(LeftBehindType),
            unpaired=counts["unpaired"], pairings=counts["pairings"],
            # Figures kept before this count existed have none: shown from the next count.
            uncontacted=counts.get("uncontacted"), uncontacted_url=self._uncontacted_url(),
            # Figures kept before this count existed have none: shown from the next count.
            grown=counts.get("grown", 0),
            grown_url=self._grown_up_url(today) if counts.get("grown") else None,
            pairings_done=counts["done"],
            escalated=self._escalated(today), escalation_days=escalation_days(current_user),
            overdue=overdue_children(current_user, counts["overdue"]),
            week=week_activities(current_user, today), low=low_stock(current_user),
            changes=recent_changes(current_user),
            to_decide=waiting_count(current_user),
        )
