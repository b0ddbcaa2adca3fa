"""Pairing rosters (爱心妈妈结对花名册): caring mothers (name, phone, organisation) and the
children each cares for, with the day the pairing began. Read as the children's roster is
(every sheet, merged cells, totals and signatures skipped, nothing guessed); each child
found in the records by her ID number or her name and birth date; the same preview, all
or nothing, rows to correct and audit as the roster import; a caring mother's limit holds."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app import access
from admin_app.importing import words
from admin_app.importing.columns import IGNORE, Field, find_header, normal, word_table
from admin_app.importing.plan import footer_text, homes_by_name, place_row
from admin_app.importing.reading import BadCell, Sheet
from admin_app.importing.rows import ERROR, NEW, UNCHANGED, Plan, RowPlan
from models import Child, Home, Pairing, Volunteer, VolunteerOrganisation
from models import validators as rules
from models.base import local_today
from models.enums import ChildStatus, Gender, VolunteerKind
from models.sealed import blind_index
from models.validators import InvalidValue

FIELDS: tuple[Field, ...] = (
    Field("volunteer_name", _l("Caring mother"),
          ("爱心妈妈", "爱心妈妈姓名", "代理家长", "代理家长姓名", "结对人", "结对人姓名", "帮扶人",
           "帮扶人姓名", "帮扶责任人", "结对帮扶人", "志愿者姓名", "爱心妈妈代理家长姓名"),
          required=True),
    Field("volunteer_phone", _l("Caring mother's phone"),
          ("爱心妈妈电话", "爱心妈妈联系电话", "爱心妈妈手机", "代理家长电话", "代理家长联系电话",
           "结对人电话", "帮扶人电话", "帮扶人联系电话", "志愿者电话", "联系电话")),
    Field("volunteer_gender", _l("Caring mother's gender"),
          ("爱心妈妈性别", "代理家长性别", "帮扶人性别", "结对人性别")),
    Field("organisation", _l("Organisation"),
          ("工作单位", "所在单位", "单位", "爱心妈妈单位", "爱心妈妈工作单位", "帮扶人单位",
           "帮扶人工作单位", "工作单位及职务", "单位及职务", "代理家长单位", "代理家长工作单位")),
    Field("child_name", _l("Child"),
          ("儿童姓名", "留守儿童姓名", "结对儿童", "结对儿童姓名", "帮扶对象", "帮扶对象姓名",
           "被帮扶儿童", "被帮扶儿童姓名", "学生姓名", "幼儿姓名"), required=True),
    Field("child_id_number", _l("Child's resident ID number"),
          ("儿童身份证号", "儿童身份证号码", "身份证号", "身份证号码", "公民身份号码",
           "儿童公民身份号码")),
    Field("child_birth_date", _l("Child's birth date"),
          ("出生日期", "出生年月日", "儿童出生日期", "儿童出生年月日")),
    Field("started_on", _l("Paired since"),
          ("结对时间", "结对日期", "结对开始时间", "开始结对时间", "帮扶时间", "结对起始时间",
           "结对起始日期", "帮扶开始时间")),
    Field("home", _l("Children's Home"), ("儿童之家", "所属儿童之家")),
)
FIELD_BY_KEY = {field.key: field for field in FIELDS}
# Group cells of a two-row header (爱心妈妈 over 姓名 / 电话 / 单位), and the word each
# lower cell is read after.
_MOTHER = ("爱心妈妈", "代理家长", "结对人", "帮扶人", "爱心妈妈情况")
_CHILD = ("结对儿童", "留守儿童", "帮扶对象", "儿童", "被帮扶儿童", "儿童情况")
GROUPS = {**{normal(w): "爱心妈妈" for w in _MOTHER}, **{normal(w): "儿童" for w in _CHILD}}
_table: dict[str, str] | None = None


def wordings() -> dict[str, str]:
    global _table
    if _table is None:
        _table = word_table(FIELDS)
    return _table


def plan_pairings(session: Session, sheets: list[Sheet], filename: str, user,
                  home: Home | None, mapping: dict[str, str] | None = None,
                  today: date | None = None) -> Plan:
    """What importing the pairing roster would do; writes nothing."""
    today = today or local_today()
    plan = Plan(filename=filename)
    found = []
    for sheet in sheets:
        header = find_header(sheet, table=wordings(), groups=GROUPS, required="volunteer_name")
        if header is None:
            if sheet.head:
                plan.unread_sheets.append(sheet.name)
            continue
        for col, text in enumerate(header.texts):
            choice = (mapping or {}).get(text)
            if header.keys[col] is None and (choice in FIELD_BY_KEY or choice == IGNORE):
                header.keys[col] = choice
        found.append((sheet, header))
    if not found:
        plan.problems.append(gettext(
            "No header row was found: a pairing roster needs a column naming the caring mother "
            "(爱心妈妈) and one naming the child (儿童姓名)."))
        return plan
    plan.read_sheets(found)
    if any("child_name" not in header.keys for _, header in found):
        plan.problems.append(gettext("Every sheet needs a column naming the child (儿童姓名)."))
    if home is None and any("home" not in header.keys for _, header in found):
        plan.problems.append(gettext(
            "Choose the Children's Home to import into, or add a column 儿童之家 naming it."))
    if plan.problems:
        return plan
    pairer = _Pairer(session, user, today, plan)
    homes = homes_by_name(session, user)
    for sheet, header in found:
        columns = {key: col for col, key in enumerate(header.keys) if key and key != IGNORE}
        labels = dict(enumerate(header.texts))
        mothers_said = _says_mothers(header, columns)
        for number, cells in sheet.rows_after(header.data_from):
            footer = footer_text(cells, columns["volunteer_name"])
            if footer is not None:
                plan.notes.append(gettext("%(where)s is not a child and was skipped: %(text)s",
                                          where=plan.where(sheet.name, number),
                                          text=footer[:60]))
                continue
            row = RowPlan(sheet.name, number, cells)
            _read(row, cells, columns, labels, today)
            place_row(row, home, homes, columns, labels)
            if row.outcome != ERROR:
                pairer.match(row, columns, labels, mothers_said)
            if row.outcome != ERROR:
                row.cells = None
            plan.rows.append(row)
    pairer.finish()
    return plan


def _says_mothers(header, columns) -> bool:
    """Whether the caring mother's column is headed 爱心妈妈 (caring *mother*): her gender is
    then the file's own word, and said in a note, when it has no gender column."""
    text = normal(header.texts[columns["volunteer_name"]])
    return "妈妈" in text and "volunteer_gender" not in columns


