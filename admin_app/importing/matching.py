"""Matching a batch of rows with the children already kept (by ID number, through its blind
index, else by name and birth date within the Home), duplicates within the file, and what
each row would change — its guardian and parents included."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app import access
from admin_app.importing.columns import FIELD_BY_KEY
from admin_app.importing.rows import (
    CHILD_FIELDS,
    ERROR,
    NEEDED_FOR_NEW,
    PARENT_KEYS,
    PARENTS,
    UNCHANGED,
    UPDATED,
    RowPlan,
)
from models import Assistance, Child, Guardian, Home, ParentContact
from models.enums import GuardianRelation
from models.sealed import blind_index


class _Matcher:
    """Each row's child in the records, if any; duplicates within the file; then what would
    change. Rows come a batch at a time, so only one batch of kept children (and of cells)
    is in memory at once."""

    def __init__(self, session: Session, user) -> None:
        self.session = session
        self.visible = {home_id: name for home_id, name in session.execute(
            access.scoped(select(Home.id, Home.name), Home, user))}
        self.seen: dict[object, int] = {}  # ID number or (Home, name, birth date) → row
        self.guardians = _GuardianBook(session)

    def match(self, rows: list[RowPlan], labels, columns) -> list[RowPlan]:
        """`labels` and `columns`: the header of the rows' sheet."""
        batch = [row for row in rows if row.home is not None and row.values.get("name")
                 and row.outcome != ERROR]
        by_number, by_name = _kept_children(self.session, batch)
        self.guardians.load(batch)
        for row in batch:
            _match_row(row, self.seen, by_number, by_name, self.visible, self.guardians,
                       labels, columns)
            if row.child is not None:
                row.child_id, row.version = row.child.id, row.child.version
            row.child = None  # the snapshot is not needed past the comparison
        for row in rows:
            if row.outcome in (UNCHANGED, ERROR):  # nothing to save
                row.values.pop("guardian", None)
            if row.outcome != ERROR:
                row.cells = None  # only refused rows go back to the user as they were
            if row.outcome == UNCHANGED:
                row.values = {"name": row.values.get("name")}
        self.guardians.forget()
        return rows


class Kept(SimpleNamespace):
    """What the records hold for a child (its guardian and parents too), read as plain
    values for the comparison: no ORM objects for rows that change nothing."""


_GUARDIAN_COLUMNS = (Guardian.id, Guardian.name, Guardian.phone, Guardian.relation,
                     Guardian.birth_year, Guardian.health)


def _kept_children(session: Session, batch: list[RowPlan]):
    numbers = {row.values["id_number"] for row in batch if row.values.get("id_number")}
    names = {row.values["name"] for row in batch}
    home_ids = {row.home.id for row in batch}
    columns = (Child.id, Child.version, Child.home_id,
               *(getattr(Child, key) for key in CHILD_FIELDS), *_GUARDIAN_COLUMNS)
    query = select(*columns).outerjoin(Guardian, Guardian.id == Child.guardian_id)
    found: dict[int, Kept] = {}
    conditions = [Child.name.in_(names)]
    if numbers:
        conditions.append(Child.id_number_hash.in_({blind_index(n) for n in numbers}))
    for condition in conditions:
        for values in session.execute(query.where(condition)):
            if values[0] in found:
                continue
            child = Kept(**dict(zip(("id", "version", "home_id", *CHILD_FIELDS), values,
                                    strict=False)), parents=[], guardian=None)
            guardian = values[3 + len(CHILD_FIELDS):]
            if guardian[0] is not None:
                child.guardian = Kept(**dict(zip(("id", "name", "phone", "relation",
                                                  "birth_year", "health"), guardian,
                                                 strict=True)))
            found[child.id] = child
    if found:
        parents = select(ParentContact.child_id, ParentContact.relation,
                         *(getattr(ParentContact, key) for key in PARENT_KEYS)).where(
            ParentContact.child_id.in_(found)).order_by(ParentContact.id)
        for child_id, relation, *kept in session.execute(parents):
            found[child_id].parents.append(Kept(relation=relation,
                                                **dict(zip(PARENT_KEYS, kept, strict=True))))
        for child in found.values():
            child.assistance = set()
        for child_id, kind in session.execute(select(Assistance.child_id, Assistance.kind)
                                              .where(Assistance.child_id.in_(found))):
            found[child_id].assistance.add(kind)
    by_number: dict[str, Kept] = {}
    by_name: dict[tuple[int, str, date], list[Kept]] = {}
    for child in found.values():
        if child.id_number in numbers:
            by_number[child.id_number] = child
        # By name alone (its index), the Home checked here: with the Home in the query,
        # the database may walk a large Home's index through all its children per batch.
        if child.name in names and child.home_id in home_ids:
            by_name.setdefault((child.home_id, child.name, child.birth_date), []).append(child)
    return by_number, by_name


