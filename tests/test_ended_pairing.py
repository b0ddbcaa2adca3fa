"""A caring mother's reach is her pairings in force today: a pairing that ended (its
`ended_on` passed, not only an end reason written) or has not begun yet takes the child out
of her reach — the child, the guardian, the parents, the care records and the pairing
itself, on lists, cards, look-ups and 我的孩子. An account of hers with no volunteer linked
sees nothing. Expected answers are written out, never asked of access.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from admin_app import access
from models import Activity, CareRecord, Child, Guardian, Pairing, ParentContact, Volunteer
from models.base import local_today
from models.enums import ParentRelation, Role
from tests.conftest import sign_in


@pytest.fixture
def mother(make, db):
    """刘妈妈: paired with 张现在 now; with 陈已结束 until yesterday, 何上月 until a month
    ago, 吴下学期 from tomorrow. Each child has a guardian, a parent with a phone of its own
    and a care record of its own."""
    home = make.home(name="前进村儿童之家")
    today = local_today()
    volunteer = make.volunteer(home=home, name="刘妈妈")
    periods = {"张现在": (date(2024, 9, 1), None),
               "陈已结束": (date(2024, 9, 1), today - timedelta(days=1)),
               "何上月": (date(2024, 9, 1), today - timedelta(days=30)),
               "吴下学期": (today + timedelta(days=1), None)}
    for n, (name, (started, ended)) in enumerate(periods.items()):
        guardian = make.guardian(home=home, name=f"{name}的奶奶", phone=f"1390000000{n}")
        child = make.child(home=home, name=name, guardian=guardian)
        make.parent(child, name=f"{name}的爸爸", phone=f"1380000000{n}")
        make.parent(child, relation=ParentRelation.MOTHER, name=f"{name}的妈妈",
                    phone=f"1370000000{n}")
        make.care_record(child, volunteer=volunteer, notes=f"{name}的谈心记录")
        make.pairing(volunteer, child, started_on=started, ended_on=ended,
                     end_reason="学期结束" if ended else "")
    # Another caring mother of the Home, whose child is never hers.
    other = make.volunteer(home=home, name="赵妈妈")
    theirs = make.child(home=home, name="孙别人")
    make.care_record(theirs, volunteer=other, notes="孙别人的谈心记录")
    make.pairing(other, theirs, started_on=date(2024, 9, 1))
    return make.user(Role.VOLUNTEER, username="liu", volunteer=volunteer)


GONE = ("陈已结束", "何上月", "吴下学期", "孙别人")
GONE_PHONES = ("13900000001", "13800000001", "13700000001", "13900000002", "13800000002",
               "13900000003", "13800000003")


def _names(db, model, user, label=lambda record: record.name) -> set[str]:
    return {label(record) for record in db.session.scalars(
        access.scoped(select(model), model, user))}


def test_her_scope_holds_only_the_child_paired_today(db, mother):
    assert _names(db, Child, mother) == {"张现在"}
    assert _names(db, Guardian, mother) == {"张现在的奶奶"}
    assert _names(db, ParentContact, mother) == {"张现在的爸爸", "张现在的妈妈"}
    assert _names(db, CareRecord, mother, lambda r: r.notes) == {"张现在的谈心记录"}
    assert _names(db, Pairing, mother, lambda p: p.child.name) == {"张现在"}
    assert _names(db, Volunteer, mother) == {"刘妈妈"}


def test_she_reaches_none_of_them_over_http(app, db, mother):
    client = app.test_client()
    assert sign_in(client, "liu").status_code == 302
    pages = {
        "my children": client.get("/admin/my-children/").text,
        "children": client.get("/admin/child/").text,
        "care records": client.get("/admin/care_record/").text,
        "child look-up": client.get("/admin/care_record/ajax/lookup/?name=child&query=").text,
        "activities": client.get("/admin/activity/").text,
    }
    assert "张现在" in pages["my children"] and "张现在" in pages["children"]
    assert "13900000000" in pages["my children"]  # the guardian she calls today
    for what, page in pages.items():
        for word in (*GONE, *GONE_PHONES):
            assert word not in page, (what, word)
    lookup = client.get("/admin/care_record/ajax/lookup/?name=child&query=").get_json()
    assert len(lookup) == 1 and "张现在" in lookup[0][1], lookup
    for name in GONE:
        child = db.session.scalar(select(Child).where(Child.name == name))
        assert client.get(f"/admin/child/details/?id={child.id}").status_code == 404, name
        record = next(r for r in db.session.scalars(select(CareRecord).where(
            CareRecord.child_id == child.id)))
        assert client.get(f"/admin/care_record/details/?id={record.id}").status_code == 404
        refused = client.post("/admin/care_record/new/", data={
            "child": str(child.id), "occurred_on": local_today().isoformat(), "kind": "TALK",
            "notes": "不该保存"})
        assert refused.status_code == 200, name
    assert "不该保存" not in [r.notes for r in db.session.scalars(select(CareRecord))]


def test_an_account_with_no_volunteer_linked_sees_nothing(app, db, mother, make):
    unlinked = make.user(Role.VOLUNTEER, username="unlinked")
    for model in (Child, Guardian, ParentContact, Volunteer):
        assert _names(db, model, unlinked) == set(), model
    assert _names(db, CareRecord, unlinked, lambda r: r.notes) == set()
    client = app.test_client()
    assert sign_in(client, "unlinked").status_code == 302
    for url in ("/admin/my-children/", "/admin/child/", "/admin/care_record/"):
        page = client.get(url).text
        assert "张现在" not in page and "孙别人" not in page, url


def test_a_caring_mother_is_never_county_wide_nor_holds_a_home(db, mother, make):
    home_id = db.session.scalar(select(Volunteer.home_id).where(Volunteer.name == "刘妈妈"))
    zhao = db.session.scalar(select(Volunteer).where(Volunteer.name == "赵妈妈"))
    with_home = make.user(Role.VOLUNTEER, username="zhao", home_id=home_id, volunteer=zhao)
    for user in (mother, with_home):
        assert access.sees_every_home(user) is False
        assert access.sees_home(user, home_id) is False
        assert access.sees_home(user, None) is False


def test_she_sees_her_own_homes_activities_only(db, mother, make):
    own = db.session.scalar(select(Volunteer).where(Volunteer.name == "刘妈妈")).home
    make.activity(home=own, title="前进村六一联欢")
    make.activity(title="别村的活动")
    assert _names(db, Activity, mother, lambda a: a.title) == {"前进村六一联欢"}
