"""Weekly activities: made in one step, changed or cancelled as a series or date by date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from models import Activity, ActivityParticipant, ActivitySeries
from models.base import local_today
from models.enums import ActivityStatus, Role
from tests.conftest import count_queries, sign_in, wall_time
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


def participants(db, activity_id) -> set[str]:
    return {row.child.name for row in db.session.scalars(
        select(ActivityParticipant).where(ActivityParticipant.activity_id == activity_id))}


def on(db, series_id, day: date) -> Activity:
    return db.session.scalar(select(Activity).where(
        Activity.series_id == series_id, Activity.starts_at >= wall_time(day.year, day.month,
                                                                         day.day, 0),
        Activity.starts_at <= wall_time(day.year, day.month, day.day, 23, 59)))


def test_a_series_enrols_its_children_and_caring_mothers_once_for_all_its_dates(app, make, db):
    home = make.home()
    xiaoming, xiaohong = make.child(home=home, name="小明"), make.child(home=home, name="小红")
    mother = make.volunteer(home=home, name="李阿姨")
    client = signed_in(app, make, Role.STAFF, home=home)
    response = client.post("/admin/activity_series/new/", data=series_form(
        home, children=[str(xiaoming.id), str(xiaohong.id)], volunteers=[str(mother.id)]))
    assert response.status_code == 302
    series = db.session.scalar(select(ActivitySeries))
    sessions = db.session.scalars(select(Activity).where(Activity.series_id == series.id)).all()
    assert len(sessions) == 9
    for activity in sessions:
        assert participants(db, activity.id) == {"小明", "小红"}
        assert [v.name for v in activity.volunteers] == ["李阿姨"]
    details = client.get(f"/admin/activity_series/details/?id={series.id}").text
    assert "小明" in details and "小红" in details and "李阿姨" in details
    # Her archive card says she is enrolled, not that she came to dates not yet held.
    card = client.get(f"/admin/child/details/?id={xiaoming.id}").text
    activities = card.split('id="archive-activities"')[1].split("</table>")[0]
    assert activities.count("已报名（尚未举行）") == 9 and "<td>是</td>" not in activities


def test_enrolment_changed_later_reaches_the_dates_to_come_only(app, make, db):
    home = make.home()
    kids = {name: make.child(home=home, name=name) for name in ("小明", "小红", "小刚", "小丽")}
    make.user(Role.STAFF, home=home, username="wang")
    form = series_form(home, children=[str(kids["小明"].id), str(kids["小红"].id)])
    client = app.test_client()
    with time_machine.travel(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), tick=False):
        assert sign_in(client, "wang").status_code == 302
        assert client.post("/admin/activity_series/new/", data=form).status_code == 302
    series = db.session.scalar(select(ActivitySeries))
    # 3 March was held; 19 March is marked done ahead (a record kept late); 24 March had
    # 小丽 added by hand.
    held = on(db, series.id, date(2026, 3, 3))
    held.status = ActivityStatus.DONE
    on(db, series.id, date(2026, 3, 19)).status = ActivityStatus.DONE
    db.session.add(ActivityParticipant(activity=on(db, series.id, date(2026, 3, 24)),
                                       child=kids["小丽"]))
    db.session.commit()
    # 23:30 UTC on 12 March is 07:30 on the 13th in Beijing: the 12th is past.
    with time_machine.travel(datetime(2026, 3, 12, 23, 30, tzinfo=UTC), tick=False):
        assert sign_in(client, "wang").status_code == 302
        changed = client.post(f"/admin/activity_series/edit/?id={series.id}", data={
            **series_form(home, children=[str(kids["小红"].id), str(kids["小刚"].id)]),
            "loaded_version": str(series.version)})
    assert changed.status_code == 302
    db.session.expire_all()
    assert participants(db, on(db, series.id, date(2026, 3, 3)).id) == {"小明", "小红"}
    assert participants(db, on(db, series.id, date(2026, 3, 12)).id) == {"小明", "小红"}
    assert participants(db, on(db, series.id, date(2026, 3, 17)).id) == {"小红", "小刚"}
    assert participants(db, on(db, series.id, date(2026, 3, 19)).id) == {"小明", "小红"}
    assert participants(db, on(db, series.id, date(2026, 3, 24)).id) == {"小红", "小刚", "小丽"}
    assert participants(db, on(db, series.id, date(2026, 3, 31)).id) == {"小红", "小刚"}


def test_a_series_enrols_only_children_of_its_home(app, make, db):
    home, other = make.home(), make.home()
    stranger = make.child(home=other, name="外家孩子")
    client = signed_in(app, make, Role.ADMIN)
    response = client.post("/admin/activity_series/new/",
                           data=series_form(home, children=[str(stranger.id)]))
    assert response.status_code == 200
    assert "不是本儿童之家的：外家孩子" in response.text
    assert db.session.scalar(select(ActivitySeries)) is None


def test_a_series_with_dates_on_public_holidays_says_which(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)
    response = client.post("/admin/activity_series/new/", data=series_form(
        home, days=["4", "6"], first_day="2026-09-28", last_day="2026-10-11"),
        follow_redirects=True)
    # Thursdays and Saturdays: 1 and 3 October are 国庆节; 10 October is a Saturday worked
    # (补班), 8 October an ordinary Thursday.
    flashed = response.text.split("法定节假日")[1].split("</div>")[0]
    assert "2026年10月1日 国庆节" in flashed and "2026年10月3日 国庆节" in flashed
    assert "10月8日" not in flashed and "10月10日" not in flashed and "10月11日" not in flashed
    plain = client.post("/admin/activity_series/new/", data=series_form(home),
                        follow_redirects=True)
    assert "法定节假日" not in plain.text


def test_an_activitys_details_list_who_took_part_and_who_came(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)

    def held(n: int) -> Activity:
        activity = make.activity(home=home, title=f"读书会{n}", status=ActivityStatus.DONE)
        for i in range(n):
            make._save(ActivityParticipant(activity=activity, attended=i != 0,
                                           child=make.child(home=home, name=f"孩子{n}-{i}")))
        return activity

    one, ten = held(1), held(10)
    with count_queries(db.engine) as few:
        assert client.get(f"/admin/activity/details/?id={one.id}").status_code == 200
    with count_queries(db.engine) as many:
        page = client.get(f"/admin/activity/details/?id={ten.id}").text
    assert few.count == many.count
    table = page.split('id="participants"')[1].split("</table>")[0]
    assert table.count("<tr>") == 11
    assert "孩子10-0</a></td><td>未到" in table and "孩子10-1</a></td><td>已到" in table
    assert "10 人报名，9 人到场" in page
    planned = make.activity(home=home, title="下周的活动")
    make._save(ActivityParticipant(activity=planned, child=make.child(home=home, name="小芳")))
    page = client.get(f"/admin/activity/details/?id={planned.id}").text
    assert "小芳</a></td><td>已报名" in page and "1 人报名" in page and "到场" not in page
    empty = make.activity(home=home, title="空场活动")
    assert "尚无人报名" in client.get(f"/admin/activity/details/?id={empty.id}").text
