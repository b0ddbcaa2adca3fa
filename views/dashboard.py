"""The overview at /admin/: what needs doing, by role, in a fixed handful of aggregate
queries whatever the size of the county. Volunteers are sent to their children."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import redirect, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import and_, exists, func, select, union_all

from admin_app import access
from admin_app.access import READ, scoped
from admin_app.extensions import db
from models import Activity, AuditEntry, CareMonth, Child, Home, Pairing, ResourceItem
from models.enums import AuditAction, ChildStatus, LeftBehindType, LivingArrangement, Role
from models.followup import FIVE_ONES
from views.base import AppIndexView

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


def month_completion(user, today: date) -> tuple[int, int]:
    """(pairings active today, of which the caring mother did the four monthly duties),
    from the care summary: one row per pairing at most."""
    month = and_(CareMonth.child_id == Pairing.child_id,
                 CareMonth.volunteer_id == Pairing.volunteer_id,
                 CareMonth.month == today.replace(day=1))
    all_four = and_(*(getattr(CareMonth, f"{duty.key}_on").is_not(None)
                      for duty in FIVE_ONES if not duty.yearly))
    query = (select(func.count(), func.count().filter(all_four))
             .select_from(Pairing).join(Child, Child.id == Pairing.child_id)
             .outerjoin(CareMonth, month)
             .where(Pairing.primary_for_child(today)))
    total, done = db.session.execute(scoped(query, Pairing, user)).one()
    return total, done


def most_overdue(user, today: date) -> list[tuple[Child, date | None]]:
    """The paired children whose last care record is oldest (never first), in one query:
    two short walks of the index of `Child.last_care_on`, the never-contacted and the
    oldest, whatever the size of the county."""
    paired = (select(Child.id, Child.last_care_on)
              .where(Child.status == ChildStatus.IN_CARE,
                     exists().where(Pairing.primary_for_child(today))))
    never = paired.where(Child.last_care_on.is_(None)).order_by(Child.id)
    oldest = paired.where(Child.last_care_on.is_not(None)).order_by(Child.last_care_on,
                                                                    Child.id)
    found = union_all(*(scoped(walk.limit(OVERDUE), Child, user).subquery().select()
                        for walk in (never, oldest))).subquery()
    query = (select(Child, found.c.last_care_on).join(found, found.c.id == Child.id)
             .order_by(found.c.last_care_on.is_not(None), found.c.last_care_on, Child.id)
             .limit(OVERDUE))
    return db.session.execute(query).all()


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
    def _unpaired_url(self) -> str:
        """The children list filtered to those without a caring mother."""
        from views.people import PairedFilter

        children = next(v for v in self.admin._views if v.endpoint == "child")
        arg = next(key for key, (_, flt) in children._filter_args.items()
                   if isinstance(flt, PairedFilter))
        return url_for("child.index_view", **{f"flt0_{arg}": "0"})

    @expose("/")
    def index(self):
        if current_user.role is Role.VOLUNTEER:
            return redirect(url_for("my_children.index"))
        today = date.today()
        arrangements = arrangement_counts(current_user)
        total, done = month_completion(current_user, today)
        return self.render(
            "admin/dashboard.html", today=today, arrangements=arrangements,
            unpaired_url=self._unpaired_url(),
            children=sum(sum(kinds.values()) for _, kinds in arrangements),
            widest=max([sum(kinds.values()) for _, kinds in arrangements] + [1]),
            left_behind_types=list(LeftBehindType),
            unpaired=unpaired_count(current_user, today),
            pairings=total, pairings_done=done, overdue=most_overdue(current_user, today),
            week=week_activities(current_user, today), low=low_stock(current_user),
            changes=recent_changes(current_user),
        )
