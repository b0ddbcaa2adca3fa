"""The app's "today" is Beijing's whatever the server's own zone: at 20:30 UTC on
31 December it is already 1 January in the Homes, and at 23:30 UTC on 29 February 2028
already 1 March. The server here runs in UTC and the clock is frozen at those moments."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from models import CareRecord, StockMovement
from models.enums import CareKind, Role
from tests.conftest import export_through_approval
from tests.test_calendar import signed_in

# (the moment, in UTC; the day it is in Beijing then)
AWKWARD_HOURS = [
    (datetime(2026, 12, 31, 20, 30, tzinfo=UTC), date(2027, 1, 1)),  # 04:30 on New Year's Day
    (datetime(2028, 2, 29, 23, 30, tzinfo=UTC), date(2028, 3, 1)),  # 07:30 after a leap day
]
MONTHLY_DUTIES = (CareKind.TALK, CareKind.PARENT_CALL, CareKind.TEACHER_CONTACT,
                  CareKind.GUARDIAN_CONTACT)


@pytest.fixture
def utc_server():
    """The process's own zone is UTC, as on most servers (date.today() is then UTC's)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture(params=AWKWARD_HOURS, ids=["new-year", "leap-day"])
def beijing_day(request, utc_server) -> date:
    """The clock stopped at an hour when UTC's date is still yesterday; Beijing's day."""
    moment, day = request.param
    with time_machine.travel(moment, tick=False):
        # The server's own date, the one the app must not use.
        assert date.today() < day  # noqa: DTZ011 (the naive date is the point)
        yield day


def test_a_new_care_record_is_dated_the_day_in_beijing(app, make, beijing_day):
    client = signed_in(app, make, Role.STAFF, home=make.home())
    form = client.get("/admin/care_record/new/").text
    assert f'name="occurred_on" required type="text" value="{beijing_day.isoformat()}"' in form


def test_a_care_record_and_a_stock_movement_of_the_day_in_beijing_are_not_in_the_future(
        app, make, db, beijing_day):
    home = make.home()
    child = make.child(home=home)
    item = make.item(home=home)
    client = signed_in(app, make, Role.STAFF, home=home)
    day = beijing_day.isoformat()
    care = client.post("/admin/care_record/new/", data={
        "child": str(child.id), "occurred_on": day, "kind": "TALK", "notes": "谈心"})
    stock = client.post("/admin/stock_movement/new/", data={
        "item": str(item.id), "occurred_on": day, "kind": "DONATION", "quantity": "5"})
    assert "日期不能晚于今天" not in care.text + stock.text
    assert care.status_code == stock.status_code == 302
    assert db.session.scalars(select(CareRecord.occurred_on)).all() == [beijing_day]
    assert db.session.scalars(select(StockMovement.occurred_on)).all() == [beijing_day]


def test_the_day_after_beijings_is_still_refused_as_in_the_future(app, make, beijing_day):
    item = make.item()
    client = signed_in(app, make, Role.ADMIN)
    refused = client.post("/admin/stock_movement/new/", data={
        "item": str(item.id), "occurred_on": (beijing_day + timedelta(days=1)).isoformat(),
        "kind": "DONATION", "quantity": "5"})
    assert refused.status_code == 200 and "日期不能晚于今天" in refused.text


def paired_with_the_months_duties_done(make, home, day: date):
    """A caring mother and her child, with the four monthly duties done on `day`."""
    volunteer = make.volunteer(home=home)
    child = make.child(home=home)
    make.pairing(volunteer, child)
    for kind in MONTHLY_DUTIES:
        make.care_record(child, volunteer=volunteer, kind=kind, occurred_on=day)
    return volunteer


def test_my_children_shows_beijings_month(app, make, beijing_day):
    home = make.home()
    volunteer = paired_with_the_months_duties_done(make, home, beijing_day)
    page = signed_in(app, make, Role.VOLUNTEER, volunteer=volunteer).get(
        "/admin/my-children/").text
    assert f"本月：{beijing_day:%Y-%m}" in page


def test_the_overview_counts_the_five_ones_of_beijings_month(app, make, beijing_day):
    home = make.home()
    paired_with_the_months_duties_done(make, home, beijing_day)
    page = signed_in(app, make, Role.STAFF, home=home).get("/admin/").text
    assert 'id="five-ones">1<small' in page  # of UTC's month (the year before): none


def test_the_followup_is_of_beijings_month(app, make, beijing_day):
    home = make.home()
    paired_with_the_months_duties_done(make, home, beijing_day)
    page = signed_in(app, make, Role.STAFF, home=home).get("/admin/followup/").text
    assert f'name="month" value="{beijing_day:%Y-%m}"' in page
    assert '<p id="followup-summary">1 个结对中有 1 个完成了本月全部应做事项' in page


def test_an_export_is_named_and_stamped_with_the_day_in_beijing(app, make, beijing_day):
    home = make.home()
    make.child(home=home, name="导出孩子")
    client = signed_in(app, make, Role.STAFF, home=home)
    response = export_through_approval(client, "/admin/child/export/xlsx/")
    assert response.status_code == 200
    day = beijing_day.isoformat()
    assert f"花名册（{day}）.xlsx" in unquote(response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert f"{day} 0" in sheet.oddHeader.left.text  # stamped 04:30 or 07:30 on that day


def test_without_an_app_today_is_of_the_zone_the_environment_configures(utc_server,
                                                                         monkeypatch):
    """A script (the bench's locust users) has no app context: the zone is then read as
    admin_app.config reads it, BABEL_DEFAULT_TIMEZONE else Asia/Shanghai."""
    from threading import Thread

    from models.base import local_today

    def today_in_a_thread_of_its_own() -> date:
        found = []  # a new thread starts outside the test's app context
        thread = Thread(target=lambda: found.append(local_today()))
        thread.start()
        thread.join()
        return found[0]

    moment, day = AWKWARD_HOURS[0]
    monkeypatch.delenv("BABEL_DEFAULT_TIMEZONE", raising=False)
    with time_machine.travel(moment, tick=False):
        assert today_in_a_thread_of_its_own() == day
        monkeypatch.setenv("BABEL_DEFAULT_TIMEZONE", "UTC")
        assert today_in_a_thread_of_its_own() == day - timedelta(days=1)
