"""Which column of a roster holds what: our fields, the header wordings staff use for each,
and finding the header row under a title row or two (and a two-row header whose upper cells
group the lower ones, e.g. 父亲 over 姓名 / 电话 / 务工地点)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from admin_app.importing.reading import Sheet


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # shown in the mapping step and the template's header
    wordings: tuple[str, ...]
    required: bool = False


IGNORE = ""  # the mapping choice "not imported"

# The roster export's own headers are wordings too (in both languages), so an export
# imports back unchanged; see `_export_headers`.
FIELDS: tuple[Field, ...] = (
    Field("name", _l("Name"), ("姓名", "儿童姓名", "学生姓名", "留守儿童姓名", "幼儿姓名"),
          required=True),
    Field("gender", _l("Gender"), ("性别",)),
    Field("birth_date", _l("Birth date"),
          ("出生日期", "出生年月", "出生年月日", "出生时间", "生日")),
    Field("id_number", _l("Resident ID number"),
          ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "儿童身份证号",
           "居民身份证号码")),
    Field("ethnicity", _l("Ethnicity"), ("民族",)),
    Field("hukou_address", _l("Registered household address"),
          ("户籍所在地", "户籍地址", "户口所在地", "户籍地", "户口地址", "户籍所在地址")),
    Field("hukou_elsewhere", _l("Lives elsewhere than registered"),
          ("人户分离", "户籍与居住地不一致", "户籍地与现住址不同", "是否人户分离")),
    Field("schooling", _l("Schooling"), ("就学情况", "就学状况", "在学情况", "是否在校")),
    Field("home", _l("Children's Home"), ("儿童之家", "所属儿童之家")),
    Field("school", _l("School"), ("学校", "就读学校", "所在学校", "学校名称")),
    Field("grade", _l("Grade"), ("年级", "就读年级")),
    Field("class_name", _l("Class"), ("班级", "班别")),
    Field("class_teacher", _l("Class teacher"), ("班主任", "班主任姓名")),
    Field("class_teacher_phone", _l("Class teacher's phone"),
          ("班主任电话", "班主任联系电话", "班主任手机")),
    Field("class_teacher_both", _l("Class teacher and phone"),
          ("班主任及电话", "班主任及联系电话", "班主任姓名及电话")),
    Field("left_behind_type", _l("Left-behind type"),
          ("留守类型", "留守情况", "留守儿童类型", "外出情况", "父母外出情况"), required=True),
    Field("living_arrangement", _l("Living arrangement"),
          ("生活方式", "监护方式", "监护类型", "生活监护方式", "生活/监护方式",
           "生活或监护方式", "生活状况"), required=True),
    # The MCA survey's two yes/no columns, from which the left-behind type follows.
    Field("both_parents_away", _l("Both parents away (yes/no)"),
          ("父母双方同时外出", "父母双方均外出", "父母双方外出务工", "是否父母双方外出")),
    Field("one_away_other_unable", _l("One parent away, the other unable to care (yes/no)"),
          ("父母一方外出另一方无监护能力", "父母一方外出、另一方无监护能力",
           "一方外出另一方无监护能力")),
    Field("boarding", _l("Boarding"), ("寄宿", "是否寄宿", "是否寄宿生", "住校", "是否住校")),
    Field("family_situation", _l("Family situation"), ("家庭情况", "家庭类型", "家庭状况")),
    # The MCA survey's assessment, never a living arrangement.
    Field("guardianship", _l("Guardianship"), ("监护情况", "监护状况", "监护评估", "监护能力")),
    Field("key_target", _l("Key assistance target"),
          ("重点帮扶", "是否重点帮扶", "重点帮扶对象", "是否重点帮扶对象")),
    Field("health", _l("Health"), ("健康状况", "身体状况", "儿童健康状况")),
    Field("address", _l("Address"), ("住址", "家庭住址", "家庭地址", "地址", "现住址")),
    Field("entered_on", _l("Entered care on"), ("入册日期", "建档日期", "登记日期")),
    Field("guardian_name", _l("Guardian"),
          ("监护人", "监护人姓名", "委托监护人", "委托监护人姓名", "实际监护人",
           "受委托监护人", "受委托监护人姓名", "被委托监护人姓名")),
    Field("guardian_relation", _l("Guardian's relation"),
          ("与儿童关系", "与留守儿童关系", "与儿童的关系", "监护人与儿童关系", "关系",
           "监护人关系", "与本人关系", "与被监护人关系", "监护人与被监护人关系",
           "与被监护人的关系", "受委托监护人与儿童关系")),
    Field("guardian_phone", _l("Guardian's phone"),
          ("监护人电话", "监护人联系电话", "监护人手机", "联系电话", "家庭电话",
           "受委托监护人电话", "受委托监护人联系电话", "监护人联系方式")),
    Field("guardian_age", _l("Guardian's age"), ("监护人年龄",)),
    Field("guardian_health", _l("Guardian's health"), ("监护人健康状况", "监护人身体状况")),
    Field("father_name", _l("Father"), ("父亲", "父亲姓名")),
    Field("father_phone", _l("Father's phone"),
          ("父亲电话", "父亲联系电话", "父亲手机", "父亲手机号")),
    Field("father_work_city", _l("Father works in"),
          ("父亲务工地", "父亲务工地点", "父亲打工地点", "父亲外出务工地点", "父亲务工地址",
           "父亲工作地点", "父亲当前务工地点", "父亲务工单位", "父亲务工单位地址")),
    Field("father_id_number", _l("Father's resident ID number"),
          ("父亲身份证号", "父亲身份证号码", "父亲公民身份证号码", "父亲公民身份号码")),
    Field("father_health", _l("Father's health"),
          ("父亲健康状况", "父亲身体状况", "父亲身体情况")),
    Field("father_able_to_guard", _l("Father able to act as guardian"),
          ("父亲有无监护能力", "父亲监护能力", "父亲是否有监护能力")),
    Field("mother_name", _l("Mother"), ("母亲", "母亲姓名")),
    Field("mother_phone", _l("Mother's phone"),
          ("母亲电话", "母亲联系电话", "母亲手机", "母亲手机号")),
    Field("mother_work_city", _l("Mother works in"),
          ("母亲务工地", "母亲务工地点", "母亲打工地点", "母亲外出务工地点", "母亲务工地址",
           "母亲工作地点", "母亲当前务工地点", "母亲务工单位", "母亲务工单位地址")),
    Field("mother_id_number", _l("Mother's resident ID number"),
          ("母亲身份证号", "母亲身份证号码", "母亲公民身份证号码", "母亲公民身份号码")),
    Field("mother_health", _l("Mother's health"),
          ("母亲健康状况", "母亲身体状况", "母亲身体情况")),
    Field("mother_able_to_guard", _l("Mother able to act as guardian"),
          ("母亲有无监护能力", "母亲监护能力", "母亲是否有监护能力")),
    Field("assistance", _l("Assistance received"),
          ("救助帮扶情况", "救助帮扶", "享受救助情况", "救助情况", "享受救助")),
)
FIELD_BY_KEY = {field.key: field for field in FIELDS}

# Headers read and set aside: row numbers, the export's status column, remarks.
IGNORED_WORDINGS = ("序号", "编号", "状态", "备注", "说明", "No.", "Status", "Remarks",
                    # the two columns the workbook of rows to correct adds
                    "行号", "错误说明", "Row", "What is wrong")

# msgids of the roster export's headers (admin_app.reports.records), by field.
_EXPORT_HEADERS = {
    "name": "Name", "gender": "Gender", "birth_date": "Birth date",
    "id_number": "Resident ID number", "home": "Children's Home", "school": "School",
    "grade": "Grade", "class_name": "Class", "class_teacher": "Class teacher",
    "class_teacher_phone": "Class teacher's phone", "left_behind_type": "Left-behind type",
    "living_arrangement": "Living arrangement", "boarding": "Boarding",
    "family_situation": "Family situation", "key_target": "Key assistance target",
    "guardianship": "Guardianship",
    "guardian_name": "Guardian", "guardian_relation": "Relation",
    "guardian_phone": "Guardian's phone", "father_name": "Father",
    "father_phone": "Father's phone", "father_work_city": "Father works in",
    "mother_name": "Mother", "mother_phone": "Mother's phone",
    "mother_work_city": "Mother works in", "address": "Address",
    "entered_on": "Entered care on", "ethnicity": "Ethnicity",
    "hukou_address": "Registered household address",
    "hukou_elsewhere": "Lives elsewhere than registered", "schooling": "Schooling",
    "father_id_number": "Father's resident ID number", "father_health": "Father's health",
    "father_able_to_guard": "Father able to act as guardian",
    "mother_id_number": "Mother's resident ID number", "mother_health": "Mother's health",
    "mother_able_to_guard": "Mother able to act as guardian",
    "assistance": "Assistance received",
}
# Words a lower header row is read with when the row above groups it (父亲 / 姓名).
_GROUPS = {"父亲": "父亲", "母亲": "母亲", "监护人": "监护人", "父亲情况": "父亲",
           "母亲情况": "母亲", "监护人情况": "监护人", "委托监护人": "监护人", "班主任": "班主任",
           "受委托监护人": "监护人", "受委托监护人情况": "监护人", "父亲信息": "父亲",
           "母亲信息": "母亲",
           "父母外出务工情况": "", "儿童基本情况": "", "基本情况": "", "在校情况": "",
           "家庭情况": ""}


def normal(text) -> str:
    """A header as compared: half-width, no spaces, no bracketed notes, no punctuation at
    the ends, lower-case Latin letters."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    text = re.sub(r"\s+", "", text).strip("：:*·.、").lower()
    return text


