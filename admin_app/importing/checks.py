"""The row against itself and against the whole file: its birth date and gender against
its ID number, the age limit of care, the MCA survey's yes/no columns, and ID numbers that
Excel cut (refused only where the column shows other signs of Excel). What is learnt of the
whole file is said, or acted on, when it has been read (`Checks.finish`)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from admin_app.importing import words
from admin_app.importing.columns import FIELD_BY_KEY
from admin_app.importing.reading import Sheet
from admin_app.importing.rows import ERROR, Plan, RowPlan
from models import validators as rules
from models.enums import Gender, LeftBehindType
from models.grades import school_stage
from models.validators import InvalidValue


def left_behind_from_the_survey(row: RowPlan, columns, labels) -> None:
    """The MCA survey's 父母双方同时外出 and 父母一方外出、另一方无监护能力 (是/否) say the
    left-behind type; a row whose answers contradict each other or its own type is refused."""
    values = row.values
    both = values.pop("both_parents_away", None)
    one = values.pop("one_away_other_unable", None)
    if not (both or one):
        return
    column = labels.get(columns.get("both_parents_away" if both else "one_away_other_unable"))
    said = LeftBehindType.BOTH_PARENTS if both else LeftBehindType.ONE_PARENT
    if both and one:
        row.fail(column, _l("Both parents cannot be away and only one away at once; answer 是 "
                            "in one of the two columns."))
    elif values.get("left_behind_type") not in (None, said):
        row.fail(column, _l("This answer says %(said)s, but the left-behind type says "
                            "%(type)s.", said=said.label, type=values["left_behind_type"].label))
    else:
        values["left_behind_type"] = said


def stage_from_the_grade(row: RowPlan, columns, labels, checks: Checks) -> None:
    """就学情况 may say the stage (小学, 初中 …): it must agree with the grade, from which the
    stage is counted; a stage without a grade is said once for the file."""
    said = row.values.get("schooling")
    if not isinstance(said, tuple):
        return
    row.values["schooling"], stage = said
    if stage is None:
        return
    by_grade = school_stage(row.values.get("grade"), row.values.get("school"))
    if by_grade is None:
        checks.stage_without_grade.append(row)
    elif by_grade is not None and by_grade is not stage:
        row.fail(labels.get(columns.get("schooling"), ""), _l(
            "The schooling says %(said)s, but the grade is in %(stage)s; check both.",
            said=stage.label, stage=by_grade.label))


def parents_numbers(row: RowPlan, columns, labels) -> None:
    """A father's ID number says a man (its 17th digit odd), a mother's a woman; neither is
    the child's own number."""
    for prefix, gender in (("father", Gender.MALE), ("mother", Gender.FEMALE)):
        number = row.values.get(f"{prefix}_id_number")
        if not number:
            continue
        column = labels.get(columns.get(f"{prefix}_id_number"), "")
        if number == row.values.get("id_number"):
            row.fail(column, _l("This is the child's own resident ID number."))
        elif (Gender.MALE if int(number[16]) % 2 else Gender.FEMALE) is not gender:
            row.fail(column, _l("The 17th digit of this resident ID number says %(gender)s; "
                                "check it is the right parent's.",
                                gender=(Gender.FEMALE if gender is Gender.MALE
                                        else Gender.MALE).label))


def dates(row: RowPlan, columns, labels, checks: Checks, unread_birth) -> None:
    """The birth date against the ID number (its date, its gender digit) and the age limit."""
    values, today = row.values, checks.today
    birth, month_only = values.pop("birth_date", (None, False))
    entered, entered_month = values.pop("entered_on", (None, False))
    number = values.get("id_number")
    birth_label = labels.get(columns.get("birth_date"), str(FIELD_BY_KEY["birth_date"].label))
    if number:
        from_id = rules.id_number_birth_date(number)
        if unread_birth is not None:
            birth = from_id
            checks.born_from_id.append(row)
        elif birth is None or (month_only and (birth.year, birth.month) ==
                               (from_id.year, from_id.month)):
            birth = from_id
        elif month_only is words.OCTOBER_OR_JANUARY and (birth.year, from_id.month) in (
                (from_id.year, 1), (from_id.year, 10)):
            birth = from_id
        elif birth != from_id:
            row.fail(birth_label, _l("The birth date in the resident ID number does not match "
                                     "the birth date."))
        by_id = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
        if values.get("gender") is None:
            values["gender"] = by_id
        elif values["gender"] is not by_id:
            row.fail(labels.get(columns.get("gender"), ""), _l(
                "The gender does not match the resident ID number, whose 17th digit says "
                "%(gender)s; check both.", gender=by_id.label))
    elif unread_birth is not None:
        row.fail(*unread_birth)
    elif month_only is words.OCTOBER_OR_JANUARY:
        row.fail(birth_label, _october_or_january(birth.year))
    elif month_only:
        row.fail(birth_label, _l("Only the year and month of birth are given; add the day or "
                                 "the resident ID number."))
    try:
        rules.check_not_future(birth, today)
    except InvalidValue as error:
        row.fail(birth_label, error.message)
    if birth is not None and birth <= today:
        age = rules.age_on(birth, today)
        if age >= rules.CARE_AGE_LIMIT:
            row.fail(birth_label, _l(
                "This child is %(age)s years old: children leave care when they turn 18, so "
                "the row is not imported as a child in care.", age=age))
        elif age >= MCA_AGE_LIMIT:
            checks.older.append(row)
    entered_label = labels.get(columns.get("entered_on"), str(FIELD_BY_KEY["entered_on"].label))
    if entered_month is words.OCTOBER_OR_JANUARY:
        row.fail(entered_label, _october_or_january(entered.year))
        entered = None
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


