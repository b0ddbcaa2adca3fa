"""Pairings (one caring mother per child, a limit per volunteer) and stock (never below
zero, also when two people hand out the last unit at the same moment)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import Pairing, ResourceItem, StockMovement
from models.base import local_today
from models.enums import MovementKind, Role
from models.stock import computed_on_hand
from models.validators import InvalidValue
from tests.conftest import saved_at_once
from tests.test_calendar import signed_in


def pairing_form(volunteer, child, **overrides) -> dict:
    return {"volunteer": str(volunteer.id), "child": str(child.id), "is_primary": "y",
            "started_on": "2025-09-01", **overrides}


def test_a_child_has_one_caring_mother_at_a_time(app, make, db):
    home = make.home()
    child = make.child(home=home, name="小明")
    first, second = make.volunteer(home=home, name="张妈妈"), make.volunteer(home=home)
    make.pairing(first, child)
    client = signed_in(app, make, Role.STAFF, home=home)
    refused = client.post("/admin/pairing/new/", data=pairing_form(second, child))
    assert refused.status_code == 200 and "小明 已与 张妈妈 结对" in refused.text
    helper = client.post("/admin/pairing/new/",
                         data={**pairing_form(second, child), "is_primary": ""})
    assert helper.status_code == 302  # a second, non-primary helper is fine
    ended = db.session.scalar(select(Pairing).where(Pairing.volunteer_id == first.id))
    ended.ended_on, ended.end_reason = local_today() - timedelta(days=1), "父母返乡"
    db.session.commit()
    other = make.volunteer(home=home)
    assert client.post("/admin/pairing/new/", data=pairing_form(other, child)).status_code == 302


def test_the_database_keeps_one_open_primary_pairing_even_if_forms_race(make, db):
    from sqlalchemy.exc import IntegrityError

    home = make.home()
    child = make.child(home=home)
    make.pairing(make.volunteer(home=home), child)
    with pytest.raises(IntegrityError):
        make.pairing(make.volunteer(home=home), child)
    db.session.rollback()


def test_a_volunteer_cares_for_at_most_three_children(app, make, db):
    home = make.home()
    volunteer = make.volunteer(home=home, name="李妈妈")
    for _ in range(3):
        make.pairing(volunteer, make.child(home=home))
    client = signed_in(app, make, Role.STAFF, home=home)
    fourth = make.child(home=home)
    refused = client.post("/admin/pairing/new/", data=pairing_form(volunteer, fourth))
    assert "李妈妈 已照顾 3 名儿童" in refused.text
    app.config["MAX_ACTIVE_PAIRINGS"] = 4
    try:
        assert client.post("/admin/pairing/new/",
                           data=pairing_form(volunteer, fourth)).status_code == 302
    finally:
        app.config["MAX_ACTIVE_PAIRINGS"] = 3


def test_pairing_starts_from_the_childs_page_and_unpaired_children_are_listed(app, make):
    home = make.home()
    paired, lonely = make.child(home=home, name="有妈妈"), make.child(home=home, name="没结对")
    make.pairing(make.volunteer(home=home), paired)
    client = signed_in(app, make, Role.STAFF, home=home)
    details = client.get(f"/admin/child/details/?id={lonely.id}").text
    assert f"/admin/pairing/new/?child_id={lonely.id}" in details
    form = client.get(f"/admin/pairing/new/?child_id={lonely.id}").text
    assert f'name="child" type="hidden" value="{lonely.id}"' in form
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "child")
    arg = next(f["arg"] for g in view._filter_groups.values() for f in g.filters
               if str(g.label) == "结对情况")
    listing = client.get(f"/admin/child/?flt0_{arg}=0").text
    assert "没结对" in listing and "有妈妈" not in listing


def stock(db, item) -> int:
    db.session.expire_all()
    return db.session.get(ResourceItem, item.id).on_hand


def test_stock_in_out_loan_return_and_refusal_below_zero(app, make, db):
    home = make.home()
    item = make.item(home=home, name="篮球", unit="个", low_stock_threshold=3)
    child = make.child(home=home)
    make.movement(item, quantity=5, kind=MovementKind.DONATION, donor="县团委")
    make.movement(item, quantity=2, kind=MovementKind.HAND_OUT, child=child)
    make.movement(item, quantity=1, kind=MovementKind.LOAN, child=child)
    assert stock(db, item) == 2
    make.movement(item, quantity=1, kind=MovementKind.LOAN_RETURN, child=child)
    assert stock(db, item) == 3 == computed_on_hand(db.session, item.id)
    with pytest.raises(InvalidValue):
        make.movement(item, quantity=4, kind=MovementKind.HAND_OUT, child=child)
    db.session.rollback()
    assert stock(db, item) == 3
    client = signed_in(app, make, Role.STAFF, home=home)
    refused = client.post("/admin/stock_movement/new/", data={
        "item": str(item.id), "occurred_on": "2025-06-01", "kind": "HAND_OUT", "quantity": "9",
        "child": str(child.id)}, follow_redirects=True)
    assert "篮球 库存不足：现有 3 个，需要 9 个" in refused.text
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 4


def test_editing_or_removing_a_movement_moves_the_stock(app, make, db):
    home = make.home()
    item = make.item(home=home, name="作业本")
    donation = make.movement(item, quantity=10)
    child = make.child(home=home)
    hand_out = make.movement(item, quantity=4, kind=MovementKind.HAND_OUT, child=child)
    client = signed_in(app, make, Role.STAFF, home=home)
    client.post(f"/admin/stock_movement/edit/?id={hand_out.id}", data={
        "item": str(item.id), "occurred_on": "2025-01-05", "kind": "HAND_OUT", "quantity": "6",
        "child": str(child.id)})
    assert stock(db, item) == 4
    refused = client.post("/admin/stock_movement/delete/", data={"id": str(donation.id)},
                          follow_redirects=True)
    assert "这批入库已发出 6 本，不能删除" in refused.text and stock(db, item) == 4
    client.post("/admin/stock_movement/delete/", data={"id": str(hand_out.id)})
    assert stock(db, item) == 10 == computed_on_hand(db.session, item.id)


def test_a_movement_changed_after_it_was_saved_moves_the_stock(make, db):
    # The record is expired after its commit: the change must still know the old quantity.
    home = make.home()
    item = make.item(home=home, name="作业本")
    donation = make.movement(item, quantity=10)
    donation.quantity = 4
    db.session.commit()
    assert stock(db, item) == 4 == computed_on_hand(db.session, item.id)
    donation.item_id = make.item(home=home, name="铅笔").id
    db.session.commit()
    assert stock(db, item) == 0 == computed_on_hand(db.session, item.id)
    assert stock(db, donation.item) == 4 == computed_on_hand(db.session, donation.item_id)


def test_low_stock_is_flagged_in_the_item_list(app, make):
    home = make.home()
    item = make.item(home=home, name="画笔", low_stock_threshold=5)
    make.movement(item, quantity=2)
    page = signed_in(app, make, Role.STAFF, home=home).get("/admin/resource_item/").text
    assert 'class="badge badge-warning"' in page


def test_two_hand_outs_of_the_last_unit_at_once_only_one_succeeds(app, make, db):
    home = make.home()
    item = make.item(home=home, name="冬季棉衣")
    make.movement(item, quantity=1)
    item_id = item.id  # read here: the threads must not touch the test's own session
    outcomes = saved_at_once(app, db.engine, lambda session: session.add(StockMovement(
        item_id=item_id, occurred_on=local_today(), kind=MovementKind.HAND_OUT, quantity=1)))
    assert sorted(outcomes)[-1] == "saved" and outcomes.count("saved") == 1, outcomes
    assert stock(db, item) == 0 == computed_on_hand(db.session, item_id)


def test_donors_are_listed_with_totals_in_scope(app, make):
    home_a, home_b = make.home(name="甲之家"), make.home(name="乙之家")
    books = make.item(home=home_a, name="儿童图书", unit="本")
    make.movement(books, quantity=100, donor="爱心企业", occurred_on=date(2025, 3, 1))
    make.movement(books, quantity=50, donor="爱心企业", occurred_on=date(2025, 9, 1))
    make.movement(make.item(home=home_b, name="篮球"), quantity=5, donor="乙家捐赠人")
    page = signed_in(app, make, Role.STAFF, home=home_a).get("/admin/donors/").text
    assert "爱心企业" in page and "儿童图书 150 本" in page and "2025年9月1日" in page
    assert "乙家捐赠人" not in page


def test_what_leaves_the_store_says_where_it_went(app, make, db):
    home = make.home()
    item = make.item(home=home, name="书包")
    make.movement(item, quantity=10)
    child = make.child(home=home)
    client = signed_in(app, make, Role.STAFF, home=home)

    def post(kind: str, **extra):
        return client.post("/admin/stock_movement/new/", data={
            "item": str(item.id), "occurred_on": "2025-06-01", "kind": kind, "quantity": "1",
            **extra})

    for kind, extra, message in (("HAND_OUT", {}, "发放须填写领到的儿童"),
                                 ("LOAN", {}, "借出须填写借用的儿童"),
                                 ("TRANSFER_OUT", {}, "调出须在备注中写明调往哪个儿童之家")):
        refused = post(kind, **extra)
        assert refused.status_code == 200 and message in refused.text, kind
    assert stock(db, item) == 10
    for kind, extra in (("HAND_OUT", {"child": str(child.id)}),
                        ("LOAN", {"note": "借给村小的李老师"}),
                        ("LOAN", {"child": str(child.id)}),
                        ("TRANSFER_OUT", {"note": "调往红星村儿童之家"}),
                        ("LOSS", {})):
        assert post(kind, **extra).status_code == 302, kind
    assert stock(db, item) == 5


def test_a_caring_mother_downloads_her_own_care_records_only(app, make, db):
    """Hers: the records she wrote about the children in her care now. Not another's notes
    about her child, not her notes about a child whose pairing has ended."""
    import io
    from datetime import timedelta

    from openpyxl import load_workbook

    from models import AuditEntry, User
    from models.base import local_today
    from models.enums import AuditAction
    from tests.conftest import sign_in

    home = make.home()
    mother, other = make.volunteer(home=home, name="张妈妈"), make.volunteer(home=home)
    mine, former = make.child(home=home, name="王小红"), make.child(home=home, name="李小军")
    today = local_today()
    make.pairing(mother, mine, started_on=today - timedelta(days=90))
    make.pairing(mother, former, started_on=today - timedelta(days=400),
                 ended_on=today - timedelta(days=30), end_reason="搬家")
    make.care_record(mine, volunteer=mother, notes="她写的谈心")
    make.care_record(mine, volunteer=other, notes="别人写的家访")
    make.care_record(former, volunteer=mother, notes="结对结束前写的")
    user = make.user(Role.VOLUNTEER, username="zhang_mama", volunteer=mother)
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    assert 'id="my-records"' in client.get("/admin/my-children/").text
    download = client.get("/admin/care_record/mine.xlsx")
    assert download.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(download.data)).active.iter_rows(
        values_only=True) for c in row if isinstance(c, str)]
    assert "她写的谈心" in cells
    assert "别人写的家访" not in cells and "结对结束前写的" not in cells
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT))
    assert entry.changes["rows"] == 1 and entry.user_id == user.id
    # Anyone else: there is no such page.
    staff = signed_in(app, make, Role.STAFF, home=home)
    assert staff.get("/admin/care_record/mine.xlsx").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