# How each field's cell is read; each raises InvalidValue with a message.
_READERS = {
    "volunteer_name": lambda v: rules.clean_name(str(v)) if v is not None else None,
    "child_name": lambda v: rules.clean_name(str(v)) if v is not None else None,
    "volunteer_phone": words.phone,
    "volunteer_gender": lambda v: words.category(Gender, v),
    "organisation": lambda v: words.text(v, 50),
    "child_id_number": lambda v: None if words.masked(v) else words.id_number(v),
    "child_birth_date": words.a_date,
    "started_on": words.a_date,
    "home": lambda v: words.text(v, 100),
}


def _read(row: RowPlan, cells, columns, labels, today: date) -> None:
    readers = _READERS
    for key, col in columns.items():
        value = cells[col] if col < len(cells) else None
        if isinstance(value, BadCell):  # every field refuses it, whatever its reader
            row.fail(labels[col], value.message)
            continue
        if words.nothing(value, none_words=key not in ("organisation", "home")):
            value = None
        try:
            row.values[key] = readers[key](value)
        except InvalidValue as error:
            row.fail(labels[col], error.message)
    for key in ("child_birth_date", "started_on"):
        day, month_only = row.values.pop(key, (None, False))
        label = labels.get(columns.get(key), str(FIELD_BY_KEY[key].label))
        if month_only:
            row.fail(label, _l("Please give the whole date (the day too)."))
        elif day is not None:
            try:
                rules.check_not_future(day, today)
                row.values[key] = day
            except InvalidValue as error:
                row.fail(label, error.message)
    for key in ("volunteer_name", "child_name", "started_on"):
        if row.values.get(key) is None and row.outcome != ERROR:
            row.fail(labels.get(columns.get(key), str(FIELD_BY_KEY[key].label)),
                     _l("A pairing needs “%(field)s”.", field=FIELD_BY_KEY[key].label))


