"""登录限制: the accounts and addresses that must wait after failed sign-ins, for an
administrator to see and, when she knows who it is, to let in again (admin_app.throttle)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext

from admin_app import access, throttle
from admin_app.audit import record_access
from models import User
from models.enums import AuditAction
from views.base import AppView


class ThrottledView(AppView):
    resource = "user"  # the accounts' keepers: administrators

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        return self.render("admin/throttled.html", waiting=throttle.waiting())

    @expose("/let-in", methods=("POST",))
    @access.needs(access.EDIT)
    def let_in(self):
        username = request.form.get("username", "").strip()[:100]
        address = request.form.get("address", "").strip()[:45]
        device = request.form.get("device", "").strip()[:64]
        throttle.let_in(username, address, device)
        record_access(AuditAction.SIGN_IN_LET_IN, table_name=User.__tablename__,
                      label=(username or address)[:100],
                      details={"username": username, "address": address, "device": device})
        flash(gettext("%(who)s may try to sign in again.", who=username or address),
              "success")
        return redirect(url_for(".index"))
