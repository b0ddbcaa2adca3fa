"""个人信息保护: the guardians' notice, consent and requests, retention, the yearly audit and
the incident query (PIPL; 儿童个人信息网络保护规定)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from admin_app import access, privacy
from admin_app.access import DELETE, EXPORT
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.i18n import local_midnight
from admin_app.replica import replica_reads
from models import Child, DataRequest, Home, User
from models.base import local_today
from models.consent import NOTICE_VERSION, RequestKind, RequestState
from models.enums import AuditAction
from models.privacy import CLASSIFICATION, SENSITIVE
from views.base import AppModelView, AppView
from views.calendar import chosen_home, visible_homes
from views.exporting import XLSX, refused_over_daily_limit
from views.fields import NAME, PAST_DATE, FieldError, field_value, lookup
from views.labels import LABELS


def officers(homes: list[Home]) -> tuple[list[User], dict[int, list[User]]]:
    """The designated persons: the deployment's (neither a Home nor a township), and those
    of each of `homes`: its own, then its township's."""
    users = db.session.scalars(select(User).where(User.privacy_officer.is_(True),
                                                  User.active.is_(True))).all()
    county = [u for u in users if u.home_id is None and not u.township]
    by_home: dict[int, list[User]] = {}
    for home in homes:
        mine = [u for u in users if u.home_id == home.id]
        mine += [u for u in users if u.home_id is None and u.township
                 and u.township == home.township]
        if mine:
            by_home[home.id] = mine
    return county, by_home


class PrivacyView(AppView):
    resource = "privacy"

    def _may(self, action) -> bool:
        return access.can(current_user, action, self.resource_name)

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        homes = visible_homes(current_user)
        county, by_home = officers(homes)
        years = current_app.config["PRIVACY_RETENTION_YEARS"]
        due = db.session.scalar(select(func.count()).select_from(
            privacy.due_query(local_today(), years).order_by(None).subquery())) \
            if self._may(DELETE) else None
        open_requests = db.session.scalar(access.scoped(
            select(func.count()).select_from(DataRequest), DataRequest, current_user)
            .where(DataRequest.state == RequestState.OPEN))
        return self.render("admin/privacy.html", county=county, by_home=by_home,
                           homes=homes, years=years, due=due,
                           open_requests=open_requests, may_purge=self._may(DELETE),
                           may_audit=self._may(EXPORT), this_year=local_today().year)

    @expose("/purge", methods=("POST",))
    @access.needs(access.DELETE)  # records anonymised: what remains of them says nothing
    def purge(self):
        dry_run = request.form.get("dry_run") == "1"
        report = privacy.purge(db.session, local_today(),
                               current_app.config["PRIVACY_RETENTION_YEARS"], dry_run=dry_run)
        counts = report.as_dict()
        message = gettext(
            "%(what)s: %(children)s children, %(guardians)s guardians, %(parents)s parents, "
            "%(care_records)s care records, %(audit_entries)s old audit entries.",
            what=gettext("Would anonymise") if dry_run else gettext("Anonymised"), **counts)
        flash(message, "info" if dry_run else "success")
        return redirect(url_for(".index"))

    @expose("/notice/")
    @access.needs(access.READ)
    def notice(self):
        """The guardians' notice and consent form, to print (A4)."""
        homes = visible_homes(current_user)
        home = chosen_home(homes) or (homes[0] if homes else None)
        county, by_home = officers(homes)
        kept = {table: [name for name, (level, _) in columns.items() if level == SENSITIVE]
                for table, columns in CLASSIFICATION.items()}
        return self.render("admin/privacy_notice.html", home=home, homes=homes,
                           county=county, home_officers=by_home.get(home.id, []) if home else [],
                           years=current_app.config["PRIVACY_RETENTION_YEARS"],
                           version=NOTICE_VERSION, kept=kept)

    @expose("/audit.xlsx")
    @access.needs(access.EXPORT)
    def audit(self):
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        year = request.args.get("year", type=int) or local_today().year
        if not 2000 <= year <= 2200:
            abort(400)
        with replica_reads():
            book = privacy.yearly_audit_workbook(db.session, current_user, year)
        name = gettext("Personal information audit %(year)s", year=year)
        record_access(AuditAction.EXPORT, table_name="audit_entry", home_id=current_user.home_id,
                      label=name, details={"year": year})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{name}.xlsx")

    @expose("/incident/")
    @access.needs(access.EXPORT)
    def incident(self):
        args = request.args
        try:
            start = date.fromisoformat(args.get("start") or local_today().isoformat())
            end = date.fromisoformat(args.get("end") or local_today().isoformat())
            export_id = int(args["export"]) if args.get("export") else None
        except ValueError:
            abort(400)
        reached = privacy.incident(
            db.session, current_user, local_midnight(start),
            local_midnight(end + timedelta(days=1)),
            username=args.get("user", "").strip(), address=args.get("address", "").strip(),
            export_id=export_id)
        return self.render("admin/privacy_incident.html", reached=reached, start=start,
                           end=end, args=args)


def _request_is_complete(form) -> None:
    state = field_value(form, "state")
    if state not in (None, "", "OPEN", RequestState.OPEN):
        if not field_value(form, "handled_on"):
            raise FieldError("handled_on", _l("Please give the date it was handled."))
        if not (field_value(form, "outcome") or "").strip():
            raise FieldError("outcome", _l("Please say what was done."))


def _member(enum_class, value):
    return value if isinstance(value, enum_class) else enum_class[value]


class ConsentView(AppModelView):
    column_labels = LABELS
    column_list = ("child", "basis", "state", "given_by", "relation", "decided_on",
                   "notice_version")
    column_filters = ("basis", "state", "decided_on")
    column_searchable_list = ("child.name", "given_by")
    column_default_sort = ("decided_on", True)
    # A county holds a decision for every child: sorts that an index serves (the basis and
    # the rest are filters).
    column_sortable_list = ("decided_on", "state", ("child", "child_id"))
    form_columns = ("child", "basis", "state", "given_by", "relation", "decided_on", "scope",
                    "notice_version", "note")
    form_args = {"decided_on": PAST_DATE}
    form_ajax_refs = {"child": lookup(Child, "name")}
    # The history of decisions is evidence: a new decision is a new entry.
    allow_delete = False


class DataRequestView(AppModelView):
    column_labels = LABELS
    column_list = ("child", "kind", "requested_by", "received_on", "state", "handled_by",
                   "handled_on")
    column_filters = ("kind", "state", "received_on")
    column_searchable_list = ("child.name", "requested_by")
    column_default_sort = ("received_on", True)
    form_columns = ("child", "kind", "requested_by", "relation", "received_on", "details",
                    "state", "handled_on", "outcome")
    form_args = {"requested_by": NAME, "received_on": PAST_DATE, "handled_on": PAST_DATE}
    form_ajax_refs = {"child": lookup(Child, "name")}
    form_checks = (_request_is_complete,)
    allow_delete = False

    def on_model_change(self, form, model: DataRequest, is_created: bool) -> None:
        # The form sets members' names; compare members.
        state, kind = _member(RequestState, model.state), _member(RequestKind, model.kind)
        if state is not RequestState.OPEN and model.handled_by_id is None:
            model.handled_by_id = current_user.id
        super().on_model_change(form, model, is_created)
        # Deletion means anonymisation, the audit trail kept (privacy.anonymise).
        if kind is RequestKind.DELETION and state is RequestState.DONE:
            child = db.session.get(Child, model.child_id)
            if child is not None and child.anonymised_on is None:
                privacy.anonymise(db.session, [child.id], model.handled_on or local_today())
