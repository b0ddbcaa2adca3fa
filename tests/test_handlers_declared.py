"""Every exposed handler of every registered view declares the right it needs (issue 19.6):
a handler added without `access.needs` is refused by the gate, and this test names it. The
rights of our own handlers are written out here as the answer key, not read from the code."""

from __future__ import annotations

import pytest
from flask_admin import expose
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from models.enums import Role
from views.base import AppView

# (view endpoint, handler, HTTP method) -> the right it needs on the view's resource.
CUSTOM = {
    ("admin", "index", "GET"): "read",
    ("calendar", "index", "GET"): "read",
    ("calendar", "export", "GET"): "export",
    ("followup", "index", "GET"): "read",
    ("followup", "export", "GET"): "export",
    ("reminders", "index", "GET"): "read",
    ("scorecard", "index", "GET"): "read",
    ("scorecard", "export", "GET"): "export",
    ("reports", "index", "GET"): "read",
    ("reports", "mca_summary", "GET"): "export",
    ("reports", "mca_registration", "GET"): "export",
    ("reports", "work_report_page", "GET"): "read",
    ("reports", "work_report_docx", "GET"): "export",
    ("reports", "work_report_xlsx", "GET"): "export",
    ("donors", "index", "GET"): "read",
    ("donors", "acknowledgement", "GET"): "export",
    ("donors", "reached", "GET"): "read",
    ("care_round", "give_view", "POST"): "create",
    ("care_round", "close_view", "POST"): "edit",
    ("care_round", "signatures_view", "GET"): "export",
    ("my_children", "index", "GET"): "read",
    ("export_request", "index", "GET"): "read",
    ("export_request", "ask", "GET"): "create",
    ("export_request", "ask", "POST"): "create",
    ("export_request", "decide", "POST"): "decide",
    ("import", "index", "GET"): "read",
    ("import", "index", "POST"): "create",
    ("import", "preview", "GET"): "read",
    ("import", "mapping", "POST"): "create",
    ("import", "commit", "POST"): "create",
    ("import", "cancel", "POST"): "create",
    ("import", "errors", "GET"): "read",
    ("import", "template", "GET"): "read",
    ("privacy", "index", "GET"): "read",
    ("privacy", "purge", "POST"): "delete",
    ("privacy", "notice", "GET"): "read",
    ("privacy", "audit", "GET"): "export",
    ("privacy", "incident", "GET"): "export",
    ("school_year", "index", "GET"): "read",
    ("school_year", "move_up", "POST"): "create",
    ("child", "reveal_view", "POST"): "read",
    ("care_record", "mine", "GET"): "read",
    ("throttled", "index", "GET"): "read",
    ("throttled", "let_in", "POST"): "edit",
}
# Flask-Admin's own model-view handlers.
MODEL_VIEW = {"index_view": "read", "details_view": "read", "ajax_lookup": "read",
              "create_view": "create", "edit_view": "edit", "ajax_update": "edit",
              "delete_view": "delete", "export": "export"}


def _handlers(app):
    for view in app.extensions["admin"][0]._views:
        for _url, name, methods in view._urls:
            for method in methods or ("GET",):
                if method not in ("HEAD", "OPTIONS"):
                    yield view, name, method


def test_every_exposed_handler_declares_its_right(app):
    undeclared = []
    with app.test_request_context():
        for view, name, method in _handlers(app):
            if name == "action_view":
                continue  # an edit or a delete by the form's action (test below)
            needed = view._needed(name, method)
            if needed is None:
                undeclared.append(f"{view.endpoint}.{name} {method}")
                continue
            expected = CUSTOM.get((view.endpoint, name, method), MODEL_VIEW.get(name))
            assert needed.value == expected, (view.endpoint, name, method)
    assert undeclared == []


def test_the_answer_key_names_handlers_that_exist(app):
    found = {(view.endpoint, name, method) for view, name, method in _handlers(app)}
    assert set(CUSTOM) <= found


def test_a_bulk_action_is_an_edit_and_the_bulk_delete_a_delete(app):
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "child")
    for action, expected in (("delete", "delete"), ("archive", "edit"), ("", "edit")):
        with app.test_request_context(method="POST", data={"action": action}):
            assert view._needed("action_view", "POST").value == expected


class _Undeclared(AppView):
    resource = "dashboard"

    @expose("/")
    def index(self):
        return "reached"


def test_the_gate_refuses_a_handler_that_declares_no_right(app, make):
    admin = make.user(Role.ADMIN, username="gatekeeper")
    view = _Undeclared(name="undeclared", endpoint="undeclared")
    with app.test_request_context("/"):
        login_user(admin)
        with pytest.raises(Forbidden):
            view._handle_view("index")
