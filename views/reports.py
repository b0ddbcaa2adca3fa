"""Reports the county sends upward, at /admin/reports/: the MCA summary table (附件3 汇总表)
at /admin/reports/mca-summary.xlsx?date=YYYY-MM-DD&township=, for the user's scope; the
MCA registration form of each child (附件1 登记表) at /admin/reports/mca-registration.xlsx?
with the children list's own search and filters, asked for and approved as the roster; the
term or year work report at /admin/reports/work-report/?period=2026-autumn|2026|2026-12
&home=|township=, downloaded as work-report.docx and work-report.xlsx with the same
arguments."""

from __future__ import annotations

from datetime import date

from flask import abort, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin_app import access
from admin_app.audit import record_access
from admin_app.replica import replica_reads
from admin_app.reports.mca import summary, summary_workbook
from admin_app.reports.registration import registration_workbook
from admin_app.reports.scorecard import Period
from admin_app.reports.work_report import work_report
from admin_app.reports.work_report_writing import (
    report_docx,
    report_title,
    report_workbook,
    sentences,
    stage_rows,
)
from models.base import local_today
from models.enums import AuditAction
from views.base import AppView
from views.calendar import chosen_place
from views.exporting import XLSX, SensitiveExport, refused_over_daily_limit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

REGISTRATION = "reports.mca_registration"


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

    def _children(self):
        return next(view for view in self.admin._views if view.endpoint == "child")

    def further_exports(self) -> list[SensitiveExport]:
        """附件1 is chosen with the children list's filters and carries what the roster does:
        approved first (views.export_requests), like the list's own export."""
        return [SensitiveExport(REGISTRATION, self._children(),
                                _l("MCA registration forms"), REGISTRATION, full_ids=True)]

    @expose("/mca-registration.xlsx")
    @access.needs(access.EXPORT)
    def mca_registration(self):
        children = self._children()
        if not access.can(current_user, access.EXPORT, children.resource_name):
            abort(403)
        return children.run_export(self.further_exports()[0], registration_workbook,
                                   _l("registration forms"), tell_approval=True)

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        today = local_today()
        _homes, townships, township, _home = chosen_place(current_user,
                                                         one_home_by_default=False)
        return self.render("admin/reports.html", today=today, townships=townships,
                           township=township, on=_asked_date(today),
                           may_register=access.can(current_user, access.EXPORT, "child"))

    @expose("/mca-summary.xlsx")
    @access.needs(access.EXPORT)
    def mca_summary(self):
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        today = local_today()
        _homes, _townships, township, _home = chosen_place(current_user)
        on = _asked_date(today)
        with replica_reads():
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

    def _work_report(self):
        today = local_today()
        period = Period.parse(request.args.get("period"), today)
        if period.first > today:
            abort(400, gettext("That period has not begun yet."))
        homes, townships, township, home = chosen_place(current_user,
                                                        one_home_by_default=False)
        # A Home's own account reports for its Home, never as the county.
        own = current_user.home.name if getattr(current_user, "home", None) else None
        place = (home.name if home else township or own or current_user.township
                 or gettext("Whole county"))
        with replica_reads():
            report = work_report(current_user, period, today, place, township,
                                 home.id if home else None)
        return today, period, homes, townships, township, home, report

    @expose("/work-report/")
    @access.needs(access.READ)
    def work_report_page(self):
        today, period, homes, townships, township, home, report = self._work_report()
        return self.render(
            "admin/work_report.html", today=today, period=period,
            periods=Period.choices(today), homes=[h for h in homes
                                                  if township in (None, h.township)],
            townships=townships, township=township, home=home, report=report,
            sentences=sentences(report), stage_rows=stage_rows(report),
            can_export=access.can(current_user, access.EXPORT, self.resource_name),
            args={"period": period.key, "township": township,
                  "home": home.id if home else None})

    def _download(self, kind: str):
        today, period, _homes, _townships, township, home, report = self._work_report()
        back = url_for(".work_report_page", period=period.key, township=township,
                       home=home.id if home else None)
        if (refused := refused_over_daily_limit(back)) is not None:
            return refused
        title = report_title(report)
        record_access(AuditAction.EXPORT, table_name="work_report",
                      home_id=home.id if home else None, label=title[:100],
                      details={"period": period.key, "format": kind})
        if kind == "docx":
            return send_file(report_docx(report, today), mimetype=DOCX, as_attachment=True,
                             download_name=f"{title}.docx")
        return send_file(report_workbook(report, today).close(), mimetype=XLSX,
                         as_attachment=True, download_name=f"{title}.xlsx")

    @expose("/work-report.docx")
    @access.needs(access.EXPORT)
    def work_report_docx(self):
        return self._download("docx")

    @expose("/work-report.xlsx")
    @access.needs(access.EXPORT)
    def work_report_xlsx(self):
        return self._download("xlsx")
