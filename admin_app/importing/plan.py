"""From a roster's rows to what an import would do.

`plan_import` finds the header, reads every row into our values with the same rules as the
forms (models.validators), places it in its Home, and has `matching` say for each row: new,
updated, unchanged, or its errors. It writes nothing; `saving.apply_plan` saves a plan.
"""

from __future__ import annotations

from datetime import date

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
from admin_app.importing.matching import _Matcher
from admin_app.importing.reading import Sheet
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
    LeftBehindType,
    LivingArrangement,
)
from models.validators import InvalidValue


def _column_of(header: Header) -> dict[str, int]:
    return {key: col for col, key in enumerate(header.keys) if key}


def plan_import(session: Session, sheets: list[Sheet], filename: str, user, home: Home | None,
                mapping: dict[str, str] | None = None, today: date | None = None) -> Plan:
    today = today or local_today()
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


