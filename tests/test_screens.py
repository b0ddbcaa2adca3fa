"""Every registered model view, driven through HTTP: list, search, each filter, create,
edit and details; and the validation rules of the records other than the child."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import func, select

from models import (
    ActivityKind,
    Assistance,
    AuditEntry,
    CareRound,
    Consent,
    DataRequest,
    DutyRule,
    MoneyEntry,
    ResourceCategory,
    SchoolTerm,
    StockMovement,
    User,
    VolunteerOrganisation,
)
from models.base import local_today
from models.consent import LegalBasis, RequestKind
from models.enums import AssistanceKind, CareKind, MoneyKind, Role, Term


def registered_model_views(app) -> list[ModelView]:
    return [v for v in app.extensions["admin"][0]._views if isinstance(v, ModelView)]


def _views(app_factory=None):
    # Collected from a throwaway app so the parametrised ids are the real endpoints.
    from admin_app import create_app

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [v.endpoint for v in registered_model_views(app)]


ENDPOINTS = _views()
EDITABLE = [e for e in ENDPOINTS if e != "audit"]


def sample(make, endpoint: str):
    """One saved record for the view, and a valid form (dict) to create another."""
    home = make.home()
    child = make.child(home=home)
    volunteer = make.volunteer(home=home)
    item = make.item(home=home)
    records = {
        "home": (home, {"name": "新建留守儿童之家", "township": "安定镇", "village": "红星村",
                        "phone": "0730-1234567", "opening_hours": "周二、周四下午"}),
        "child": (child, {"name": "新孩子", "gender": "FEMALE", "birth_date": "2016-05-01",
                          "home": str(home.id), "left_behind_type": "ONE_PARENT",
                          "living_arrangement": "ONE_PARENT", "family_situation": "ORDINARY",
                          "entered_on": "2024-09-01", "status": "IN_CARE",
                          "leave_reason": "__None"}),
        "guardian": (make.guardian(home=home),
                     {"name": "刘爷爷", "relation": "GRANDFATHER", "phone": "13811112222",
                      "birth_year": "1950", "home": str(home.id)}),
        "parent_contact": (make.parent(child),
                           {"child": str(child.id), "relation": "MOTHER", "name": "李春花",
                            "phone": "13622223333", "work_city": "东莞"}),
        "volunteer": (volunteer, {"name": "周老师", "gender": "FEMALE", "phone": "13733334444",
                                  "kind": "TEACHER", "home": str(home.id), "active": "y",
                                  "joined_on": "2024-03-01"}),
        "pairing": (make.pairing(volunteer, child),
                    {"volunteer": str(volunteer.id), "child": str(make.child(home=home).id),
                     "started_on": "2025-02-01", "end_reason": "学期结束"}),
        "care_record": (make.care_record(child, volunteer=volunteer),
                        {"child": str(child.id), "volunteer": str(volunteer.id),
                         "occurred_on": "2025-03-05", "kind": "HOME_VISIT",
                         "notes": "家访，与奶奶交流"}),
        "family_call": (make.care_record(child, kind=CareKind.PARENT_CALL, minutes=12,
                                         parent=make.parent(child)),
                        {"child": str(child.id), "parent": str(make.parent(child).id),
                         "occurred_on": "2025-03-05", "minutes": "15", "video": "y",
                         "device": str(item.id), "notes": "和妈妈视频，说了期中考试"}),
        "activity": (make.activity(home=home),
                     {"home": str(home.id), "title": "安全知识讲座",
                      "starts_at": "2025-05-10 15:00:00", "ends_at": "2025-05-10 17:00:00",
                      "place": "活动室", "organiser": "王老师", "status": "PLANNED"}),
        "activity_series": (make.series(home=home),
                            {"home": str(home.id), "title": "篮球兴趣小组", "days": ["1", "3"],
                             "starts_at_time": "16:00", "ends_at_time": "17:30",
                             "first_day": "2026-09-01", "last_day": "2026-09-30",
                             "place": "学校操场", "organiser": "体育老师"}),
        "activity_kind": (make._save(ActivityKind(name="讲座")),
                          {"name": "兴趣小组", "colour": "#59a14f", "sort_order": "2"}),
        "resource_item": (item, {"home": str(home.id), "name": "篮球", "unit": "个",
                                 "low_stock_threshold": "2"}),
        "stock_movement": (make.movement(item),
                           {"item": str(item.id), "occurred_on": "2025-04-01",
                            "kind": "DONATION", "quantity": "20", "donor": "县妇联"}),
        "money_entry": (make._save(MoneyEntry(home_id=home.id, kind=MoneyKind.DONATION,
                                              amount=Decimal("500.00"), donor="爱心企业",
                                              occurred_on=date(2025, 3, 1))),
                        {"home": str(home.id), "occurred_on": "2025-04-01",
                         "kind": "DONATION", "amount": "300.50", "donor": "县妇联"}),
        "care_round": (make._save(CareRound(name="春节慰问", starts_on=date(2026, 1, 20),
                                            ends_on=date(2026, 2, 10), for_in_difficulty=True,
                                            homes=[home])),
                       {"name": "六一慰问", "starts_on": "2026-05-25", "ends_on": "2026-06-05",
                        "homes": [str(home.id)], "for_everyone": "y", "goods": "书包一个",
                        "money_each": "100.00"}),
        "resource_category": (make._save(ResourceCategory(name="图书")),
                              {"name": "文具", "sort_order": "3"}),
        "volunteer_organisation": (make._save(VolunteerOrganisation(name="党员")),
                                   {"name": "退休人员", "sort_order": "1"}),
        "audit": (make.session.scalars(select(AuditEntry)).first(), {}),
        "consent": (make._save(Consent(child=child, basis=LegalBasis.GUARDIAN_CONSENT,
                                       given_by="李奶奶", relation="奶奶",
                                       decided_on=date(2025, 3, 1))),
                    {"child": str(child.id), "basis": "GUARDIAN_CONSENT", "state": "REFUSED",
                     "given_by": "王爷爷", "relation": "爷爷", "decided_on": "2025-04-01",
                     "notice_version": "2026-11", "note": "只保留法定职责所需信息"}),
        "data_request": (make._save(DataRequest(child=child, kind=RequestKind.CORRECTION,
                                                requested_by="李奶奶",
                                                received_on=date(2025, 3, 1))),
                         {"child": str(child.id), "kind": "CORRECTION", "requested_by": "王爷爷",
                          "received_on": "2025-04-01", "details": "出生日期有误",
                          "state": "OPEN"}),
        "assistance": (make._save(Assistance(child=child, kind=AssistanceKind.MINIMUM_LIVING)),
                       {"child": str(child.id), "kind": "ORPHAN", "monthly_amount": "120.50",
                        "since": "2025-01-01", "until": "", "note": "县民政局核发"}),
        "duty_rule": (make.session.scalars(select(DutyRule)).first(),
                      {"name": "每周谈心", "position": "6", "frequency": "WEEKLY",
                       "care_kinds": ["talk", "home_visit"], "fulfilled_by": "ANYONE",
                       "stricter_frequency": "__None", "active": "y"}),
        "school_term": (make._save(SchoolTerm(school_year=2026, term=Term.AUTUMN,
                                              first_day=date(2026, 9, 1),
                                              last_day=date(2027, 1, 22))),
                        {"school_year": "2027", "term": "SPRING", "first_day": "2028-02-24",
                         "last_day": "2028-07-04"}),
        "user": (make.user(Role.STAFF, username="staffer", home=home),
                 {"username": "newstaff", "display_name": "新同事", "role": "STAFF",
                  "home": str(home.id), "active": "y", "new_password": "a long passphrase"}),
    }
    return records[endpoint]


def view_for(app, endpoint: str) -> ModelView:
    return next(v for v in registered_model_views(app) if v.endpoint == endpoint)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_details_edit_and_create_pages_answer(app, admin_client, make, endpoint):
    record, _ = sample(make, endpoint)
    assert admin_client.get(f"/admin/{endpoint}/").status_code == 200
    details = admin_client.get(f"/admin/{endpoint}/details/?id={record.id}")
    assert details.status_code == 200
    view = view_for(app, endpoint)
    editable = 200 if view.allow_edit else 403
    assert admin_client.get(f"/admin/{endpoint}/edit/?id={record.id}").status_code == editable
    creatable = 200 if view.allow_create else 403
    assert admin_client.get(f"/admin/{endpoint}/new/").status_code == creatable


@pytest.mark.parametrize("endpoint", EDITABLE)
def test_create_through_the_form_saves_one_record(app, admin_client, make, db, endpoint):
    view = view_for(app, endpoint)
    _, form = sample(make, endpoint)
    before = count(db, view.model)
    response = admin_client.post(f"/admin/{endpoint}/new/", data=form)
    assert response.status_code == 302, response.text[-3000:]
    assert count(db, view.model) == before + 1


@pytest.mark.parametrize("endpoint", EDITABLE)
def test_edit_through_the_form_saves_the_change(app, admin_client, make, db, endpoint):
    view = view_for(app, endpoint)
    record, form = sample(make, endpoint)
    if endpoint == "user":
        form = {**form, "new_password": ""}
    response = admin_client.post(f"/admin/{endpoint}/edit/?id={record.id}", data=form)
    assert response.status_code == 302, response.text[-3000:]
    db.session.expire_all()
    saved = db.session.get(view.model, record.id)
    first_text = next(k for k in form if k in ("name", "title", "notes", "username", "donor",
                                                   "end_reason", "given_by", "requested_by",
                                                   "last_day", "note"))
    expected = form[first_text]
    assert str(getattr(saved, first_text)) == expected


def filter_value(flt: dict) -> str:
    if flt["options"]:
        return str(flt["options"][0][0])
    return {
        "datepicker": "2025-01-01",
        "daterangepicker": "2025-01-01 to 2025-12-31",
        "datetimepicker": "2025-01-01 00:00:00",
        "datetimerangepicker": "2025-01-01 00:00:00 to 2025-12-31 23:59:59",
    }.get(flt["type"], "1")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_search_and_every_filter_answer(app, admin_client, make, endpoint):
    sample(make, endpoint)
    view = view_for(app, endpoint)
    if view.column_searchable_list:
        assert admin_client.get(f"/admin/{endpoint}/?search=王").status_code == 200
    for group in (view._filter_groups or {}).values():
        for flt in group.non_lazy()[1]:
            url = f"/admin/{endpoint}/?flt0_{flt['arg']}={filter_value(flt)}"
            assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize("endpoint, overrides, message", [
    ("stock_movement", {"quantity": "0"}, "数量必须是大于零的整数"),
    ("stock_movement", {"quantity": "-5"}, "数量必须是大于零的整数"),
    ("stock_movement", {"occurred_on": (local_today() + timedelta(days=2)).isoformat()},
     "日期不能晚于今天"),
    ("pairing", {"started_on": "2025-03-01", "ended_on": "2025-02-01"}, "结束时间不能早于开始时间"),
    ("activity", {"ends_at": "2025-05-10 14:00:00"}, "结束时间不能早于开始时间"),
    ("guardian", {"birth_year": "1850"}, "请填写出生年份"),
    ("guardian", {"phone": "1234"}, "请填写 11 位手机号"),
    ("volunteer", {"phone": "phone"}, "请填写 11 位手机号"),
    ("volunteer", {"name": "  "}, "请填写姓名"),
    ("home", {"phone": "0730"}, "请填写 11 位手机号"),
    ("care_record", {"occurred_on": (local_today() + timedelta(days=1)).isoformat()},
     "日期不能晚于今天"),
    ("user", {"new_password": "short"}, "至少 10 个字符"),
    ("user", {"new_password": ""}, "请为新账号设置密码"),
])
def test_bad_values_get_a_chinese_message_and_nothing_is_saved(
    app, admin_client, make, db, endpoint, overrides, message
):
    view = view_for(app, endpoint)
    _, form = sample(make, endpoint)
    before = count(db, view.model)
    response = admin_client.post(f"/admin/{endpoint}/new/", data={**form, **overrides})
    assert response.status_code == 200
    assert message in response.text
    assert count(db, view.model) == before


def test_new_account_password_is_hashed_and_works(app, admin_client, make, db):
    _, form = sample(make, "user")
    admin_client.post("/admin/user/new/", data=form)
    user = db.session.scalar(select(User).where(User.username == "newstaff"))
    assert user.password_hash != form["new_password"]
    assert user.check_password(form["new_password"])
    details = admin_client.get(f"/admin/user/details/?id={user.id}").text
    assert user.password_hash not in details


def test_stock_movement_records_who_entered_it(app, admin_client, make, db):
    _, form = sample(make, "stock_movement")
    admin_client.post("/admin/stock_movement/new/", data=form)
    movement = db.session.scalar(select(StockMovement).order_by(StockMovement.id.desc()))
    assert movement.recorded_by.username == "admin"
