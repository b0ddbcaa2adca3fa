"""The county summary table the civil-affairs bureau asks for (农村留守儿童摸底排查 附件3 汇总表):
the left-behind children under 16 in care on a date, one row per township (or per Home of
one township), counted by age and gender, schooling, left-behind type, guardianship,
boarding, the help received and the risks, with the form's checks between columns.

The MCA's table counts children under 16 whose parents are both away, or one away and the
other unable to care; the program keeps them to 18 and keeps children with one parent away
whatever the other's health, so those of 16 and 17, and those whose parent at home is not
recorded as unable to care, are counted apart under the table. Where a record does not say
a value (schooling not asked, guardianship not assessed, a pupil's stage not readable from
the grade) the child is counted in a column that says so, never guessed into one of the
form's own."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from admin_app import access
from admin_app.extensions import db
from admin_app.xlsx import Workbook
from models import Assistance, Child, Home, ParentContact
from models.enums import (
    AssistanceKind,
    Gender,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
    Schooling,
    SchoolStage,
)
from models.grades import school_stage
from models.validators import age_on

MCA_AGE_LIMIT = 16
BATCH = 2000


@dataclass(frozen=True)
class Part:
    """One column of the table: its group header, its own header and what it counts."""

    group: object
    header: object
    key: str


AGES = ((0, 5), (6, 13), (14, 15))
_STAGE_COLUMN = {SchoolStage.PRIMARY: "primary", SchoolStage.JUNIOR: "junior",
                 SchoolStage.SENIOR: "senior", SchoolStage.VOCATIONAL: "vocational",
                 SchoolStage.PRESCHOOL: "kindergarten"}
# 休学 keeps the pupil's place but she is not at school: counted as not in school (said in
# the notes under the table).
_SCHOOLING_COLUMN = {Schooling.KINDERGARTEN: "kindergarten",
                     Schooling.PRESCHOOL: "preschool", Schooling.DROPPED_OUT: "dropped_out",
                     Schooling.NOT_ENROLLED: "not_in_school",
                     Schooling.SUSPENDED: "not_in_school"}
_GUARDIANSHIP_COLUMN = {Guardianship.NOBODY: "nobody",
                        Guardianship.PARENT_UNABLE: "parent_unable",
                        Guardianship.PROXY_UNABLE: "proxy_unable", Guardianship.POOR: "poor",
                        Guardianship.FAIR: "fair", Guardianship.GOOD: "good"}
_HELP_COLUMN = {AssistanceKind.MINIMUM_LIVING: "help_minimum",
                AssistanceKind.EXTREME_POVERTY: "help_extreme",
                AssistanceKind.ORPHAN: "help_orphan",
                AssistanceKind.UNSUPPORTED: "help_unsupported"}


def parts() -> list[Part]:
    """The table's columns in order (numbered from 1 on the sheet)."""
    total, men, women = _l("Subtotal"), _l("Boys"), _l("Girls")
    out = [Part(_l("Total"), _l("Total"), "total")]
    for low, high in AGES:
        group = _l("%(low)s to %(high)s years", low=low, high=high)
        out += [Part(group, total, f"age{low}"), Part(group, men, f"age{low}_male"),
                Part(group, women, f"age{low}_female")]
    schooling = _l("Schooling")
    out += [Part(schooling, header, key) for header, key in (
        (_l("Kindergarten"), "kindergarten"), (_l("Not in kindergarten"), "preschool"),
        (_l("Primary school"), "primary"), (_l("Junior middle school"), "junior"),
        (_l("Senior high school"), "senior"), (_l("Secondary vocational school"), "vocational"),
        (_l("Dropped out"), "dropped_out"), (_l("Not in school"), "not_in_school"),
        (_l("Not stated"), "schooling_unsaid"))]
    kind = _l("Left-behind type")
    out += [Part(kind, _l("Both parents away at once"), "both_away"),
            Part(kind, _l("One away, the other unable to care"), "one_away")]
    care = _l("Guardianship")
    out += [Part(care, header, key) for header, key in (
        (_l("No one caring for the child"), "nobody"),
        (_l("Father or mother unable to care"), "parent_unable"),
        (_l("Entrusted guardian not able enough"), "proxy_unable"),
        (_l("Poor (kind not stated)"), "poor"), (_l("Fair"), "fair"), (_l("Good"), "good"),
        (_l("Not assessed"), "care_unsaid"))]
    helped = _l("Assistance received")
    out += [Part(helped, header, key) for header, key in (
        (_l("Receiving any"), "helped"), (_l("Minimum living allowance"), "help_minimum"),
        (_l("Support for the extremely poor"), "help_extreme"),
        (_l("Orphans' basic living allowance"), "help_orphan"),
        (_l("Allowance for children without de facto support"), "help_unsupported"),
        (_l("Other assistance"), "help_other"))]
    other = _l("Other figures")
    out += [Part(other, header, key) for header, key in (
        (_l("Boarding"), "boarding"), (_l("Living alone"), "alone"),
        (_l("Key assistance target"), "key_target"), (_l("Child in difficulty"), "in_difficulty"))]
    return out


