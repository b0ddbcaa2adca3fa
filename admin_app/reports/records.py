"""The roster (花名册) with its county table and chart, care records, and stock workbooks.

Each takes `ids`, a subquery of the record ids to export — the list page's own query, with
its scope, search and filters — and the user, whose masking rules apply to every cell."""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from admin_app.extensions import db
from admin_app.masking import shown_by
from admin_app.xlsx import Column, Workbook
from models import (
    Assistance,
    CareRecord,
    Child,
    Guardian,
    Home,
    ParentContact,
    ResourceCategory,
    ResourceItem,
    StockMovement,
    User,
    Volunteer,
)
from models.base import local_today
from models.enums import (
    AssistanceKind,
    ChildStatus,
    Gender,
    LeftBehindType,
    LivingArrangement,
    ParentRelation,
    Schooling,
    SchoolStage,
)
from models.grades import school_stage

BATCH = 1000


def _stream(query):
    """Rows in batches from one query (a server-side cursor on PostgreSQL)."""
    return db.session.execute(query.execution_options(yield_per=BATCH))


def _yes_no():
    """A function from bool to the words, looked up once per workbook, not once per cell."""
    words = {True: gettext("Yes"), False: gettext("No")}
    return lambda value: words[bool(value)]


def _yes_no_unsaid():
    """Like _yes_no, with an empty cell for a question nobody has answered."""
    words = {True: gettext("Yes"), False: gettext("No"), None: None}
    return words.get


def _kinds_named():
    """The help's names from the kinds one cell lists (MINIMUM_LIVING,MEDICAL → 低保、…)."""
    names = {kind.name: str(kind.label) for kind in AssistanceKind}
    order = list(names)

    def named(value):
        if not value:
            return None
        kinds = sorted(set(value.split(",")), key=order.index)
        return "、".join(names[kind] for kind in kinds)
    return named


def first_parent(relation: ParentRelation):
    """The child's first record of her father (or mother), joined once for all its columns:
    (the alias, its join condition). A child with two records of one parent shows the first
    entered, as the archive card lists them; one with none, empty cells."""
    parent, earlier = aliased(ParentContact), aliased(ParentContact)
    return parent, and_(parent.child_id == Child.id, parent.relation == relation,
                        ~exists().where(earlier.child_id == parent.child_id,
                                        earlier.relation == relation, earlier.id < parent.id))


def _assistance():
    """The kinds of help the child's family receives now, by their names in one cell."""
    today = local_today()
    return (select(func.aggregate_strings(Assistance.kind, ","))
            .where(Assistance.child_id == Child.id,
                   or_(Assistance.until.is_(None), Assistance.until >= today))
            .correlate(Child).scalar_subquery())


def roster_query(ids):
    """The roster's rows as plain columns (no ORM objects to build), in print order: one pass
    over the children, their Home, guardian, father and mother joined once each."""
    father, joins_father = first_parent(ParentRelation.FATHER)
    mother, joins_mother = first_parent(ParentRelation.MOTHER)
    return (
        select(Child.name, Child.gender, Child.birth_date, Child.id_number, Home.name,
               Child.school, Child.grade, Child.class_name, Child.class_teacher,
               Child.class_teacher_phone, Child.left_behind_type, Child.living_arrangement,
               Child.boarding, Child.family_situation, Child.guardianship, Child.key_target,
               Guardian.name, Guardian.relation, Guardian.phone,
               father.name, father.phone, father.work_city,
               mother.name, mother.phone, mother.work_city,
               Child.address, Child.entered_on, Child.status,
               # What the MCA registration adds (models.people); its columns follow the
               # roster's first ones, so a roster kept before reads as it did.
               Child.ethnicity, Child.hukou_address, Child.hukou_elsewhere, Child.schooling,
               father.id_number, father.health, father.able_to_guard,
               mother.id_number, mother.health, mother.able_to_guard,
               _assistance())
        .join(Home, Home.id == Child.home_id)
        .outerjoin(Guardian, Guardian.id == Child.guardian_id)
        .outerjoin(father, joins_father)
        .outerjoin(mother, joins_mother)
        .where(Child.id.in_(ids))
        .order_by(Home.name, Child.grade, Child.name, Child.id)
    )


