"""The work report (工作总结) at /admin/reports/work-report/ and its .docx and .xlsx: on a county
seeded by hand, every figure equals the count written here as a literal (and, for the
activities and care records, the count made straight in SQL): activities held, not planned
or cancelled, on the period's days only (23:30 on its last evening in, midnight after out);
attendances, not children merely listed; goods handed out, not donated; the stage and gender
table of the children in care on the last day; the enrolment rate and the consolidation rate,
this one from the schooling each pupil had on the first day as the audit trail keeps it, the
pupils who left or were archived late counted apart. A township's supervisor gets her
township only; a caring mother gets nothing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import time_machine
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select, text

from models import ActivityKind, ActivityParticipant, AuditEntry
from models.enums import (
    ActivityStatus,
    AuditAction,
    CareKind,
    Gender,
    MovementKind,
    Role,
    Schooling,
)
from tests.conftest import sign_in, wall_time

PERIOD = "2026-11"
EARLY = datetime(2024, 9, 1, tzinfo=UTC)  # when the long-known children were archived


def _kind(make, db, name):
    return db.session.query(ActivityKind).filter_by(name=name).first() or make._save(
        ActivityKind(name=name))


def _county(make, db):
    south = make.home(name="南桥村儿童之家", township="南桥镇")
    town = make.home(name="城关镇儿童之家", township="城关镇")
    boy, girl = Gender.MALE, Gender.FEMALE

    def child(home, **kw):
        return make.child(home=home, created_at=kw.pop("created_at", EARLY), **kw)

    c1 = child(south, name="甲", gender=boy, birth_date=date(2016, 5, 1),
               schooling=Schooling.IN_SCHOOL, grade="四年级")
    c2 = child(south, name="乙", gender=girl, birth_date=date(2013, 3, 3),
               schooling=Schooling.SUSPENDED, grade="初一")
    c3 = child(south, name="丙", gender=girl, birth_date=date(2014, 2, 28))  # nothing said
    c4 = child(town, name="丁", gender=boy, birth_date=date(2021, 6, 1),
               schooling=Schooling.KINDERGARTEN)
    c5 = child(south, name="戊", gender=girl, birth_date=date(2012, 2, 29),
               schooling=Schooling.IN_SCHOOL, grade="初三", entered_on=date(2026, 11, 1))
    child(south, name="己", gender=boy, birth_date=date(2014, 1, 1),
          schooling=Schooling.IN_SCHOOL, grade="六年级", left_on=date(2026, 11, 20))
    child(south, name="庚", gender=boy, birth_date=date(2015, 8, 8),
          schooling=Schooling.IN_SCHOOL, grade="五年级",
          created_at=datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    # Sixteen on 31 August 2026, when the school year began: past the school age the
    # enrolment rate counts (a child born a day later would be in it).
    child(town, name="壬", gender=boy, birth_date=date(2010, 8, 31),
          schooling=Schooling.DROPPED_OUT)
    c8 = child(south, name="辛", gender=girl, birth_date=date(2013, 6, 6),
               schooling=Schooling.IN_SCHOOL, grade="初二")
    # Schooling changed during the month, through the ORM as any edit: the audit trail
    # keeps the value each had on the first day. 辛's changed half an hour into 1 November
    # in Beijing, which is still 31 October in UTC: she was in school when the month began.
    with time_machine.travel(datetime(2026, 10, 31, 16, 30, tzinfo=UTC), tick=False):
        c8.schooling = Schooling.SUSPENDED
        db.session.commit()
    with time_machine.travel(datetime(2026, 11, 15, 2, 0, tzinfo=UTC), tick=False):
        c2.schooling = Schooling.IN_SCHOOL  # back from 休学: not in school on the first day
        db.session.commit()
    with time_machine.travel(datetime(2026, 11, 20, 2, 0, tzinfo=UTC), tick=False):
        c5.schooling = Schooling.DROPPED_OUT  # in school on the first day, not on the last
        db.session.commit()

    talk_kind, festival = _kind(make, db, "讲座"), _kind(make, db, "节日活动")
    done = ActivityStatus.DONE
    a1 = make.activity(home=south, kind=talk_kind, status=done,
                       starts_at=wall_time(2026, 11, 5, 15, 0))
    a2 = make.activity(home=south, kind=festival, status=done,
                       starts_at=wall_time(2026, 11, 30, 23, 30))
    make.activity(home=south, kind=festival, status=ActivityStatus.PLANNED,
                  starts_at=wall_time(2026, 11, 20, 15, 0))
    make.activity(home=south, kind=festival, status=ActivityStatus.CANCELLED,
                  starts_at=wall_time(2026, 11, 21, 15, 0))
    a5 = make.activity(home=south, kind=festival, status=done,
                       starts_at=wall_time(2026, 12, 1, 0, 0))
    a6 = make.activity(home=south, kind=festival, status=done,
                       starts_at=wall_time(2026, 10, 31, 23, 59))
    a7 = make.activity(home=town, status=done, starts_at=wall_time(2026, 11, 10, 9, 0))
    for activity, kid, present in ((a1, c1, True), (a1, c2, True), (a1, c3, False),
                                   (a2, c1, True), (a5, c1, True), (a6, c2, True),
                                   (a7, c4, True)):
        make._save(ActivityParticipant(activity=activity, child=kid, attended=present))

    for kid, kind, day in ((c1, CareKind.HOME_VISIT, date(2026, 11, 1)),
                           (c1, CareKind.HOME_VISIT, date(2026, 11, 30)),
                           (c2, CareKind.HOME_VISIT, date(2026, 11, 12)),
                           (c1, CareKind.TALK, date(2026, 11, 3)),
                           (c2, CareKind.PARENT_CALL, date(2026, 12, 1)),
                           (c2, CareKind.PARENT_CALL, date(2026, 10, 31)),
                           (c4, CareKind.PARENT_CALL, date(2026, 11, 8))):
        make.care_record(kid, kind=kind, occurred_on=day)

    mother = make.volunteer(home=south)
    make.pairing(mother, c1, started_on=date(2026, 11, 15))
    make.pairing(mother, c2, started_on=date(2025, 3, 1), ended_on=date(2026, 11, 30))
    make.pairing(mother, c3, started_on=date(2026, 12, 1))

    bags, books = make.item(home=south, name="书包", unit="个"), make.item(home=south)
    for item in (bags, books):
        make.movement(item, kind=MovementKind.DONATION, quantity=20,
                      occurred_on=date(2026, 10, 1))
    make.movement(bags, kind=MovementKind.HAND_OUT, quantity=3, child=c1,
                  occurred_on=date(2026, 11, 10))
    make.movement(bags, kind=MovementKind.HAND_OUT, quantity=2, child=c2,
                  occurred_on=date(2026, 11, 11))
    make.movement(books, kind=MovementKind.HAND_OUT, quantity=6,
                  occurred_on=date(2026, 11, 12))
    make.movement(books, kind=MovementKind.DONATION, quantity=5,
                  occurred_on=date(2026, 11, 13))
    db.session.commit()
    return south, town


# The county's figures for 2026-11, counted by hand from the records above.
COUNTY = {
    "开展活动次数": 3, "参加活动人次": 4, "参加活动儿童人数": 3,
    "活动：讲座": 1, "活动：节日活动": 1, "活动：未注明类别": 1,
    "家访：记录条数": 3, "家访：儿童人数": 2, "谈心：记录条数": 1, "谈心：儿童人数": 1,
    "与父母通话/视频：记录条数": 1, "与父母通话/视频：儿童人数": 1,
    "新结对数": 1, "结束结对数": 1, "新建档儿童": 1, "离开儿童之家的儿童": 1,
    "期末在册儿童": 8, "发放物资次数": 3, "领到物资的儿童": 2,
    # 甲 乙 庚 in school of 甲 乙 戊 庚 辛 aged 6 to 15 on 31 August (丙's schooling not
    # recorded; 壬 was 16).
    "入学率": "60.0%",
    # 甲 stayed, 戊 dropped out, 辛 suspended; 乙 was not in school on the first day; 己
    # left; 庚 was archived late.
    "巩固率": "33.3%",
}


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def _figures(content: bytes) -> dict:
    sheet = load_workbook(io.BytesIO(content))["主要数据"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    return {name: value for name, value in rows if name}


def test_every_figure_of_the_county_report_is_the_count_written_by_hand(app, make, db):
    _county(make, db)
    client = _client(app, make.user(Role.ADMIN))
    response = client.get(f"/admin/reports/work-report.xlsx?period={PERIOD}")
    assert response.status_code == 200
    found = _figures(response.data)
    for name, expected in COUNTY.items():
        assert found.get(name) == expected, name
    # Counted straight in SQL, not by the report's code.
    held = db.session.execute(text(
        "SELECT count(*) FROM activity WHERE status = 'DONE' AND starts_at >= :first AND "
        "starts_at < :after"), {"first": datetime(2026, 11, 1),  # noqa: DTZ001
                                "after": datetime(2026, 12, 1)}).scalar()  # noqa: DTZ001
    visits = db.session.execute(text(
        "SELECT count(*) FROM care_record WHERE kind = 'HOME_VISIT' AND occurred_on "
        "BETWEEN :first AND :last"), {"first": date(2026, 11, 1),
                                      "last": date(2026, 11, 30)}).scalar()
    assert (found["开展活动次数"], found["家访：记录条数"]) == (held, visits) == (3, 3)
    stages = load_workbook(io.BytesIO(response.data))["学段与性别"]
    table = {row[0]: row[1:] for row in stages.iter_rows(min_row=4, values_only=True)}
    assert table == {"学前": (1, 0, 1), "小学": (2, 0, 2), "初中": (0, 1, 1),
                     "高中": (0, 0, 0), "中职": (0, 0, 0), "不在校": (1, 2, 3),
                     "学段不明": (0, 1, 1), "合计": (4, 4, 8)}
    # The trail holds the old value even of a record expired before the change.
    trail = db.session.scalars(select(AuditEntry.changes).where(
        AuditEntry.table_name == "child", AuditEntry.action == AuditAction.UPDATE)
        .order_by(AuditEntry.at)).all()
    assert [change["schooling"] for change in trail] == [
        ["IN_SCHOOL", "SUSPENDED"], ["SUSPENDED", "IN_SCHOOL"], ["IN_SCHOOL", "DROPPED_OUT"]]


def test_the_word_document_says_the_figures_in_sentences_and_leaves_headings(app, make, db):
    _county(make, db)
    client = _client(app, make.user(Role.ADMIN))
    response = client.get(f"/admin/reports/work-report.docx?period={PERIOD}")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in document.paragraphs]
    body = "\n".join(paragraphs)
    assert "共开展活动3次，参与儿童4人次（3人）" in body
    assert "家访3次（2名儿童）" in body and "谈心1次（1名儿童）" in body
    assert "新结对1对，结束结对1对；新建档儿童1人，离开儿童之家1人" in body
    assert "发放物资3次，领到物资的儿童2人：儿童图书6本、书包5个" in body
    for heading in ("亮点", "存在的问题", "下一步计划"):
        assert heading in paragraphs, heading
    stage_table = document.tables[0]
    assert [c.text for c in stage_table.rows[-1].cells] == ["合计", "4", "4", "8"]
    # The county's duties, in its order (their counts are the scorecard's, tested there).
    duty_names = [r.cells[0].text for r in document.tables[1].rows[1:]]
    assert duty_names == list(db.session.scalars(text(
        "SELECT name FROM duty_rule WHERE active ORDER BY position, id"))) != []


def test_a_township_supervisor_gets_her_township_and_a_home_narrows_it(app, make, db):
    _south, town = _county(make, db)
    supervisor = _client(app, make.user(Role.SUPERVISOR, township="南桥镇"))
    found = _figures(supervisor.get(f"/admin/reports/work-report.xlsx?period={PERIOD}").data)
    # 城关镇's activity, its call and its kindergarten child are not hers.
    assert (found["开展活动次数"], found["参加活动人次"], found["期末在册儿童"]) == (2, 3, 6)
    assert found["与父母通话/视频：记录条数"] == 0
    assert supervisor.get(f"/admin/reports/work-report.xlsx?period={PERIOD}&home={town.id}"
                          ).status_code == 404
    admin = _client(app, make.user(Role.ADMIN))
    one = _figures(admin.get(f"/admin/reports/work-report.xlsx?period={PERIOD}&home={town.id}"
                             ).data)
    assert (one["开展活动次数"], one["期末在册儿童"], one["新建档儿童"]) == (1, 2, 0)


def test_the_page_shows_the_sentences_and_a_caring_mother_gets_nothing(app, make, db):
    south, _town = _county(make, db)
    admin = _client(app, make.user(Role.ADMIN))
    page = admin.get(f"/admin/reports/work-report/?period={PERIOD}")
    assert page.status_code == 200
    assert "共开展活动3次" in page.text and 'id="download-work-report-docx"' in page.text
    volunteer = make.volunteer(home=south)
    mother = _client(app, make.user(Role.VOLUNTEER, volunteer_id=volunteer.id))
    for url in ("/admin/reports/work-report/", "/admin/reports/work-report.docx",
                "/admin/reports/work-report.xlsx"):
        assert mother.get(url).status_code == 403, url


def test_the_scorecard_shows_the_stages_and_the_rates_of_its_period(app, make, db):
    _county(make, db)
    admin = _client(app, make.user(Role.ADMIN))
    page = admin.get(f"/admin/scorecard/?period={PERIOD}").text
    assert '<strong class="enrolment">60.0%</strong>' in page
    assert '<strong class="consolidation">33.3%</strong>' in page
    book = load_workbook(io.BytesIO(admin.get(
        f"/admin/scorecard/export.xlsx?period={PERIOD}").data))
    rows = list(book["学段与性别"].iter_rows(min_row=3, values_only=True))
    assert rows[-1] == ("合计", 4, 4, 8)
    rates = {row[0]: row[1] for row in book["入学率与巩固率"].iter_rows(min_row=3,
                                                                  values_only=True)}
    assert rates == {"入学率": "60.0%", "巩固率": "33.3%"}


def test_the_school_age_in_dates_is_the_age_in_years_on_every_awkward_day():
    """The enrolment rate's ages are compared as dates in SQL: the same children as
    models.validators.age_on says are 6 to 15, on 29 February and the days around it."""
    from datetime import timedelta

    from admin_app.reports.work_report import years_before
    from models.validators import age_on

    for day in (date(2028, 2, 29), date(2028, 2, 28), date(2027, 2, 28), date(2027, 3, 1),
                date(2026, 11, 30), date(2026, 1, 1)):
        for born in (years_before(day, years) + timedelta(days=shift)
                     for years in (6, 16) for shift in range(-3, 4)):
            in_dates = years_before(day, 16) < born <= years_before(day, 6)
            assert in_dates == (6 <= age_on(born, day) <= 15), (day, born)
    assert years_before(date(2028, 2, 29), 6) == date(2022, 2, 28)
    from admin_app.reports.work_report import school_age_day

    assert (school_age_day(date(2026, 11, 30)), school_age_day(date(2027, 6, 30)),
            school_age_day(date(2026, 9, 1))) == (date(2026, 8, 31),) * 3


def test_a_homes_own_staff_get_the_report_named_for_their_home(app, make, db):
    south, _town = _county(make, db)
    staff = _client(app, make.user(Role.STAFF, home_id=south.id))
    page = staff.get(f"/admin/reports/work-report/?period={PERIOD}").text
    assert "南桥村儿童之家共开展活动2次" in page and "全县" not in page
    response = staff.get(f"/admin/reports/work-report.docx?period={PERIOD}")
    assert "南桥村儿童之家2026年11月工作总结" in response.headers["Content-Disposition"] or \
        "%E5%8D%97%E6%A1%A5" in response.headers["Content-Disposition"]
    # A period not begun yet is refused, not counted as empty.
    assert staff.get("/admin/reports/work-report/?period=2030").status_code == 400
    # An argument the page does not take is no crash.
    assert staff.get(f"/admin/reports/work-report.xlsx?period={PERIOD}&endpoint=x"
                     ).status_code == 200


def test_a_past_period_is_counted_with_the_schooling_it_had_then(app, make, db):
    """A pupil in school all of November who dropped out at 01:00 on 1 December in Beijing
    (still 30 November in UTC) counts in November's figures as in school."""
    home = make.home(name="北山村儿童之家", township="北山乡")
    pupil = make.child(home=home, name="癸", gender=Gender.MALE, birth_date=date(2015, 5, 5),
                       schooling=Schooling.IN_SCHOOL, grade="五年级", created_at=EARLY)
    with time_machine.travel(datetime(2026, 11, 30, 17, 0, tzinfo=UTC), tick=False):
        pupil.schooling = Schooling.DROPPED_OUT
        db.session.commit()
    admin = _client(app, make.user(Role.ADMIN))
    november = _figures(admin.get(f"/admin/reports/work-report.xlsx?period={PERIOD}").data)
    assert (november["入学率"], november["巩固率"]) == ("100.0%", "100.0%")
    book = load_workbook(io.BytesIO(admin.get(
        f"/admin/reports/work-report.xlsx?period={PERIOD}").data))
    stages = {row[0]: row[1:] for row in book["学段与性别"].iter_rows(min_row=4,
                                                                 values_only=True)}
    assert (stages["小学"], stages["不在校"]) == ((1, 0, 1), (0, 0, 0))
    december = _figures(admin.get("/admin/reports/work-report.xlsx?period=2026-12").data)
    assert (december["入学率"], december["巩固率"]) == ("0.0%", "0.0%")
