"""Input no column can hold, refused once for the whole app before any query: PostgreSQL's
text cannot hold NUL (0x00), and a search, a look-up, a sign-in name or a path with one
raised psycopg.DataError (HTTP 500) there while SQLite answered. A request that carries one
is answered 400 with a message; a record's form instead puts the message under the field
(views.fields.BaseForm), so what the user typed stays on the page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

UNSTORABLE = "\x00"
MESSAGE = _l("The text contains a character that cannot be saved (an invisible control "
             "character, NUL). Type it again, or paste it as plain text.")
# Record forms whose fields say it themselves (views.fields.BaseForm.validate).
FORM_VIEWS = ("create_view", "edit_view")


class Unstorable(BadRequest):
    user_message = MESSAGE


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def holds_unstorable(values: Iterable[str]) -> bool:
    return any(UNSTORABLE in value for value in values)


def refuse_unstorable() -> None:
    """Before every request: its path, query string, JSON, file names and (except for a
    record's form) its form fields."""
    found = [*(request.view_args or {}).values(), *request.args.keys(),
             *(v for values in request.args.listvalues() for v in values),
             *(f.filename or "" for f in request.files.values())]
    if request.is_json:
        found += list(_texts(request.get_json(silent=True)))
    if not (request.endpoint or "").endswith(FORM_VIEWS):
        found += [*request.form.keys(),
                  *(v for values in request.form.listvalues() for v in values)]
    if holds_unstorable(str(value) for value in found):
        raise Unstorable()
