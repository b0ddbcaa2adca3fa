"""学年升级: at a new school year every child in care of a Home moves up a grade (每年滚动
名册), after a preview of what becomes of each grade. Grades not read without doubt, and
高三, stay as they are and are shown; each child's change is in the audit trail like any
edit, and the move itself once, so a Home is not moved up twice in a school year unawares."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from admin_app import access
from admin_app.access import CREATE
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.i18n import show_datetime
from models import AuditEntry, Child, Home
from models.base import local_today
from models.enums import AuditAction, ChildStatus
from models.grades import grade_rank, next_grade, school_year
from views.base import AppView
from views.calendar import chosen_home, visible_homes


def in_care_of(home: Home):
    """The children in care of `home` that the user may see (a select of `Child`)."""
    return access.scoped(select(Child).where(Child.home_id == home.id,
                                             Child.status == ChildStatus.IN_CARE),
                         Child, current_user)


def last_move(home: Home) -> AuditEntry | None:
    return db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == AuditAction.SCHOOL_YEAR, AuditEntry.home_id == home.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))


def moved_in(last: AuditEntry | None, year: int) -> bool:
    """Whether `last` moved the Home up in the school year `year`."""
    return last is not None and (last.changes or {}).get("school_year") == year


class SchoolYearView(AppView):
    resource = "school_year"

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        homes = visible_homes(current_user)
        home = chosen_home(homes)
        year = school_year(local_today())
        plan, last = [], None
        if home is not None:
            grades = in_care_of(home).with_only_columns(Child.grade, func.count()) \
                .group_by(Child.grade)
            plan = sorted(((grade, next_grade(grade), n)
                           for grade, n in db.session.execute(grades)),
                          key=lambda row: grade_rank(row[0]))
            last = last_move(home)
        return self.render(
            "admin/school_year.html", homes=homes, home=home, year=year, plan=plan,
            moving=sum(n for _, after, n in plan if after), staying=sum(
                n for _, after, n in plan if not after),
            last=last, last_at=show_datetime(last.at) if last else "",
            done=moved_in(last, year),
            may_move=access.can(current_user, CREATE, self.resource_name))

    @expose("/move-up", methods=("POST",))
    @access.needs(access.CREATE)
    def move_up(self):
        home = chosen_home(visible_homes(current_user))
        if home is None:
            abort(404)
        year = school_year(local_today())
        back = redirect(url_for(".index", home=home.id))
        if request.form.get("year") != str(year):
            flash(gettext("The school year has changed since the page was opened; please look "
                          "at the preview again."), "error")
            return back
        last = last_move(home)
        if moved_in(last, year) and not request.form.get("again"):
            flash(gettext("%(home)s was moved up already this school year (%(when)s, by "
                          "%(who)s). Nothing was changed.", home=home.name,
                          when=show_datetime(last.at), who=last.username), "error")
            return back
        moved = kept = 0
        for child in db.session.scalars(in_care_of(home)):  # whole: each edit is audited
            after = next_grade(child.grade)
            if after is None:
                kept += 1
            else:
                child.grade = after
                moved += 1
        record_access(AuditAction.SCHOOL_YEAR, table_name=Child.__tablename__,
                      home_id=home.id, label=f"{home.name} {year}",
                      details={"school_year": year, "moved": moved, "kept": kept},
                      commit=False)
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(gettext("Someone saved one of these children meanwhile; nothing was "
                          "changed. Please try again."), "error")
            return back
        flash(gettext("%(moved)s children moved up a grade; %(kept)s kept their grade.",
                      moved=moved, kept=kept), "success")
        return back
