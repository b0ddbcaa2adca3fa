"""The export button of the lists: the list's own query (scope, search, filters) written by
a builder of admin_app.reports, recorded in the audit trail.

A workbook with sensitive columns (phones, addresses, talk notes) is asked for with a reason
and, for anyone but an administrator, approved by the Home's designated person first
(views.export_requests); the approved file is stamped with who, when and what for, and
downloads once. Every user has a daily number of exports (DAILY_EXPORT_LIMIT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select, update

from admin_app import access
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.i18n import local_midnight, show_datetime
from admin_app.replica import replica_reads
from models import AuditEntry, ExportRequest, Home
from models.base import local_today, utcnow
from models.consent import ExportState
from models.enums import AuditAction

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def children_of(model, ids) -> list[int]:
    """The children whose rows are among `ids` of `model` (a child, or a row about one)."""
    from models import Child

    column = model.id if model is Child else getattr(model, "child_id", None)
    if column is None:
        return []
    query = select(column).where(model.id.in_(ids), column.is_not(None)).distinct()
    return sorted(db.session.scalars(query))


def over_daily_limit(user) -> bool:
    """Whether `user` has made today's allowed number of exports already."""
    midnight = local_midnight(local_today())
    made = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.user_id == user.id, AuditEntry.action == AuditAction.EXPORT,
        AuditEntry.at >= midnight))
    return made >= current_app.config["DAILY_EXPORT_LIMIT"]


def place_name(home: Home | None) -> str:
    """What a page or a workbook is of: the Home chosen, else the user's township, else every
    Home."""
    if home is not None:
        return home.name
    return getattr(current_user, "township", None) or gettext("All Children's Homes")


def refused_over_daily_limit(back: str):
    """A redirect to `back` with the reason when the user has made today's exports already;
    None while she may export. Every export asks this first."""
    if not over_daily_limit(current_user):
        return None
    flash(daily_limit_message(), "error")
    return redirect(back)


def daily_limit_message() -> str:
    return gettext("You have made %(n)s exports today, the most allowed in a day. Please try "
                   "again tomorrow, or ask an administrator.",
                   n=current_app.config["DAILY_EXPORT_LIMIT"])


def list_arguments() -> str:
    """The list's arguments of this request, in a stable order, without the approval."""
    return urlencode(sorted((k, v) for k, values in request.args.lists() for v in values
                            if k != "approved"))


def stamp_for(approval: ExportRequest) -> str:
    return gettext("Exported by %(who)s on %(when)s for: %(reason)s; approved by %(by)s",
                   who=approval.user.display_name or approval.user.username,
                   when=show_datetime(utcnow()), reason=approval.reason,
                   by=(approval.decided_by.display_name or approval.decided_by.username)
                   if approval.decided_by else "—")


@dataclass(frozen=True)
class SensitiveExport:
    """An export that is asked for with a reason and approved first: the key its requests
    are filed under (ExportRequest.endpoint), the list whose query it replays, what it is
    called, and the endpoint that downloads it."""

    key: str
    view: object  # the list view (ExportMixin) whose search and filters choose the rows
    name: object
    download: str
    download_args: tuple = ()
    # Its approved copy carries ID numbers in full for those who handle them (附件1).
    full_ids: bool = False

    def in_full_for(self, user) -> bool:
        return self.full_ids and access.full_ids_in_approved_export(user)

    @classmethod
    def of_list(cls, view) -> SensitiveExport:
        """The list's own export button."""
        return cls(view.endpoint, view, view.name, f"{view.endpoint}.export",
                   (("export_type", "xlsx"),))

    def url(self, **args) -> str:
        return url_for(self.download, **dict(self.download_args), **args)

    @property
    def element_id(self) -> str:
        return "export-" + self.key.replace(".", "-").replace("_", "-")

    @property
    def back(self) -> str:
        return url_for(f"{self.view.endpoint}.index_view")


def sensitive_exports(admin) -> dict[str, SensitiveExport]:
    """Every export of the panel that needs an approval, by key: the lists' own, and those
    a view adds on a list's query (its `further_exports`, e.g. the MCA registration forms
    of the children list)."""
    found = {}
    for view in admin._views:
        if getattr(view, "export_sensitive", False):
            found[view.endpoint] = SensitiveExport.of_list(view)
        for export in getattr(view, "further_exports", lambda: ())():
            found[export.key] = export
    return found


