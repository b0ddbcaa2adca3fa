"""From a roster's rows to what an import would do.

`plan_import` finds the header, reads every row into our values with the same rules as the
forms (models.validators), places it in its Home, and has `matching` say for each row: new,
updated, unchanged, or its errors. It writes nothing; `saving.apply_plan` saves a plan.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app import access
from admin_app.importing import words
from admin_app.importing.checks import (
    Checks,
    dates,
    left_behind_from_the_survey,
    parents_numbers,
    rows_named,
    stage_from_the_grade,
)
from admin_app.importing.columns import (
    FIELD_BY_KEY,
    IGNORE,
    Header,
    apply_mapping,
    duplicate_keys,
    find_header,
    normal,
    set_aside_duplicates,
)
from admin_app.importing.matching import _Matcher
from admin_app.importing.reading import BadCell, Sheet
from admin_app.importing.rows import (
    BATCH,
    CHILD_TEXT,
    NEEDED_FOR_NEW,
    Plan,
    RowPlan,
)
from models import Home
from models import validators as rules
from models.base import local_today
from models.enums import (
    FamilySituation,
    Gender,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
)
from models.validators import InvalidValue

SHOWN_SKIPPED = 20


def _column_of(header: Header) -> dict[str, int]:
    return {key: col for col, key in enumerate(header.keys) if key}


def plan_import(session: Session, sheets: list[Sheet], filename: str, user, home: Home | None,
                mapping: dict[str, str] | None = None, today: date | None = None) -> Plan:
    today = today or local_today()
    plan = Plan(filename=filename)
    found: list[tuple[Sheet, Header]] = []
    for sheet in sheets:
        header = find_header(sheet)
        if header is None:
            if sheet.head:  # something on it, but not a roster we can read
                plan.unread_sheets.append(sheet.name)
            continue
        for text, key in set_aside_duplicates(header):
            note = gettext("The column “%(column)s” is read as “%(field)s” as an earlier column "
                           "is; say what it holds, or that it is not imported.",
                           column=text, field=FIELD_BY_KEY[key].label)
            if note not in plan.notes:
                plan.notes.append(note)
        apply_mapping(header, mapping or {})
        found.append((sheet, header))
    if not found:
        plan.problems.append(gettext(
            "No header row was found: the first rows of the sheet need a column named 姓名 "
            "and the other columns of the roster (download the template to see them)."))
        return plan
    plan.read_sheets(found)
    twice = {key for _, header in found for key in duplicate_keys(header)}
    for key in sorted(twice):
        plan.problems.append(gettext("Two columns are read as “%(field)s”; keep one of them.",
                                     field=FIELD_BY_KEY[key].label))
    if home is None and any("home" not in _column_of(header) for _, header in found):
        plan.problems.append(gettext(
            "Choose the Children's Home to import into, or add a column 儿童之家 naming it."))
    if plan.problems:
        return plan
    homes = homes_by_name(session, user)
    matcher = _Matcher(session, user)
    checks = Checks(today)
    for sheet, header in found:
        columns = _column_of(header)
        _note_missing(plan, columns)
        labels = {col: text for col, text in enumerate(header.texts)}
        readers = {key: _reader(key, today) for key in columns if key != IGNORE}
        signs = checks.sheet(sheet, columns, labels)
        batch: list[RowPlan] = []
        skipped = 0
        for number, cells in sheet.rows_after(header.data_from):
            footer = footer_text(cells, columns["name"])
            if footer is not None:
                # A footer such as “填表人：… 联系电话：…”, a total line, not a child.
                skipped += 1
                if skipped <= SHOWN_SKIPPED:
                    plan.notes.append(gettext(
                        "%(where)s is not a child and was skipped: %(text)s",
                        where=plan.where(sheet.name, number), text=footer[:60]))
                continue
            row = RowPlan(sheet.name, number, cells)
            _read_row(row, cells, columns, labels, readers, checks)
            signs.look(row, cells)
            place_row(row, home, homes, columns, labels)
            batch.append(row)
            if len(batch) == BATCH:
                plan.rows += matcher.match(batch, labels, columns)
                batch = []
        plan.rows += matcher.match(batch, labels, columns)
        if skipped > SHOWN_SKIPPED:
            plan.notes.append(gettext(
                "In all, %(n)s lines of the sheet “%(sheet)s” were skipped as not children "
                "(totals, signatures, empty lines); the first %(shown)s are listed above.",
                n=skipped, sheet=sheet.name, shown=SHOWN_SKIPPED))
    checks.finish(plan)
    if matcher.guardians.unrelated:
        plan.notes.append(gettext(
            "The file does not say how %(n)s new guardians are related to the child "
            "(%(rows)s): they are recorded as “其他”; add a column 与儿童关系, or correct them "
            "on the guardian's record.", n=len(matcher.guardians.unrelated),
            rows=rows_named(plan, matcher.guardians.unrelated)))
    for name, rows in matcher.guardians.likely_duplicates():
        plan.notes.append(gettext(
            "%(rows)s name the same guardian (%(name)s) with no phone, address or parents to "
            "tell whether it is one person, so each has a guardian record of its own; if it is "
            "the same person, give the phone and import again.",
            rows=rows_named(plan, rows), name=name))
    return plan


def _note_missing(plan: Plan, columns: dict[str, int]) -> None:
    missing = [key for key in NEEDED_FOR_NEW if key not in columns
               and not (key in ("gender", "birth_date") and "id_number" in columns)]
    if missing:
        note = gettext(
            "The file has no column for %(fields)s; children not yet in the records cannot be "
            "added without it.", fields="、".join(str(FIELD_BY_KEY[k].label) for k in missing))
        if note not in plan.notes:
            plan.notes.append(note)


# Lines that are not children: totals and the form's signature lines.
_TOTAL = re.compile(r".{0,10}(?:小计|合计|总计|共计)[:：]?.{0,12}")
_SIGNED = re.compile(r"(?:填表人|填报人|审核人|复核人|制表人|统计人|单位负责人|填表日期|"
                     r"制表日期|填报日期|联系电话|填报单位)[:：]")
_HOW_MANY = re.compile(r"(?:共计?|合计)?[:：]?\d+人")


_ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")


def footer_text(cells: list, name_column: int) -> str | None:
    """The line's words when it is a total or signature line, or a line with no name and
    almost nothing else; None for a child's row. A row with a name is a footer only if its
    name cell (or a cell before it) says so; a row without one that holds an ID number or a
    date is a child's row with its name missing (refused, never skipped)."""
    said = [str(cell) for cell in cells if cell is not None]
    no_name = len(cells) <= name_column or cells[name_column] is None
    looked_at = cells if no_name else cells[:name_column + 1]
    for col, cell in enumerate(looked_at):
        if not isinstance(cell, str):
            continue
        word = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell))
        if _SIGNED.match(word) or ((no_name or col <= name_column) and (
                _TOTAL.fullmatch(word) or _HOW_MANY.fullmatch(word))):
            return " ".join(said)
    if no_name and len(said) <= 2 and not any(
            isinstance(cell, date) or _ID_LIKE.fullmatch(str(cell).strip())
            for cell in cells if cell is not None):
        return " ".join(said)
    return None


