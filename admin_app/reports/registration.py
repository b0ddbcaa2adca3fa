"""The MCA registration form of each child (农村留守儿童摸底排查 附件1 农村留守儿童基本情况登记表),
for the children of a list's filter: one printed A4 page per child in the form's own
layout, its boxes ticked from the records.

Places the records do not hold (whether the household is registered, the kind of illness
or disability, the grandparents other than a guardian, the family's income, the entrusted
guardian's ID number) are left blank for the person filling the form in, never guessed; so
is a box whose answer no record says. ID numbers are written in full only in an approved
export and for those who handle them (access.full_ids_in_approved_export); phones are
masked as the user sees them."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from admin_app import access
from admin_app.masking import shown_by
from admin_app.reports.records import _assistance, _stream, first_parent
from admin_app.xlsx import Workbook
from models import Child, Guardian, Home
from models.base import local_today
from models.enums import (
    AssistanceKind,
    ChildStatus,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    ParentRelation,
    Schooling,
    SchoolStage,
)
from models.grades import school_stage
from models.validators import id_number_birth_date

# Excel keeps at most 1,026 manual page breaks on a sheet: a sheet holds this many forms
# and the next ones continue on “登记表 (2)”…
FORMS_A_SHEET = 1000
COLUMNS = 8
TICK, EMPTY = "√", "\u3000"


def registration_query(ids):
    father, joins_father = first_parent(ParentRelation.FATHER)
    mother, joins_mother = first_parent(ParentRelation.MOTHER)
    return (
        select(Child.name, Child.gender, Child.ethnicity, Child.birth_date, Child.id_number,
               Child.hukou_address, Child.address, Child.hukou_elsewhere, Child.boarding,
               Child.schooling, Child.grade, Child.school, Child.left_behind_type,
               Child.guardianship, Home.name.label("home"), Home.township,
               Guardian.name.label("guardian"), Guardian.relation, Guardian.phone.label(
                   "guardian_phone"), Guardian.address.label("guardian_address"),
               Guardian.birth_year,
               *(getattr(parent, name).label(f"{who}_{name}")
                 for who, parent in (("father", father), ("mother", mother))
                 for name in ("name", "work_city", "phone", "id_number", "health",
                              "able_to_guard")),
               _assistance().label("kinds"))
        .join(Home, Home.id == Child.home_id)
        .outerjoin(Guardian, Guardian.id == Child.guardian_id)
        .outerjoin(father, joins_father)
        .outerjoin(mother, joins_mother)
        # The survey's children: in care, never one whose record was anonymised.
        .where(Child.id.in_(ids), Child.status == ChildStatus.IN_CARE,
               Child.anonymised_on.is_(None))
        .order_by(Home.township, Home.name, Child.grade, Child.name, Child.id)
    )


def boxes(choices) -> str:
    """The form's choices with their boxes: 是（√）　否（　）."""
    return "　".join(f"{label}（{TICK if ticked else EMPTY}）" for label, ticked in choices)


def _yes_no(answer: bool | None) -> str:
    """是（ ） 否（ ）, ticked as the record says, neither when it says nothing."""
    return boxes(((gettext("Yes"), answer is True), (gettext("No"), answer is False)))


def _schooling(row) -> str:
    stage = school_stage(row.grade, row.school) if row.schooling is Schooling.IN_SCHOOL \
        else None
    ticked = {
        "kindergarten": row.schooling is Schooling.KINDERGARTEN
        or stage is SchoolStage.PRESCHOOL,
        "preschool": row.schooling is Schooling.PRESCHOOL,
        "primary": stage is SchoolStage.PRIMARY, "junior": stage is SchoolStage.JUNIOR,
        "senior": stage is SchoolStage.SENIOR, "vocational": stage is SchoolStage.VOCATIONAL,
        "dropped_out": row.schooling is Schooling.DROPPED_OUT,
        "not_in_school": row.schooling in (Schooling.NOT_ENROLLED, Schooling.SUSPENDED),
    }
    text = "；".join((
        boxes(((gettext("Kindergarten"), ticked["kindergarten"]),
               (gettext("Not in kindergarten"), ticked["preschool"]))),
        boxes(((gettext("Primary school"), ticked["primary"]),
               (gettext("Junior middle school"), ticked["junior"]),
               (gettext("Senior high school"), ticked["senior"]),
               (gettext("Secondary vocational school"), ticked["vocational"]))),
        boxes(((gettext("Dropped out"), ticked["dropped_out"]),)),
        boxes(((gettext("Not in school"), ticked["not_in_school"]),))))
    if row.schooling is Schooling.SUSPENDED:
        text += gettext(" (schooling suspended)")
    elif row.schooling is Schooling.IN_SCHOOL and stage is None:
        text += gettext(" (in school; the grade does not say the stage)")
    return text