_wordings: dict[str, str] | None = None


def word_table(fields: tuple[Field, ...]) -> dict[str, str]:
    """{normal header: field key} for these fields: their wordings, then their labels in
    either language; the headers set aside map to IGNORE."""
    table = {normal(w): IGNORE for w in IGNORED_WORDINGS}
    for field in fields:
        for wording in field.wordings:
            table[normal(wording)] = field.key
    for field in fields:
        for locale in ("zh_Hans_CN", "en"):
            with force_locale(locale):
                table.setdefault(normal(str(field.label)), field.key)
    return table


def wordings() -> dict[str, str]:
    """{normal header: field key} of a children's roster, with the roster export's own
    headers; ignored headers mapping to IGNORE."""
    global _wordings
    if _wordings is None:
        table = word_table(FIELDS)
        for key, msgid in _EXPORT_HEADERS.items():
            table.setdefault(normal(msgid), key)
            with force_locale("zh_Hans_CN"):
                table.setdefault(normal(gettext(msgid)), key)
        for wording in ("序号", "编号", "No."):
            table[normal(wording)] = IGNORE
        _wordings = table
    return _wordings


@dataclass
class Header:
    """The header found in a sheet: the row its data starts after, and each column's text
    with the field it was matched to (None: not recognised; IGNORE: set aside)."""

    row_number: int
    data_from: int  # index into sheet.rows of the first data row
    texts: list[str]
    keys: list[str | None]

    @property
    def unmatched(self) -> list[str]:
        return [text for text, key in zip(self.texts, self.keys, strict=True)
                if key is None and text]


