"""One child, one archive across the county (一人一档): before a form saves a child with the
name and birth date of one already kept in any Home, or a guardian with the name and phone
of one kept in the Home, it says so and saves only once the user confirms it is someone
else. A child who moved keeps her archive: her Home changes and the move is recorded."""

from __future__ import annotations

from flask import url_for
from flask_admin.form import rules as layout
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import BooleanField

from admin_app import access
from admin_app.extensions import db
from models import Child, ChildMove, Guardian
from models.base import local_today
from models.sealed import blind_index
from views.fields import FieldError, field_value

CONFIRM = "someone_else"


def confirm_field() -> BooleanField:
    return BooleanField(_l("This is someone else: save anyway"))


class Offered(layout.Field):
    """The confirmation box and the records it is about, drawn only once a check has
    offered them (a form that found no namesake shows nothing)."""

    def __call__(self, form, form_opts=None, field_args=None):
        field = getattr(form, self.field_name, None)
        found = getattr(field, "found", None)
        if not found:
            return Markup("")
        links = "、".join(f'<a href="{escape(url)}" target="_blank">{escape(label)}</a>'
                         for label, url in found if url)
        unseen = sum(1 for _label, url in found if not url)
        parts = []
        if links:
            parts.append(escape(gettext("Already in the records: ")) + Markup(links))  # noqa: S704
        if unseen:
            parts.append(escape(gettext(
                "Kept by a Children's Home you do not look after: ask the county office "
                "(县妇联) whether it is the same person before entering a second record.")))
        box = super().__call__(form, form_opts, field_args or {})
        return Markup('<div class="alert alert-warning" id="namesake">'  # noqa: S704
                      f'{"<br>".join(parts)}<div class="mt-2">{box}</div></div>')


def _changed(form, names: tuple[str, ...]) -> bool:
    current = getattr(form, "_obj", None)
    if current is None or current.id is None:
        return True
    return any(getattr(current, name) != field_value(form, name) for name in names)


def _offer(form, found: list[tuple[str, str | None]]) -> None:
    form[CONFIRM].found = found


def child_namesake(form) -> None:
    """A new child (or a renamed one) whose name and birth date a kept child has, in any
    Home of the county: a link to her if the user may see her, else only that she exists
    and whom to ask. The ids are looked up county-wide; nothing else of hers is read."""
    name, born = field_value(form, "name"), field_value(form, "birth_date")
    if not name or not born or field_value(form, CONFIRM) or not _changed(
            form, ("name", "birth_date")):
        return
    query = select(Child.id).where(Child.name == name, Child.birth_date == born)
    current = getattr(form, "_obj", None)
    if current is not None and current.id is not None:
        query = query.where(Child.id != current.id)
    ids = db.session.scalars(query.limit(5)).all()
    if not ids:
        return
    seen = set(db.session.scalars(access.scoped(select(Child.id).where(Child.id.in_(ids)),
                                                Child, current_user)))
    _offer(form, [(name, url_for("child.details_view", id=i) if i in seen else None)
                  for i in ids])
    raise FieldError("name", _l(
        "A child of this name and birth date is already in the records. If it is her, open "
        "her archive (and change her Home if she has moved) rather than entering her twice; "
        "if it is another child, tick the box below and save again."))


def guardian_namesake(form) -> None:
    """A guardian whose name and phone one kept in the same Home has: offered instead."""
    name, phone, home = (field_value(form, "name"), field_value(form, "phone"),
                         field_value(form, "home"))
    if not name or not phone or field_value(form, CONFIRM) or not _changed(
            form, ("name", "phone", "home")):
        return
    query = select(Guardian.id).where(Guardian.name == name,
                                      Guardian.phone_hash == blind_index(phone))
    if home is not None:
        query = query.where(Guardian.home_id == getattr(home, "id", home))
    current = getattr(form, "_obj", None)
    if current is not None and current.id is not None:
        query = query.where(Guardian.id != current.id)
    ids = db.session.scalars(access.scoped(query, Guardian, current_user).limit(5)).all()
    if not ids:
        return
    _offer(form, [(name, url_for("guardian.details_view", id=i)) for i in ids])
    raise FieldError("name", _l(
        "A guardian of this name and phone is already in the records of this Home: choose "
        "her in the child's form instead of entering her twice; if it is someone else, tick "
        "the box below and save again."))


def record_move(child: Child) -> None:
    """Her Home changed in this save (before it is flushed: the column still holds the Home
    she leaves, the relation the one she goes to): the move goes on her archive."""
    old, new = child.home_id, getattr(child.home, "id", None)
    if child.id is None or old is None or new is None or old == new:
        return
    db.session.add(ChildMove(child_id=child.id, from_home_id=old, to_home_id=new,
                             moved_on=local_today(),
                             recorded_by_id=getattr(current_user, "id", None)))
