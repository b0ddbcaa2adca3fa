"""The overview: what needs doing, in a fixed number of queries whatever the county's size."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.base import local_today
from models.enums import CareKind, LivingArrangement, MovementKind, Role
from tests.conftest import count_queries
from tests.test_calendar import signed_in


def fill(make, home, n: int) -> None:
    today = local_today()
    for i in range(n):
        child = make.child(home=home, name=f"孩子{i}",
                           living_arrangement=LivingArrangement.ALONE if i % 2 else
                           LivingArrangement.GRANDPARENTS)
        if i % 3:
            volunteer = make.volunteer(home=home)
            make.pairing(volunteer, child)
            for kind in (CareKind.TALK, CareKind.PARENT_CALL, CareKind.TEACHER_CONTACT,
                         CareKind.GUARDIAN_CONTACT):
                if i % 3 == 1:
                    make.care_record(child, volunteer=volunteer, kind=kind,
                                     occurred_on=today.replace(day=1))


def test_the_overview_shows_what_needs_doing(app, make):
    home = make.home()
    fill(make, home, 6)
    make.activity(home=home, title="本周讲座", starts_at=datetime.combine(local_today(),
                                                                      datetime.min.time()))
    item = make.item(home=home, name="作业本", low_stock_threshold=10)
    make.movement(item, quantity=3, kind=MovementKind.DONATION)
    client = signed_in(app, make, Role.STAFF, home=home)
    page = client.get("/admin/").text
    assert 'id="total-children">6<' in page
    assert 'id="unpaired" href="/admin/child/?flt0_' in page and ">2</a>" in page
    assert "2<small" in page and "/4</small>" in page  # two of four pairings did the five ones
    assert "本周讲座" in page and "作业本" in page
    assert "<svg" in page and "随祖辈生活" in page
    overdue = page.split('id="overdue"')[1].split("</table>")[0]
    assert "尚无联系记录" in overdue


def test_the_overview_costs_the_same_queries_for_5_or_40_children(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)
    fill(make, home, 5)
    with count_queries(db.engine) as few:
        assert client.get("/admin/").status_code == 200
    fill(make, home, 35)
    with count_queries(db.engine) as many:
        assert client.get("/admin/").status_code == 200
    # 12, and the duties overdue long enough to reach her (their pairings and months).
    assert few.count == many.count <= 14, many.statements


def test_county_figures_are_kept_a_few_minutes_and_counted_again_on_request(app, make, db):
    from models import KeptFigures

    home = make.home()
    fill(make, home, 4)
    county = signed_in(app, make, Role.STAFF)  # no Home: the whole county
    local = signed_in(app, make, Role.STAFF, home=home)
    assert 'id="total-children">4<' in county.get("/admin/").text
    fill(make, home, 2)
    # A Home's staff count live; the county sees its kept figures, and says how old.
    assert 'id="total-children">6<' in local.get("/admin/").text
    assert 'id="counted-at"' not in local.get("/admin/").text
    with count_queries(db.engine) as kept:
        page = county.get("/admin/").text
    assert 'id="total-children">4<' in page and 'id="counted-at"' in page
    assert 'id="total-children">6<' in county.get("/admin/?again=1").text
    with count_queries(db.engine) as again:
        county.get("/admin/?again=1")
    assert kept.count < again.count
    # Once OVERVIEW_MAX_AGE has passed they are counted again by themselves.
    fill(make, home, 1)
    kept_row = db.session.get(KeptFigures, "overview:county")
    kept_row.computed_at = kept_row.computed_at - timedelta(seconds=301)
    db.session.commit()
    assert 'id="total-children">7<' in county.get("/admin/").text


def test_kept_figures_never_show_a_child_outside_the_viewers_scope(app, make):
    home_a, home_b = make.home(name="甲之家"), make.home(name="乙之家")
    for home, name in ((home_a, "甲孩子"), (home_b, "乙孩子")):
        child = make.child(home=home, name=name)
        make.pairing(make.volunteer(home=home), child, started_on=date(2024, 1, 1))
    assert "乙孩子" in signed_in(app, make, Role.SUPERVISOR).get("/admin/").text
    local = signed_in(app, make, Role.STAFF, home=home_a).get("/admin/").text
    assert "甲孩子" in local and "乙孩子" not in local


def test_supervisors_see_recent_changes_of_their_scope_only(app, make):
    home_a, home_b = make.home(name="甲之家"), make.home(name="乙之家")
    make.child(home=home_a, name="甲孩子")
    make.child(home=home_b, name="乙孩子")
    page = signed_in(app, make, Role.SUPERVISOR, home=home_a).get("/admin/").text
    changes = page.split('id="recent-changes"')[1]
    assert "甲孩子" in changes and "乙孩子" not in changes
    assert datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat() in changes


def test_pairings_in_force_are_not_looked_up_by_their_start(db):
    """"Started before today" holds for nearly every pairing: SQLite, planning without
    statistics, walked the index of start dates for it (the overview: 140 → 600 ms)."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql, sqlite

    from models import Pairing

    condition = Pairing.overlapping(date(2026, 3, 1), date(2026, 3, 1))
    assert "likely(" in str(condition.compile(dialect=sqlite.dialect()))
    assert "likely" not in str(condition.compile(dialect=postgresql.dialect()))
    if db.engine.dialect.name == "sqlite":
        statement = select(Pairing.id).where(condition).compile(db.engine)
        with db.engine.connect() as conn:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", tuple(statement.params.values())))
        assert "ix_pairing_started_on" not in plan and "ix_pairing_ended_on" not in plan


