"""导入花名册: upload a roster, see what it would do, choose for unknown columns, then import
all of it (or the valid rows only). The file waits in the database between the steps, seen
only by the person who uploaded it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import abort, flash, make_response, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import delete, select

from admin_app import access, importing
from admin_app.access import CREATE
from admin_app.extensions import db
from admin_app.importing import pairings
from admin_app.importing.columns import FIELDS, IGNORE
from admin_app.importing.reading import MAX_FILE_BYTES
from admin_app.importing.rows import ERROR, NEW, UNCHANGED, UPDATED
from admin_app.importing.workbooks import errors_workbook, template_workbook
from models import RosterUpload
from models.base import utcnow
from views.base import AppView
from views.calendar import visible_homes
from views.exporting import XLSX

KEPT_FOR = timedelta(days=1)
SHOWN_ERRORS = 500
PAGE = 50  # rows to be created, and to be updated, shown at a time


def _fields(kind: str):
    return pairings.FIELDS if kind == importing.PAIRINGS else FIELDS


class ImportView(AppView):
    resource = "import"

    def imported_url(self, upload) -> str:
        """The children list filtered to the children an import created or changed."""
        from views.people import ImportedFilter, child_filter_key

        key = child_filter_key(self.admin, ImportedFilter)
        return url_for("child.index_view", **{f"flt0_{key}": upload.id})

    def _upload(self, token: str) -> RosterUpload:
        upload = db.session.scalar(access.scoped(
            select(RosterUpload).where(RosterUpload.id == token), RosterUpload, current_user))
        if upload is None:
            abort(404)
        return upload

    def _home(self, home_id: int | None):
        if home_id is None:
            return None
        for home in visible_homes(current_user):
            if home.id == home_id:
                return home
        abort(404)

    @expose("/", methods=("GET", "POST"))
    @access.needs(access.READ, POST=access.CREATE)
    def index(self):
        db.session.execute(delete(RosterUpload).where(
            RosterUpload.uploaded_at < utcnow() - KEPT_FOR))
        db.session.commit()
        homes = visible_homes(current_user)
        if request.method == "GET":
            return self.render("admin/import.html", homes=homes, error=None)
        error, status = None, 400
        upload = request.files.get("file")
        choice = request.form.get("home", "")
        kind = request.form.get("kind", importing.CHILDREN)
        if kind not in (importing.CHILDREN, importing.PAIRINGS):
            abort(400)
        if kind == importing.PAIRINGS and not access.can(current_user, CREATE, "pairing"):
            abort(403)
        home = None
        if choice:
            home = self._home(int(choice) if choice.isdigit() else -1)
        if upload is None or not upload.filename:
            error = gettext("Please choose the roster file to upload.")
        else:
            content = upload.stream.read(MAX_FILE_BYTES + 1)
            filename = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
            try:
                # Read through once, now: a bad file is refused at once, and the steps after
                # read its cells back instead of the workbook.
                cells = importing.read_once(content, filename)
            except importing.BadFile as bad:
                error = str(bad.message)
                status = 413 if len(content) > MAX_FILE_BYTES else 400
        if error:
            return self.render("admin/import.html", homes=homes, error=error,
                               chosen=choice, kind=kind), status
        record = RosterUpload(id=secrets.token_urlsafe(32), user_id=current_user.id,
                              home_id=home.id if home else None, filename=filename,
                              content=cells, mapping={}, kind=kind)
        db.session.add(record)
        db.session.commit()
        return redirect(url_for(".preview", token=record.id))

    def _plan(self, upload: RosterUpload):
        """The upload's plan; a file found bad only when read through (too many rows, a
        damaged part) is forgotten, and the user is told why with a 400."""
        home = self._home(upload.home_id)
        try:
            plan = importing.preview(db.session, upload.content, upload.filename,
                                     current_user, home, upload.mapping, upload.kind)
        except importing.BadFile as bad:
            db.session.delete(upload)
            db.session.commit()
            abort(self._refused(str(bad.message)))
        return plan, home

    def _refused(self, message: str):
        page = self.render("admin/import.html", homes=visible_homes(current_user),
                           error=message, chosen="")
        return make_response(page, 400)

    @expose("/<token>/")
    @access.needs(access.READ)
    def preview(self, token: str):
        upload = self._upload(token)
        if upload.result is not None and not upload.content:
            return self.render("admin/import_preview.html", upload=upload, plan=None,
                               counts=upload.result, outcomes=(NEW, UPDATED, UNCHANGED, ERROR))
        plan, home = self._plan(upload)
        several = len(plan.headers) > 1
        errors = [(f"{row.sheet} · {row.number}" if several else row.number, column, message)
                  for row in plan.rows for column, message in row.errors]
        # The rows to be created and updated, PAGE at a time, every page of them on offer.
        page = max(request.args.get("page", 1, type=int), 1)
        shown = slice((page - 1) * PAGE, page * PAGE)
        created = [row for row in plan.rows if row.outcome == NEW]
        updates = [row for row in plan.rows if row.outcome == UPDATED]
        pages = max(-(-len(created) // PAGE), -(-len(updates) // PAGE), 1)
        fields = _fields(upload.kind)
        return self.render(
            "admin/import_preview.html", upload=upload, plan=plan, home=home,
            counts=plan.counts, errors=errors[:SHOWN_ERRORS], error_total=len(errors),
            created=created[shown], updates=updates[shown], page=min(page, pages),
            pages=pages, fields=fields, ignore=IGNORE,
            labels={field.key: field.label for field in fields},
            read_as=[(text, key) for text, key in zip(plan.header.texts, plan.header.keys,
                                                      strict=True) if text]
            if plan.header else [],
            outcomes=(NEW, UPDATED, UNCHANGED, ERROR),
            may_import=access.can(current_user, CREATE, self.resource_name),
        )

    @expose("/<token>/mapping", methods=("POST",))
    @access.needs(access.CREATE)
    def mapping(self, token: str):
        upload = self._upload(token)
        keys = {field.key for field in _fields(upload.kind)}
        chosen = {}
        for name, text in request.form.items():
            if name.startswith("text-"):
                choice = request.form.get(f"map-{name[5:]}", "")
                if choice == "ignore":
                    chosen[text] = IGNORE
                elif choice in keys:
                    chosen[text] = choice
        upload.mapping = {**upload.mapping, **chosen}
        db.session.commit()
        return redirect(url_for(".preview", token=token))

    @expose("/<token>/commit", methods=("POST",))
    @access.needs(access.CREATE)
    def commit(self, token: str):
        upload = self._upload(token)
        if upload.result is not None:
            flash(gettext("This file has been imported already."), "info")
            return redirect(url_for(".preview", token=token))
        plan, home = self._plan(upload)
        valid_only = request.form.get("mode") == "valid"
        if not plan.ready or (plan.count(ERROR) and not valid_only):
            abort(400)
        try:
            if request.form.get("fingerprint") != plan.fingerprint:
                raise importing.StaleImport()
            counts = importing.commit(db.session, plan, home, valid_only=valid_only,
                                      kind=upload.kind)
        except importing.StaleImport:
            flash(gettext("The records changed since the preview (someone saved a child of "
                          "this file). Here is the preview again; check it and import."),
                  "error")
            return redirect(url_for(".preview", token=token))
        upload.result = {**counts, "children": getattr(plan, "saved_children", [])}
        if not counts[ERROR]:
            upload.content = b""  # nothing left to correct: keep no copy of the roster
        db.session.commit()
        flash(gettext("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
                      "%(refused)s refused.", new=counts[NEW], updated=counts[UPDATED],
                      unchanged=counts[UNCHANGED], refused=counts[ERROR]), "success")
        return redirect(url_for(".preview", token=token))

    @expose("/<token>/cancel", methods=("POST",))
    @access.needs(access.CREATE)
    def cancel(self, token: str):
        upload = self._upload(token)
        db.session.delete(upload)
        db.session.commit()
        return redirect(url_for(".index"))

    @expose("/<token>/errors.xlsx")
    @access.needs(access.READ)
    def errors(self, token: str):
        upload = self._upload(token)
        if not upload.content:
            abort(404)
        plan, _home = self._plan(upload)
        stem = upload.filename.rsplit(".", 1)[0]
        return send_file(errors_workbook(plan).close(), mimetype=XLSX, as_attachment=True,
                         download_name=gettext("%(file)s - rows to correct.xlsx", file=stem))

    @expose("/template.xlsx")
    @access.needs(access.READ)
    def template(self):
        return send_file(template_workbook().close(), mimetype=XLSX, as_attachment=True,
                         download_name=gettext("Roster template.xlsx"))