def _match_row(row: RowPlan, seen, by_number, by_name, visible, guardians, labels,
               columns) -> None:
    values = row.values
    id_label = labels.get(columns.get("id_number"), "")
    number = values.get("id_number")
    key = (row.home.id, values["name"], values.get("birth_date"))
    first = seen.get(number) if number else None
    if first is None and values.get("birth_date") and not number:
        first = seen.get(key)
    if first is not None:
        row.fail(id_label if number else labels[columns["name"]],
                 _l("The same child as row %(row)s of this file.", row=first))
        return
    if number:
        seen[number] = row.number
    if values.get("birth_date"):
        seen.setdefault(key, row.number)
    child = by_number.get(number) if number else None
    if child is not None and child.home_id != row.home.id:
        if child.home_id in visible:
            row.fail(id_label, _l("This ID number belongs to a child of another Children's "
                                  "Home (%(home)s); move the child there first.",
                                  home=visible[child.home_id]))
        else:
            row.fail(id_label, _l("This ID number is already registered with another "
                                  "Children's Home; ask the county office to check it."))
        return
    if child is None and values.get("birth_date"):
        namesakes = [c for c in by_name.get(key, [])
                     if not (number and c.id_number and c.id_number != number)]
        if len(namesakes) > 1:
            row.fail(labels[columns["name"]], _l(
                "More than one child of this name and birth date is in the records; add "
                "the resident ID number to say which one."))
            return
        child = namesakes[0] if namesakes else None
    row.child = child
    if child is None:
        _check_new(row, columns, labels)
        if row.outcome != ERROR:
            guardians.changes(row)
    else:
        row.changes = _child_changes(child, values)
        row.changes += guardians.changes(row)
        row.changes += _parent_changes(child, values)
        if values.get("assistance") and values["assistance"] - child.assistance:
            row.changes.append(_label("assistance"))
        row.outcome = UPDATED if row.changes else UNCHANGED
    _check_parents(row, labels, columns)


def _check_new(row: RowPlan, columns, labels) -> None:
    for key in NEEDED_FOR_NEW:
        if row.values.get(key) is None:
            column = labels.get(columns.get(key), str(FIELD_BY_KEY[key].label))
            row.fail(column, _l("A child not yet in the records needs “%(field)s”.",
                                field=FIELD_BY_KEY[key].label))


def _check_parents(row: RowPlan, labels, columns) -> None:
    for prefix, _relation in PARENTS:
        said = parent_values(row.values, prefix)
        if not said.get("name") and said:
            if row.child is None or not any(p.relation is _relation for p in row.child.parents):
                column = labels.get(columns.get(f"{prefix}_name"),
                                    str(FIELD_BY_KEY[f"{prefix}_name"].label))
                row.fail(column, _l("Please give the parent's name with the phone or place "
                                    "of work."))


def _label(key: str) -> str:
    return str(FIELD_BY_KEY[key].label) if key in FIELD_BY_KEY else key


def _child_changes(child: Child, values) -> list[str]:
    """Fields whose cell is filled and differs; an empty cell never clears a value."""
    return [_label(key) for key in CHILD_FIELDS
            if values.get(key) not in (None, "") and getattr(child, key) != values[key]]


def _parent_changes(child: Child, values) -> list[str]:
    changes = []
    for prefix, relation in PARENTS:
        wanted = parent_values(values, prefix)
        if not wanted:
            continue
        parent = next((p for p in child.parents if p.relation is relation), None)
        if parent is None:
            if wanted.get("name"):
                changes.append(_label(f"{prefix}_name"))
            continue
        changes += [_label(f"{prefix}_{key}") for key, value in wanted.items()
                    if getattr(parent, key) != value]
    return changes


def parent_values(values, prefix: str) -> dict[str, Any]:
    return {key: values[f"{prefix}_{key}"] for key in PARENT_KEYS
            if values.get(f"{prefix}_{key}") not in (None, "")}