def roster_workbook(ids, user, title: str) -> tuple[Workbook, int]:
    """花名册: one row per child, then a sheet of counts by Home with a chart."""
    book = Workbook(title=title)
    columns = [
        Column(gettext("No."), "int", 6), Column(gettext("Name"), "text", 10),
        Column(gettext("Gender"), "text", 5), Column(gettext("Birth date"), "date", 11),
        Column(gettext("Resident ID number"), "code", 20),
        Column(gettext("Children's Home"), "text", 22), Column(gettext("School"), "text", 16),
        Column(gettext("Grade"), "text", 8), Column(gettext("Class"), "text", 6),
        Column(gettext("Class teacher"), "text", 8),
        Column(gettext("Class teacher's phone"), "code", 13),
        Column(gettext("Left-behind type"), "text", 10),
        Column(gettext("Living arrangement"), "text", 16), Column(gettext("Boarding"), "text", 5),
        Column(gettext("Family situation"), "text", 10),
        Column(gettext("Guardianship"), "text", 10),
        Column(gettext("Key assistance target"), "text", 8),
        Column(gettext("Guardian"), "text", 10), Column(gettext("Relation"), "text", 8),
        Column(gettext("Guardian's phone"), "code", 13),
        Column(gettext("Father"), "text", 10), Column(gettext("Father's phone"), "code", 13),
        Column(gettext("Father works in"), "text", 10),
        Column(gettext("Mother"), "text", 10), Column(gettext("Mother's phone"), "code", 13),
        Column(gettext("Mother works in"), "text", 10),
        Column(gettext("Address"), "text", 20), Column(gettext("Entered care on"), "date", 11),
        Column(gettext("Status"), "text", 8),
        Column(gettext("Ethnicity"), "text", 6),
        Column(gettext("Registered household address"), "text", 20),
        Column(gettext("Lives elsewhere than registered"), "text", 8),
        Column(gettext("Schooling"), "text", 10),
        Column(gettext("Father's resident ID number"), "code", 20),
        Column(gettext("Father's health"), "text", 10),
        Column(gettext("Father able to act as guardian"), "text", 8),
        Column(gettext("Mother's resident ID number"), "code", 20),
        Column(gettext("Mother's health"), "text", 10),
        Column(gettext("Mother able to act as guardian"), "text", 8),
        Column(gettext("Assistance received"), "text", 16),
    ]

    yes_no = _yes_no()

    id_number, phone = shown_by(user, "id_number"), shown_by(user, "phone")
    # How each column of roster_query becomes a cell: masked, or yes/no, or as it is.
    unsaid = _yes_no_unsaid()
    cell = {3: id_number, 9: phone, 12: yes_no, 15: yes_no, 18: phone, 20: phone, 23: phone,
            30: unsaid, 32: id_number, 34: unsaid, 35: id_number, 37: unsaid,
            38: _kinds_named()}

    def rows():
        for n, row in enumerate(_stream(roster_query(ids)), start=1):
            yield (n, *(cell[i](value) if i in cell else value for i, value in enumerate(row)))

    # 40 columns: rosters are printed on A3.
    count = book.table(gettext("Roster"), title, columns, rows(), paper=8)
    _counts_sheet(book, ids, title)
    _stages_sheet(book, ids, title)
    return book, count


def _counts_sheet(book: Workbook, ids, title: str) -> None:
    """The table the county reports: children in care by Home, left-behind type and living
    arrangement, with a native Excel chart of the living arrangements. Children of the roster
    who left care are listed on it but counted in none of these figures."""
    rows = db.session.execute(
        select(Home.name, Child.left_behind_type, Child.living_arrangement, Child.boarding,
               func.count())
        .join(Home, Home.id == Child.home_id)
        .where(Child.id.in_(ids), Child.status == ChildStatus.IN_CARE)
        .group_by(Home.name, Child.left_behind_type, Child.living_arrangement, Child.boarding)
        .order_by(Home.name)
    ).all()
    table: dict[str, Counter] = {}
    for home, left_behind, living, boarding, count in rows:
        counts = table.setdefault(home, Counter())
        counts["total"] += count
        counts[left_behind] += count
        counts[living] += count
        if boarding:
            counts["boarding"] += count
    keys = ["total", *LeftBehindType, *LivingArrangement, "boarding"]
    headers = [gettext("Children's Home"), gettext("Children in care"),
               *(str(m.label) for m in LeftBehindType), *(str(m.label) for m in LivingArrangement),
               gettext("Boarding")]
    sheet = book.sheet(gettext("Counts"))
    last = len(headers) - 1
    sheet.set_row(0, 28)
    sheet.merge_range(0, 0, 0, last, gettext("%(title)s: counts", title=title),
                      book.formats["title"])
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, last, 11)
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, book.formats["header"])
    sheet.freeze_panes(2, 1)
    total = Counter()
    row = 2
    for home, counts in table.items():
        book.write_text(sheet, row, 0, home)
        for col, key in enumerate(keys, start=1):
            sheet.write_number(row, col, counts[key], book.formats["int"])
        total.update(counts)
        row += 1
    bold = book.add_format(bold=True, top=1)
    book.write_text(sheet, row, 0, gettext("Total"), bold)
    for col, key in enumerate(keys, start=1):
        sheet.write_number(row, col, total[key], bold)
    first_living = 2 + len(LeftBehindType)
    chart = book.book.add_chart({"type": "column"})
    chart.add_series({
        "name": gettext("Children in care by living arrangement"),
        "categories": [sheet.name, 1, first_living, 1, first_living + len(LivingArrangement) - 1],
        "values": [sheet.name, row, first_living, row, first_living + len(LivingArrangement) - 1],
        "data_labels": {"value": True},
    })
    chart.set_title({"name": gettext("Children in care by living arrangement")})
    chart.set_legend({"none": True})
    sheet.insert_chart(row + 2, 0, chart, {"x_scale": 1.6, "y_scale": 1.2})


