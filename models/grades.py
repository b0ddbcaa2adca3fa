"""A new school year: each child's grade moved up by one (每年滚动名册). Grades are the words
staff type (一年级, 3年级, 小学五年级, 初二, 高一, 学前班 …); only forms read without doubt
are moved, anything else is left as it is and shown."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from models.enums import SchoolStage

_DIGITS = "一二三四五六七八九"
# What the form offers when a grade is typed (any other words may still be typed).
GRADE_WORDS = ("学前班", "一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级",
               "八年级", "九年级", "高一", "高二", "高三")
_GRADE = re.compile(r"(小学)?([一二三四五六七八九1-9])年级")
_STAGE = re.compile(r"([初高])([一二三])")
_BEFORE_SCHOOL = ("学前班", "大班", "幼儿园大班")


def next_grade(grade: str | None) -> str | None:
    """The grade after `grade` in the style it is written, or None: not a grade read
    without doubt, or the last one (高三)."""
    text = unicodedata.normalize("NFKC", grade or "").replace(" ", "")
    if text in _BEFORE_SCHOOL:
        return "一年级"
    if match := _GRADE.fullmatch(text):
        primary, number = match.groups()
        arabic = number.isdigit()
        n = int(number) if arabic else _DIGITS.index(number) + 1
        if n == 9:
            return "高一"
        if primary and n == 6:
            return "七年级"  # out of primary school: no "小学" any more
        following = str(n + 1) if arabic else _DIGITS[n]
        return f"{primary or ''}{following}年级"
    if match := _STAGE.fullmatch(text):
        stage, year = match.groups()
        n = "一二三".index(year)
        if n < 2:
            return f"{stage}{'一二三'[n + 1]}"
        return "高一" if stage == "初" else None
    return None


def grade_rank(grade: str | None) -> tuple[int, str]:
    """Where `grade` comes in school order (学前班 first, 高三 last, words not read after),
    for showing grades in the order children go through them."""
    text = unicodedata.normalize("NFKC", grade or "").replace(" ", "")
    if text in _BEFORE_SCHOOL:
        return 0, text
    if match := _GRADE.fullmatch(text):
        number = match.group(2)
        return (int(number) if number.isdigit() else _DIGITS.index(number) + 1), text
    if match := _STAGE.fullmatch(text):
        stage, year = match.groups()
        return (6 if stage == "初" else 9) + "一二三".index(year) + 1, text
    return 99, text


def school_year(day: date) -> int:
    """The school year `day` is in, by the year it began (1 August onwards)."""
    return day.year if day.month >= 8 else day.year - 1


_VOCATIONAL_GRADE = re.compile(r"(?:中职|职高|中专)[一二三1-3](?:年级)?")
_VOCATIONAL_SCHOOL = re.compile(r"职业|职校|职高|中专|技工|技校|中职")


def school_stage(grade: str | None, school: str | None = "") -> SchoolStage | None:
    """The school stage `grade` is in (学前班 is pre-school; 七年级 and 初一 junior middle
    school); a first to third year at a vocational school (its name says 职业, 中专, 技工 …)
    or a grade written 中职一年级 / 职高二 is secondary vocational. None when the grade does
    not say it without doubt."""
    text = unicodedata.normalize("NFKC", grade or "").replace(" ", "")
    if _VOCATIONAL_GRADE.fullmatch(text):
        return SchoolStage.VOCATIONAL
    rank = grade_rank(text)[0]
    if rank == 99:
        return None
    place = unicodedata.normalize("NFKC", school or "")
    if _VOCATIONAL_SCHOOL.search(place) and rank in (1, 2, 3, 10, 11, 12):
        return SchoolStage.VOCATIONAL
    if rank == 0:
        return SchoolStage.PRESCHOOL
    return (SchoolStage.PRIMARY if rank <= 6 else SchoolStage.JUNIOR if rank <= 9
            else SchoolStage.SENIOR)
