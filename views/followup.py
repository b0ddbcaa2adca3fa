"""五个一 follow-up: every active pairing of a month with its five ticks, for staff and
supervisors in their scope; and the same as a workbook."""

from __future__ import annotations

from flask import abort, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import exists, select
from sqlalchemy.orm import load_only

from admin_app import access
from admin_app.access import EXPORT
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.reports.followup import (
    Row,
    followup_rows,
    followup_workbook,
    home_totals,
    totals,
)
from models import Pairing, Volunteer
from models.calendar import Month
from models.enums import AuditAction
from models.followup import FIVE_ONES
from views.base import AppView
from views.calendar import chosen_home, place_name, visible_homes
from views.exporting import XLSX, refused_over_daily_limit


def drawn_rows(rows: list[Row]) -> list[Markup]:
    """The page's rows, written here with each value escaped once: a Home's 500 pairings,
    their seven cells each drawn through the template, were a third of the page."""
    badge = f' <span class="badge badge-warning">{escape(gettext("Follow-up open"))}</span>'
    cross = '<td><span class="text-danger">✘</span></td>'
    ticked: dict = {}  # a month's ticks fall on at most a year of days
    drawn = []
    for row in rows:
        shade = ("table-warning" if row.open_follow_up
                 else "table-light" if not row.done else "")
        cells = []
        for duty in FIVE_ONES:
            when = row.ticks[duty.key]
            if when and when not in ticked:
                ticked[when] = (f'<td><span class="text-success">✔</span> '
                                f"{when.month}/{when.day}</td>")
            cells.append(ticked[when] if when else cross)
        drawn.append(Markup(  # noqa: S704 (every value is escaped here)
            f'<tr class="{shade}" data-child="{row.child.id}"><td>{escape(row.child.name)}'
            f'{badge if row.open_follow_up else ""}</td><td>{escape(row.volunteer.name)}</td>'
            f'{"".join(cells)}</tr>'))
    return drawn


class FollowupView(AppView):
    resource = "followup"

    def _arguments(self):
        month = Month.parse(request.args.get("month"))
        homes = visible_homes(current_user)
        home = chosen_home(homes)
        volunteer = None
        volunteer_id = request.args.get("volunteer", type=int)
        if volunteer_id is not None:
            volunteer = db.session.scalar(access.scoped(
                select(Volunteer).where(Volunteer.id == volunteer_id), Volunteer, current_user))
            if volunteer is None:
                abort(404)
        only_incomplete = request.args.get("incomplete") == "1"
        return month, homes, home, volunteer, only_incomplete

    def _title(self, month: Month, home) -> str:
        return gettext("%(place)s five-ones follow-up, %(year)s-%(month)s",
                       place=place_name(home), year=month.year, month=month.month)

    @expose("/")
    def index(self):
        month, homes, home, volunteer, only_incomplete = self._arguments()
        # A county has tens of thousands of pairings: the list waits for a Home to be chosen,
        # and the totals by Home are counted by the database.
        show_rows = home is not None or len(homes) <= 1
        if show_rows:
            rows = followup_rows(current_user, month.first, home.id if home else None,
                                 volunteer.id if volunteer else None, only_incomplete)
            overall, by_home, by_volunteer = totals(rows)
        else:
            rows, by_volunteer = [], {}
            overall, by_home = home_totals(current_user, month.first,
                                           volunteer.id if volunteer else None,
                                           only_incomplete)
        volunteers = db.session.scalars(access.scoped(
            select(Volunteer).options(load_only(Volunteer.name))
            .where(Volunteer.home_id == home.id,
                   exists().where(Pairing.volunteer_id == Volunteer.id)),
            Volunteer, current_user).order_by(Volunteer.name)).all() if home else []
        return self.render(
            "admin/followup.html", month=month, homes=homes, home=home, rows=drawn_rows(rows),
            show_rows=show_rows, overall=overall, by_home=by_home, by_volunteer=by_volunteer,
            duties=FIVE_ONES, volunteer=volunteer, volunteers=volunteers,
            only_incomplete=only_incomplete, title=self._title(month, home),
            can_export=access.can(current_user, EXPORT, self.resource_name),
            link=lambda **args: url_for(".index", **{
                "month": str(month), "home": home.id if home and len(homes) > 1 else None,
                "volunteer": volunteer.id if volunteer else None,
                "incomplete": "1" if only_incomplete else None, **args}),
        )

    @expose("/export.xlsx")
    def export(self):
        if not access.can(current_user, EXPORT, self.resource_name):
            abort(403)
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        month, _homes, home, volunteer, only_incomplete = self._arguments()
        rows = followup_rows(current_user, month.first, home.id if home else None,
                             volunteer.id if volunteer else None, only_incomplete)
        title = self._title(month, home)
        book = followup_workbook(rows, title)
        record_access(AuditAction.EXPORT, table_name="pairing",
                      home_id=home.id if home else None, label=title,
                      details={"rows": len(rows)})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")

