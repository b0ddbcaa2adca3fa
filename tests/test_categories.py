"""Categories keep their class: a child living with one parent is never counted or labelled
as a child one of whose parents is away (both were "one_parent"), and the roster's counts
sheet holds what the database holds, children in care only, category by category."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import openpyxl
from sqlalchemy import text

import models  # noqa: F401  (every enum module imported)
from models.enums import (
    ChildStatus,
    LabelledEnum,
    LeaveReason,
    LeftBehindType,
    LivingArrangement,
    Role,
)
from tests.conftest import export_through_approval, sign_in


def labelled_enums() -> list[type[LabelledEnum]]:
    found, todo = [], list(LabelledEnum.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_no_two_categories_share_a_key_in_any_look_up():
    members = [member for cls in labelled_enums() for member in cls]
    assert len(members) > 60
    # A dict, a set and a Counter are what label caches and counters key by.
    assert len({member: member.label for member in members}) == len(members)
    assert len(set(members)) == len(members)
    counts = Counter(members)
    assert all(n == 1 for n in counts.values())
    assert LeftBehindType.ONE_PARENT != LivingArrangement.ONE_PARENT
    # A member still reads as its own value and compares with it (forms and stored names).
    assert LivingArrangement.ONE_PARENT == LivingArrangement.ONE_PARENT.value
    assert LivingArrangement("one_parent") is LivingArrangement.ONE_PARENT


def _client(app, make, role=Role.ADMIN, **kw):
    client = app.test_client()
    user = make.user(role, **kw)
    assert sign_in(client, user.username).status_code == 302
    return client


def test_a_child_living_with_one_parent_reads_so_on_the_list_card_and_roster(app, make):
    home = make.home(name="甲之家")
    child = make.child(home=home, name="刘小单", left_behind_type=LeftBehindType.ONE_PARENT,
                       living_arrangement=LivingArrangement.ONE_PARENT)
    staff = _client(app, make, Role.STAFF, home=home)
    listed = staff.get("/admin/child/").text
    card = staff.get(f"/admin/child/details/?id={child.id}").text
    for page in (listed, card):
        assert "单亲外出" in page and "随父（母）一方生活" in page
    book = openpyxl.load_workbook(io.BytesIO(
        export_through_approval(staff, "/admin/child/export/xlsx/").data))
    sheet = book["花名册"]
    headers = [c.value for c in sheet[2]]
    row = [c.value for c in sheet[3]]
    assert row[headers.index("留守类型")] == "单亲外出"
    assert row[headers.index("生活方式")] == "随父（母）一方生活"


# What each column of the counts sheet counts, written out here (not taken from the code).
COUNTED = {
    "双亲外出": "left_behind_type = 'BOTH_PARENTS'",
    "单亲外出": "left_behind_type = 'ONE_PARENT'",
    "随祖辈生活": "living_arrangement = 'GRANDPARENTS'",
    "随其他亲戚生活": "living_arrangement = 'RELATIVES'",
    "随代管家长生活": "living_arrangement = 'PROXY_GUARDIAN'",
    "独自生活": "living_arrangement = 'ALONE'",
    "随父（母）一方生活": "living_arrangement = 'ONE_PARENT'",
    "寄宿": "boarding",
    "在册儿童": "1 = 1",
}


def test_every_figure_of_the_counts_sheet_equals_a_count_in_sql(app, make, db):
    from seed.demo import build_demo

    build_demo(db.session, homes=3, children=90, seed=11, today=date(2026, 12, 1))
    # Children who left care, of every category, stay out of the figures.
    leaving = db.session.execute(text(
        "SELECT id FROM child WHERE living_arrangement = 'ONE_PARENT' ORDER BY id LIMIT 2"
    )).scalars().all() + db.session.execute(text(
        "SELECT id FROM child WHERE living_arrangement = 'GRANDPARENTS' ORDER BY id LIMIT 2"
    )).scalars().all()
    assert len(leaving) == 4
    for child_id in leaving:
        db.session.execute(text(
            "UPDATE child SET status = :status, left_on = :day, leave_reason = :reason "
            "WHERE id = :id"), {"status": ChildStatus.LEFT_CARE.name, "day": date(2026, 11, 1),
                                "reason": LeaveReason.MOVED.name, "id": child_id})
    db.session.commit()
    book = openpyxl.load_workbook(io.BytesIO(
        export_through_approval(_client(app, make), "/admin/child/export/xlsx/").data))
    sheet = book["分类统计"]
    headers = [c.value for c in sheet[2]]
    assert set(headers) == {"儿童之家", *COUNTED}
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3) if r[0].value]
    homes = db.session.execute(text("SELECT name FROM home ORDER BY name")).scalars().all()
    assert [r[0] for r in rows] == [*homes, "合计"]
    for r in rows:
        where = "" if r[0] == "合计" else "AND home.name = :home"
        for header, value in zip(headers[1:], r[1:], strict=True):
            expected = db.session.execute(text(
                f"SELECT count(*) FROM child JOIN home ON home.id = child.home_id "  # noqa: S608
                f"WHERE child.status = 'IN_CARE' AND {COUNTED[header]} {where}"),
                {"home": r[0]}).scalar()
            assert value == expected, (r[0], header)
    in_care = db.session.execute(text(
        "SELECT count(*) FROM child WHERE status = 'IN_CARE'")).scalar()
    one_parent = db.session.execute(text(
        "SELECT count(*) FROM child WHERE status = 'IN_CARE' "
        "AND living_arrangement = 'ONE_PARENT'")).scalar()
    assert one_parent > 0 and rows[-1][1] == in_care


def test_a_member_of_another_category_is_refused_on_its_way_to_the_database(make, db):
    import pytest
    from sqlalchemy.exc import StatementError

    from models.enums import GuardianRelation, ParentRelation

    guardian = make.guardian()
    guardian.relation = ParentRelation.MOTHER  # "mother" in both, but not a guardian's
    with pytest.raises(StatementError, match="not among the defined enum values"):
        db.session.commit()
    db.session.rollback()
    assert GuardianRelation.MOTHER != ParentRelation.MOTHER
