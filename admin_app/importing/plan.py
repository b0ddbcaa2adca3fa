"""From a roster's rows to what an import would do, and doing it.

`plan_import` reads every row into our values with the same rules as the forms
(models.validators), matches each child with the records already kept (by ID number, else by
name and birth date within the Home) and says for each row: new, updated, unchanged, or its
errors. It writes nothing. `apply_plan` then saves the rows in one transaction through the
ORM, so the audit trail and the version check see every change as they see a form's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app import access
from admin_app.importing import words
from admin_app.importing.columns import (
    FIELD_BY_KEY,
    IGNORE,
    Header,
    apply_mapping,
    duplicate_keys,
    find_header,
    normal,
)
from admin_app.importing.reading import Sheet
from models import Child, Guardian, Home, ParentContact
from models import validators as rules
from models.enums import (
    FamilySituation,
    Gender,
    GuardianRelation,
    LeftBehindType,
    LivingArrangement,
    ParentRelation,
)
from models.sealed import blind_index
from models.validators import InvalidValue

BATCH = 1000
NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"

# Child columns an import sets, with the longest text each takes.
CHILD_TEXT = {"school": 100, "grade": 20, "class_name": 20, "class_teacher": 50,
              "address": 200, "health": 2000}
CHILD_FIELDS = ("name", "gender", "birth_date", "id_number", "school", "grade", "class_name",
                "class_teacher", "class_teacher_phone", "address", "left_behind_type",
                "living_arrangement", "boarding", "family_situation", "key_target", "health",
                "entered_on")
NEEDED_FOR_NEW = ("gender", "birth_date", "left_behind_type", "living_arrangement")
PARENTS = (("father", ParentRelation.FATHER), ("mother", ParentRelation.MOTHER))
PARENT_TEXT = {"work_city": 50}


@dataclass(slots=True)
class RowPlan:
    sheet: str
    number: int
    cells: list[Any] | None  # as read; kept for refused rows only (the rows to correct)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    outcome: str = NEW
    child: Child | None = None  # the kept child, held only while the row would update it
    child_id: int | None = None
    version: int | None = None
    home: Home | None = None
    changes: list[str] = field(default_factory=list)  # labels of the changed fields

    def fail(self, column: str, message) -> None:
        self.errors.append((column, str(message)))
        self.outcome = ERROR


@dataclass
class Plan:
    filename: str
    sheet: str = ""
    header: Header | None = None
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file
    notes: list[str] = field(default_factory=list)  # said once, not an error

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in (NEW, UPDATED, UNCHANGED, ERROR)}

    @property
    def unmatched(self) -> list[str]:
        return self.header.unmatched if self.header else []

    @property
    def ready(self) -> bool:
        """Whether the file can be imported at all (its rows may still have errors)."""
        return not self.problems and not self.unmatched

    def ignore_unmatched(self) -> None:
        """Set aside the columns that were not recognised (the command line's choice)."""
        if self.header is not None:
            self.header.keys = [IGNORE if key is None else key for key in self.header.keys]

    @property
    def fingerprint(self) -> str:
        """What the preview showed, so a commit can tell that records changed since."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(f"{row.number}:{row.outcome}:{row.child_id}:{row.version};".encode())
        return digest.hexdigest()[:32]


def _column_of(header: Header) -> dict[str, int]:
    return {key: col for col, key in enumerate(header.keys) if key}


def plan_import(session: Session, sheets: list[Sheet], filename: str, user, home: Home | None,
                mapping: dict[str, str] | None = None, today: date | None = None) -> Plan:
    today = today or date.today()
    plan = Plan(filename=filename)
    for sheet in sheets:
        header = find_header(sheet)
        if header is not None:
            break
    else:
        plan.problems.append(gettext(
            "No header row was found: the first rows of the sheet need a column named 姓名 "
            "and the other columns of the roster (download the template to see them)."))
        return plan
    apply_mapping(header, mapping or {})
    plan.sheet, plan.header = sheet.name, header
    for key in duplicate_keys(header):
        plan.problems.append(gettext("Two columns are read as “%(field)s”; keep one of them.",
                                     field=FIELD_BY_KEY[key].label))
    columns = _column_of(header)
    if home is None and "home" not in columns:
        plan.problems.append(gettext(
            "Choose the Children's Home to import into, or add a column 儿童之家 naming it."))
    if plan.problems:
        return plan
    missing = [key for key in NEEDED_FOR_NEW if key not in columns
               and not (key in ("gender", "birth_date") and "id_number" in columns)]
    if missing:
        plan.notes.append(gettext(
            "The file has no column for %(fields)s; children not yet in the records cannot be "
            "added without it.", fields="、".join(str(FIELD_BY_KEY[k].label) for k in missing)))
    homes = _homes(session, user)
    labels = {col: text for col, text in enumerate(header.texts)}
    matcher = _Matcher(session, user, labels, columns)
    batch: list[RowPlan] = []
    skipped = 0
    for number, cells in sheet.rows_after(header.data_from):
        if _is_footer(cells, columns["name"]):
            # A footer such as “填表人：… 联系电话：…” or a total line, not a child.
            skipped += 1
            if skipped <= 20:
                plan.notes.append(gettext(
                    "Row %(row)s has no name and was skipped: %(text)s", row=number,
                    text=" ".join(str(c) for c in cells if c is not None)[:60]))
            continue
        row = RowPlan(sheet.name, number, cells)
        _read_row(row, cells, columns, labels, today)
        _place_row(row, home, homes, columns, labels)
        batch.append(row)
        if len(batch) == BATCH:
            plan.rows += matcher.match(batch)
            batch = []
    plan.rows += matcher.match(batch)
    return plan


def _is_footer(cells: list, name_column: int) -> bool:
    no_name = len(cells) <= name_column or cells[name_column] is None
    return no_name and sum(1 for cell in cells if cell is not None) <= 2


def _homes(session: Session, user) -> dict[str, Home]:
    query = access.scoped(select(Home), Home, user)
    return {normal(h.name): h for h in session.scalars(query)}


def _place_row(row: RowPlan, home: Home | None, homes: dict[str, Home], columns, labels):
    named = row.values.pop("home", "")
    column = labels.get(columns.get("home"), "")
    if home is not None:
        if named and normal(named) != normal(home.name):
            row.fail(column, _l("This row names another Children's Home (%(named)s) than the "
                                "one you are importing into (%(home)s).",
                                named=named, home=home.name))
        row.home = home
    elif not named:
        row.fail(column, _l("Please give the Children's Home."))
    else:
        row.home = homes.get(normal(named))
        if row.home is None:
            row.fail(column, _l("“%(named)s” is not a Children's Home you may import into.",
                                named=named))


# How each field's cell is read; each raises InvalidValue with a message.
def _reader(key: str, today: date):
    if key == "name":
        return lambda value: rules.clean_name(None if value is None else str(value))
    if key in ("guardian_name", "father_name", "mother_name"):
        return lambda value: rules.clean_name(str(value)) if value is not None else None
    if key in ("birth_date", "entered_on"):
        return words.a_date
    if key == "id_number":
        return lambda value: None if words.masked(value) else words.id_number(value)
    if key.endswith("phone"):
        return lambda value: None if words.masked(value) else words.phone(value)
    categories = {"gender": Gender, "left_behind_type": LeftBehindType,
                  "living_arrangement": LivingArrangement, "family_situation": FamilySituation,
                  "guardian_relation": GuardianRelation}
    if key in categories:
        return lambda value, kind=categories[key]: words.category(kind, value)
    if key in ("boarding", "key_target"):
        return words.yes_no
    if key == "class_teacher_both":
        return words.teacher_and_phone
    if key == "guardian_age":
        return lambda value: (None if value is None
                              else today.year - words.whole_number(value, 14, 110))
    limits = {**CHILD_TEXT, "guardian_health": 100, "home": 100,
              "father_work_city": 50, "mother_work_city": 50}
    return lambda value, limit=limits[key]: words.text(value, limit)


def _read_row(row: RowPlan, cells, columns, labels, today: date) -> None:
    values = row.values
    for key, col in columns.items():
        if key == IGNORE:
            continue
        value = cells[col] if col < len(cells) else None
        try:
            values[key] = _reader(key, today)(value)
        except InvalidValue as error:
            row.fail(labels[col], error.message)
    if isinstance(values.get("class_teacher_both"), tuple):
        teacher, phone = values.pop("class_teacher_both")
        values.setdefault("class_teacher", teacher)
        if phone and not values.get("class_teacher_phone"):
            values["class_teacher_phone"] = phone
    values.pop("class_teacher_both", None)
    if "guardian_age" in values:
        values["guardian_birth_year"] = values.pop("guardian_age")
    _dates(row, columns, labels, today)


def _dates(row: RowPlan, columns, labels, today: date) -> None:
    values = row.values
    birth, month_only = values.pop("birth_date", (None, False))
    entered, _ = values.pop("entered_on", (None, False))
    number = values.get("id_number")
    birth_label = labels.get(columns.get("birth_date"), str(FIELD_BY_KEY["birth_date"].label))
    if number:
        from_id = rules.id_number_birth_date(number)
        if birth is None or (month_only and (birth.year, birth.month) ==
                             (from_id.year, from_id.month)):
            birth = from_id
        elif birth != from_id:
            row.fail(birth_label, _l("The birth date in the resident ID number does not match "
                                     "the birth date."))
        if values.get("gender") is None:
            values["gender"] = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    elif month_only:
        row.fail(birth_label, _l("Only the year and month of birth are given; add the day or "
                                 "the resident ID number."))
    try:
        rules.check_not_future(birth, today)
    except InvalidValue as error:
        row.fail(birth_label, error.message)
    entered_label = labels.get(columns.get("entered_on"), str(FIELD_BY_KEY["entered_on"].label))
    try:
        rules.check_not_future(entered, today)
        if birth is not None and entered is not None:
            rules.check_age_on_entering_care(birth, entered)
    except InvalidValue as error:
        row.fail(entered_label, error.message)
    if birth is not None:
        values["birth_date"] = birth
    if entered is not None:
        values["entered_on"] = entered


class _Matcher:
    """Each row's child in the records, if any; duplicates within the file; then what would
    change. Rows come a batch at a time, so only one batch of kept children (and of cells)
    is in memory at once."""

    def __init__(self, session: Session, user, labels, columns) -> None:
        self.session, self.labels, self.columns = session, labels, columns
        self.visible = {home_id: name for home_id, name in session.execute(
            access.scoped(select(Home.id, Home.name), Home, user))}
        self.seen: dict[object, int] = {}  # ID number or (Home, name, birth date) → row
        self.guardians = _GuardianBook(session)

    def match(self, rows: list[RowPlan]) -> list[RowPlan]:
        batch = [row for row in rows if row.home is not None and row.values.get("name")
                 and row.outcome != ERROR]
        by_number, by_name = _kept_children(self.session, batch)
        self.guardians.load(batch)
        for row in batch:
            _match_row(row, self.seen, by_number, by_name, self.visible, self.guardians,
                       self.labels, self.columns)
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
        parents = select(ParentContact.child_id, ParentContact.relation, ParentContact.name,
                         ParentContact.phone, ParentContact.work_city).where(
            ParentContact.child_id.in_(found)).order_by(ParentContact.id)
        for child_id, relation, name, phone, work_city in session.execute(parents):
            found[child_id].parents.append(Kept(relation=relation, name=name, phone=phone,
                                                work_city=work_city))
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
        if not row.values.get(f"{prefix}_name") and (
                row.values.get(f"{prefix}_phone") or row.values.get(f"{prefix}_work_city")):
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
    return {key: values[f"{prefix}_{key}"] for key in ("name", "phone", "work_city")
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
        key = (row.home.id, name, phone or f"row {row.number}")
        if phone is None or key not in self.known:
            self.known[key] = "new"
        found = self.known[key]
        values["guardian"] = key if found == "new" else found
        if found == "new" and values.get("guardian_relation") is None:
            values["guardian_relation"] = GuardianRelation.OTHER
        changes = [_label("guardian_name")] if row.child is not None else []
        if found != "new" and found in self.details:
            changes += guardian_changes(self.details[found], values)
        return changes


def guardian_changes(guardian, values) -> list[str]:
    return [_label(key) for attr, key in GUARDIAN_FIELDS.items()
            if values.get(key) not in (None, "") and getattr(guardian, attr) != values[key]]


def error_rows(plan: Plan) -> Iterable[RowPlan]:
    return (row for row in plan.rows if row.outcome == ERROR)
