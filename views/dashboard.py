"""The overview page at /admin/: how many children are in care, and how they live."""

from __future__ import annotations

from flask_admin import expose
from sqlalchemy import func, select

from admin_app.extensions import db
from models import Child, Home, Volunteer
from models.enums import ChildStatus, LivingArrangement
from views.base import AppIndexView


def living_arrangement_counts() -> list[tuple[LivingArrangement, int]]:
    rows = dict(
        db.session.execute(
            select(Child.living_arrangement, func.count())
            .where(Child.status == ChildStatus.IN_CARE)
            .group_by(Child.living_arrangement)
        ).all()
    )
    return [(arrangement, rows.get(arrangement, 0)) for arrangement in LivingArrangement]


class DashboardView(AppIndexView):
    @expose("/")
    def index(self):
        arrangements = living_arrangement_counts()
        totals = {
            "children": sum(count for _, count in arrangements),
            "homes": db.session.scalar(select(func.count()).select_from(Home)),
            "volunteers": db.session.scalar(
                select(func.count()).select_from(Volunteer).where(Volunteer.active.is_(True))
            ),
        }
        return self.render("admin/dashboard.html", arrangements=arrangements, totals=totals)
