"""The audit trail, written from one place: every create, update, archive and delete that
goes through the ORM is recorded by a session hook, with who, when, from where, and the
changed fields' old and new values; views and exports record accesses with `record_access`."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import Date, DateTime, Time, event, insert, inspect, select
from sqlalchemy.orm import MANYTOMANY, MANYTOONE, Session, defer

from admin_app import access
from admin_app.extensions import db
from admin_app.i18n import show_date, show_datetime
from admin_app.masking import column_mask, shown
from models import AuditEntry, Child, Home, ResourceItem, RosterUpload, StockMovement, User
from models.audit import SYSTEM
from models.base import Moment, utcnow
from models.enums import AuditAction, ChildStatus
from models.sealed import Sealed, open_text, seal_text

# Bookkeeping columns that say nothing about the record itself.
BOOKKEEPING = {"created_at", "updated_at", "version", "password_hash", "session_token"}
# Not recorded as a change: a sign-in is recorded as one (AuditAction.SIGN_IN), not as a
# change of the account (entries written before still show it: HIDDEN).
SKIPPED = BOOKKEEPING | {"last_login_at"}
# Records that are not the archive: the trail itself, and a roster waiting for its import
# (the import is recorded as one entry, and each child it saves as its own).
UNAUDITED = (AuditEntry, RosterUpload)


def _plain(value):
    """A JSON-safe form of a column value."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def actor() -> tuple[int | None, str, str]:
    """(user id, username, network address) of whoever acts now; "system" outside a request."""
    if not has_request_context():
        return None, SYSTEM, ""
    user_id, username = None, ""
    if current_user and current_user.is_authenticated:
        user_id, username = current_user.id, current_user.username
    return user_id, username, (request.remote_addr or "")[:45]


def _home_id(session: Session, record) -> int | None:
    if isinstance(record, Home):
        return record.id
    if hasattr(record, "home_id"):
        return record.home_id
    child = inspect(record).dict.get("child")  # loaded already, or None
    if isinstance(child, Child) and child.home_id is not None:
        return child.home_id  # loaded already (an import saves parents with their child)
    if getattr(record, "child_id", None) is not None:
        return session.scalar(select(Child.home_id).where(Child.id == record.child_id))
    if isinstance(record, StockMovement):
        return session.scalar(select(ResourceItem.home_id).where(ResourceItem.id == record.item_id))
    if getattr(record, "activity_id", None) is not None:
        from models import Activity

        return session.scalar(select(Activity.home_id).where(Activity.id == record.activity_id))
    return None


@cache
def _sealed_keys(mapper) -> frozenset[str]:
    return frozenset(prop.key for prop in mapper.column_attrs
                     if isinstance(prop.columns[0].type, Sealed))


def _kept(value, sealed: bool):
    """A value as the trail keeps it: encrypted when its column is (the trail must not
    become a plain copy of the ID numbers, phones and notes)."""
    value = _plain(value)
    return seal_text(value) if sealed and isinstance(value, str) else value


def _values(record) -> dict:
    state = inspect(record)
    mapper = state.mapper
    sealed = _sealed_keys(mapper)
    values = {prop.key: _kept(getattr(record, prop.key), prop.key in sealed)
              for prop in mapper.column_attrs if prop.key not in SKIPPED and prop.key != "id"}
    for relation in mapper.relationships:  # a round's Homes, set on the new record
        if relation.direction is MANYTOMANY and state.dict.get(relation.key):
            values[relation.key] = _names(state.dict[relation.key])
    return values


def _names(records) -> str:
    """A collection (a round's Homes, an activity's volunteers) as the trail keeps it."""
    return "、".join(str(record) for record in records)


def _replaced_unloaded(state) -> dict:
    """The stored values of the columns set on an expired record (after a commit, say):
    SQLAlchemy does not load the value a set replaces unless the column asks it to
    (active_history), and the trail would say the old value was empty. Read in one query,
    only when such a change is pending."""
    if state.key is None or state.session is None:
        return {}
    unloaded = [attr for attr in state.mapper.column_attrs if attr.key not in SKIPPED
                and (history := state.attrs[attr.key].history).added and not history.deleted]
    if not unloaded:
        return {}
    mapper = state.mapper
    row = state.session.execute(
        select(*(attr.columns[0] for attr in unloaded))
        .where(*(column == value for column, value in zip(mapper.primary_key,
                                                            state.key[1], strict=True)))
    ).first()
    return {} if row is None else dict(zip((attr.key for attr in unloaded), row, strict=True))