class _Pairer:
    """Each row's child and caring mother in the records (or the caring mother new with
    this file), and whether the pairing is new, kept already, or not possible."""

    def __init__(self, session: Session, user, today: date, plan: Plan) -> None:
        self.session, self.user, self.today, self.plan = session, user, today, plan
        self.limit = current_app.config["MAX_ACTIVE_PAIRINGS"]
        self.children_seen: dict[int, int] = {}  # child id → row
        self.load: dict[object, int] = {}  # volunteer id or new key → active pairings
        self.mothers_said: list[RowPlan] = []

    def match(self, row: RowPlan, columns, labels, mothers_said: bool) -> None:
        values = row.values
        child = self._child(row, labels.get(columns.get("child_name"), ""),
                            labels.get(columns.get("child_id_number"), ""))
        if child is None:
            return
        if child.id in self.children_seen:
            row.fail(labels[columns["child_name"]], _l(
                "The same child as row %(row)s of this file.", row=self.children_seen[child.id]))
            return
        self.children_seen[child.id] = row.number
        volunteer = self._volunteer(row, labels.get(columns.get("volunteer_phone"), ""))
        if row.outcome == ERROR:
            return
        if volunteer is None and values.get("volunteer_gender") is None:
            if not mothers_said:
                row.fail(labels[columns["volunteer_name"]], _l(
                    "A caring mother not yet in the records needs her gender (a column 性别 "
                    "under 爱心妈妈)."))
                return
            values["volunteer_gender"] = Gender.FEMALE
            self.mothers_said.append(row)
        current = self.session.execute(
            select(Pairing.volunteer_id, Volunteer.name).join(Volunteer)
            .where(Pairing.child_id == child.id, Pairing.is_primary.is_(True),
                   Pairing.overlapping(self.today, self.today))).first()
        name_label = labels[columns["volunteer_name"]]
        if current is not None:
            if volunteer is not None and current.volunteer_id == volunteer.id:
                row.outcome = UNCHANGED
                return
            row.fail(name_label, _l(
                "%(child)s is already paired with %(volunteer)s. End that pairing first.",
                child=child.name, volunteer=current.name))
            return
        key = volunteer.id if volunteer is not None else (
            row.home.id, values["volunteer_name"], values.get("volunteer_phone"))
        if key not in self.load:
            self.load[key] = self.session.scalar(
                select(func.count()).select_from(Pairing)
                .where(Pairing.volunteer_id == volunteer.id,
                       Pairing.overlapping(self.today, self.today))) if volunteer else 0
        if self.load[key] >= self.limit:
            row.fail(name_label, _l(
                "%(volunteer)s already cares for %(n)s children, the most allowed.",
                volunteer=values["volunteer_name"], n=self.load[key]))
            return
        self.load[key] += 1
        values["child_id"], values["volunteer"] = child.id, key
        row.outcome = NEW

    def _child(self, row: RowPlan, name_label: str, id_label: str) -> Child | None:
        values = row.values
        query = access.scoped(select(Child), Child, self.user).where(
            Child.home_id == row.home.id)
        number = values.get("child_id_number")
        if number:
            found = self.session.scalars(query.where(
                Child.id_number_hash == blind_index(number))).all()
        elif values.get("child_birth_date"):
            found = self.session.scalars(query.where(
                Child.name == values["child_name"],
                Child.birth_date == values["child_birth_date"])).all()
        else:
            row.fail(name_label, _l("Give the child's resident ID number, or her birth date, "
                                    "to say which child she is."))
            return None
        if len(found) != 1:
            row.fail(id_label if number else name_label, _l(
                "This child is not in the records of this Children's Home (looked up by her "
                "resident ID number, or her name and birth date). Import her roster first.")
                if not found else _l("More than one child of this name and birth date; give "
                                     "her resident ID number."))
            return None
        child = found[0]
        if number and child.name != values["child_name"]:
            row.fail(name_label, _l("This ID number is %(name)s's; check the name.",
                                    name=child.name))
            return None
        if child.status is not ChildStatus.IN_CARE:
            row.fail(name_label, _l("%(name)s has left care.", name=child.name))
            return None
        return child

    def _volunteer(self, row: RowPlan, phone_label: str) -> Volunteer | None:
        """The caring mother of the Home by her name and phone; by her name alone when the
        row gives no phone and one of that name is kept; None for a new one."""
        values = row.values
        kept = self.session.scalars(select(Volunteer).where(
            Volunteer.home_id == row.home.id, Volunteer.name == values["volunteer_name"])).all()
        phone = values.get("volunteer_phone")
        if phone:
            same = [v for v in kept if v.phone == phone]
            if same:
                return same[0]
            if kept and all(v.phone for v in kept):
                row.fail(phone_label, _l(
                    "A caring mother of this name is kept with another phone; check the "
                    "phone, or change it on her record first."))
            return None
        if len(kept) > 1:
            row.fail(phone_label, _l("More than one caring mother of this name; give her "
                                     "phone to say which."))
            return None
        return kept[0] if kept else None

    def finish(self) -> None:
        if self.mothers_said:
            self.plan.notes.append(gettext(
                "The file names them 爱心妈妈 and gives no gender: the new caring mothers "
                "(%(n)s) are recorded as women.", n=len(self.mothers_said)))


def save_pairings(session: Session, plan: Plan, valid_only: bool = False) -> dict[str, int]:
    """New caring mothers, then the pairings, through the ORM (the audit hook records each);
    the caller commits, or rolls back on any error."""
    if plan.count(ERROR) and not valid_only:
        raise ValueError("the plan has refused rows")
    organisations = {o.name: o for o in session.scalars(select(VolunteerOrganisation))}
    made: dict[tuple, Volunteer] = {}
    for row in plan.rows:
        if row.outcome != NEW:
            continue
        values, key = row.values, row.values["volunteer"]
        if isinstance(key, tuple):
            if key not in made:
                name = values.get("organisation") or ""
                if name and name not in organisations:
                    organisations[name] = VolunteerOrganisation(name=name)
                    session.add(organisations[name])
                made[key] = Volunteer(
                    home_id=row.home.id, name=values["volunteer_name"],
                    phone=values.get("volunteer_phone"), gender=values["volunteer_gender"],
                    organisation=organisations.get(name), kind=VolunteerKind.CARING_MOTHER,
                    joined_on=values["started_on"])
                session.add(made[key])
            volunteer = made[key]
        else:
            volunteer = session.get(Volunteer, key)
        session.add(Pairing(volunteer=volunteer, child_id=values["child_id"],
                            started_on=values["started_on"], is_primary=True))
    session.flush()
    return plan.counts
