"""Home visits three times a term (期初、期中、期末): in three windows of 21 days at the start,
middle and end of each term the county entered; a window is counted in the month it ends
in, and a visit the month before counts for a window that began then; the follow-up, the
database's count, the reminders and the scorecard all say so."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from admin_app.extensions import db
from admin_app.reports.followup import followup_rows, home_totals, totals
from admin_app.reports.scorecard import Period, scorecard
from models import DutyRule, SchoolTerm
from models.duties import duties
from models.enums import CareKind as K
from models.enums import Frequency, FulfilledBy, Role, Term
from models.followup import care_days, owed, owed_since
from models.terms import terms, visit_windows


@pytest.fixture
def visits(make):
    make._save(SchoolTerm(school_year=2026, term=Term.AUTUMN, first_day=date(2026, 9, 1),
                          last_day=date(2027, 1, 22)))
    make._save(SchoolTerm(school_year=2026, term=Term.SPRING, first_day=date(2027, 2, 24),
                          last_day=date(2027, 7, 4)))
    rule = make._save(DutyRule(name="学期家访", position=6, kinds="home_visit",
                               frequency=Frequency.TERM_VISITS,
                               fulfilled_by=FulfilledBy.PAIRED, stricter_for=""))
    home = make.home(name="甲之家")
    mother = make.volunteer(home=home, name="张妈妈")
    child = make.child(home=home, name="小林")
    make.pairing(mother, child, started_on=date(2026, 8, 1))
    for day in (date(2026, 9, 10), date(2027, 2, 26)):
        make.care_record(child, volunteer=mother, kind=K.HOME_VISIT, occurred_on=day)
    return {"rule": rule, "home": home, "mother": mother, "child": child}


def test_the_windows_of_a_term(db, visits):
    windows = visit_windows(terms(db.session, 2026, 2026))
    assert windows == (
        (date(2026, 9, 1), date(2026, 9, 21)), (date(2026, 11, 2), date(2026, 11, 22)),
        (date(2027, 1, 2), date(2027, 1, 22)),
        (date(2027, 2, 24), date(2027, 3, 16)), (date(2027, 4, 20), date(2027, 5, 10)),
        (date(2027, 6, 14), date(2027, 7, 4)))


@pytest.mark.parametrize(("month", "done", "due"), [
    (date(2026, 9, 1), 1, 1),    # the start window, visited on 10 September
    (date(2026, 10, 1), 0, 0),   # no window ends in October
    (date(2026, 11, 1), 0, 1),   # the middle window missed
    (date(2027, 3, 1), 1, 1),    # spring's start window (24 Feb-16 Mar), visited 26 Feb
])
def test_a_window_is_counted_in_the_month_it_ends_in(make, visits, month, done, due):
    with time_machine.travel(datetime(2027, 3, 20, 4, tzinfo=UTC), tick=False):
        rows = followup_rows(make.user(Role.ADMIN), month)
        mark = rows[0].ticks[str(visits["rule"].id)]
        assert (mark.done, mark.due) == (done, due)
        # The database's count of the month agrees with the rows.
        counted, _ = home_totals(make.user(Role.ADMIN), month)
        assert counted.done == totals(rows)[0].done


def test_a_missed_middle_visit_is_overdue_and_escalates(make, visits):
    rules = duties(db.session)
    rule = next(d for d in rules if d.key == str(visits["rule"].id))
    today = date(2026, 12, 1)
    found = care_days(db.session, [visits["child"].id], today, rules, since=owed_since(today))
    due = owed(rule, found.get((visits["child"].id, visits["mother"].id), {}), today, frozenset(),
               date(2026, 8, 1))
    assert (due.by, due.overdue_days) == (date(2026, 11, 22), 9)
    september = date(2026, 9, 15)
    found = care_days(db.session, [visits["child"].id], september, rules,
                      since=owed_since(september))
    assert owed(rule, found[(visits["child"].id, visits["mother"].id)], september,
                frozenset(), date(2026, 8, 1)) is None


def test_the_scorecard_counts_the_terms_visits(make, visits):
    with time_machine.travel(datetime(2026, 12, 20, 4, tzinfo=UTC), tick=False):
        today = date(2026, 12, 20)
        lines, *_ = scorecard(make.user(Role.ADMIN), Period.parse("2026-autumn", today),
                                today)
        figures = lines[0].figures
        key = str(visits["rule"].id)
        assert (figures.done[key], figures.due[key]) == (1, 2)  # start done, middle missed


def test_a_window_begun_last_month_shows_the_day_that_counts(app, make, visits):
    from tests.conftest import sign_in

    client = app.test_client()
    with time_machine.travel(datetime(2027, 3, 20, 4, tzinfo=UTC), tick=False):
        make.user(Role.STAFF, username="jia", home=visits["home"])
        assert sign_in(client, "jia").status_code == 302
        page = client.get("/admin/followup/?month=2027-03").text
    row = page.split(f'data-child="{visits["child"].id}"')[1].split("</tr>")[0]
    cell = row.split('data-label="学期家访">')[1].split("</td>")[0]
    assert "✔</span> 2/26" in cell  # the spring start window's visit, in February


def test_a_yearly_duty_in_january_does_not_count_last_december(make, visits):
    make.care_record(visits["child"], volunteer=visits["mother"], kind=K.FESTIVAL,
                     occurred_on=date(2026, 12, 25))
    with time_machine.travel(datetime(2027, 1, 10, 4, tzinfo=UTC), tick=False):
        rows = followup_rows(make.user(Role.ADMIN), date(2027, 1, 1))
    festival = next(d for d in duties(db.session) if d.frequency is Frequency.YEARLY)
    assert rows[0].ticks[festival.key].done == 0


def test_the_scorecard_counts_a_window_in_the_month_it_ends_in(make, visits):
    with time_machine.travel(datetime(2027, 3, 20, 4, tzinfo=UTC), tick=False):
        today = date(2027, 3, 20)
        lines, *_ = scorecard(make.user(Role.ADMIN), Period.parse("2027-03", today), today)
    key = str(visits["rule"].id)
    assert (lines[0].figures.done[key], lines[0].figures.due[key]) == (1, 1)
