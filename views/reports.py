"""Reports the county sends upward, at /admin/reports/: the MCA summary table (附件3 汇总表)
at /admin/reports/mca-summary.xlsx?date=YYYY-MM-DD&township=, for the user's scope."""

from __future__ import annotations

from datetime import date

from flask import abort, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user

from admin_app import access
from admin_app.audit import record_access
from admin_app.reports.mca import summary, summary_workbook
from models.base import local_today
from models.enums import AuditAction
from views.base import AppView
from views.calendar import chosen_place
from views.exporting import XLSX, refused_over_daily_limit


def _asked_date(today: date) -> date:
    said = request.args.get("date") or ""
    if not said:
        return today
    try:
        day = date.fromisoformat(said)
    except ValueError:
        abort(400, gettext("The date must be written as 2026-12-01."))
    if day > today:
        abort(400, gettext("The date cannot be in the future."))
    return day


class ReportsView(AppView):
    resource = "reports"

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        today = local_today()
        _homes, townships, township, _home = chosen_place(current_user,
                                                         one_home_by_default=False)
        return self.render("admin/reports.html", today=today, townships=townships,
                           township=township, on=_asked_date(today))

    @expose("/mca-summary.xlsx")
    @access.needs(access.EXPORT)
    def mca_summary(self):
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        today = local_today()
        _homes, _townships, township, _home = chosen_place(current_user)
        on = _asked_date(today)
        result = summary(current_user, on, township)
        unit = (township or (_home.name if _home and current_user.home_id else None)
                or current_user.township or gettext("Whole county"))
        book = summary_workbook(result, unit, today)
        title = gettext("%(unit)s summary of left-behind children, %(on)s", unit=unit,
                        on=on.isoformat())
        record_access(AuditAction.EXPORT, table_name="mca_summary", home_id=None,
                      label=title[:100], details={"rows": len(result.rows)})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")