def _one_away_other_unable(row) -> bool | None:
    """父母一方外出、另一方无监护能力: yes, no, or unsaid when the record does not tell. The
    other is the parent at home: the one with no place of work away recorded."""
    if row.left_behind_type is LeftBehindType.BOTH_PARENTS:
        return False
    at_home = [able for able, city in ((row.father_able_to_guard, row.father_work_city),
                                       (row.mother_able_to_guard, row.mother_work_city))
               if not city]
    if row.guardianship is Guardianship.PARENT_UNABLE or False in at_home:
        return True
    if True in at_home:
        return False
    return None


_PARENTS = (GuardianRelation.FATHER, GuardianRelation.MOTHER)


def _entrusted(row) -> bool | None:
    """父母外出有无委托其他监护人: a guardian other than a parent, none, or unsaid."""
    if row.guardian is not None:
        return row.relation not in _PARENTS
    if row.guardianship is Guardianship.NOBODY:
        return False
    return None


# The form's five kinds of guardianship, in its order; 差 of no stated kind is written after.
_GUARDIANSHIP_BOXES = (Guardianship.NOBODY, Guardianship.PARENT_UNABLE,
                       Guardianship.PROXY_UNABLE, Guardianship.FAIR, Guardianship.GOOD)
# The form's own boxes of help; the other kinds are ticked as 其他救助 and named after it.
_HELP_BOXES = ((AssistanceKind.MINIMUM_LIVING, _l("Receiving minimum living allowance")),
               (AssistanceKind.TEMPORARY, _l("Temporary assistance")),
               (AssistanceKind.MEDICAL, _l("Medical assistance")),
               (AssistanceKind.HOUSING, _l("Housing assistance")))


def _guardianship(row) -> str:
    text = boxes((str(kind.label), row.guardianship is kind) for kind in _GUARDIANSHIP_BOXES)
    if row.guardianship is Guardianship.POOR:
        text += gettext(" (recorded as poor, kind not stated)")
    return text


def _assistance_boxes(kinds: str | None) -> str:
    held = {AssistanceKind[name] for name in (kinds or "").split(",") if name}
    boxed = {kind for kind, _label in _HELP_BOXES}
    others = [kind for kind in AssistanceKind if kind in held and kind not in boxed]
    text = boxes([*((str(label), kind in held) for kind, label in _HELP_BOXES),
                  (gettext("Other assistance"), bool(others))])
    if others:
        text += f"（{'、'.join(str(kind.label) for kind in others)}）"
    return text