def care_records_query(ids):
    """Care records as plain columns, oldest first."""
    recorder = aliased(User)
    return (
        select(CareRecord.occurred_on, Child.name, Home.name, CareRecord.kind, Volunteer.name,
               CareRecord.notes, CareRecord.follow_up_needed, CareRecord.follow_up_note,
               func.coalesce(func.nullif(recorder.display_name, ""), recorder.username))
        .join(Child, Child.id == CareRecord.child_id).join(Home, Home.id == Child.home_id)
        .outerjoin(Volunteer, Volunteer.id == CareRecord.volunteer_id)
        .outerjoin(recorder, recorder.id == CareRecord.recorded_by_id)
        .where(CareRecord.id.in_(ids))
        .order_by(CareRecord.occurred_on, CareRecord.id)
    )


def care_records_workbook(ids, user, title: str) -> tuple[Workbook, int]:
    columns = [
        Column(gettext("Date"), "date", 11), Column(gettext("Child"), "text", 10),
        Column(gettext("Children's Home"), "text", 22), Column(gettext("Kind"), "text", 14),
        Column(gettext("Caring mother"), "text", 10), Column(gettext("Notes"), "text", 50),
        Column(gettext("Needs follow-up"), "text", 8), Column(gettext("Follow-up"), "text", 20),
        Column(gettext("Recorded by"), "text", 12),
    ]
    yes_no = _yes_no()
    rows = ((day, child, home, kind, volunteer, notes, yes_no(follow_up), follow_up_note,
             recorder_name)
            for day, child, home, kind, volunteer, notes, follow_up, follow_up_note,
            recorder_name in _stream(care_records_query(ids)))
    book = Workbook(title=title)
    return book, book.table(gettext("Care records"), title, columns, rows)


def stock_workbook(ids, user, title: str) -> tuple[Workbook, int]:
    """Stock on hand of the items the movements concern (as kept with every movement,
    models.inventory), then the movements themselves."""
    items = (
        select(ResourceItem, ResourceCategory.name, Home.name, ResourceItem.on_hand)
        .join(Home, Home.id == ResourceItem.home_id)
        .outerjoin(ResourceCategory, ResourceCategory.id == ResourceItem.category_id)
        .where(ResourceItem.id.in_(select(StockMovement.item_id).where(StockMovement.id.in_(ids))))
        .order_by(Home.name, ResourceItem.name)
    )
    book = Workbook(title=title)
    yes_no = _yes_no()
    book.table(gettext("Stock on hand"), title, [
        Column(gettext("Item"), "text", 16), Column(gettext("Category"), "text", 10),
        Column(gettext("Children's Home"), "text", 22), Column(gettext("Unit"), "text", 6),
        Column(gettext("On hand"), "int", 8), Column(gettext("Low-stock threshold"), "int", 8),
        Column(gettext("Below threshold"), "text", 8), Column(gettext("Location"), "text", 14),
    ], ((item.name, category or "", home, item.unit, stock or 0, item.low_stock_threshold,
         yes_no((stock or 0) < item.low_stock_threshold), item.location)
        for item, category, home, stock in _stream(items)))
    batch = aliased(StockMovement)
    movements = (
        select(StockMovement, ResourceItem.name, ResourceItem.unit, Home.name, Child.name,
               User.display_name, batch.occurred_on, batch.donor, batch.kind)
        .join(ResourceItem, ResourceItem.id == StockMovement.item_id)
        .join(Home, Home.id == ResourceItem.home_id)
        .outerjoin(Child, and_(Child.id == StockMovement.child_id))
        .outerjoin(User, User.id == StockMovement.recorded_by_id)
        .outerjoin(batch, batch.id == StockMovement.source_id)
        .where(StockMovement.id.in_(ids))
        .order_by(StockMovement.occurred_on, StockMovement.id)
    )
    count = book.table(gettext("Stock movements"), title, [
        Column(gettext("Date"), "date", 11), Column(gettext("Item"), "text", 16),
        Column(gettext("Children's Home"), "text", 22), Column(gettext("Kind"), "text", 10),
        Column(gettext("Quantity"), "int", 8), Column(gettext("Unit"), "text", 6),
        Column(gettext("Donor"), "text", 16), Column(gettext("Child"), "text", 10),
        Column(gettext("Recorded by"), "text", 10), Column(gettext("Note"), "text", 20),
        # Goods traced to their donors: the batch a movement out drew on, what is left of
        # a batch in.
        Column(gettext("From batch"), "text", 22), Column(gettext("Left of it"), "int", 8),
    ], ((movement.occurred_on, item, home, movement.kind, movement.quantity, unit,
         movement.donor, child or "", recorder or "", movement.note,
         "" if day is None else f"{day.isoformat()} {donor or kind.label}", movement.remaining)
        for movement, item, unit, home, child, recorder, day, donor, kind
        in _stream(movements)))
    return book, count


