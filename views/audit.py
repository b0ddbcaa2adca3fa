"""The audit screen (日志): read-only; administrators see all, supervisors their scope."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from admin_app.audit import describe_changes, related_names
from models import AuditEntry
from views.base import AppModelView
from views.labels import LABELS, TABLE_LABELS


def _changes(view, context, entry: AuditEntry, name: str):
    lines = describe_changes(entry, current_user, g.get("audit_names"))
    return Markup("<br>").join(escape(line) for line in lines)


def _who(view, context, entry: AuditEntry, name: str) -> str:
    return entry.who


def _table(view, context, entry: AuditEntry, name: str) -> str:
    return str(TABLE_LABELS.get(entry.table_name, entry.table_name))


class AuditView(AppModelView):
    resource = "audit"
    allow_create = allow_edit = allow_delete = False
    column_labels = {**LABELS, "at": _l("When"), "username": _l("Who"), "action": _l("Action"),
                     "table_name": _l("Record type"), "record_id": _l("Record No."),
                     "record_label": _l("Record"), "changes": _l("Changes"),
                     "address": _l("Network address")}
    column_list = ("at", "username", "action", "table_name", "record_id", "record_label",
                   "changes", "address")
    column_details_list = column_list
    column_searchable_list = ("username", "record_label")
    column_filters = ("action", "table_name", "record_id", "at", "username")
    # The trail grows by every page viewed: by time only (its index serves it); who, what
    # and which table are filters.
    column_sortable_list = ("at",)
    column_default_sort = ("at", True)
    column_formatters = {"changes": _changes, "table_name": _table, "username": _who}
    column_formatters_detail = column_formatters

    def get_list(self, *args, **kwargs):
        """The page's entries, and the names of the records their changes point at, read for
        the whole page at once (one query per kind of record, not one per entry)."""
        listed = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True):
            g.audit_names = related_names(listed[1], current_user)
        return listed
