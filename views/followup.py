"""The follow-up of the duties of care (五个一 unless the county changed them): every active
pairing of a month with each duty's mark, for staff and supervisors in their scope; and the
same as a workbook."""

from __future__ import annotations

from typing import NamedTuple

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
from admin_app.replica import replica_reads
from admin_app.reports.followup import (
    Row,
    followup_rows,
    followup_workbook,
    home_totals,
    totals,
)
from models import Pairing, Volunteer
from models.calendar import Month
from models.duties import Duty, duties
from models.enums import AuditAction
from models.followup import Mark
from views.base import AppView
from views.calendar import chosen_place, place_name
from views.exporting import XLSX, refused_over_daily_limit


def _cell(opening: str, mark: Mark) -> str:
    """✔ and the latest day when every window is done, ◐ and the windows done of those due
    when some are, ✘ when none is; — when none is due this month."""
    counted = f" {mark.done}/{mark.due}" if mark.due > 1 else ""
    if not mark.due:  # a term's visit with no window ending this month
        return f'{opening}<span class="text-muted">—</span></td>'
    day = f"{mark.last.month}/{mark.last.day}" if mark.last else ""
    if mark.complete:
        return f'{opening}<span class="text-success">✔</span> {day}</td>'
    if mark.done:
        return f'{opening}<span class="text-warning">◐</span>{counted} · {day}</td>'
    return f'{opening}<span class="text-danger">✘</span>{counted}</td>'


def drawn_rows(rows: list[Row], rules: tuple[Duty, ...]) -> list[Markup]:
    """The page's rows, written here with each value escaped once: a Home's 500 pairings,
    their seven cells each drawn through the template, were a third of the page."""
    open_label = escape(gettext("Follow-up open"))  # not inside the f-string: Babel reads it
    badge = f' <span class="badge badge-warning">{open_label}</span>'
    # Each cell names its column, for the card a phone shows instead of the row (app.css).
    mother = escape(gettext("Caring mother"))
    volunteer_cell = f'<td data-label="{mother}">'
    opening = {duty.key: f'<td data-label="{escape(duty.label)}">' for duty in rules}
    drawn_cells: dict = {}  # a month's marks are few: each drawn once
    drawn = []
    for row in rows:
        shade = ("table-warning" if row.open_follow_up
                 else "table-light" if not row.done else "")
        cells = []
        for duty in rules:
            mark = row.ticks[duty.key]
            if (duty.key, mark) not in drawn_cells:
                drawn_cells[duty.key, mark] = _cell(opening[duty.key], mark)
            cells.append(drawn_cells[duty.key, mark])
        drawn.append(Markup(  # noqa: S704 (every value is escaped here)
            f'<tr class="{shade}" data-child="{row.child.id}"><td class="phone-title">'
            f'{escape(row.child.name)}{badge if row.open_follow_up else ""}</td>'
            f'{volunteer_cell}{escape(row.volunteer.name)}</td>{"".join(cells)}</tr>'))
    return drawn


class Asked(NamedTuple):
    """What the page was asked for: the month, and the Homes, township, Home and caring
    mother it is narrowed to (each in the user's scope, else 404)."""

    month: Month
    homes: list
    townships: list[str]
    township: str | None
    home: object
    volunteer: object
    only_incomplete: bool

    @property
    def home_id(self) -> int | None:
        return self.home.id if self.home is not None else None

    @property
    def volunteer_id(self) -> int | None:
        return self.volunteer.id if self.volunteer is not None else None


class FollowupView(AppView):
    resource = "followup"

    def _arguments(self) -> Asked:
        month = Month.parse(request.args.get("month"))
        homes, townships, township, home = chosen_place(current_user)
        volunteer = None
        volunteer_id = request.args.get("volunteer", type=int)
        if volunteer_id is not None:
            volunteer = db.session.scalar(access.scoped(
                select(Volunteer).where(Volunteer.id == volunteer_id), Volunteer, current_user))
            if volunteer is None:
                abort(404)
        return Asked(month, homes, townships, township, home, volunteer,
                     request.args.get("incomplete") == "1")

    def _rows(self, asked: Asked) -> list[Row]:
        return followup_rows(current_user, asked.month.first, asked.home_id,
                             asked.volunteer_id, asked.only_incomplete, asked.township)

    def _title(self, asked: Asked) -> str:
        place = asked.township if asked.home is None and asked.township else place_name(
            asked.home)
        return gettext("%(place)s five-ones follow-up, %(year)s-%(month)s",
                       place=place, year=asked.month.year, month=asked.month.month)

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        asked = self._arguments()
        home, homes, volunteer, month = asked.home, asked.homes, asked.volunteer, asked.month
        # A county, or a township, has thousands of pairings: the list waits for a Home to
        # be chosen, and the totals by Home are counted by the database.
        show_rows = home is not None or len(homes) <= 1
        rules = duties(db.session)
        if show_rows:
            rows = self._rows(asked)
            overall, by_home, by_volunteer = totals(rows)
        else:
            rows, by_volunteer = [], {}
            overall, by_home = home_totals(current_user, month.first, asked.volunteer_id,
                                           asked.only_incomplete, asked.township)
        volunteers = db.session.scalars(access.scoped(
            select(Volunteer).options(load_only(Volunteer.name))
            .where(Volunteer.home_id == home.id,
                   exists().where(Pairing.volunteer_id == Volunteer.id)),
            Volunteer, current_user).order_by(Volunteer.name)).all() if home else []
        offered = [h for h in homes if asked.township in (None, h.township)]
        return self.render(
            "admin/followup.html", month=month, homes=homes, offered=offered, home=home,
            townships=asked.townships, township=asked.township, rows=drawn_rows(rows, rules),
            show_rows=show_rows, overall=overall, by_home=by_home, by_volunteer=by_volunteer,
            duties=rules, volunteer=volunteer, volunteers=volunteers,
            only_incomplete=asked.only_incomplete, title=self._title(asked),
            can_export=access.can(current_user, EXPORT, self.resource_name),
            link=lambda **args: url_for(".index", **{
                "month": str(month), "township": asked.township,
                "home": home.id if home and len(homes) > 1 else None,
                "volunteer": asked.volunteer_id,
                "incomplete": "1" if asked.only_incomplete else None, **args}),
        )

    @expose("/export.xlsx")
    @access.needs(access.EXPORT)
    def export(self):
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        asked = self._arguments()
        with replica_reads():
            rows = self._rows(asked)
            title = self._title(asked)
            book = followup_workbook(rows, title)
        record_access(AuditAction.EXPORT, table_name="pairing", home_id=asked.home_id,
                      label=title, details={"rows": len(rows)})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")