# The form's checks between columns: each list of column keys sums to the total.
SUMS_TO_TOTAL = (
    ("age0", "age6", "age14"),
    ("kindergarten", "preschool", "primary", "junior", "senior", "vocational", "dropped_out",
     "not_in_school", "schooling_unsaid"),
    ("both_away", "one_away"),
    ("nobody", "parent_unable", "proxy_unable", "poor", "fair", "good", "care_unsaid"),
)


@dataclass
class Summary:
    on: date
    township: str | None
    rows: list[tuple[str, Counter]] = field(default_factory=list)  # (place, counts)
    whole: Counter = field(default_factory=Counter)
    older: int = 0  # 16 and 17, in care but not the MCA's to count
    # One parent away and nothing saying the other cannot care: not a left-behind child by
    # the MCA's definition (一方外出另一方无监护能力), so counted apart.
    other_able: int = 0


OLDER, OTHER_ABLE = "older", "other_able"


def _counted(counts: Counter, row, on: date) -> str | None:
    """Count the child's row in `counts`, or say why it is not the MCA's to count."""
    age = age_on(row.birth_date, on)
    if age >= MCA_AGE_LIMIT:
        return OLDER
    if row.left_behind_type is LeftBehindType.ONE_PARENT and not (
            row.guardianship is Guardianship.PARENT_UNABLE or row.parent_unable):
        return OTHER_ABLE
    counts["total"] += 1
    low = next(low for low, high in AGES if age <= high)
    gender = "male" if row.gender is Gender.MALE else "female"
    counts[f"age{low}"] += 1
    counts[f"age{low}_{gender}"] += 1
    if row.schooling is Schooling.IN_SCHOOL:
        stage = school_stage(row.grade, row.school)
        counts[_STAGE_COLUMN.get(stage, "schooling_unsaid")] += 1
    else:
        counts[_SCHOOLING_COLUMN.get(row.schooling, "schooling_unsaid")] += 1
    counts["both_away" if row.left_behind_type is LeftBehindType.BOTH_PARENTS
           else "one_away"] += 1
    counts[_GUARDIANSHIP_COLUMN.get(row.guardianship, "care_unsaid")] += 1
    kinds = {AssistanceKind[name] for name in (row.kinds or "").split(",") if name}
    if kinds:
        counts["helped"] += 1
        for column in {_HELP_COLUMN.get(kind, "help_other") for kind in kinds}:
            counts[column] += 1
    counts["boarding"] += bool(row.boarding)
    counts["alone"] += row.living_arrangement is LivingArrangement.ALONE
    counts["key_target"] += bool(row.key_target)
    counts["in_difficulty"] += bool(row.in_difficulty)
    return None


def summary(user, on: date, township: str | None = None) -> Summary:
    """The table for the children of `user`'s scope in care on `on`: by township, or by
    Home when `township` is given."""
    helped = (select(func.aggregate_strings(Assistance.kind, ","))
              .where(Assistance.child_id == Child.id,
                     or_(Assistance.since.is_(None), Assistance.since <= on),
                     or_(Assistance.until.is_(None), Assistance.until >= on))
              .correlate(Child).scalar_subquery())
    # The parent at home (no place of work away recorded) recorded as unable to act as
    # guardian (无监护能力: 重病、重残); the parent away being unable says nothing of it.
    parent_unable = (select(ParentContact.id)
                     .where(ParentContact.child_id == Child.id,
                            ParentContact.able_to_guard.is_(False),
                            ParentContact.work_city == "")
                     .correlate(Child).exists())
    place = Home.name if township else Home.township
    query = (access.scoped(select(
        place.label("place"), Child.birth_date, Child.gender, Child.schooling, Child.grade,
        Child.school, Child.left_behind_type, Child.guardianship, Child.boarding,
        Child.living_arrangement, Child.key_target, Child.in_difficulty,
        helped.label("kinds"), parent_unable.label("parent_unable")), Child, user)
        .join(Home, Home.id == Child.home_id)
        .where(Child.entered_on <= on, or_(Child.left_on.is_(None), Child.left_on > on),
               Child.anonymised_on.is_(None)))
    if township:
        query = query.where(Home.township == township)
    result = Summary(on, township)
    by_place: dict[str, Counter] = {}
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        counts = by_place.setdefault(row.place or "", Counter())
        why = _counted(counts, row, on)
        if why == OLDER:
            result.older += 1
        elif why == OTHER_ABLE:
            result.other_able += 1
    result.rows = sorted(by_place.items())
    for _, counts in result.rows:
        result.whole.update(counts)
    return result