def _score(texts: list[str], table: dict[str, str]) -> int:
    return sum(1 for text in texts if table.get(normal(text)) not in (None, IGNORE))


def _combined(upper: list, lower: list, table: dict[str, str], groups: dict[str, str],
              spans: list[tuple[int, int]] | None) -> tuple[list[str], set[int]]:
    """A two-row header read as one: the upper row's group before each lower cell, e.g.
    父亲 + 电话 → 父亲电话. With the sheet's merged ranges (`spans`, 0-based columns of the
    upper row's), a group reaches as far as its merged cell and no further; without them (a
    CSV, a sheet with nothing merged) it is carried right, and a cell it was carried to that
    would mean another field on its own (联系电话: the guardian's, or the father's?) is
    returned among the columns to ask about."""
    texts, group, reach, unsure = [], "", None, set()
    for col in range(max(len(upper), len(lower))):
        top = upper[col] if col < len(upper) else None
        bottom = lower[col] if col < len(lower) else None
        if top is not None:
            group = str(top)
            if spans is not None:
                reach = next((last for first, last in spans if first == col), col)
        elif spans is not None and reach is not None and col > reach:
            group = ""
        if bottom is None:
            texts.append(str(top) if top is not None else "")
            continue
        prefix = groups.get(normal(group), None) if group else None
        candidate = f"{prefix}{bottom}" if prefix else str(bottom)
        if prefix and normal(candidate) not in table:
            if normal(bottom) in ("姓名",):
                candidate = prefix
            elif normal(bottom) in table:  # 受委托监护人电话 under 受委托监护人
                candidate = str(bottom)
        if (prefix and top is None and spans is None and normal(bottom) in table
                and table.get(normal(candidate)) != table[normal(bottom)]):
            unsure.add(col)
        texts.append(candidate)
    return texts, unsure