def _updates(record) -> dict:
    changes = {}
    state = inspect(record)
    sealed = _sealed_keys(state.mapper)
    replaced = _replaced_unloaded(state)
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else replaced.get(attr.key)
            new = history.added[0] if history.added else None
            # A form hands a choice over by its name (MALE), the column keeps the member.
            if _plain(old) != _plain(new):
                changes[attr.key] = [_kept(old, attr.key in sealed),
                                     _kept(new, attr.key in sealed)]
    # A form sets a related record (the child's guardian), not its id: the id column
    # changes only in the flush, after this hook; it still holds the old id now.
    for relation in state.mapper.relationships:
        if relation.direction is not MANYTOONE or len(relation.local_columns) != 1:
            continue
        key = next(iter(relation.local_columns)).key
        history = state.attrs[relation.key].history
        if key in changes or key in SKIPPED or not history.has_changes():
            continue
        old = state.dict.get(key)
        new = getattr(history.added[0], "id", None) if history.added else None
        if old != new:
            changes[key] = [old, new]
    # A collection (a round's Homes and hand-picked children): what it held and holds.
    for relation in state.mapper.relationships:
        if relation.direction is not MANYTOMANY:
            continue
        history = state.attrs[relation.key].history
        if history.added or history.deleted:
            kept = list(history.unchanged)
            changes[relation.key] = [_names([*kept, *history.deleted]),
                                     _names([*kept, *history.added])]
    return changes


_PENDING = "_audit_pending"


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    pending = session.info.setdefault(_PENDING, [])
    for record in session.new:
        if not isinstance(record, UNAUDITED):
            pending.append((AuditAction.CREATE, record, None))
    for record in session.dirty:
        if isinstance(record, UNAUDITED) or not session.is_modified(record):
            continue
        changes = _updates(record)
        if not changes:
            continue
        action = AuditAction.UPDATE
        if isinstance(record, Child) and changes.get("status", [None, None])[1] == \
                ChildStatus.LEFT_CARE.name:
            action = AuditAction.ARCHIVE
        pending.append((action, record, changes))
    for record in session.deleted:
        if not isinstance(record, UNAUDITED):
            pending.append((AuditAction.DELETE, record, _values(record)))


@event.listens_for(Session, "after_flush")
def _write(session: Session, flush_context) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    user_id, username, address = actor()
    rows = []
    for action, record, changes in pending:
        rows.append({
            "user_id": user_id, "username": username, "address": address,
            "action": action, "table_name": record.__tablename__,
            "record_id": getattr(record, "id", None), "home_id": _home_id(session, record),
            "record_label": str(record)[:100],
            "changes": _values(record) if action is AuditAction.CREATE else changes,
            "version": getattr(record, "version", None),
        })
    session.connection().execute(insert(AuditEntry), rows)


