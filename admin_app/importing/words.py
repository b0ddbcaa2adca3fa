"""Cell values as staff type them, read into ours: dates in their common forms, ID numbers
and phones however Excel kept them, and category words through one table of synonyms.
A word the table does not know is reported, never guessed."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from admin_app.importing.reading import BadCell
from models import validators as rules
from models.enums import (
    AssistanceKind,
    FamilySituation,
    Gender,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
    Schooling,
    SchoolStage,
)
from models.validators import InvalidValue

# Words staff write for each category, beside the categories' own labels (both languages).
SYNONYMS: dict[type, dict[str, tuple[str, ...]]] = {
    Gender: {
        "MALE": ("男", "男性", "男孩", "男生", "m", "male"),
        "FEMALE": ("女", "女性", "女孩", "女生", "f", "female"),
    },
    LeftBehindType: {
        "BOTH_PARENTS": ("双亲外出", "父母均外出", "父母双方外出", "父母都外出", "父母外出",
                         "双方外出", "双留守", "父母双外出", "父母均在外务工"),
        "ONE_PARENT": ("单亲外出", "父亲外出", "母亲外出", "父或母外出", "父母一方外出",
                       "一方外出", "单留守", "父亲外出务工", "母亲外出务工",
                       "父母一方外出、另一方无监护能力", "父母一方外出另一方无监护能力",
                       "一方外出另一方无监护能力"),
    },
    LivingArrangement: {
        "GRANDPARENTS": ("随祖辈", "随祖辈生活", "跟爷爷奶奶", "跟外公外婆", "祖父母监护",
                         "外祖父母监护", "祖辈监护", "隔代监护", "爷爷奶奶", "外公外婆",
                         "随爷爷奶奶生活", "随外公外婆生活", "祖父母", "隔代抚养"),
        "RELATIVES": ("随亲戚", "亲戚", "亲属监护", "亲戚监护", "随其他亲戚生活", "其他亲属监护",
                      "寄养亲戚家"),
        "PROXY_GUARDIAN": ("代理监护", "委托监护", "代理家长", "代管家长", "随代管家长生活",
                           "他人监护", "委托他人监护"),
        "ALONE": ("独居", "单独居住", "独自生活", "无人监护", "自己住", "自我监护"),
        "ONE_PARENT": ("随父", "随母", "跟父亲", "跟母亲", "父亲监护", "母亲监护", "单亲监护",
                       "随父亲生活", "随母亲生活", "随父（母）一方生活", "父母一方监护"),
    },
    GuardianRelation: {
        "GRANDFATHER": ("祖父", "爷爷", "爷孙"),
        "GRANDMOTHER": ("祖母", "奶奶", "婆孙"),
        "MATERNAL_GRANDFATHER": ("外祖父", "外公", "姥爷"),
        "MATERNAL_GRANDMOTHER": ("外祖母", "外婆", "姥姥"),
        "FATHER": ("父亲", "父子", "父女", "爸爸"),
        "MOTHER": ("母亲", "母子", "母女", "妈妈"),
        "RELATIVE": ("叔叔", "伯父", "伯伯", "婶婶", "姑姑", "姑妈", "舅舅", "舅妈", "姨妈",
                     "阿姨", "姨", "哥哥", "姐姐", "亲戚", "其他亲属", "亲属", "叔侄", "伯侄",
                     "姑侄", "舅甥", "姨甥", "兄妹", "兄弟", "姐弟", "姐妹"),
        "PROXY": ("代理监护人", "代理家长", "代管家长", "委托监护人"),
        "OTHER": ("其他",),
    },
    Guardianship: {
        "GOOD": ("较好", "好", "良好", "很好"),
        "FAIR": ("一般", "中等"),
        "POOR": ("差", "较差", "不好"),
        "NOBODY": ("无人监护", "没人监护"),
        "PARENT_UNABLE": ("父或母无监护能力", "父母一方无监护能力", "父亲无监护能力",
                          "母亲无监护能力"),
        "PROXY_UNABLE": ("受委托监护人监护能力不足", "委托监护人监护能力不足", "监护能力不足",
                         "受委托监护人无监护能力"),
    },
    Schooling: {
        "KINDERGARTEN": ("幼儿园", "在园", "入园", "上幼儿园"),
        "PRESCHOOL": ("未入园", "学龄前", "散居", "学龄前未入园", "未上幼儿园"),
        "IN_SCHOOL": ("在校", "在学", "在读", "就读", "在校生"),
        "SUSPENDED": ("休学",),
        "DROPPED_OUT": ("辍学", "失学"),
        "NOT_ENROLLED": ("不在学", "未入学", "未上学", "未就学", "初中毕业后未继续就学"),
    },
    AssistanceKind: {
        "MINIMUM_LIVING": ("低保", "享受低保", "最低生活保障", "农村低保"),
        "EXTREME_POVERTY": ("特困", "特困供养", "特困人员供养", "五保"),
        "ORPHAN": ("孤儿", "孤儿基本生活费", "孤儿生活费"),
        "UNSUPPORTED": ("事实无人抚养", "事实无人抚养儿童", "事实无人抚养儿童补贴",
                        "事实无人抚养儿童生活补贴"),
        "TEMPORARY": ("临时救助",),
        "MEDICAL": ("医疗救助",),
        "HOUSING": ("住房救助", "危房改造"),
        "OTHER": ("其他", "其他救助"),
    },
    FamilySituation: {
        "ORDINARY": ("一般", "普通", "正常", "一般家庭", "无"),
        "SINGLE_PARENT": ("单亲", "单亲家庭"),
        "DIVORCED": ("离异", "父母离异", "离异家庭"),
        "ORPHAN": ("孤儿", "事实孤儿"),
    },
}
# Words that name a kind of relation without saying which one the record holds: asked,
# never guessed (祖孙 may be the grandfather or the grandmother).
UNSAID: dict[type, dict[str, tuple[str, ...]]] = {
    GuardianRelation: {"祖孙": ("GRANDFATHER", "GRANDMOTHER", "MATERNAL_GRANDFATHER",
                               "MATERNAL_GRANDMOTHER"),
                       "外祖孙": ("MATERNAL_GRANDFATHER", "MATERNAL_GRANDMOTHER"),
                       "隔代": ("GRANDFATHER", "GRANDMOTHER", "MATERNAL_GRANDFATHER",
                               "MATERNAL_GRANDMOTHER")},
}
YES = ("是", "有", "寄宿", "住校", "y", "yes", "true", "1", "√", "✓", "✔")
NO = ("否", "无", "不", "不是", "走读", "n", "no", "false", "0", "×", "✗")


def _word(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


_tables: dict[type, dict[str, object]] = {}


def _table(enum_class) -> dict[str, object]:
    if enum_class not in _tables:
        table: dict[str, object] = {}
        for member in enum_class:
            for locale in ("zh_Hans_CN", "en"):
                with force_locale(locale):
                    table[_word(member.label)] = member
        for name, words in SYNONYMS.get(enum_class, {}).items():
            for word in words:
                table[_word(word)] = enum_class[name]
        _tables[enum_class] = table
    return _tables[enum_class]


def category(enum_class, value):
    """The member a word stands for, None for an empty cell; an unknown word raises."""
    if value is None:
        return None
    member = _table(enum_class).get(_word(value))
    which = UNSAID.get(enum_class, {}).get(_word(value))
    if member is None and which:
        raise InvalidValue(_l("“%(word)s” does not say which relation it is; write one of: "
                              "%(choices)s.", word=str(value)[:30],
                              choices="、".join(str(enum_class[name].label) for name in which)))
    if member is None:
        raise InvalidValue(_l("“%(word)s” is not a word we know here; use one of: %(choices)s.",
                              word=str(value)[:30],
                              choices="、".join(str(m.label) for m in enum_class)))
    return member


def yes_no(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    word = _word(value)
    if word in YES:
        return True
    if word in NO:
        return False
    raise InvalidValue(_l("“%(word)s” is neither yes (是) nor no (否).", word=str(value)[:30]))


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_MONTH_PATTERNS = (
    re.compile(r"(\d{4})[.\-/年](\d{1,2})月?"),
    re.compile(r"(\d{4})(\d{2})"),
)


_SERIAL = re.compile(r"[2-6]\d{4}")  # 1954-10-03 … 2064-04-08
_EXCEL_EPOCH = date(1899, 12, 30)
_MONTH_CUT = re.compile(r"\d{4}\.1")


class _OctoberOrJanuary(int):
    """"Day unknown", and the month too: 2014.1 is January, or October as Excel keeps the
    number 2014.10."""


OCTOBER_OR_JANUARY = _OctoberOrJanuary(1)


def a_date(value) -> tuple[date | None, bool]:
    """A date from an Excel date cell or text (2015.3.12, 2015/03/12, 2015-3-12,
    2015年3月12日, 20150312); a year and month (201503, 2015.3, 2015年3月) give the
    month's first day and `True` for "day unknown"."""
    if value is None:
        return None, False
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    # 2010/11/23 0:00, as Excel writes a date into a CSV: the time says nothing of the day.
    text = re.sub(r"\s*(?:\s|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", text)
    text = re.sub(r"\s+", "", text)
    if _SERIAL.fullmatch(text):
        # Excel's number for a date (days since 1899-12-30), as a CSV keeps an unformatted
        # date cell: 40505 is 2010-11-23.
        return _EXCEL_EPOCH + timedelta(days=int(text)), False
    if _MONTH_CUT.fullmatch(text):
        return date(int(text[:4]), 1, 1), OCTOBER_OR_JANUARY
    try:
        for pattern in _DATE_PATTERNS:
            if match := pattern.fullmatch(text):
                return date(*map(int, match.groups())), False
        for pattern in _MONTH_PATTERNS:
            if match := pattern.fullmatch(text):
                return date(int(match[1]), int(match[2]), 1), True
    except ValueError:
        raise InvalidValue(_l("“%(text)s” is not a real date.", text=text[:20])) from None
    raise InvalidValue(_l("“%(text)s” is not a date we can read; write it as 2015-03-12.",
                          text=text[:20]))