# The stages the roster's second table counts, in school order; a child out of school (休学,
# 辍学, 不在学) and one whose stage no record says are counted apart.
_OUT_OF_SCHOOL = (Schooling.SUSPENDED, Schooling.DROPPED_OUT, Schooling.NOT_ENROLLED)


def stage_of(schooling: Schooling | None, grade: str | None, school: str | None) -> str:
    """Where the counts by stage put a child: a stage's value, "out" or "unknown"."""
    if schooling in _OUT_OF_SCHOOL:
        return "out"
    if schooling in (Schooling.KINDERGARTEN, Schooling.PRESCHOOL):
        return SchoolStage.PRESCHOOL.value
    stage = school_stage(grade, school)
    return stage.value if stage is not None else "unknown"


def _stages_sheet(book: Workbook, ids, title: str) -> None:
    """Children in care by Home, school stage and gender (the stage from the grade), for
    the term and year reports' tables."""
    rows = db.session.execute(
        select(Home.name, Child.schooling, Child.grade, Child.school, Child.gender,
               func.count())
        .join(Home, Home.id == Child.home_id)
        .where(Child.id.in_(ids), Child.status == ChildStatus.IN_CARE)
        .group_by(Home.name, Child.schooling, Child.grade, Child.school, Child.gender)
        .order_by(Home.name)
    ).all()
    table: dict[str, Counter] = {}
    for home, schooling, grade, school, gender, count in rows:
        table.setdefault(home, Counter())[(stage_of(schooling, grade, school), gender)] += count
    stages = [(stage.value, str(stage.label)) for stage in SchoolStage]
    stages += [("out", gettext("Out of school")), ("unknown", gettext("Stage not known"))]
    genders = (Gender.MALE, Gender.FEMALE)
    sheet = book.sheet(gettext("By stage and gender"))
    last = 1 + 2 * len(stages)
    f = book.formats
    sheet.set_row(0, 28)
    sheet.merge_range(0, 0, 0, last, gettext("%(title)s: by school stage and gender",
                                             title=title), f["title"])
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, last, 8)
    sheet.write_string(1, 0, gettext("Children's Home"), f["header"])
    sheet.write_string(1, 1, gettext("Children in care"), f["header"])
    for n, (_key, label) in enumerate(stages):
        sheet.merge_range(1, 2 + 2 * n, 1, 3 + 2 * n, label, f["header"])
    sheet.write_blank(2, 0, None, f["header"])
    sheet.write_blank(2, 1, None, f["header"])
    for n in range(len(stages)):
        for k, gender in enumerate(genders):
            sheet.write_string(2, 2 + 2 * n + k, str(gender.label), f["header"])
    sheet.freeze_panes(3, 1)
    total, row = Counter(), 3
    bold = book.add_format(bold=True, top=1)
    for home, counts in (*table.items(), (None, None)):
        counts = total if counts is None else counts
        cell = bold if home is None else f["int"]
        book.write_text(sheet, row, 0, gettext("Total") if home is None else home,
                        bold if home is None else None)
        sheet.write_number(row, 1, sum(counts.values()), cell)
        for n, (key, _label) in enumerate(stages):
            for k, gender in enumerate(genders):
                sheet.write_number(row, 2 + 2 * n + k, counts[(key, gender)], cell)
        if home is not None:
            total.update(counts)
        row += 1