def _october_or_january(year: int):
    return _l("%(year)s.1 may be January or October: Excel keeps 2014.10 typed as a number as "
              "2014.1. Write the date in full (2014-10-05), or give the resident ID number.",
              year=year)


# The MCA's 2016 survey counts children under 16; the program keeps them until 18.
MCA_AGE_LIMIT = 16
SHOWN_ROWS = 20


class Checks:
    """What is learnt about the rows of the whole file, said or acted on at its end: rows
    whose birth date came from the ID number, children of 16 or 17, and ID numbers ending in
    000 in a column that shows other signs of Excel (refused only then, as a genuine number
    may end so)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.born_from_id: list[RowPlan] = []
        self.older: list[RowPlan] = []
        self.signs: list[_ExcelSigns] = []
        self.stage_without_grade: list[RowPlan] = []

    def sheet(self, sheet: Sheet, columns, labels) -> _ExcelSigns:
        signs = _ExcelSigns(sheet, columns.get("id_number"), labels)
        self.signs.append(signs)
        return signs

    def finish(self, plan: Plan) -> None:
        for signs in self.signs:
            signs.refuse(plan)
        if self.stage_without_grade:
            plan.notes.append(gettext(
                "%(rows)s say the school stage but give no grade it can be read from: the "
                "stage is counted from the grade, so correct the grade on the archive card.",
                rows=rows_named(plan, self.stage_without_grade)))
        if self.born_from_id:
            plan.notes.append(gettext(
                "The birth date could not be read in %(rows)s; the date in the resident ID "
                "number was used.", rows=rows_named(plan, self.born_from_id)))
        older = [row for row in self.older if row.outcome != ERROR]
        if older:
            plan.notes.append(gettext(
                "%(n)s children are 16 or 17 (%(rows)s): the MCA's 2016 survey counts "
                "left-behind children under 16, this program keeps them in care until 18.",
                n=len(older), rows=rows_named(plan, older)))


def rows_named(plan: Plan, rows: list[RowPlan]) -> str:
    shown = "、".join(plan.where(row.sheet, row.number) for row in rows[:SHOWN_ROWS])
    return shown + ("……" if len(rows) > SHOWN_ROWS else "")


# One genuine ID number in about 1,100 ends in 000 (its sequence x00 and check digit 0);
# Excel leaves every number it kept so. Past this share of a column, the 000s are Excel's.
NATURAL_ZEROS = 0.01


class _ExcelSigns:
    """One sheet's ID number column: whether it shows signs of Excel, and its numbers ending
    in 000 with the cells of their rows (to give back if refused). Signs: a cell stored as a
    number or in scientific notation; or more 000s than genuine numbers have (a share of
    NATURAL_ZEROS: in a CSV one such number is enough to count, in a workbook two), so a
    county's clean roster keeps the few genuine numbers ending in 000 that it holds."""

    def __init__(self, sheet: Sheet, column: int | None, labels) -> None:
        self.column, self.label = column, labels.get(column, "")
        self.from_csv = sheet.from_csv
        self.seen = False
        self.numbers = 0
        self.zeros: list[tuple[RowPlan, list, object]] = []

    def look(self, row: RowPlan, cells) -> None:
        if self.column is None or self.column >= len(cells):
            return
        cell = cells[self.column]
        if isinstance(cell, int | float) or (
                isinstance(cell, str) and "e+" in cell.lower()):
            self.seen = True
        number = row.values.get("id_number")
        if number:
            self.numbers += 1
        if words.cut_by_excel(number):
            self.zeros.append((row, list(cells), cell))

    def refuse(self, plan: Plan) -> None:
        many = len(self.zeros) >= (1 if self.from_csv else 2) and \
            len(self.zeros) > NATURAL_ZEROS * self.numbers
        if not (self.seen or many):
            return
        for row, cells, cell in self.zeros:
            row.values.pop("guardian", None)
            row.cells, row.child_id, row.version = cells, None, None
            row.fail(self.label, words.excel_zeros(str(cell)))
