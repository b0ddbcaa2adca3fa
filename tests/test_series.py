"""Weekly activities: made in one step, changed or cancelled as a series or date by date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import Activity, ActivitySeries
from models.base import local_today
from models.enums import ActivityStatus, Role
from tests.conftest import wall_time
from tests.test_calendar import signed_in


def series_form(home, **overrides) -> dict:
    return {"home": str(home.id), "title": "手工兴趣小组", "days": ["2", "4"],
            "starts_at_time": "15:00", "ends_at_time": "17:00", "first_day": "2026-03-01",
            "last_day": "2026-03-31", "place": "活动室", "organiser": "李老师", **overrides}


def dates(db, series_id, status=None) -> list[date]:
    query = select(Activity).where(Activity.series_id == series_id).order_by(Activity.starts_at)
    return [a.starts_at.date() for a in db.session.scalars(query)
            if status is None or a.status is status]


def test_a_series_is_made_in_one_step_and_shows_on_the_calendar(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)
    response = client.post("/admin/activity_series/new/", data=series_form(home))
    assert response.status_code == 302
    series = db.session.scalar(select(ActivitySeries))
    assert dates(db, series.id) == [date(2026, 3, d) for d in (3, 5, 10, 12, 17, 19, 24, 26, 31)]
    first = db.session.scalar(select(Activity).where(Activity.series_id == series.id)
                              .order_by(Activity.starts_at))
    assert first.starts_at == wall_time(2026, 3, 3, 15)
    assert first.ends_at == wall_time(2026, 3, 3, 17)
    page = client.get("/admin/calendar/?month=2026-03").text
    assert page.count("手工兴趣小组") >= 9 * 2  # the grid and the list under it


def test_one_date_cancelled_stays_cancelled_when_the_series_changes(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)
    client.post("/admin/activity_series/new/", data=series_form(home))
    series = db.session.scalar(select(ActivitySeries))
    one = db.session.scalar(select(Activity).where(
        Activity.series_id == series.id, Activity.starts_at == wall_time(2026, 3, 10, 15)))
    edit = client.post(f"/admin/activity/edit/?id={one.id}", data={
        "home": str(home.id), "title": one.title, "starts_at": "2026-03-10 15:00:00",
        "ends_at": "2026-03-10 17:00:00", "status": "CANCELLED", "place": "活动室"})
    assert edit.status_code == 302
    changed = client.post(f"/admin/activity_series/edit/?id={series.id}",
                          data=series_form(home, place="学校操场", days=["1"]))
    assert changed.status_code == 302
    db.session.expire_all()
    cancelled = dates(db, series.id, ActivityStatus.CANCELLED)
    planned = dates(db, series.id, ActivityStatus.PLANNED)
    assert date(2026, 3, 10) in cancelled
    # Tuesdays and Thursdays no longer belong to it: cancelled, not deleted; Mondays added.
    assert date(2026, 3, 3) in cancelled and date(2026, 3, 5) in cancelled
    assert planned == [date(2026, 3, d) for d in (2, 9, 16, 23, 30)]
    places = {a.place for a in db.session.scalars(select(Activity).where(
        Activity.series_id == series.id, Activity.status == ActivityStatus.PLANNED))}
    assert places == {"学校操场"}


def test_the_remaining_dates_can_be_cancelled_at_once(app, make, db):
    home = make.home()
    next_year = local_today().year + 1
    series = make.series(home=home, first_day=date(next_year, 3, 1),
                         last_day=date(next_year, 3, 31))
    client = signed_in(app, make, Role.STAFF, home=home)
    response = client.post("/admin/activity_series/action/", data={
        "action": "cancel_remaining", "rowid": [str(series.id)]}, follow_redirects=True)
    assert "个计划中的日期已取消" in response.text
    db.session.expire_all()
    assert dates(db, series.id, ActivityStatus.PLANNED) == []
    assert len(dates(db, series.id, ActivityStatus.CANCELLED)) == 9


def test_a_series_needs_days_and_at_most_a_year(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)
    no_days = client.post("/admin/activity_series/new/", data=series_form(home, days=[]))
    assert "请至少选择一天" in no_days.text
    too_long = client.post("/admin/activity_series/new/",
                           data=series_form(home, last_day="2027-04-01"))
    assert "一个系列最长一年" in too_long.text
    backwards = client.post("/admin/activity_series/new/",
                            data=series_form(home, ends_at_time="14:00"))
    assert "结束时间必须晚于开始时间" in backwards.text
    assert db.session.scalar(select(ActivitySeries)) is None
    assert db.session.scalar(select(Activity)) is None


def test_another_homes_series_cannot_be_cancelled(app, make, db):
    home_a, home_b = make.home(), make.home()
    theirs = make.series(home=home_b, first_day=date(local_today().year + 1, 3, 1),
                         last_day=date(local_today().year + 1, 3, 31))
    client = signed_in(app, make, Role.STAFF, home=home_a)
    client.post("/admin/activity_series/action/",
                data={"action": "cancel_remaining", "rowid": [str(theirs.id)]})
    db.session.expire_all()
    assert len(dates(db, theirs.id, ActivityStatus.PLANNED)) == 9