class _Form:
    """Writes one child's form a row at a time (the workbook streams: rows in order, no
    merge over two rows)."""

    def __init__(self, book: Workbook) -> None:
        add = book.add_format
        self.book = book
        self.label = add(bold=True, border=1, align="center", valign="vcenter",
                         text_wrap=True, bg_color="#F2F2F2", font_size=10)
        self.value = add(border=1, valign="vcenter", text_wrap=True, font_size=10,
                         quote_prefix=True)
        self.section = add(bold=True, border=1, align="center", valign="vcenter",
                           bg_color="#DDEBF7")
        self.plain = add(valign="vcenter", text_wrap=True, font_size=10, quote_prefix=True)
        self.title = book.formats["title"]

    def line(self, sheet, row: int, cells, height: float = 30) -> None:
        """One row of the form: `cells` are (text, first column, last column, format)."""
        sheet.set_row(row, height)
        for text, first, last, cell_format in cells:
            text = "" if text is None else str(text)
            if last > first:
                sheet.merge_range(row, first, row, last, text, cell_format)
            elif text:
                sheet.write_string(row, first, text, cell_format)
            else:
                sheet.write_blank(row, first, None, cell_format)

    def pairs(self, sheet, row: int, *pairs, height: float = 30) -> None:
        """A row of label and value pairs; each pair's columns: (label, value, first
        column, last column of the value)."""
        cells, col = [], 0
        for label, value, last in pairs:
            cells.append((label, col, col, self.label))
            cells.append((value, col + 1, last, self.value))
            col = last + 1
        self.line(sheet, row, cells, height)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def registration_workbook(ids, user, title: str, approved: bool = False
                          ) -> tuple[Workbook, int]:
    """附件1: one form per child of `ids`, a page each, a thousand to a sheet."""
    book = Workbook(title=title)
    form = _Form(book)
    in_full = approved and access.full_ids_in_approved_export(user)
    id_number = (lambda value: value) if in_full else shown_by(user, "id_number")
    phone = shown_by(user, "phone")
    today = local_today()
    relations = {GuardianRelation.GRANDFATHER: 0, GuardianRelation.GRANDMOTHER: 1,
                 GuardianRelation.MATERNAL_GRANDFATHER: 2,
                 GuardianRelation.MATERNAL_GRANDMOTHER: 3}
    sheet, count, row, breaks = None, 0, 0, []

    def new_sheet(part: int):
        name = gettext("Registration forms")
        sheet = book.sheet(name if part == 1 else f"{name[:25]} ({part})", landscape=False)
        for col, width in enumerate((13, 12, 9, 12, 12, 12, 12, 14)):
            sheet.set_column(col, col, width)
        return sheet

    for child in _stream(registration_query(ids)):
        if count % FORMS_A_SHEET == 0:
            if sheet is not None:
                sheet.set_h_pagebreaks(breaks)
            sheet, row, breaks = new_sheet(count // FORMS_A_SHEET + 1), 0, []
        elif row:
            breaks.append(row)
        count += 1
        row = _write_form(form, sheet, row, child, id_number, phone, today, relations,
                          in_full)
    if sheet is None:  # no child chosen: the empty form, to fill in by hand
        sheet = new_sheet(1)
        form.line(sheet, 0, ((gettext("No child matches the list's search and filters."),
                              0, COLUMNS - 1, form.plain),))
    else:
        sheet.set_h_pagebreaks(breaks)
    return book, count


def _write_form(form: _Form, sheet, top: int, c, id_number, phone, today: date, relations,
                in_full: bool) -> int:
    """One child's form from row `top`; returns the row after it (with a blank row)."""
    last = COLUMNS - 1
    r = top
    form.line(sheet, r, ((gettext("Registration form of a rural left-behind child"), 0, last,
                          form.title),), 32)
    r += 1
    unit = "".join(part for part in (c.township, c.home) if part)
    form.line(sheet, r, ((gettext("Reporting unit: %(unit)s (seal)    Filled in on: "
                                  "%(today)s", unit=unit, today=today.isoformat()),
                          0, last, form.plain),), 22)
    r += 1
    form.line(sheet, r, ((gettext("The left-behind child"), 0, last, form.section),), 22)
    r += 1
    form.pairs(sheet, r, (gettext("Full name"), c.name, 1), (gettext("Gender"), c.gender.label, 3),
               (gettext("Ethnicity"), c.ethnicity, 5), (gettext("Birth date"),
                                                         _day(c.birth_date), 7))
    r += 1
    form.pairs(sheet, r, (gettext("Citizen ID number"), id_number(c.id_number), 2),
               (gettext("Household registered"), "", 4),
               (gettext("Registered household address"), c.hukou_address, 7))
    r += 1
    form.pairs(sheet, r, (gettext("Current address"), c.address, 4),
               (gettext("Lives elsewhere than registered"), _yes_no(c.hukou_elsewhere), 7))
    r += 1
    form.pairs(sheet, r, (gettext("Physical condition"), boxes(((gettext("Healthy"), False),
                                                    (gettext("Disabled"), False),
                                                    (gettext("Ill"), False))), 3),
               (gettext("Kind and grade of disability"), "", 5),
               (gettext("Kind of illness"), "", 7))
    r += 1
    form.pairs(sheet, r, (gettext("Boarding at school"), _yes_no(bool(c.boarding)), 2),
               (gettext("Schooling"), _schooling(c), 7), height=44)
    r += 1
    form.line(sheet, r, ((gettext("Family"), 0, last, form.section),), 22)
    r += 1
    grandparents = [("", "")] * 4
    if c.relation in relations and c.guardian:
        grandparents[relations[c.relation]] = (
            c.guardian, gettext("Born in %(year)s", year=c.birth_year) if c.birth_year else "")
    for first, second in ((0, 1), (2, 3)):
        names = (gettext("Grandfather's name"), gettext("Grandmother's name"),
                 gettext("Maternal grandfather's name"), gettext("Maternal grandmother's name"))
        form.pairs(sheet, r, (names[first], grandparents[first][0], 1),
                   (gettext("Birth date"), grandparents[first][1], 3),
                   (names[second], grandparents[second][0], 5),
                   (gettext("Birth date"), grandparents[second][1], 7))
        r += 1
    for who, label in (("father", gettext("Father's name")),
                       ("mother", gettext("Mother's name"))):
        number = getattr(c, f"{who}_id_number")
        born = id_number_birth_date(number) if in_full and number else None
        form.pairs(sheet, r, (label, getattr(c, f"{who}_name"), 1),
                   (gettext("Birth date"), _day(born), 3),
                   (gettext("Works now in"), getattr(c, f"{who}_work_city"), 5),
                   (gettext("Contact phone"), phone(getattr(c, f"{who}_phone")), 7))
        r += 1
    form.pairs(sheet, r, (gettext("Father's citizen ID number"),
                          id_number(c.father_id_number), 3),
               (gettext("Mother's citizen ID number"), id_number(c.mother_id_number), 7))
    r += 1
    form.pairs(sheet, r, (gettext("Father's health"), c.father_health, 3),
               (gettext("Mother's health"), c.mother_health, 7))
    r += 1
    form.line(sheet, r, ((gettext("Actual guardianship"), 0, last, form.section),), 22)
    r += 1
    both = {LeftBehindType.BOTH_PARENTS: True, LeftBehindType.ONE_PARENT: False}
    form.pairs(sheet, r, (gettext("Both parents away at once"),
                          _yes_no(both.get(c.left_behind_type)), 3),
               (gettext("One parent away, the other unable to care"),
                _yes_no(_one_away_other_unable(c)), 7))
    r += 1
    form.pairs(sheet, r, (gettext("Unable to care"),
                          boxes(((gettext("Father"), c.father_able_to_guard is False),
                                 (gettext("Mother"), c.mother_able_to_guard is False))), 3),
               (gettext("Another guardian entrusted"), _yes_no(_entrusted(c)), 7))
    r += 1
    entrusted = c.guardian is not None and c.relation not in _PARENTS
    form.pairs(sheet, r, (gettext("Entrusted guardian"), c.guardian if entrusted else "", 1),
               (gettext("Entrusted guardian's phone"),
                phone(c.guardian_phone) if entrusted else "", 3),
               (gettext("Citizen ID number"), "", 5),
               (gettext("Relation to the child"), c.relation.label if entrusted else "", 7))
    r += 1
    form.pairs(sheet, r, (gettext("Address of residence"),
                          c.guardian_address if entrusted else "", 7))
    r += 1
    form.pairs(sheet, r, (gettext("Kind of guardianship"), _guardianship(c), 7))
    r += 1
    form.pairs(sheet, r, (gettext("Family income"), boxes(
        (label, False) for label in (gettext("Wages from work away"),
                                     gettext("Farming and livestock"),
                                     gettext("Government assistance"),
                                     gettext("Help from relatives and friends"),
                                     gettext("Other")))
        + gettext(" (more than one may be ticked)"), 7))
    r += 1
    form.pairs(sheet, r, (gettext("Assistance received"), _assistance_boxes(c.kinds)
                          + gettext(" (more than one may be ticked)"), 7))
    r += 1
    form.line(sheet, r, ((gettext("Head of unit (signature):            Checked by "
                                  "(signature):            Filled in by (signature):"),
                          0, last, form.plain),), 30)
    r += 1
    form.line(sheet, r, ((gettext("Places the records do not hold are left blank, to be "
                                  "checked and filled in by hand; a box no record answers "
                                  "is left unticked."), 0, last, form.plain),), 30)
    return r + 2
