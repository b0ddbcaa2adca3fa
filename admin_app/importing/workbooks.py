"""The workbooks around an import: the empty template with drop-down lists and a sheet of
instructions, and the workbook of refused rows that staff correct and upload again."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext

from admin_app.importing.columns import FIELD_BY_KEY
from admin_app.importing.rows import Plan, error_rows
from admin_app.xlsx import Column, Workbook
from models.enums import (
    FamilySituation,
    Gender,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
)

TEMPLATE_ROWS = 2000  # how far down the drop-down lists reach
# The template's columns: field, kind, width.
TEMPLATE_COLUMNS = (
    ("name", "text", 10), ("gender", "text", 6), ("birth_date", "date", 12),
    ("id_number", "code", 21), ("school", "text", 16), ("grade", "text", 8),
    ("class_name", "text", 8), ("class_teacher", "text", 10),
    ("class_teacher_phone", "code", 14), ("left_behind_type", "text", 12),
    ("living_arrangement", "text", 18), ("boarding", "text", 6),
    ("family_situation", "text", 12), ("guardianship", "text", 14), ("key_target", "text", 8),
    ("health", "text", 16),
    ("address", "text", 24), ("entered_on", "date", 12), ("guardian_name", "text", 10),
    ("guardian_relation", "text", 10), ("guardian_phone", "code", 14),
    ("guardian_age", "int", 8), ("guardian_health", "text", 12),
    ("father_name", "text", 10), ("father_phone", "code", 14),
    ("father_work_city", "text", 12), ("mother_name", "text", 10),
    ("mother_phone", "code", 14), ("mother_work_city", "text", 12),
    ("home", "text", 22),
)
CHOICES = {"gender": Gender, "left_behind_type": LeftBehindType,
           "living_arrangement": LivingArrangement, "family_situation": FamilySituation,
           "guardian_relation": GuardianRelation, "guardianship": Guardianship}


def template_workbook() -> Workbook:
    title = gettext("Roster of left-behind children (template)")
    book = Workbook(title=title)
    columns = [Column(str(FIELD_BY_KEY[key].label), kind, width)
               for key, kind, width in TEMPLATE_COLUMNS]
    sheet_name = gettext("Roster")
    book.table(sheet_name, title, columns, [])
    sheet = book.book.get_worksheet_by_name(sheet_name)
    yes_no = [gettext("Yes"), gettext("No")]
    for col, (key, kind, _width) in enumerate(TEMPLATE_COLUMNS):
        first, last = 2, TEMPLATE_ROWS
        choices = ([str(m.label) for m in CHOICES[key]] if key in CHOICES
                   else yes_no if key in ("boarding", "key_target") else None)
        if choices:
            sheet.data_validation(first, col, last, col, {
                "validate": "list", "source": choices,
                "error_title": str(FIELD_BY_KEY[key].label),
                "error_message": gettext("Please pick one of the list."),
            })
        elif kind == "date":
            sheet.data_validation(first, col, last, col, {
                "validate": "date", "criteria": ">=", "value": date(1990, 1, 1),
                "error_message": gettext("Please enter a date such as 2015-03-12."),
            })
        if kind in ("code", "date"):
            sheet.set_column(col, col, _width, book.formats[kind])
    notes = book.sheet(gettext("Instructions"), landscape=False)
    notes.set_column(0, 0, 100)
    lines = [
        gettext("How to fill in the roster"),
        gettext("1. One row per child, below the header row; keep the header row as it is. "
                "Title rows above it are fine."),
        gettext("2. Name, left-behind type and living arrangement are needed for a child not "
                "yet in the records; gender and birth date too, unless the resident ID number "
                "is given (they are read from it)."),
        gettext("3. Type ID numbers and phones as text (the columns are already formatted as "
                "text). Excel keeps only 15 digits of a number, which loses the end of an ID "
                "number."),
        gettext("4. Dates may be written 2015-03-12, 2015/3/12, 2015.3.12 or 2015年3月12日."),
        gettext("5. Pick the categories from the drop-down lists; common wordings such as "
                "随祖辈 or 父母均外出 are understood too, and an unknown word is reported."),
        gettext("6. Brothers and sisters with the same guardian (same name and phone) share "
                "one guardian record."),
        gettext("7. A child already in the records (same ID number, or same name and birth "
                "date in the Home) is updated; empty cells never erase what is kept."),
        gettext("8. Nothing is saved before you have seen the preview and confirmed it."),
        gettext("9. Leave 儿童之家 empty when you choose the Home on the import page."),
    ]
    for row, line in enumerate(lines):
        book.write_text(notes, row, 0, line,
                        book.formats["title"] if row == 0 else book.formats["wrap"])
    return book


def errors_workbook(plan: Plan) -> Workbook:
    """The refused rows as they were, with a column saying what is wrong, to correct and
    upload again: one sheet for each sheet of the file read, under its own header."""
    title = gettext("Rows to correct: %(file)s", file=plan.filename)
    book = Workbook(title=title)
    sheets = plan.headers or [(plan.sheet, plan.header)]
    for name, header in sheets:
        texts = header.texts if header else []
        columns = [Column(gettext("Row"), "int", 6),
                   Column(gettext("What is wrong"), "text", 40)]
        columns += [Column(text or "—", "text", 14) for text in texts]

        def rows(name=name, texts=texts):
            for row in error_rows(plan):
                if len(sheets) > 1 and row.sheet != name:
                    continue
                cells = [_as_text(value) for value in row.cells[:len(texts)]]
                cells += [None] * (len(texts) - len(cells))
                problems = "；".join(f"{column}：{message}" if column else message
                                    for column, message in row.errors)
                yield (row.number, problems, *cells)

        sheet_name = gettext("Rows to correct") if len(sheets) == 1 else name[:31]
        book.table(sheet_name, title, columns, rows())
    return book


def _as_text(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value
