"""The county summary table (附件3 汇总表) at /admin/reports/mca-summary.xlsx: on a county
seeded by hand, every cell of every row equals the count written here as a literal (and the
total the count made straight in SQL); the form's checks between columns hold; a township's
supervisor gets her township's Homes only; a caring mother gets nothing."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import text

from models import Assistance
from models.enums import (
    AssistanceKind,
    Gender,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
    ParentRelation,
    Role,
    Schooling,
)
from tests.conftest import sign_in

ON = date(2026, 12, 1)
BOTH, ONE = LeftBehindType.BOTH_PARENTS, LeftBehindType.ONE_PARENT


def _county(make, db):
    town = make.home(name="城关镇儿童之家", township="城关镇")
    south = make.home(name="南桥村儿童之家", township="南桥镇")
    girl, boy = Gender.FEMALE, Gender.MALE
    c1 = make.child(home=town, gender=girl, birth_date=date(2021, 12, 2),  # 4: birthday tomorrow
                    schooling=Schooling.KINDERGARTEN, left_behind_type=BOTH,
                    guardianship=Guardianship.GOOD)
    c2 = make.child(home=town, gender=boy, birth_date=date(2020, 12, 1),  # 6 that very day
                    schooling=Schooling.IN_SCHOOL, grade="一年级", left_behind_type=ONE,
                    living_arrangement=LivingArrangement.ALONE,
                    guardianship=Guardianship.NOBODY, key_target=True)
    # One parent away, the other recorded as unable to care: the MCA's.
    make.parent(c2, relation=ParentRelation.MOTHER, name="王母", able_to_guard=False,
                work_city="")
    # One parent away, the other at home and not recorded as unable: not the MCA's.
    other = make.child(home=town, gender=girl, birth_date=date(2017, 4, 4), left_behind_type=ONE,
                       living_arrangement=LivingArrangement.ONE_PARENT,
                       guardianship=Guardianship.GOOD)
    make.parent(other, relation=ParentRelation.MOTHER, name="赵母", able_to_guard=True,
                work_city="")
    # Her father, the one away, unable to care: it says nothing of the mother at home.
    make.parent(other, name="赵父", work_city="深圳", able_to_guard=False)
    c3 = make.child(home=town, gender=boy, birth_date=date(2012, 2, 29),  # 14
                    schooling=Schooling.IN_SCHOOL, grade="初三", left_behind_type=BOTH)
    make.child(home=town, gender=girl, birth_date=date(2010, 11, 30))  # 16: not the MCA's
    make.child(home=town, gender=girl, birth_date=date(2015, 1, 1),
               entered_on=date(2024, 9, 1), left_on=date(2026, 6, 30))  # left before
    c6 = make.child(home=town, gender=girl, birth_date=date(2016, 3, 3), entered_on=ON,
                    schooling=Schooling.SUSPENDED, grade="四年级", left_behind_type=BOTH,
                    guardianship=Guardianship.POOR)
    make.child(home=south, gender=boy, birth_date=date(2018, 5, 5),
               schooling=Schooling.IN_SCHOOL, grade="培优班", left_behind_type=BOTH,
               guardianship=Guardianship.FAIR, boarding=True, in_difficulty=True)
    make.child(home=south, gender=girl, birth_date=date(2013, 7, 7), left_behind_type=ONE,
               guardianship=Guardianship.PARENT_UNABLE)
    db.session.add_all([
        Assistance(child=c1, kind=AssistanceKind.MINIMUM_LIVING, since=date(2026, 1, 1)),
        Assistance(child=c3, kind=AssistanceKind.ORPHAN),
        Assistance(child=c3, kind=AssistanceKind.TEMPORARY, since=date(2026, 11, 1)),
        Assistance(child=c3, kind=AssistanceKind.MEDICAL, since=date(2026, 11, 1)),
        Assistance(child=c6, kind=AssistanceKind.MINIMUM_LIVING, until=date(2026, 11, 30)),
        Assistance(child=c6, kind=AssistanceKind.HOUSING, since=date(2026, 12, 2)),
    ])
    db.session.commit()
    return town, south


# Column headers as the sheet's two header rows join them, and the expected cells.
TOWN = {"合计": 4, "0至5周岁 小计": 1, "0至5周岁 男": 0, "0至5周岁 女": 1, "6至13周岁 小计": 2,
        "6至13周岁 男": 1, "6至13周岁 女": 1, "14至15周岁 小计": 1, "14至15周岁 男": 1,
        "14至15周岁 女": 0, "就学情况 幼儿园": 1, "就学情况 未入园": 0, "就学情况 小学": 1,
        "就学情况 初中": 1, "就学情况 高中": 0, "就学情况 中职": 0, "就学情况 辍学": 0,
        "就学情况 不在学": 1, "就学情况 未填写": 0, "留守类型 父母双方同时外出": 3,
        "留守类型 一方外出另一方无监护能力": 1, "监护情况 无人监护": 1,
        "监护情况 父或母无监护能力": 0, "监护情况 受委托监护人监护能力不足": 0,
        "监护情况 差（未分类型）": 1, "监护情况 一般": 0, "监护情况 较好": 1,
        "监护情况 未评估": 1, "救助帮扶情况 享受救助": 2, "救助帮扶情况 低保": 1,
        "救助帮扶情况 特困供养": 0, "救助帮扶情况 孤儿基本生活费": 1,
        "救助帮扶情况 事实无人抚养儿童补贴": 0, "救助帮扶情况 其他救助": 1,
        "其他情况 寄宿": 0, "其他情况 独自生活": 1, "其他情况 重点帮扶": 1, "其他情况 困难儿童": 0}
SOUTH = {**dict.fromkeys(TOWN, 0), "合计": 2, "6至13周岁 小计": 2, "6至13周岁 男": 1,
         "6至13周岁 女": 1, "就学情况 未填写": 2, "留守类型 父母双方同时外出": 1,
         "留守类型 一方外出另一方无监护能力": 1, "监护情况 父或母无监护能力": 1,
         "监护情况 一般": 1, "其他情况 寄宿": 1, "其他情况 困难儿童": 1}


def _table(content: bytes) -> tuple[list[str], dict[str, dict[str, int]], list[str]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    groups, own, numbers = rows[2], rows[3], rows[4]
    assert numbers[0] == "栏次" and numbers[1:] == list(range(1, len(numbers)))
    headers, group = [], None
    for top, low in zip(groups[1:], own[1:], strict=True):
        group = top or group
        headers.append(f"{group} {low}" if low else group)
    body, notes = {}, []
    for row in rows[5:]:
        if row[0] and isinstance(row[1], int):
            body[row[0]] = dict(zip(headers, row[1:], strict=True))
        elif row[0]:
            notes.append(row[0])
    return headers, body, notes


def _download(app, user, query=""):
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client.get(f"/admin/reports/mca-summary.xlsx?date={ON.isoformat()}{query}")


def test_every_cell_of_the_county_summary_is_the_count_written_by_hand(app, make, db):
    _county(make, db)
    admin = make.user(Role.ADMIN)
    response = _download(app, admin)
    assert response.status_code == 200, response.text[:500]
    headers, body, notes = _table(response.data)
    assert set(headers) == set(TOWN), set(headers) ^ set(TOWN)
    assert body["城关镇"] == TOWN
    assert body["南桥镇"] == SOUTH
    assert body["合计"] == {key: TOWN[key] + SOUTH[key] for key in TOWN}
    sixteen_ago = date(ON.year - 16, ON.month, ON.day)
    in_sql = db.session.execute(text(
        "SELECT count(*) FROM child WHERE entered_on <= :on AND (left_on IS NULL OR "
        "left_on > :on) AND birth_date > :limit AND (left_behind_type = 'BOTH_PARENTS' OR "
        "guardianship = 'PARENT_UNABLE' OR EXISTS (SELECT 1 FROM parent_contact p WHERE "
        "p.child_id = child.id AND p.able_to_guard = :no AND p.work_city = ''))"),
        {"on": ON, "limit": sixteen_ago, "no": False}).scalar()
    assert body["合计"]["合计"] == in_sql == 6
    # The form's checks between columns hold on every row.
    for counts in body.values():
        for prefix in ("就学情况", "留守类型", "监护情况"):
            assert sum(v for k, v in counts.items() if k.startswith(prefix)) == counts["合计"]
        assert sum(counts[f"{a} 小计"] for a in ("0至5周岁", "6至13周岁", "14至15周岁")) \
            == counts["合计"]
    assert any("16、17周岁" in note and "共1人" in note for note in notes), notes
    assert any("无监护能力" in note and "共1人" in note for note in notes), notes


def test_a_township_gets_its_homes_and_a_caring_mother_nothing(app, make, db):
    town, _south = _county(make, db)
    supervisor = make.user(Role.SUPERVISOR, township="南桥镇")
    _headers, body, _notes = _table(_download(app, supervisor).data)
    assert set(body) == {"南桥镇", "合计"}
    assert body["合计"]["合计"] == 2
    by_home = _table(_download(app, supervisor, "&township=南桥镇").data)[1]
    assert set(by_home) == {"南桥村儿童之家", "合计"}
    assert _download(app, supervisor, "&township=城关镇").status_code == 404
    volunteer = make.volunteer(home=town)
    mother = make.user(Role.VOLUNTEER, volunteer_id=volunteer.id)
    assert _download(app, mother).status_code == 403
    staff = make.user(Role.STAFF, home_id=town.id)
    client = app.test_client()
    sign_in(client, staff.username)
    page = client.get("/admin/reports/")
    assert page.status_code == 200 and "download-summary" in page.text
    assert client.get("/admin/reports/mca-summary.xlsx?date=2027-01-01").status_code == 400
    assert client.get("/admin/reports/mca-summary.xlsx?date=12/01").status_code == 400