def insert_recorded(session: Session, model, rows: list[dict], home_ids: list[int | None]
                    ) -> list[int]:
    """Insert many new records of `model` in one statement (an import's new children,
    guardians and parents), with the same CREATE entries the flush hook writes for
    records saved one by one. Every row must have the same keys. Returns the new ids."""
    if not rows:
        return []
    table = model.__table__
    ids = list(session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
    user_id, username, address = actor()
    defaults = {column.key: column.default.arg for column in table.columns
                if column.default is not None and column.default.is_scalar}
    sealed = {column.key for column in table.columns if isinstance(column.type, Sealed)}
    session.execute(insert(AuditEntry), [{
        "user_id": user_id, "username": username, "address": address,
        "action": AuditAction.CREATE, "table_name": table.name, "record_id": record_id,
        "home_id": home_id, "record_label": str(row.get("name", ""))[:100],
        "changes": {key: _kept(value, key in sealed) for key, value in {**defaults, **row}.items()
                    if key not in SKIPPED and key != "id"},
        "version": 1,
    } for row, record_id, home_id in zip(rows, ids, home_ids, strict=True)])
    return ids


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def record_access(action: AuditAction, record=None, *, table_name: str = "",
                  home_id: int | None = None, label: str = "", details: dict | None = None,
                  commit: bool = True) -> None:
    """Record that the current user viewed or exported `record` (or a set of records)."""
    user_id, username, address = actor()
    entry = AuditEntry(
        user_id=user_id, username=username, address=address, action=action,
        table_name=record.__tablename__ if record is not None else table_name,
        record_id=getattr(record, "id", None),
        home_id=_home_id(db.session, record) if record is not None else home_id,
        record_label=(str(record) if record is not None else label)[:100],
        changes=details,
    )
    db.session.add(entry)
    if commit:
        db.session.commit()


def record_accesses(action: AuditAction, entries: list[tuple[Any, dict | None]]) -> None:
    """`record_access` for many records of a page, in one INSERT (not committed)."""
    if not entries:
        return
    user_id, username, address = actor()
    db.session.execute(insert(AuditEntry), [{
        "user_id": user_id, "username": username, "address": address, "action": action,
        "table_name": record.__tablename__, "record_id": record.id,
        "home_id": _home_id(db.session, record), "record_label": str(record)[:100],
        "changes": details, "at": utcnow(),
    } for record, details in entries])


# Columns a change never shows: bookkeeping, the form's loaded version, blind indexes.
HIDDEN = BOOKKEEPING | {"loaded_version"}


def _hidden(field: str) -> bool:
    return field in HIDDEN or field.endswith("_hash")


@cache
def _references(model) -> dict:
    """Each foreign-key column of `model` → (what it names, the model it points at): a care
    record's `volunteer_id` is its 爱心妈妈 (its relationship's name), a move's `to_home_id`
    its to_home; shown by the record's name."""
    relations = {next(iter(relation.local_columns)).key: relation.key
                 for relation in inspect(model).relationships
                 if relation.direction is MANYTOONE and len(relation.local_columns) == 1}
    references = {}
    for column in model.__table__.columns:
        for key in column.foreign_keys:
            target = _model_for(key.column.table.name)
            if target is not None:
                references[column.key] = (relations.get(column.key)
                                          or column.key.removesuffix("_id"), target)
    return references


def related_names(entries, user) -> dict:
    """The names of the records `entries`' changes point at, {(model, id): name}: one query
    per model named, whatever the number of entries. Records outside `user`'s scope are
    left out (shown by number); accounts are named as the trail's 'who' names them."""
    wanted: dict = {}
    for entry in entries:
        model = _model_for(entry.table_name)
        references = _references(model) if model is not None else {}
        for field, value in (entry.changes or {}).items():
            if field in references:
                values = value if isinstance(value, list) else [value]
                wanted.setdefault(references[field][1], set()).update(
                    v for v in values if isinstance(v, int))
    names = {}
    for model, ids in wanted.items():
        if not ids:
            continue
        query = select(model).where(model.id.in_(ids)).options(
            *(defer(getattr(model, key)) for key in _sealed_keys(inspect(model))))
        if model is not User:
            query = access.scoped(query, model, user)
        names.update({(model, record.id): str(record) for record in db.session.scalars(query)})
    return names


def describe_changes(entry: AuditEntry, user, names: dict | None = None) -> list[str]:
    """`field: old → new` lines in the user's language, masked as `user` may see them: each
    field by its label, each value as the screens show it (a related record by its name,
    yes/no, dates, labelled choices); bookkeeping columns left out. `names`: from
    related_names, for a page of entries."""
    from views.labels import LABELS, LABELS_BY_TABLE

    model = _model_for(entry.table_name)
    labels = LABELS_BY_TABLE.get(entry.table_name, LABELS)
    references = _references(model) if model is not None else {}
    if names is None:
        names = related_names([entry], user)
    lines = []
    for field, value in (entry.changes or {}).items():
        if _hidden(field):
            continue
        if field == "children" and isinstance(value, list):
            # An export's children are kept for the incident query; here, how many.
            lines.append(gettext("Children in it: %(n)s", n=len(value)))
            continue
        reference = references.get(field)
        show = _shower(user, model, field, reference, names)
        label = str(labels.get(reference[0] if reference else field, field))
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{label}: {show(value[0])} → {show(value[1])}")
        else:
            lines.append(f"{label}: {show(value)}")
    return lines


def _shower(user, model, field: str, reference, names: dict):
    """How one column's kept values are shown."""
    kind = column_mask(model, field) if model is not None else None
    column_type = _type_of(model, field)
    enum_class = getattr(column_type, "enum_class", None)
    column = model.__table__.c.get(field) if model is not None else None
    # A list of choices kept as their values ("talk,home_visit"): shown by their labels.
    listed = column.info.get("members") if column is not None else None

    def show(value) -> str:
        if value is None or value == "":
            return "—"
        if listed is not None and isinstance(value, str):
            return "、".join(str(m.label) for m in listed if m.value in value.split(","))
        if reference is not None:
            return names.get((reference[1], value)) or gettext("No. %(id)s", id=value)
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if enum_class is not None and value in enum_class.__members__:
            return str(enum_class[value].label)
        if isinstance(value, str) and column_type is not None:
            if isinstance(column_type, Moment):
                return show_datetime(datetime.fromisoformat(value))
            if isinstance(column_type, DateTime):  # a wall-clock time (an activity's start)
                return show_datetime(datetime.fromisoformat(value))
            if isinstance(column_type, Date):
                return show_date(date.fromisoformat(value))
            if isinstance(column_type, Time):
                return value[:5]
        return str(shown(user, kind, open_text(value) if isinstance(value, str) else value))

    return show


def _type_of(model, field: str):
    column = getattr(getattr(model, "__table__", None), "c", {}).get(field)
    return column.type if column is not None else None


def _model_for(table_name: str):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is not None and mapper.local_table.name == table_name:
            return mapper.class_
    return None


def changes_since(table_name: str, record_id: int | None, version: int | None) -> list[str]:
    """What others changed in a record after `version`, one line per save, for the
    message shown when an edit is refused as stale."""
    if record_id is None:
        return []
    query = select(AuditEntry).where(AuditEntry.table_name == table_name,
                                     AuditEntry.record_id == record_id,
                                     AuditEntry.action.in_([AuditAction.UPDATE,
                                                            AuditAction.ARCHIVE]))
    if version is not None:
        query = query.where(AuditEntry.version > version)
    entries = list(db.session.scalars(query.order_by(AuditEntry.at)))
    names = related_names(entries, current_user)
    lines = []
    for entry in entries:
        changes = "; ".join(describe_changes(entry, current_user, names))
        lines.append(gettext("%(who)s at %(when)s: %(changes)s", who=entry.username,
                             when=show_datetime(entry.at), changes=changes))
    return lines
