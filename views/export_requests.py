"""导出审批: exports carrying sensitive columns are asked for with a reason; the Home's
designated person (儿童个人信息保护负责人) approves or refuses; an administrator's own request
is approved as she makes it. Approved requests download once, stamped."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from admin_app import access
from admin_app.extensions import db
from models import ExportRequest, User
from models.base import local_today
from models.consent import ExportState
from models.enums import Role
from views.base import AppView
from views.exporting import SensitiveExport, refused_over_daily_limit, sensitive_exports

PURPOSES = (
    ("report", _l("Report to the county or the women's federation")),
    ("school", _l("Checking with the schools")),
    ("visits", _l("Planning home visits and calls")),
    ("audit", _l("Inspection or audit")),
)


def waiting(user, *columns):
    """The export requests waiting for `user`'s decision, as a select of `columns` (the
    requests themselves by default): pending, in her scope (access.visible holds those she
    decides), not her own — what access.may_decide allows, in one query."""
    return access.scoped(select(*(columns or (ExportRequest,))).select_from(ExportRequest)
                         .where(ExportRequest.state == ExportState.PENDING,
                                ExportRequest.user_id != user.id), ExportRequest, user)


def waiting_count(user) -> int:
    """How many export requests wait for `user`'s decision (0 for anyone who decides none)."""
    if not access.decides_exports(user):
        return 0
    return db.session.scalar(waiting(user, func.count()))


def waiting_for_me() -> int:
    """For every page's menu bar: the requests waiting for the signed-in approver."""
    if not current_user.is_authenticated:
        return 0
    return waiting_count(current_user)


class ExportRequestView(AppView):
    resource = "export_request"

    def _exports(self) -> dict[str, SensitiveExport]:
        return sensitive_exports(self.admin)

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        mine = db.session.scalars(select(ExportRequest).where(
            ExportRequest.user_id == current_user.id)
            .order_by(ExportRequest.id.desc()).limit(50)).all()
        to_decide = []
        if access.decides_exports(current_user):
            to_decide = db.session.scalars(
                waiting(current_user).order_by(ExportRequest.id)).all()
        return self.render("admin/export_requests.html", mine=mine, to_decide=to_decide,
                           download=self._download_url)

    def _download_url(self, item: ExportRequest) -> str:
        export = self._exports().get(item.endpoint)
        if export is None:  # a kind of export no longer offered
            return url_for(".index")
        # The list's arguments replayed exactly: blank ones (a cleared search) and repeated
        # ones kept, or the download's arguments would not be the approved ones.
        arguments: dict[str, list[str]] = {}
        for key, value in parse_qsl(item.query, keep_blank_values=True):
            arguments.setdefault(key, []).append(value)
        arguments.pop("approved", None)
        return export.url(approved=item.id, **arguments)

    @expose("/ask", methods=("GET", "POST"))
    @access.needs(access.CREATE)
    def ask(self):
        endpoint = request.values.get("list", "")
        export = self._exports().get(endpoint)
        if export is None or not access.can(current_user, access.EXPORT,
                                            export.view.resource_name):
            abort(404)
        # The list's arguments, less an approval's number (never part of what is approved).
        query = urlencode([(key, value) for key, value in parse_qsl(
            request.values.get("query", "")[:2000], keep_blank_values=True)
            if key != "approved"])
        if request.method == "GET":
            return self.render("admin/export_ask.html", export=export, query=query,
                               purposes=PURPOSES, in_full=export.in_full_for(current_user))
        purposes = dict(PURPOSES)
        purpose, note = request.form.get("purpose", ""), request.form.get("note", "").strip()
        if purpose not in purposes and not note:
            flash(gettext("Please say what the export is for."), "error")
            return self.render("admin/export_ask.html", export=export, query=query,
                               purposes=PURPOSES,
                               in_full=export.in_full_for(current_user)), 400
        if (refused := refused_over_daily_limit(export.back)) is not None:
            return refused
        reason = "；".join(part for part in (str(purposes.get(purpose, "")), note) if part)
        item = ExportRequest(user_id=current_user.id, home_id=current_user.home_id,
                             endpoint=endpoint, query=query, reason=reason[:200],
                             # The designated person reads what she approves.
                             title=str(export.name) + (gettext(" (ID numbers in full)")
                                                       if export.in_full_for(current_user)
                                                       else ""))
        if current_user.role is Role.ADMIN:
            item.state, item.decided_by_id, item.decided_on = (
                ExportState.APPROVED, current_user.id, local_today())
        db.session.add(item)
        db.session.commit()
        if item.state is ExportState.APPROVED:
            return redirect(self._download_url(item))
        officers = [user for user in db.session.scalars(select(User).where(
            User.privacy_officer.is_(True), User.active.is_(True)))
            if access.may_decide(user, item)]
        flash(gettext("Sent for approval to %(who)s. You will find the download here once "
                      "it is approved.",
                      who="、".join(u.display_name or u.username for u in officers)
                      or gettext("an administrator")), "info")
        return redirect(url_for(".index"))

    @expose("/<int:item_id>/decide", methods=("POST",))
    @access.needs(access.DECIDE)
    def decide(self, item_id: int):
        item = db.session.scalar(access.scoped(
            select(ExportRequest).where(ExportRequest.id == item_id), ExportRequest,
            current_user))
        if item is None:
            abort(404)
        if not access.may_decide(current_user, item):
            abort(403)  # her own request, or a Home out of her scope
        if item.state is not ExportState.PENDING:
            abort(409)
        item.state = ExportState.APPROVED if request.form.get("approve") == "1" \
            else ExportState.REFUSED
        item.decided_by_id, item.decided_on = current_user.id, local_today()
        db.session.commit()
        return redirect(url_for(".index"))
