"""考核 scorecards: on two Homes whose records are written here by hand, every figure of
November 2026 is the count worked out below (literals) or counted straight in SQL; Homes
are ranked by duties done within their township and the county; the workbook holds the same
lines; supervisors see their scope and caring mothers none."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
import time_machine

from admin_app.reports.scorecard import Period
from models.enums import (
    ActivityStatus,
    ChildStatus,
    Guardianship,
    LeaveReason,
    LivingArrangement,
    Role,
)
from models.enums import CareKind as K
from tests.conftest import export_through_approval, sign_in, wall_time

FOUR = (K.TALK, K.PARENT_CALL, K.TEACHER_CONTACT, K.GUARDIAN_CONTACT)


@pytest.fixture
def december_20():
    with time_machine.travel(datetime(2026, 12, 20, 4, 0, tzinfo=UTC), tick=False):
        yield date(2026, 12, 20)


def complete(make, home, name, **kw):
    """A child whose archive is complete: ID number, school, grade, guardian, assessment,
    a parent."""
    child = make.child(home=home, name=name, id_number=kw.pop("id_number"), school="红星小学",
                       grade="三年级", guardian=make.guardian(home=home),
                       guardianship=Guardianship.GOOD, **kw)
    make.parent(child)
    return child


@pytest.fixture
def county(make, december_20):
    jia = make.home(name="甲之家", township="甲乡")
    yi = make.home(name="乙之家", township="甲乡")
    m1, m2 = make.volunteer(home=jia, name="张妈妈"), make.volunteer(home=jia, name="李妈妈")
    a = complete(make, jia, "小一", id_number="110101201503120015")
    b = make.child(home=jia, name="小二", school="红星小学", grade="三年级")  # no ID number
    c = make.child(home=jia, name="小三", living_arrangement=LivingArrangement.ALONE,
                   id_number="110101201503120031", school="红星小学", grade="三年级",
                   guardian=make.guardian(home=jia), guardianship=Guardianship.GOOD)  # no parent
    complete(make, jia, "小四", id_number="110101201503120058")  # in care, not paired
    e = make.child(home=jia, name="小五", status=ChildStatus.LEFT_CARE,
                   left_on=date(2026, 10, 31), leave_reason=LeaveReason.MOVED)
    make.child(home=jia, name="小六", entered_on=date(2026, 12, 5))  # after November
    make.pairing(m1, a, started_on=date(2026, 9, 1))
    make.pairing(m1, b, started_on=date(2026, 11, 10))  # November began before it: not owed
    make.pairing(m2, c, started_on=date(2026, 1, 1))
    make.pairing(m2, e, started_on=date(2026, 1, 1), ended_on=date(2026, 10, 31))
    for kind in FOUR:
        make.care_record(a, volunteer=m1, kind=kind, occurred_on=date(2026, 11, 5))
        make.care_record(b, volunteer=m1, kind=kind, occurred_on=date(2026, 11, 20))
    make.care_record(c, volunteer=m2, kind=K.TALK, occurred_on=date(2026, 11, 30))
    make.care_record(c, volunteer=m2, kind=K.PARENT_CALL, occurred_on=date(2026, 10, 2))
    make.care_record(c, volunteer=m2, kind=K.TEACHER_CONTACT, occurred_on=date(2026, 12, 1))
    for day, status in ((3, ActivityStatus.DONE), (17, ActivityStatus.DONE),
                        (24, ActivityStatus.PLANNED)):
        make.activity(home=jia, starts_at=wall_time(2026, 11, day, 15, 0), status=status)
    make.activity(home=jia, starts_at=wall_time(2026, 12, 1, 15, 0), status=ActivityStatus.DONE)
    m3 = make.volunteer(home=yi, name="王妈妈")
    f = complete(make, yi, "小七", id_number="110101201503120074")
    make.pairing(m3, f, started_on=date(2026, 1, 1))
    for kind in FOUR:
        make.care_record(f, volunteer=m3, kind=kind, occurred_on=date(2026, 11, 28))
    return {"jia": jia, "yi": yi, "m1": m1}


def cells(page: str, home_id: int) -> dict[str, str]:
    row = page.split(f'data-home="{home_id}"')[1].split("</tr>")[0]
    found = {}
    for cell in row.split('<td data-label="')[1:]:
        name = cell.split('class="')[1].split('"')[0]
        found[name] = re.sub(r"<[^>]+>", "", cell.split(">", 1)[1].split("</td>")[0]).strip()
    return found


def signed(app, make, role, **kw):
    client = app.test_client()
    user = make.user(role, **kw)
    assert sign_in(client, user.username).status_code == 302
    return client


def test_every_figure_is_the_count_of_the_records(app, make, db, county):
    page = signed(app, make, Role.SUPERVISOR, township="甲乡").get(
        "/admin/scorecard/?period=2026-11").text
    jia = cells(page, county["jia"].id)
    # In care on 30 November: 小一 to 小四 (小五 left in October, 小六 came in December).
    assert jia["children"] == "4"
    in_care = db.session.execute(sa.text(
        "SELECT count(*) FROM child WHERE home_id = :home AND entered_on <= '2026-11-30' "
        "AND (left_on IS NULL OR left_on > '2026-11-30')"), {"home": county["jia"].id}).scalar()
    assert in_care == 4
    assert jia["complete"] == "2（50%）"  # 小一, 小四
    paired = db.session.execute(sa.text(
        "SELECT count(DISTINCT p.child_id) FROM pairing p JOIN child c ON c.id = p.child_id "
        "WHERE c.home_id = :home AND p.is_primary AND p.started_on <= '2026-11-30' AND "
        "(p.ended_on IS NULL OR p.ended_on >= '2026-11-30') AND (c.left_on IS NULL OR "
        "c.left_on > '2026-11-30') AND c.entered_on <= '2026-11-30'"),
        {"home": county["jia"].id}).scalar()
    assert paired == 3 and jia["paired"].startswith("3（75%）")
    # Due: 小一's four and 小三's four (小二's pairing began after 1 November); done: 小一's
    # four and 小三's talk (his October call and December contact are not November's).
    assert "5/8（62%）" in jia["duties"]
    talk, parents, teacher, guardian = (v for k, v in jia.items() if k.startswith("duty-"))
    assert (talk, parents, teacher, guardian) == ("2/2", "1/2", "1/2", "1/2")
    assert jia["activities"] == "2"  # the two held in November
    assert jia["calls"] == "2"  # 小一's and 小二's calls in November
    assert jia["at-risk"] == "1 · 1/4"  # 小三 lives alone: one of his four
    # Ranked within 甲乡; no rank in the county for a township's supervisor, who sees only
    # her township's Homes (the county's administrator does).
    assert "甲乡第 2 名" in jia["rank"] and "全县" not in jia["rank"]
    county_page = signed(app, make, Role.ADMIN, username="county_admin").get(
        "/admin/scorecard/?period=2026-11").text
    assert "全县第 2 名" in cells(county_page, county["jia"].id)["rank"]
    yi = cells(page, county["yi"].id)
    assert "4/4（100%）" in yi["duties"] and "甲乡第 1 名" in yi["rank"]


def test_a_month_not_ended_counts_only_the_windows_that_have(app, make, db, county):
    page = signed(app, make, Role.ADMIN).get("/admin/scorecard/?period=2026-12").text
    jia = cells(page, county["jia"].id)
    assert "0/0" in jia["duties"]  # December's monthly windows end on the 31st
    assert jia["activities"] == "1" and jia["children"] == "5"  # 小六 came on 5 December


def test_a_term_and_a_year(app, make, db, county, december_20):
    admin = signed(app, make, Role.ADMIN)
    term = cells(admin.get("/admin/scorecard/?period=2026-autumn").text, county["jia"].id)
    # September to November for 小一 (paired 1 Sep: 12 due, 4 done) and 小三 (12 due, his
    # October call and November talk: 2 done); 小五 until October (8 due, none done); 小二
    # owes from December only.
    assert "6/32" in term["duties"]
    year = cells(admin.get("/admin/scorecard/?period=2026").text, county["jia"].id)
    assert "/" in year["duties"] and year["children"] == "5"  # 小六 too, by 20 December
    # Not entered by the county: the usual dates.
    assert Period.parse("2026-autumn", december_20).last == date(2027, 1, 20)
    assert Period.parse("2026-spring", december_20).first == date(2026, 2, 20)
    assert Period.parse("nonsense", december_20).key == "2026-11"  # last month


def test_the_workbook_holds_the_pages_lines(app, make, db, county):
    client = signed(app, make, Role.STAFF, home=county["jia"])
    response = export_through_approval(client, "/admin/scorecard/export.xlsx?period=2026-11")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert rows[0][:5] == ("甲之家", "甲乡", 4, 2, 3)
    assert len(rows) == 3  # the Home, its township, the total: 乙之家 is not hers


def test_a_scorecard_is_scoped_and_not_for_caring_mothers(app, make, db, county):
    other = make.home(name="丙之家", township="丙乡")
    outsider = signed(app, make, Role.SUPERVISOR, township="丙乡")
    page = outsider.get("/admin/scorecard/?period=2026-11").text
    assert "甲之家" not in page and f'data-home="{other.id}"' in page
    assert outsider.get("/admin/scorecard/?township=甲乡").status_code == 404
    mother = signed(app, make, Role.VOLUNTEER, volunteer=county["m1"])
    assert mother.get("/admin/scorecard/").status_code == 403
    assert mother.get("/admin/scorecard/export.xlsx").status_code == 403


def test_a_stricter_pace_the_county_sets_changes_the_scorecard(app, make, db, county):
    from models import DutyRule

    talk = db.session.scalar(sa.select(DutyRule).where(DutyRule.name == "与孩子谈心"))
    talk.stricter_frequency, talk.stricter_for = "WEEKLY", "alone"
    db.session.commit()
    page = signed(app, make, Role.ADMIN).get("/admin/scorecard/?period=2026-11").text
    jia = cells(page, county["jia"].id)
    # 小三 lives alone: four weekly talks due in November (one done, on the 30th), and his
    # three other duties; 小一 as before.
    assert "5/11" in jia["duties"]
    assert jia[f"duty-{talk.id}"] == "2/5"
    assert jia["at-risk"] == "1 · 1/7"


def test_the_figures_link_to_the_rows_behind_them(app, make, db, county):
    page = signed(app, make, Role.ADMIN).get("/admin/scorecard/?period=2026-11").text
    row = page.split(f'data-home="{county["jia"].id}"')[1].split("</tr>")[0]
    links = re.findall(r'href="([^"]+)"', row)
    children = next(link for link in links if link.startswith("/admin/child/?"))
    listed = signed(app, make, Role.ADMIN, username="again").get(children.replace("&amp;", "&"))
    assert "小一" in listed.text and "小七" not in listed.text  # 乙之家's
    unpaired = next(link for link in links if "flt1_" in link).replace("&amp;", "&")
    page_of = signed(app, make, Role.ADMIN, username="third").get(unpaired).text
    assert "小四" in page_of and "小一" not in page_of
    assert f"/admin/followup/?home={county['jia'].id}&amp;month=2026-11" in row
    assert 'id="scorecard-trend"' not in page  # one month: no trend
    # The year's trend: November's duties of the county (小一 4, 小三 1, 小七 4 of 12).
    year = signed(app, make, Role.ADMIN, username="fourth").get(
        "/admin/scorecard/?period=2026").text
    trend = year.split('id="scorecard-trend"')[1].split("</svg>")[0]
    assert "2026-11：9/12" in trend


def test_a_yearly_duty_with_a_stricter_pace_counts_for_the_children_at_risk(app, make, db,
                                                                          county):
    from models import DutyRule

    festival = db.session.scalar(sa.select(DutyRule).where(DutyRule.name == "今年陪伴过节"))
    festival.stricter_frequency, festival.stricter_for = "MONTHLY", "alone"
    db.session.commit()
    page = signed(app, make, Role.ADMIN).get("/admin/scorecard/?period=2026-11").text
    jia = cells(page, county["jia"].id)
    # 小三 lives alone: a festival due in November too, not done.
    assert jia[f"duty-{festival.id}"] == "0/1" and "5/9" in jia["duties"]


def test_the_countys_scorecard_is_kept_a_few_minutes_and_counted_again_on_request(
        app, make, db, county):
    """Figures of the whole county (every Home: a county's 100,000 children) are kept for
    OVERVIEW_MAX_AGE, said when counted, counted again on request, when the duty rules or
    the terms change, and for the workbook; an account of one township counts hers live."""
    from models import Child
    from tests.conftest import count_queries

    admin = signed(app, make, Role.ADMIN)
    url = "/admin/scorecard/?period=2026-11"
    first = admin.get(url).text
    assert cells(first, county["jia"].id)["calls"] == "2"
    assert 'id="counted-at"' in first and "重新统计" in first
    child = db.session.scalar(sa.text("SELECT id FROM child WHERE name = '小三'"))
    make.care_record(db.session.get(Child, child), volunteer=None,
                     kind=K.PARENT_CALL, occurred_on=date(2026, 11, 15))
    with count_queries(db.engine) as kept:
        again = admin.get(url).text
    assert cells(again, county["jia"].id)["calls"] == "2"  # as counted a moment ago
    with count_queries(db.engine) as counted:
        recounted = admin.get(url + "&again=1").text
    assert cells(recounted, county["jia"].id)["calls"] == "3"
    assert kept.count < counted.count
    # A township's supervisor counts her township live: no time said.
    supervisor = signed(app, make, Role.SUPERVISOR, township="甲乡").get(url).text
    assert 'id="counted-at"' not in supervisor
    make.care_record(db.session.get(Child, child), volunteer=None,
                     kind=K.PARENT_CALL, occurred_on=date(2026, 11, 16))
    assert cells(signed(app, make, Role.SUPERVISOR, township="甲乡", username="s2")
                 .get(url).text, county["jia"].id)["calls"] == "4"
    assert cells(admin.get(url).text, county["jia"].id)["calls"] == "3"  # still kept
    # The workbook counts afresh (a report sent upward), and keeps what it counted.
    response = export_through_approval(admin, "/admin/scorecard/export.xlsx?period=2026-11")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [c.value for c in sheet[2]]
    jia = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == "甲之家")
    assert jia[header.index("亲情电话")] == 4
    assert cells(admin.get(url).text, county["jia"].id)["calls"] == "4"
    # A term the county enters changes the windows: kept figures are dropped.
    make.care_record(db.session.get(Child, child), volunteer=None,
                     kind=K.PARENT_CALL, occurred_on=date(2026, 11, 17))
    assert admin.post("/admin/school_term/new/", data={
        "school_year": "2026", "term": "AUTUMN", "first_day": "2026-09-01",
        "last_day": "2027-01-22"}).status_code == 302
    assert cells(admin.get(url).text, county["jia"].id)["calls"] == "5"
    # Five minutes on, counted again at the first visit.
    make.care_record(db.session.get(Child, child), volunteer=None,
                     kind=K.PARENT_CALL, occurred_on=date(2026, 11, 18))
    assert cells(admin.get(url).text, county["jia"].id)["calls"] == "5"
    with time_machine.travel(datetime(2026, 12, 20, 4, 6, tzinfo=UTC), tick=False):
        assert cells(admin.get(url).text, county["jia"].id)["calls"] == "6"