def find_header(sheet: Sheet, scan: int = 15, table: dict[str, str] | None = None,
                groups: dict[str, str] | None = None, required: str = "name") -> Header | None:
    """The header row (or pair of rows) among the first `scan` rows with the most
    recognised headers, if it has at least the `required` field and one other. `table` and
    `groups`: the wordings read (a children's roster's unless given: a pairing roster has
    its own)."""
    table = wordings() if table is None else table
    groups = _GROUPS if groups is None else groups
    best: tuple[int, int, int, list[str]] | None = None
    rows = sheet.head[:scan]
    singles = [[str(c) if c is not None else "" for c in cells] for _, cells in rows]
    scores = [_score(texts, table) for texts in singles]
    for index in range(len(rows)):
        candidates = [(1, singles[index], scores[index], set())]
        if index + 1 < len(rows):
            # The upper row's merged cells, if it has any (else its groups are carried).
            spans = (sheet.head_spans or {}).get(rows[index][0])
            texts, unsure = _combined(rows[index][1], rows[index + 1][1], table, groups, spans)
            score = _score(texts, table)
            if score > scores[index + 1]:  # the upper row adds something to the lower one
                candidates.append((2, texts, score, unsure))
        for height, texts, score, unsure in candidates:
            if best is None or score > best[0]:
                best = (score, index, height, texts, unsure)
    if best is None or best[0] < 2:
        return None
    score, index, height, texts, unsure = best
    keys = [None if col in unsure else table.get(normal(text)) if text else IGNORE
            for col, text in enumerate(texts)]
    if required not in keys:
        return None
    return Header(row_number=rows[index][0], data_from=index + height, texts=texts, keys=keys)


# Words inside a header that say it holds something we keep (a relation, a phone, a name).
_KNOWN_PARTS = ("姓名", "名字", "电话", "手机", "关系", "身份证", "身份号", "出生", "生日", "性别",
                "地址", "住址", "监护", "父", "母", "学校", "年级", "班", "留守", "寄宿", "住校",
                "务工", "打工", "健康", "身体", "家庭", "帮扶", "儿童之家")


def looks_known(text: str) -> bool:
    """Whether a header not recognised looks like one of our fields, so that setting it
    aside unasked would lose what it holds (与被监护人关系 was read as nothing)."""
    word = normal(text)
    return any(part in word for part in _KNOWN_PARTS)


def apply_mapping(header: Header, mapping: dict[str, str]) -> None:
    """The user's choices for headers that were not recognised."""
    for col, text in enumerate(header.texts):
        if header.keys[col] is None and text in mapping:
            choice = mapping[text]
            header.keys[col] = choice if choice in FIELD_BY_KEY or choice == IGNORE else None


def set_aside_duplicates(header: Header) -> list[tuple[str, str]]:
    """A second column read as a field an earlier one holds waits for the user's choice
    (the mapping step) instead of stopping the file: (its text, the field) for each."""
    seen, set_aside = set(), []
    for col, key in enumerate(header.keys):
        if key and key in seen:
            header.keys[col] = None
            set_aside.append((header.texts[col], key))
        seen.add(key)
    return set_aside


def duplicate_keys(header: Header) -> list[str]:
    seen, twice = set(), []
    for key in header.keys:
        if key and key in seen and key not in twice:
            twice.append(key)
        seen.add(key)
    return twice