GUARDIAN_FIELDS = {"relation": "guardian_relation", "phone": "guardian_phone",
                   "birth_year": "guardian_birth_year", "health": "guardian_health"}


class _GuardianBook:
    """Guardians by Home, name and phone, so siblings share one record: those kept already
    (looked up a batch at a time, remembered by id) and those the import will create
    (remembered by their key)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[tuple[int, str, str], int | str] = {}
        self.unsure: dict[tuple[int, str], list[RowPlan]] = {}
        self.unrelated: list[RowPlan] = []  # new guardians whose relation the file omits
        # Guardians known by name and address: the parents their rows gave, and the first.
        self.families: dict[tuple, tuple] = {}
        self.first_of: dict[tuple, RowPlan] = {}
        self.details: dict[int, Kept] = {}  # this batch's kept guardians

    def load(self, batch: list[RowPlan]) -> None:
        wanted = [(row.home.id, row.values["guardian_name"], row.values["guardian_phone"])
                  for row in batch if row.values.get("guardian_name")
                  and row.values.get("guardian_phone")]
        if not wanted:
            return
        homes = {w[0] for w in wanted}
        query = select(Guardian.home_id, *_GUARDIAN_COLUMNS).where(
            Guardian.phone_hash.in_({blind_index(w[2]) for w in wanted}))
        for home_id, *values in self.session.execute(query):
            if home_id in homes:
                kept = Kept(**dict(zip(("id", "name", "phone", "relation", "birth_year",
                                        "health"), values, strict=True)))
                self.known.setdefault((home_id, kept.name, kept.phone), kept.id)
                self.details[kept.id] = kept

    def _without_phone(self, row: RowPlan, name: str) -> str:
        """Siblings' guardian known without a phone: the same name in the Home with the same
        address, or the same parents, is one person; with neither, each row its own guardian,
        and rows naming the same guardian so are reported as a likely duplicate."""
        values = row.values
        parents = (values.get("father_name"), values.get("mother_name"))
        if values.get("address"):
            # One address, one family, unless the rows name other parents (李家村3组 holds
            # more than one 李奶奶): then two guardians, and the user is told.
            family = (row.home.id, name, values["address"])
            known = self.families.setdefault(family, parents)
            if any(mine and theirs and mine != theirs
                   for mine, theirs in zip(parents, known, strict=True)):
                told = self.unsure.setdefault((row.home.id, name), [])
                if self.first_of[family] not in told:
                    told.append(self.first_of[family])
                told.append(row)
                return f"address {values['address']} parents {parents}"
            self.families[family] = tuple(a or b for a, b in zip(known, parents, strict=True))
            self.first_of.setdefault(family, row)
            return f"address {values['address']}"
        if any(parents):
            return f"parents {parents[0] or ''}/{parents[1] or ''}"
        self.unsure.setdefault((row.home.id, name), []).append(row)
        return f"row {row.sheet} {row.number}"

    def likely_duplicates(self) -> list[tuple[str, list[RowPlan]]]:
        """Guardians named alike in a Home with nothing to tell whether they are one."""
        return [(name, rows) for (_home, name), rows in self.unsure.items() if len(rows) > 1]

    def forget(self) -> None:
        self.details.clear()

    def changes(self, row: RowPlan) -> list[str]:
        """What the row changes about the child's guardian; sets row.values["guardian"] to
        the guardian to link: the id of one kept, or the key of a new one."""
        values = row.values
        name = values.get("guardian_name")
        if not name:
            return []
        phone = values.get("guardian_phone")
        current = row.child.guardian if row.child is not None else None
        if current is not None and current.name == name and phone in (None, current.phone):
            values["guardian"] = current.id
            return guardian_changes(current, values)
        key = (row.home.id, name, phone or self._without_phone(row, name))
        if key not in self.known:
            self.known[key] = "new"
        found = self.known[key]
        values["guardian"] = key if found == "new" else found
        if found == "new" and values.get("guardian_relation") is None:
            # The record needs one; 其他 says "not said", and the preview says so.
            values["guardian_relation"] = GuardianRelation.OTHER
            self.unrelated.append(row)
        changes = [_label("guardian_name")] if row.child is not None else []
        if found != "new" and found in self.details:
            changes += guardian_changes(self.details[found], values)
        return changes


def guardian_changes(guardian, values) -> list[str]:
    return [_label(key) for attr, key in GUARDIAN_FIELDS.items()
            if values.get(key) not in (None, "") and getattr(guardian, attr) != values[key]]