# Words people write in a cell to say "nothing here" (the MCA forms ask for "—").
_DASHES = ("—", "——", "–", "-", "--", "－", "/", "／", "\\", "、", "…", "……", "一")
_NONES = ("无", "無", "没有", "暂无", "不详")
# As typed and as normalised (full-width forms, the ellipsis), compared with the trimmed cell
# as it is: most cells are short (a name, 男, 奶奶), and normalising each took a tenth of a
# 40,000-row preview.
NOTHING = frozenset([*_DASHES, *(_word(w) for w in _DASHES)])
NONE_WORDS = frozenset([*_NONES, *(_word(w) for w in _NONES)])


def nothing(value, none_words: bool = False) -> bool:
    """Whether a cell says only that there is nothing: a dash, a slash (and 无, where `none_words`:
    in names, phones and numbers, never in yes/no or category columns where 无 means no)."""
    if not isinstance(value, str):
        return False
    word = value.strip()
    return word in NOTHING or (none_words and word in NONE_WORDS)


def _excel_cut(shown: str):
    return _l("Excel stored this ID number as a number and kept only 15 digits, so its last "
              "digits are lost (the file says %(shown)s). Format the column as text in Excel "
              "and type the number again.", shown=shown)

_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?e\+?\d+")


def id_number(value) -> str | None:
    """An ID number however it arrived: text with spaces, full-width digits, a lower-case
    x or Excel's text mark ('), or a number — which Excel has already cut to 15 significant
    digits, as it has a text in scientific notation (4.30624E+17, from a CSV)."""
    if value is None:
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        digits = f"{value:.0f}"
        if len(digits) >= 16:
            raise InvalidValue(_excel_cut(digits))
        value = digits
    text = str(value).strip().lstrip("'‘’`")
    if _SCIENTIFIC.fullmatch(_word(text)):
        raise InvalidValue(_excel_cut(text[:30]))
    return rules.clean_id_number(text)