class ExportMixin:
    export_types = ["xlsx"]
    # Callable(ids, user, title) -> (Workbook, row count); set with allow_export = True.
    export_builder: Callable | None = None
    export_name = None  # lazy text: what the workbook is called, e.g. 花名册
    # The workbook carries sensitive columns: a reason and an approval first.
    export_sensitive = False

    def list_exports(self) -> list[SensitiveExport]:
        """The further exports other pages make of this list's query (附件1 of the children
        list), as buttons on the list for a user who may make them."""
        if not access.can(current_user, access.EXPORT, self.resource_name):
            return []
        return [export for view in self.admin._views
                for export in getattr(view, "further_exports", lambda: ())()
                if export.view is self
                and access.can(current_user, access.EXPORT, view.resource_name)]

    def _children_in(self, ids) -> list[int]:
        return children_of(self.model, ids)

    def _approval(self, key: str) -> ExportRequest | None:
        """The user's approved request for exactly this export (`key`: the list's endpoint,
        or a further export's, see `further_exports`) and these arguments, claimed for this
        download: one conditional UPDATE, so of two downloads at once exactly one gets it
        (the other reads "used", as a later one does)."""
        approved = request.args.get("approved", type=int)
        if approved is None:
            return None
        approval = db.session.scalar(select(ExportRequest).where(
            ExportRequest.id == approved, ExportRequest.user_id == current_user.id,
            ExportRequest.endpoint == key, ExportRequest.query == list_arguments()))
        if approval is None:
            return None
        claimed = db.session.execute(
            update(ExportRequest)
            .where(ExportRequest.id == approval.id,
                   ExportRequest.state == ExportState.APPROVED)
            .values(state=ExportState.USED, version=ExportRequest.version + 1,
                    updated_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            db.session.rollback()
            db.session.refresh(approval)
            if approval.state is ExportState.USED:
                flash(gettext("This approval was for one download, made on %(when)s. Ask "
                              "again below if you need the file once more.",
                              when=show_datetime(approval.updated_at)), "warning")
            return None
        return approval

    @expose("/export/<export_type>/")
    @access.needs(access.EXPORT)
    def export(self, export_type: str):
        if export_type != "xlsx" or self.export_builder is None:
            abort(404)
        return self.run_export(SensitiveExport.of_list(self) if self.export_sensitive
                               else None, type(self).export_builder, self.export_name)

    def run_export(self, sensitive: SensitiveExport | None, builder: Callable, name,
                   tell_approval: bool = False):
        """The list's own query (this request's search, filters and sort) written by
        `builder`, once the day's limit and, for a `sensitive` export, its approval allow;
        recorded in the audit trail with the children whose data left the panel. A builder
        that writes more under an approval (`tell_approval`) is told `approved=True`."""
        more = {}
        if (refused := refused_over_daily_limit(url_for(f"{self.endpoint}.index_view"))) \
                is not None:
            return refused
        approval = None
        if sensitive is not None:
            approval = self._approval(sensitive.key)
            if approval is None:
                return redirect(url_for("export_request.ask", list=sensitive.key,
                                        query=list_arguments()))
            g.export_stamp = stamp_for(approval)
            if tell_approval:
                more["approved"] = True
        args = self._get_list_extra_args()
        sort = self._get_column_by_idx(args.sort)
        _, query = self.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                 args.filters, execute=False, page_size=False)
        ids = query.with_entities(self.model.id).order_by(None).limit(None).offset(None)
        place = place_name(getattr(current_user, "home", None))
        title = gettext("%(place)s %(name)s, %(day)s", place=place, name=name,
                        day=local_today().isoformat())
        with replica_reads():
            book, count = builder(ids.subquery().select(), current_user, title, **more)
        record_access(AuditAction.EXPORT, table_name=self.model.__tablename__,
                      home_id=current_user.home_id, label=title,
                      details={"rows": count, "search": args.search or "",
                               "filters": [list(map(str, f)) for f in args.filters or []],
                               "request": approval.id if approval else None,
                               "reason": approval.reason if approval else "",
                               "export": sensitive.key if sensitive else self.endpoint,
                               "ids_in_full": bool(sensitive and approval
                                                   and sensitive.in_full_for(current_user)),
                               # Whose data left the panel: the incident query reads this.
                               "children": self._children_in(ids.subquery().select())})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")
