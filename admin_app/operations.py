"""What county IT watches: `/healthz`, and one JSON line per request in the log.

`/healthz` needs no sign-in and says only whether the database answers and at which schema
revision: 200 `{"status": "ok", "revision": ...}`, else 503 `{"status": "unavailable"}`.
Never a record, a count or a name.

The request log goes through the standard logging module (logger `children_home.requests`,
to standard error unless the deployment configures that logger itself): the time (UTC), the
method, the path without its query (where searches and names would be), the status, the
milliseconds until the response was sent, and the signed-in account's id. No names,
numbers or free text: what a person typed is never in the log.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Blueprint, Flask, g, jsonify, request
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from admin_app.extensions import db

bp = Blueprint("health", __name__)
REQUEST_LOG = logging.getLogger("children_home.requests")


@bp.route("/healthz")
def healthz():
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        response = jsonify(status="unavailable")
        response.status_code = 503
    else:
        response = jsonify(status="ok", revision=revision)
    response.headers["Cache-Control"] = "no-store"
    return response


class _ToStandardError(logging.StreamHandler):
    """Writes to whatever sys.stderr is when the line is written (gunicorn's, a test's)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _started() -> None:
    g.request_started = time.perf_counter()


def _account_id() -> int | None:
    """The number of the account the gate loaded, read without a query: after the page's
    commit its attributes are expired, and `is_authenticated` (is_active) would load them
    again. Never get_id(): it carries the session's token. A static file loads none."""
    user = g.get("_login_user")
    if user is None or user.is_anonymous:
        return None
    identity = inspect(user).identity
    return identity[0] if identity else None


def _log_request(response):
    started = g.pop("request_started", None) or time.perf_counter()
    entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"),
             "method": request.method, "path": request.path, "status": response.status_code,
             "user": _account_id()}

    def sent() -> None:  # after the body went out: an export's whole stream counted
        entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
        REQUEST_LOG.info(json.dumps(entry))

    response.call_on_close(sent)
    return response


def init_operations(app: Flask) -> None:
    """Call first in create_app: the request's clock starts before any other hook."""
    app.register_blueprint(bp)
    if not app.config["REQUEST_LOG"]:
        return
    app.before_request(_started)
    app.after_request(_log_request)
    if REQUEST_LOG.level == logging.NOTSET:
        REQUEST_LOG.setLevel(logging.INFO)
    if not REQUEST_LOG.handlers:
        handler = _ToStandardError()
        handler.setFormatter(logging.Formatter("%(message)s"))
        REQUEST_LOG.addHandler(handler)
        REQUEST_LOG.propagate = False
