"""The family phone (亲情电话): a call or video with a parent, on one of the Home's devices,
helped by staff or a caring mother, kept as a care record of the kind "call or video with
parents" — so it fulfils the duty that counts that kind, as the duty says who may; and the
children who have not spoken with a parent for N days, listed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from admin_app.extensions import db
from models import CareRecord, DutyRule
from models.enums import CareKind as K
from models.enums import FulfilledBy, Role
from tests.test_calendar import signed_in
from views.people import ParentCallFilter


@pytest.fixture
def calls(make):
    """甲之家: 小林 paired with 张妈妈 since 2026-11-01, her father 林大, the Home's tablet;
    乙之家's phone and another child's mother for the awkward picks."""
    home = make.home(name="甲之家")
    mother = make.volunteer(home=home, name="张妈妈")
    child = make.child(home=home, name="小林")
    make.pairing(mother, child, started_on=date(2026, 11, 1))
    father = make.parent(child, name="林大")
    tablet = make.item(home=home, name="亲情电话平板", unit="台")
    other_home = make.home(name="乙之家")
    far_phone = make.item(home=other_home, name="乙之家电话", unit="部")
    stranger = make.parent(make.child(home=home, name="别家孩子"), name="别家妈妈")
    return {"home": home, "mother": mother, "child": child, "father": father,
            "tablet": tablet, "far_phone": far_phone, "stranger": stranger}


@pytest.fixture
def december():
    with time_machine.travel(datetime(2026, 12, 20, 4, 0, tzinfo=UTC), tick=False):
        yield date(2026, 12, 20)


def call_form(w, **changes) -> dict:
    return {"child": str(w["child"].id), "parent": str(w["father"].id),
            "occurred_on": "2026-12-10", "minutes": "25", "video": "y",
            "device": str(w["tablet"].id), "volunteer": str(w["mother"].id),
            "notes": "和爸爸视频，说了期末考试", **changes}


def parents_cell(page: str, child_id: int) -> str:
    row = page.split(f'data-child="{child_id}"')[1].split("</tr>")[0]
    return row.split("<td")[4]  # the child, the caring mother, the talk, then the parents


def test_a_call_helped_by_the_caring_mother_fulfils_the_parents_duty(app, make, calls,
                                                                     december):
    staff = signed_in(app, make, Role.STAFF, home=calls["home"])
    response = staff.post("/admin/family_call/new/", data=call_form(calls))
    assert response.status_code == 302, response.text[-2000:]
    saved = db.session.scalars(sa.select(CareRecord)).one()
    assert (saved.kind, saved.minutes, saved.video, saved.parent_id, saved.device_id) == (
        K.PARENT_CALL, 25, True, calls["father"].id, calls["tablet"].id)
    page = staff.get("/admin/followup/?month=2026-12").text
    assert "✔</span> 12/10" in parents_cell(page, calls["child"].id)


def test_a_call_helped_by_staff_counts_only_where_the_duty_says_anyone(app, make, calls,
                                                                      december):
    staff = signed_in(app, make, Role.STAFF, home=calls["home"])
    response = staff.post("/admin/family_call/new/", data=call_form(calls, volunteer=""))
    assert response.status_code == 302, response.text[-2000:]
    page = staff.get("/admin/followup/?month=2026-12").text
    assert "✘" in parents_cell(page, calls["child"].id)  # the paired caring mother's only
    parents = db.session.scalar(sa.select(DutyRule).where(DutyRule.name == "与父母通话或写信"))
    parents.fulfilled_by = FulfilledBy.ANYONE
    db.session.commit()
    page = staff.get("/admin/followup/?month=2026-12").text
    assert "✔</span> 12/10" in parents_cell(page, calls["child"].id)


@pytest.mark.parametrize(("changes", "message"), [
    ({"parent": "stranger"}, "请选择小林的父亲或母亲"),
    ({"device": "far_phone"}, "请选择小林所在儿童之家的设备"),  # seen by the county
    ({"minutes": "0"}, "请填写通话分钟数（1 到 600）"),
    ({"minutes": "601"}, "请填写通话分钟数（1 到 600）"),
    ({"minutes": ""}, "请填写通话分钟数（1 到 600）"),
    ({"parent": ""}, "请选择孩子和哪位家长通话"),
    ({"occurred_on": "2026-12-21"}, "日期不能晚于今天"),
])
def test_a_call_that_cannot_be_is_refused_in_chinese(app, make, calls, december, changes,
                                                      message):
    # The county's administrator, who sees every Home's devices and parents.
    admin = signed_in(app, make, Role.ADMIN)
    picked = {name: str(calls[value].id) if value in calls else value
              for name, value in changes.items()}
    response = admin.post("/admin/family_call/new/", data=call_form(calls, **picked))
    assert response.status_code == 200 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareRecord)) == 0


def test_the_family_phone_lists_calls_only(app, make, calls, december):
    talk = make.care_record(calls["child"], volunteer=calls["mother"], kind=K.TALK,
                            occurred_on=date(2026, 12, 1), notes="谈心记录")
    call = make.care_record(calls["child"], volunteer=calls["mother"], kind=K.PARENT_CALL,
                            parent=calls["father"], minutes=15, occurred_on=date(2026, 12, 2))
    staff = signed_in(app, make, Role.STAFF, home=calls["home"])
    listed = staff.get("/admin/family_call/").text
    assert f"/admin/family_call/details/?id={call.id}" in listed
    assert f"id={talk.id}&" not in listed and "谈心记录" not in listed
    assert staff.get(f"/admin/family_call/edit/?id={talk.id}").status_code == 404
    assert staff.get(f"/admin/family_call/details/?id={call.id}").status_code == 200
    outsider = signed_in(app, make, Role.STAFF, username="yi", home=make.home(name="丙之家"))
    assert outsider.get(f"/admin/family_call/details/?id={call.id}").status_code == 404


def test_a_caring_mother_records_a_call_for_her_child_only(app, make, calls, december):
    mine = signed_in(app, make, Role.VOLUNTEER, username="zhang", volunteer=calls["mother"])
    form = call_form(calls)
    del form["volunteer"], form["device"]  # she writes as herself; devices are staff's
    assert mine.post("/admin/family_call/new/", data=form).status_code == 302
    saved = db.session.scalars(sa.select(CareRecord)).one()
    assert saved.volunteer_id == calls["mother"].id and saved.kind == K.PARENT_CALL
    other = calls["stranger"].child
    refused = mine.post("/admin/family_call/new/", data={
        **form, "child": str(other.id), "parent": str(calls["stranger"].id)})
    assert refused.status_code in (200, 403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareRecord)) == 1


def test_the_children_who_have_not_spoken_with_a_parent_for_30_days(app, make, calls,
                                                                   december):
    home = calls["home"]
    today = december
    names = ("近来通过话", "很久未通话", "只写了信", "从未通话")
    recent, old, lettered, never = (make.child(home=home, name=name) for name in names)
    make.care_record(recent, kind=K.PARENT_CALL, occurred_on=today - timedelta(days=10))
    make.care_record(old, kind=K.PARENT_CALL, occurred_on=today - timedelta(days=40))
    make.care_record(lettered, kind=K.PARENT_LETTER, occurred_on=today - timedelta(days=3))
    edge = make.child(home=home, name="正好三十天")
    make.care_record(edge, kind=K.PARENT_CALL, occurred_on=today - timedelta(days=30))
    staff = signed_in(app, make, Role.STAFF, home=home)
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "child")
    key = next(k for k, (_, flt) in view._filter_args.items()
               if isinstance(flt, ParentCallFilter))
    page = staff.get(f"/admin/child/?flt0_{key}=30").text
    assert "很久未通话" in page and "只写了信" in page and "从未通话" in page
    assert "近来通过话" not in page and "正好三十天" not in page
    assert never.name == "从未通话"