def test_the_overview_counted_again_walks_its_indexes(app, make, db):
    """Who has gone longest without care: a walk of last_care_on that stops after ten (not
    the index of statuses and a sort of the county); children by arrangement and kind:
    counted from one index; those who have turned 18: a range of the birth dates' index.
    SQLite's plans, as the overview runs them."""
    import sqlalchemy as sa

    from models import User
    from views.dashboard import arrangement_counts, grown_up_count, most_overdue

    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL plans by its statistics; BENCHMARKS.md has its figures
    home = make.home()
    for n in range(3):
        child = make.child(home=home, name=f"童{n}")
        make.pairing(make.volunteer(home=home), child, started_on=date(2026, 1, 1))
    user = db.session.scalar(sa.select(User).where(User.id == make.user(Role.ADMIN).id))
    ran = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        ran.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert len(most_overdue(user, date(2026, 3, 1))) == 3
        overdue = ran[-1]
        arrangement_counts(user)
        arrangements = ran[-1]
        grown_up_count(user, date(2026, 3, 1))
        grown = ran[-1]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)

    def plan(ran) -> str:
        with db.engine.connect() as conn:
            return " | ".join(row[-1] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {ran[0]}", ran[1]))

    walks = plan(overdue)
    assert walks.count("USING INDEX ix_child_last_care_on") == 2, walks
    assert "ix_child_status" not in walks, walks
    assert "USING COVERING INDEX ix_child_arrangement" in plan(arrangements)
    assert "USING INDEX ix_child_birth_date" in plan(grown), plan(grown)


def test_born_by_is_the_last_birthday_that_makes_someone_so_old(app):
    from views.dashboard import born_by

    assert born_by(date(2026, 12, 1), 18) == date(2008, 12, 1)
    assert born_by(date(2028, 2, 29), 18) == date(2010, 2, 28)  # 2010 has no 29 February


def test_the_overview_points_to_children_in_care_who_have_turned_18(app, make, db):
    from models.enums import ChildStatus, LeaveReason
    from views.dashboard import born_by

    home = make.home()
    eighteen = born_by(local_today(), 18)
    make.child(home=home, name="成年今天", birth_date=eighteen, entered_on=date(2020, 9, 1))
    make.child(home=home, name="明天成年", birth_date=eighteen + timedelta(days=1),
               entered_on=date(2020, 9, 1))
    make.child(home=home, name="已离开", birth_date=eighteen - timedelta(days=400),
               entered_on=date(2020, 9, 1), status=ChildStatus.LEFT_CARE,
               left_on=local_today(), leave_reason=LeaveReason.TURNED_18)
    make.child(home=make.home(), name="别家成年", birth_date=eighteen,
               entered_on=date(2020, 9, 1))
    client = signed_in(app, make, Role.STAFF, home=home)
    page = client.get("/admin/").text
    notice = page.split('id="grown-up"')[1].split("</div>")[0]
    assert "有 1 名在册儿童已年满 18 周岁" in notice
    listed = client.get(notice.split('href="')[1].split('"')[0].replace("&amp;", "&")).text
    assert "成年今天" in listed
    for name in ("明天成年", "已离开", "别家成年"):
        assert name not in listed, name
    # Nobody of age: no notice.
    other = signed_in(app, make, Role.STAFF, home=make.home())
    assert 'id="grown-up"' not in other.get("/admin/").text


def test_children_not_contacted_this_month_are_counted_and_listed(app, make, db):
    """On 1 March of a leap year: a record of 29 February is last month's; never contacted
    counts; a child who has left care, or of another Home, does not."""
    import datetime as dt

    import time_machine
    from sqlalchemy import select

    from models import Child
    from models.enums import ChildStatus

    home, other = make.home(), make.home()
    with time_machine.travel(dt.datetime(2028, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        today = local_today()
        assert today == dt.date(2028, 3, 1)  # 10:00 in Beijing
        seen_today = make.child(home=home, name="今天联系")
        make.care_record(seen_today, occurred_on=today)
        leap_day = make.child(home=home, name="二月二十九")
        make.care_record(leap_day, occurred_on=dt.date(2028, 2, 29))
        week = make.child(home=home, name="七天前")
        make.care_record(week, occurred_on=dt.date(2028, 2, 23))
        eight = make.child(home=home, name="八天前")
        make.care_record(eight, occurred_on=dt.date(2028, 2, 22))
        make.child(home=home, name="从未联系")
        make.child(home=home, name="已离开", status=ChildStatus.LEFT_CARE)
        make.child(home=other, name="别家孩子")
        client = signed_in(app, make, Role.STAFF, home=home)
        page = client.get("/admin/").text
        line = page.split('id="uncontacted"')[1].split("</p>")[0]
        assert ">4人<" in line
        listed = client.get(line.split('href="')[1].split('"')[0].replace("&amp;", "&")).text
        names = {c.name for c in db.session.scalars(select(Child)) if c.name in listed}
        assert names == {"二月二十九", "七天前", "八天前", "从未联系"}
        contact = next(key for key, (_, flt) in _child_filters(app)
                       if type(flt).__name__ == "ContactFilter")
        over_seven = client.get(f"/admin/child/?flt0_{contact}=7").text
        assert {c.name for c in db.session.scalars(select(Child)) if c.name in over_seven} \
            == {"八天前", "从未联系", "已离开"}


def _child_filters(app):
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "child")
    return view._filter_args.items()
