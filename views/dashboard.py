"""The overview page at /admin/: how many children are in care, and how they live."""

from __future__ import annotations

from flask import redirect, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import func, select

from admin_app.access import scoped
from admin_app.extensions import db
from models import Child, Home, Volunteer
from models.enums import ChildStatus, LivingArrangement, Role
from views.base import AppIndexView


def living_arrangement_counts(user) -> list[tuple[LivingArrangement, int]]:
    query = (select(Child.living_arrangement, func.count())
             .where(Child.status == ChildStatus.IN_CARE)
             .group_by(Child.living_arrangement))
    rows = dict(db.session.execute(scoped(query, Child, user)).all())
    return [(arrangement, rows.get(arrangement, 0)) for arrangement in LivingArrangement]


class DashboardView(AppIndexView):
    @expose("/")
    def index(self):
        if current_user.role is Role.VOLUNTEER:
            return redirect(url_for("my_children.index"))
        arrangements = living_arrangement_counts(current_user)
        totals = {
            "children": sum(count for _, count in arrangements),
            "homes": db.session.scalar(
                scoped(select(func.count()).select_from(Home), Home, current_user)),
            "volunteers": db.session.scalar(scoped(
                select(func.count()).select_from(Volunteer).where(Volunteer.active.is_(True)),
                Volunteer, current_user)),
        }
        return self.render("admin/dashboard.html", arrangements=arrangements, totals=totals)