def cut_by_excel(number: str | None) -> bool:
    """18 digits ending in 000: what Excel leaves of an ID number it kept as a number and
    wrote out again (a CSV). Its check digit may well pass; the number is another person's."""
    return bool(number) and number.endswith("000")


def excel_zeros(shown: str):
    return _l("This ID number ends in 000, which is what Excel leaves of a number it kept with "
              "only 15 digits (the file says %(shown)s), and this column shows other signs of "
              "Excel. It was not imported: format the column as text in Excel and type the full "
              "number again. If the number really ends in 000, enter it in the child's archive "
              "form.", shown=shown)


def phone(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return rules.clean_phone(str(value))


_PHONE_IN_TEXT = re.compile(r"(?:\+?86)?[\s\-]*(1[3-9][\d\s\-]{9,13}|0\d{2,3}[\s\-]*\d{7,8})")


def teacher_and_phone(value) -> tuple[str, str | None]:
    """“张老师 13812345678” → (“张老师”, “13812345678”)."""
    if value is None:
        return "", None
    text = unicodedata.normalize("NFKC", str(value))
    match = _PHONE_IN_TEXT.search(text)
    if match is None:
        return text.strip(" ,，;；/、:："), None
    name = (text[:match.start()] + text[match.end():]).strip(" ,，;；/、:：()（）")
    return name, rules.clean_phone(match.group(0))


def whole_number(value, low: int, high: int) -> int | None:
    if value is None:
        return None
    text = re.sub(r"[岁周\s]", "", unicodedata.normalize("NFKC", str(value)))
    try:
        number = int(float(text))
    except ValueError:
        raise InvalidValue(_l("“%(text)s” is not a number.", text=text[:20])) from None
    if not low <= number <= high:
        raise InvalidValue(_l("%(number)s is out of the range %(low)s–%(high)s.",
                              number=number, low=low, high=high))
    return number


def text(value, limit: int) -> str:
    """A text cell, trimmed; longer than the field takes is an error, never cut silently."""
    if value is None:
        return ""
    if isinstance(value, BadCell):
        raise InvalidValue(value.message)
    if isinstance(value, datetime):
        value = value.date().isoformat()
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    if len(result) > limit:
        raise InvalidValue(_l("This cell has more than %(limit)s characters.", limit=limit))
    return result


def masked(value) -> bool:
    """A value masked by an export (430626********1234, 138****5678): it says nothing."""
    return isinstance(value, str) and "*" in value


# 就学情况 words that also say the stage: a pupil in school at that stage.
_STAGE_WORDS = {"小学": SchoolStage.PRIMARY, "初中": SchoolStage.JUNIOR,
                "高中": SchoolStage.SENIOR, "中职": SchoolStage.VOCATIONAL,
                "职高": SchoolStage.VOCATIONAL, "中专": SchoolStage.VOCATIONAL}


def schooling(value) -> tuple[Schooling, SchoolStage | None] | None:
    """就学情况 and the stage the word says (小学, 初中 …), or None for an empty cell. 是
    (in a 是否在校 column) is in school; 否 does not say which of the ways out of school it
    is, and is asked."""
    if value is None:
        return None
    word = _word(value)
    if word in _STAGE_WORDS:
        return Schooling.IN_SCHOOL, _STAGE_WORDS[word]
    if word in YES:
        return Schooling.IN_SCHOOL, None
    if word in NO:
        ways_out = "、".join(str(m.label) for m in Schooling if m is not Schooling.IN_SCHOOL)
        raise InvalidValue(_l("“%(word)s” does not say how the child is out of school; "
                              "write one of: %(choices)s.", word=str(value)[:30],
                              choices=ways_out))
    return category(Schooling, value), None


_LIST = re.compile(r"[、,，;；/\s]+")


def assistance(value) -> frozenset[AssistanceKind] | None:
    """救助帮扶情况: the kinds of help a cell lists (低保、医疗救助); 无 or 否 lists none. An
    unknown word is refused, never dropped."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _word(text) in (*NO, "没有", "未享受"):
        return frozenset()
    return frozenset(category(AssistanceKind, part) for part in _LIST.split(text) if part)