def homes_by_name(session: Session, user) -> dict[str, Home]:
    query = access.scoped(select(Home), Home, user)
    return {normal(h.name): h for h in session.scalars(query)}


def place_row(row: RowPlan, home: Home | None, homes: dict[str, Home], columns, labels):
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
    """How a cell of the field is read, and the words that say there is nothing in it (—, /;
    and 无 in a name, phone or number), read as an empty cell."""
    nothing = (words.NOTHING | words.NONE_WORDS) if key in (
        "name", "guardian_name", "father_name", "mother_name", "id_number",
        "guardian_age") or key.endswith(("phone", "id_number")) else words.NOTHING
    return _reader_of(key, today), nothing


def _reader_of(key: str, today: date):
    if key == "name":
        return lambda value: rules.clean_name(None if value is None else str(value))
    if key in ("guardian_name", "father_name", "mother_name"):
        return lambda value: rules.clean_name(str(value)) if value is not None else None
    if key in ("birth_date", "entered_on"):
        return words.a_date
    if key.endswith("id_number"):
        return lambda value: None if words.masked(value) else words.id_number(value)
    if key.endswith("phone"):
        return lambda value: None if words.masked(value) else words.phone(value)
    categories = {"gender": Gender, "left_behind_type": LeftBehindType,
                  "living_arrangement": LivingArrangement, "family_situation": FamilySituation,
                  "guardian_relation": GuardianRelation, "guardianship": Guardianship}
    if key == "schooling":
        return words.schooling
    if key == "assistance":
        return words.assistance
    if key in categories:
        return lambda value, kind=categories[key]: words.category(kind, value)
    if key in ("boarding", "key_target", "both_parents_away", "one_away_other_unable",
               "hukou_elsewhere", "father_able_to_guard", "mother_able_to_guard"):
        return words.yes_no
    if key == "class_teacher_both":
        return words.teacher_and_phone
    if key == "guardian_age":
        return lambda value: (None if value is None
                              else today.year - words.whole_number(value, 14, 110))
    limits = {**CHILD_TEXT, "guardian_health": 100, "home": 100,
              "father_work_city": 50, "mother_work_city": 50, "father_health": 100,
              "mother_health": 100}
    return lambda value, limit=limits[key]: words.text(value, limit)


def _read_row(row: RowPlan, cells, columns, labels, readers, checks: Checks) -> None:
    values = row.values
    unread_birth = None
    for key, col in columns.items():
        if key == IGNORE:
            continue
        value = cells[col] if col < len(cells) else None
        read, nothing = readers[key]
        if value.__class__ is str:
            if value.strip() in nothing:
                value = None
        elif isinstance(value, BadCell):  # every field refuses it, whatever its reader
            row.fail(labels[col], value.message)
            continue
        try:
            values[key] = read(value)
        except InvalidValue as error:
            if key == "birth_date" and "id_number" in columns:
                unread_birth = (labels[col], error.message)  # the ID number may give it
            else:
                row.fail(labels[col], error.message)
    if isinstance(values.get("class_teacher_both"), tuple):
        teacher, phone = values.pop("class_teacher_both")
        values.setdefault("class_teacher", teacher)
        if phone and not values.get("class_teacher_phone"):
            values["class_teacher_phone"] = phone
    values.pop("class_teacher_both", None)
    if "guardian_age" in values:
        values["guardian_birth_year"] = values.pop("guardian_age")
    left_behind_from_the_survey(row, columns, labels)
    stage_from_the_grade(row, columns, labels, checks)
    parents_numbers(row, columns, labels)
    dates(row, columns, labels, checks, unread_birth)
