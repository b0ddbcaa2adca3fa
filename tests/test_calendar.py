"""The month calendar page: grids of awkward months, festivals, a day opening the new
activity form, the Home filter and its scope, a Home's birthdays."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from models import Child
from models.base import local_today
from models.enums import ActivityStatus, Role
from tests.conftest import sign_in, wall_time


def signed_in(app, make, role=Role.ADMIN, **kw):
    client = app.test_client()
    user = make.user(role, **kw)
    assert sign_in(client, user.username).status_code == 302
    return client


def cells(page: str) -> list[str]:
    return re.findall(r'data-date="(\d{4}-\d\d-\d\d)"', page)


def test_month_with_activities_on_its_first_and_last_day(app, make):
    home = make.home()
    early = make.activity(home=home, title="月初活动", starts_at=wall_time(2026, 12, 1, 9, 0),
                          place="村部<礼堂>")
    from models import ActivityParticipant

    for _ in range(2):
        make._save(ActivityParticipant(activity=early, child=make.child(home=home)))
    make.activity(home=home, title="跨年联欢", starts_at=wall_time(2026, 12, 31, 19, 0),
                  status=ActivityStatus.DONE)
    make.activity(home=home, title="下月活动", starts_at=wall_time(2027, 1, 1, 9, 0))
    page = signed_in(app, make).get(f"/admin/calendar/?month=2026-12&home={home.id}").text
    days = cells(page)
    assert days[0] == "2026-11-30" and days[-1] == "2027-01-03" and len(days) % 7 == 0
    first = page.split('data-date="2026-12-01"')[1].split("</td>")[0]
    last = page.split('data-date="2026-12-31"')[1].split("</td>")[0]
    assert "月初活动" in first and "09:00" in first and "· 2人 ·" in first
    assert f'href="/admin/activity/details/?id={early.id}"' in first
    listed = page.split('id="month-activities"')[1].split("</table>")[0]
    assert "2026年12月1日" in listed and "09:00–11:00" in listed
    assert "村部&lt;礼堂&gt;" in listed
    assert f'href="/admin/activity/details/?id={early.id}"' in listed
    assert "跨年联欢" in last and "已完成" in last
    assert "下月活动" not in page
    assert "2026年12月活动行事历" in page


def test_activities_drawn_in_python_are_escaped_and_coloured_only_by_a_colour(app, make, db):
    from models import ActivityKind

    home = make.home(name="<i>甲</i>之家")
    plain = make._save(ActivityKind(name="读书会", colour="#2a9d8f"))
    sneaky = make._save(ActivityKind(name="<b>手工</b>", colour="red;x:1"))
    make.activity(home=home, title='<script>alert("x")</script>', kind=plain,
                  starts_at=wall_time(2026, 12, 3, 9, 0), place="村部&礼堂")
    make.activity(home=home, title="剪纸", kind=sneaky, starts_at=wall_time(2026, 12, 3, 14, 0),
                  status=ActivityStatus.CANCELLED)
    page = signed_in(app, make).get("/admin/calendar/?month=2026-12").text
    day = page.split('data-date="2026-12-03"')[1].split("</td>")[0]
    assert "<script>" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in day
    assert 'class="activity planned" style="border-color: #2a9d8f"' in day
    assert 'class="activity cancelled" style="border-color: #888"' in day
    assert "&lt;b&gt;手工&lt;/b&gt;" in day and "red;x:1" not in page
    listed = page.split('id="month-activities"')[1].split("</table>")[0]
    assert listed.count("&lt;i&gt;甲&lt;/i&gt;之家") == 2 and "村部&amp;礼堂" in listed
    assert "<b>" not in listed and "<i>" not in listed


def test_month_starting_on_a_sunday_is_monday_first(app, make):
    page = signed_in(app, make).get("/admin/calendar/?month=2026-02").text
    days = cells(page)
    assert days[:7] == ["2026-01-26", "2026-01-27", "2026-01-28", "2026-01-29", "2026-01-30",
                        "2026-01-31", "2026-02-01"]
    assert page.index("周一") < page.index("周日")


def test_february_of_a_leap_year(app, make):
    page = signed_in(app, make).get("/admin/calendar/?month=2028-02").text
    assert "2028-02-29" in cells(page)
    leap_day = re.search(r'<td class="([^"]*)"\s+data-date="2028-02-29"', page).group(1)
    assert "other-month" not in leap_day


def test_festivals_are_marked(app, make):
    page = signed_in(app, make).get("/admin/calendar/?month=2026-06").text
    children_day = page.split('data-date="2026-06-01"')[1].split("</td>")[0]
    assert "六一儿童节" in children_day
    assert "端午节" in page.split('data-date="2026-06-19"')[1].split("</td>")[0]
    october = signed_in(app, make, username="other").get("/admin/calendar/?month=2026-10").text
    assert "国庆节" in october
    english = signed_in(app, make, username="en").get("/admin/calendar/?month=2026-06&lang=en")
    assert "Dragon Boat Festival" in english.text


def test_a_day_opens_the_new_activity_form_with_its_date(app, make):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)
    page = client.get("/admin/calendar/?month=2026-12").text
    link = re.search(r'href="(/admin/activity/new/\?date=2026-12-05[^"]*)"', page).group(1)
    form = client.get(link.replace("&amp;", "&")).text
    assert 'value="2026-12-05 15:00:00"' in form
    assert f'<option selected value="{home.id}">' in form


def test_bad_month_shows_this_month_and_navigation_links(app, make):
    page = signed_in(app, make).get("/admin/calendar/?month=2026-13").text
    today = local_today()
    assert f"{today.year}年{today.month}月" in page
    assert 'id="previous-month"' in page and 'id="next-month"' in page


def test_home_filter_obeys_scope(app, make):
    home_a, home_b = make.home(name="甲之家"), make.home(name="乙之家")
    make.activity(home=home_a, title="甲活动", starts_at=wall_time(2026, 12, 3, 15))
    make.activity(home=home_b, title="乙活动", starts_at=wall_time(2026, 12, 3, 15))
    staff = signed_in(app, make, Role.STAFF, home=home_a)
    page = staff.get("/admin/calendar/?month=2026-12").text
    assert "甲活动" in page and "乙活动" not in page and "乙之家" not in page
    assert staff.get(f"/admin/calendar/?month=2026-12&home={home_b.id}").status_code == 404
    county = signed_in(app, make, Role.SUPERVISOR, username="county")
    both = county.get("/admin/calendar/?month=2026-12").text
    assert "甲活动" in both and "乙活动" in both
    only_b = county.get(f"/admin/calendar/?month=2026-12&home={home_b.id}").text
    assert "乙活动" in only_b and "甲活动" not in only_b


def test_volunteer_sees_the_calendar_but_cannot_export_or_plan(app, make):
    home = make.home()
    volunteer = make.volunteer(home=home)
    client = signed_in(app, make, Role.VOLUNTEER, volunteer=volunteer)
    page = client.get("/admin/calendar/?month=2026-12")
    assert page.status_code == 200
    assert "/admin/calendar/export.xlsx" not in page.text
    assert "/admin/activity/new/" not in page.text
    assert client.get("/admin/calendar/export.xlsx?month=2026-12").status_code == 403


def test_a_kind_of_activity_keeps_only_a_colour(app, make, db):
    from models import ActivityKind

    client = signed_in(app, make)
    form = client.get("/admin/activity_kind/new/").text
    assert 'type="color"' in form
    refused = client.post("/admin/activity_kind/new/",
                          data={"name": "手工", "colour": "red;x:1", "sort_order": "1"})
    assert refused.status_code == 200 and "请选择一种颜色，例如 #4e79a7。" in refused.text
    saved = client.post("/admin/activity_kind/new/",
                        data={"name": "手工", "colour": "#E76F51", "sort_order": "1"})
    assert saved.status_code == 302
    assert db.session.scalars(db.select(ActivityKind.colour)
                              .where(ActivityKind.name == "手工")).all() == ["#e76f51"]


def test_a_homes_birthdays_of_the_month_in_their_days_and_listed(app, make, db):
    from models.enums import ChildStatus, LeaveReason
    from tests.conftest import count_queries

    home, other = make.home(name="甲之家"), make.home(name="乙之家")
    make.child(home=home, name="三号生", birth_date=date(2016, 2, 3))
    make.child(home=home, name="闰日生", birth_date=date(2016, 2, 29))
    make.child(home=home, name="三月生", birth_date=date(2016, 3, 3))
    make.child(home=home, name="离开生", birth_date=date(2015, 2, 10),
               status=ChildStatus.LEFT_CARE, left_on=date(2025, 7, 1),
               leave_reason=LeaveReason.MOVED)
    make.child(home=other, name="乙家生", birth_date=date(2016, 2, 3))
    staff = signed_in(app, make, Role.STAFF, home=home)
    page = staff.get("/admin/calendar/?month=2027-02").text
    cell = page.split('data-date="2027-02-03"')[1].split("</td>")[0]
    # Each name kept whole on a phone's narrow line.
    assert '生日：<span class="text-nowrap">三号生</span>' in cell
    # 29 February, in a year without one: the 28th.
    assert "生日：<span class=\"text-nowrap\">闰日生" in page.split('data-date="2027-02-28"')[1] \
        .split("</td>")[0]
    listed = page.split('id="month-birthdays"')[1].split("</p>")[0]
    assert "三号生</a> 2月3日满11岁；</span>" in listed and "闰日生</a> 2月28日满11岁" in listed
    for name in ("三月生", "离开生", "乙家生"):
        assert name not in page, name
    # Born after the month shown: no birthday yet.
    assert "三号生" not in staff.get("/admin/calendar/?month=2016-01").text
    # One query more than without a Home, whatever the number of birthdays.
    with count_queries(db.engine) as few:
        staff.get("/admin/calendar/?month=2027-02")
    for n in range(5):
        make.child(home=home, name=f"又一个{n}", birth_date=date(2017, 2, 5 + n))
    with count_queries(db.engine) as more:
        assert "又一个4" in staff.get("/admin/calendar/?month=2027-02").text
    assert few.count == more.count
    # The county's page of every Home lists no birthdays; a caring mother sees her own child's.
    county = signed_in(app, make, Role.STAFF, username="county")
    assert 'id="month-birthdays"' not in county.get("/admin/calendar/?month=2027-02").text
    volunteer = make.volunteer(home=home)
    mine = db.session.scalar(select(Child).where(Child.name == "三月生"))
    make.pairing(volunteer, mine)
    caring = signed_in(app, make, Role.VOLUNTEER, volunteer=volunteer)
    march = caring.get("/admin/calendar/?month=2027-03").text
    assert "三月生" in march
    assert "三号生" not in caring.get("/admin/calendar/?month=2027-02").text


def test_next_birthday():
    from models.validators import birthday_in, next_birthday

    assert next_birthday(date(2016, 3, 3), date(2027, 3, 3)) == date(2027, 3, 3)
    assert next_birthday(date(2016, 3, 3), date(2027, 3, 4)) == date(2028, 3, 3)
    assert next_birthday(date(2016, 2, 29), date(2027, 1, 1)) == date(2027, 2, 28)
    assert next_birthday(date(2016, 2, 29), date(2027, 12, 31)) == date(2028, 2, 29)
    assert birthday_in(date(2016, 2, 29), 2028) == date(2028, 2, 29)


def test_a_caring_mother_sees_when_her_children_have_their_birthdays(app, make):
    from datetime import timedelta

    home = make.home()
    volunteer = make.volunteer(home=home)
    today, in_three = local_today(), local_today() + timedelta(days=3)
    # Born 8 and 12 years before: a leap year when this one is (29 February included).
    births = {"今天生日": today.replace(year=today.year - 8),
              "三天后生日": in_three.replace(year=in_three.year - 12),
              "昨天生日": (today - timedelta(days=1)).replace(year=today.year - 12)
              if today.month != 3 or today.day != 1 else date(today.year - 12, 2, 27)}
    for name, born in births.items():
        make.pairing(volunteer, make.child(home=home, name=name, birth_date=born))
    page = signed_in(app, make, Role.VOLUNTEER, volunteer=volunteer).get(
        "/admin/my-children/").text.split('id="my-children"')[1]  # the cards, not the to-do
    card = {name: page.split(name)[1].split("</p>")[0] for name in births}
    assert "今天过生日" in card["今天生日"]
    assert f"还有 3 天过生日（{in_three.month}月{in_three.day}日）" in card["三天后生日"]
    # Yesterday's: next year's, far off, said plainly.
    assert "生日 " in card["昨天生日"] and "还有" not in card["昨天生日"]
