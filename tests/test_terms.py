"""School terms and holidays on the calendar: the terms the county enters (else the usual
dates, marked 推定), the winter and summer holidays between them, the weekend days worked
instead of a holiday (补班), the holidays of a year not yet announced marked as estimated;
and the scorecard's term is the county's."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from admin_app.reports.scorecard import Period
from models import SchoolTerm
from models.calendar import Month, festivals
from models.enums import Role, Term
from tests.test_calendar import signed_in


def day_marks(page: str, day: date) -> str:
    cell = page.split(f'data-date="{day.isoformat()}"')[1]
    return cell.split("</td>")[0] if "</td>" in cell.split("data-date")[0] else cell.split(
        "data-date")[0]


@pytest.fixture
def entered(make):
    make._save(SchoolTerm(school_year=2026, term=Term.AUTUMN, first_day=date(2026, 9, 1),
                          last_day=date(2027, 1, 22)))
    make._save(SchoolTerm(school_year=2026, term=Term.SPRING, first_day=date(2027, 2, 24),
                          last_day=date(2027, 7, 4)))


def test_the_usual_terms_are_marked_as_estimated(app, make):
    page = signed_in(app, make, Role.STAFF, home=make.home()).get(
        "/admin/calendar/?month=2026-01").text
    assert "秋季学期结束（推定）" in day_marks(page, date(2026, 1, 20))
    assert "寒假开始（推定）" in day_marks(page, date(2026, 1, 21))


def test_the_countys_terms_and_the_holidays_between(app, make, entered):
    client = signed_in(app, make, Role.STAFF, home=make.home())
    january = client.get("/admin/calendar/?month=2027-01").text
    assert "秋季学期结束" in day_marks(january, date(2027, 1, 22))
    assert "推定" not in day_marks(january, date(2027, 1, 22))
    assert "寒假开始" in day_marks(january, date(2027, 1, 23))
    february = client.get("/admin/calendar/?month=2027-02").text
    assert "寒假最后一天" in day_marks(february, date(2027, 2, 23))
    assert "春季学期开学" in day_marks(february, date(2027, 2, 24))
    july = client.get("/admin/calendar/?month=2027-07").text
    assert "暑假开始" in day_marks(july, date(2027, 7, 5))
    september = client.get("/admin/calendar/?month=2027-09").text  # next year's: usual
    assert "秋季学期开学（推定）" in day_marks(september, date(2027, 9, 1))
    august = client.get("/admin/calendar/?month=2027-08").text
    assert "暑假最后一天（推定）" in day_marks(august, date(2027, 8, 31))


def test_make_up_working_days_and_estimated_holidays(app):
    with app.test_request_context():
        february = festivals(Month(2026, 2))
        assert "补班" in february[date(2026, 2, 14)] and "补班" in february[date(2026, 2, 28)]
        assert all("推定" not in name for names in february.values() for name in names)
        # 2027's schedule is not announced (the library's latest is 2026): estimated.
        national = festivals(Month(2027, 10))[date(2027, 10, 1)]
        assert any("推定" in name for name in national)
        june = festivals(Month(2027, 6))
        assert all("推定" not in name for name in june[date(2027, 6, 1)])  # 六一: a fixed day


def test_the_scorecards_term_is_the_countys(app, make, entered):
    with app.test_request_context():
        autumn = Period.parse("2026-autumn", date(2026, 12, 20))
        assert (autumn.first, autumn.last) == (date(2026, 9, 1), date(2027, 1, 22))
        spring = Period.parse("2027-spring", date(2027, 3, 1))
        assert (spring.first, spring.last) == (date(2027, 2, 24), date(2027, 7, 4))


@pytest.mark.parametrize(("form", "message"), [
    ({"school_year": "2026", "term": "AUTUMN", "first_day": "2025-09-01",
      "last_day": "2026-01-20"}, "必须在所属学年之内"),
    ({"school_year": "2026", "term": "AUTUMN", "first_day": "2026-09-01",
      "last_day": "2027-06-30"}, "最长 200 天"),
    ({"school_year": "2026", "term": "AUTUMN", "first_day": "2026-09-01",
      "last_day": "2026-08-01"}, "结束时间不能早于开始时间"),
])
def test_a_term_that_cannot_be_is_refused_in_chinese(app, make, db, form, message):
    admin = signed_in(app, make, Role.ADMIN)
    response = admin.post("/admin/school_term/new/", data=form)
    assert response.status_code == 200 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SchoolTerm)) == 0


def test_staff_read_the_terms_and_only_administrators_enter_them(app, make, db):
    staff = signed_in(app, make, Role.STAFF, home=make.home())
    assert staff.get("/admin/school_term/").status_code == 200
    assert staff.get("/admin/school_term/new/").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SchoolTerm)) == 0