def summary_workbook(result: Summary, unit: str, today: date) -> Workbook:
    """The table in the form's layout: title, 填报单位 and dates, the grouped two-row header
    with each column's number (栏次), a row per place and the total, then the notes (the
    checks between columns, what was counted where) and the signature line."""
    columns = parts()
    title = gettext("Summary table of rural left-behind children (MCA form 3)")
    book = Workbook(title=title)
    sheet = book.sheet(gettext("Summary table"), paper=8)
    f = book.formats
    last = len(columns)
    sheet.set_row(0, 28)
    sheet.merge_range(0, 0, 0, last, title, f["title"])
    sheet.merge_range(1, 0, 1, last, gettext(
        "Reporting unit: %(unit)s    Counted on: %(on)s    Filled in on: %(today)s",
        unit=unit, on=result.on.isoformat(), today=today.isoformat()), f["text"])
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, last, 7)
    sheet.write_string(2, 0, gettext("Township") if not result.township
                       else gettext("Children's Home"), f["header"])
    # The workbook is written a row at a time (constant memory): the group headers' row
    # first, then the columns' own; no merge spans two rows.
    groups: list[list[int]] = []
    for n, part in enumerate(columns, start=1):
        if groups and str(columns[groups[-1][0] - 1].group) == str(part.group):
            groups[-1].append(n)
        else:
            groups.append([n])
    for group in groups:
        text = str(columns[group[0] - 1].group)
        if len(group) == 1:
            sheet.write_string(2, group[0], text, f["header"])
        else:
            sheet.merge_range(2, group[0], 2, group[-1], text, f["header"])
    sheet.set_row(3, 60)
    sheet.write_blank(3, 0, None, f["header"])
    for n, part in enumerate(columns, start=1):
        if str(part.group) == str(part.header):
            sheet.write_blank(3, n, None, f["header"])
        else:
            sheet.write_string(3, n, str(part.header), f["header"])
    sheet.write_string(4, 0, gettext("Column no."), f["header"])
    for n in range(1, last + 1):
        sheet.write_number(4, n, n, f["header"])
    row = 5
    for place, counts in (*result.rows, (gettext("Total"), result.whole)):
        book.write_text(sheet, row, 0, place or gettext("(township not given)"))
        for n, part in enumerate(columns, start=1):
            sheet.write_number(row, n, counts.get(part.key, 0), f["int"])
        row += 1
    number = {part.key: n for n, part in enumerate(columns, start=1)}
    checks = "；".join("=".join([str(number["total"]), "+".join(str(number[key])
                                                              for key in keys)])
                      for keys in SUMS_TO_TOTAL)
    notes = [
        gettext("Left-behind children under 16 in care on %(on)s, by the records of this "
                "unit.", on=result.on.isoformat()),
        gettext("Checks between columns: %(checks)s (each age group: subtotal = boys + "
                "girls).", checks=checks),
        gettext("Children of 16 and 17 still in care, not counted in this table: %(n)s.",
                n=result.older),
        gettext("Children with one parent away whose other parent is not recorded as unable "
                "to care (the guardianship assessment or the parent's record), not counted "
                "in this table: %(n)s.", n=result.other_able),
        gettext("A pupil whose schooling is suspended is counted as not in school; a pupil "
                "in school whose grade does not say the stage, or whose schooling was never "
                "recorded, is counted as not stated."),
        gettext("Assistance: the help being received on that day; a child receiving several "
                "kinds is counted once under “Receiving any” and once under each kind."),
    ]
    for note in notes:
        sheet.set_row(row, 30)
        sheet.merge_range(row, 0, row, last, note, f["wrap"])
        row += 1
    sheet.merge_range(row + 1, 0, row + 1, last, gettext(
        "Head of unit (signature):            Filled in by (signature):            "
        "Checked by (signature):"), f["text"])
    return book
