"""The export button of the lists: the list's own query (scope, search, filters) written by
a builder of admin_app.reports, recorded in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, send_file
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from admin_app.audit import record_access
from admin_app.extensions import db
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


class ExportMixin:
    export_types = ["xlsx"]
    # Callable(ids, user, title) -> (Workbook, row count); set with allow_export = True.
    export_builder: Callable | None = None
    export_name = None  # lazy text: what the workbook is called, e.g. 花名册

    def _children_in(self, ids) -> list[int]:
        return children_of(self.model, ids)

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        if export_type != "xlsx" or self.export_builder is None:
            abort(404)
        args = self._get_list_extra_args()
        sort = self._get_column_by_idx(args.sort)
        _, query = self.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                 args.filters, execute=False, page_size=False)
        ids = query.with_entities(self.model.id).order_by(None).limit(None).offset(None)
        place = current_user.home.name if getattr(current_user, "home", None) else gettext(
            "All Children's Homes")
        title = gettext("%(place)s %(name)s, %(day)s", place=place, name=self.export_name,
                        day=date.today().isoformat())
        book, count = type(self).export_builder(ids.subquery().select(), current_user, title)
        record_access(AuditAction.EXPORT, table_name=self.model.__tablename__,
                      home_id=current_user.home_id, label=title,
                      details={"rows": count, "search": args.search or "",
                               "filters": [list(map(str, f)) for f in args.filters or []],
                               # Whose data left the panel: the incident query reads this.
                               "children": self._children_in(ids.subquery().select())})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")

