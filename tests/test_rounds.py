"""慰问 rounds (issue 22): who is on a round's list, a child given once in a round (a second
gift refused, also two at the same moment), the eligible children not yet given listed, the
gifts drawn on the oldest batch and income that holds them, nothing kept of a gift refused
in part, the totals by Home and donor, closing, the list for signatures, and the round seen
only by the Homes it visits."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import CareRound, MoneyEntry, ResourceItem, RoundGift, StockMovement
from models.enums import ChildStatus, LivingArrangement, MoneyKind, MovementKind, Role
from tests.conftest import saved_at_once, sign_in

DAY = "2026-11-25"


def _signed_in(app, make, role, **kw):
    client = app.test_client()
    assert sign_in(client, make.user(role, **kw).username).status_code == 302
    return client


@pytest.fixture
def home_round(make, db):
    """南桥村's winter round: its children in difficulty, key targets, living alone, and
    刘洋 picked by hand; 200 yuan each. Two batches of 书包 (3 from 爱心企业, older; 5 from
    县妇联) and two incomes (500 from 爱心企业, older; 300 allocated by 乡政府)."""
    home, other = make.home(name="南桥村儿童之家"), make.home(name="北坡村儿童之家")
    kids = {
        "王秀梅": make.child(home=home, name="王秀梅", in_difficulty=True),
        "李明": make.child(home=home, name="李明", key_target=True),
        "张小花": make.child(home=home, name="张小花",
                             living_arrangement=LivingArrangement.ALONE),
        "刘洋": make.child(home=home, name="刘洋"),
        "赵强": make.child(home=home, name="赵强"),
        "陈丽": make.child(home=home, name="陈丽", in_difficulty=True,
                           status=ChildStatus.LEFT_CARE, left_on=date(2026, 6, 30)),
        "孙悦": make.child(home=other, name="孙悦", in_difficulty=True),
    }
    bags = make.item(home=home, name="书包", unit="个")
    make.movement(bags, quantity=3, donor="爱心企业", occurred_on=date(2026, 11, 1))
    make.movement(bags, quantity=5, donor="县妇联", occurred_on=date(2026, 11, 10))
    for kind, amount, donor, day in ((MoneyKind.DONATION, "500.00", "爱心企业", 1),
                                     (MoneyKind.ALLOCATION, "300.00", "乡政府", 5)):
        make._save(MoneyEntry(home_id=home.id, kind=kind, amount=Decimal(amount), donor=donor,
                              occurred_on=date(2026, 11, day)))
    care_round = make._save(CareRound(
        name="冬季慰问", starts_on=date(2026, 11, 20), ends_on=date(2026, 12, 31),
        for_in_difficulty=True, for_key_target=True, for_living_alone=True,
        goods="书包一个", money_each=Decimal("200.00"), homes=[home], picked=[kids["刘洋"]]))
    return {"home": home, "other": other, "kids": kids, "bags": bags, "round": care_round}


def _give(client, setup, names, **form):
    kids = setup["kids"]
    data = {"given_on": DAY, "home": str(setup["home"].id),
            "child": [str(kids[name].id) for name in names], **form}
    return client.post(f"/admin/care_round/give/?id={setup['round'].id}", data=data,
                       follow_redirects=True)


def _bag(setup, quantity="1"):
    return {"item_1": str(setup["bags"].id), "quantity_1": quantity}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _left(db, model, **where) -> list:
    db.session.expire_all()
    return [row.remaining for row in db.session.scalars(
        select(model).filter_by(**where).order_by(model.occurred_on))]


def test_the_list_holds_the_children_the_round_names_and_no_other(app, make, home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    page = staff.get(f"/admin/care_round/details/?id={home_round['round'].id}").text
    waiting = page.split('id="waiting"')[1].split("</table>")[0]
    for name in ("王秀梅", "李明", "张小花", "刘洋"):
        assert name in waiting, name
    # Not in difficulty, left care, another Home's.
    for name in ("赵强", "陈丽", "孙悦"):
        assert name not in waiting, name
    assert '<span class="badge badge-warning" id="waiting-count">4</span>' in page
    assert "困难" in waiting and "重点帮扶" in waiting and "独自生活" in waiting
    assert "手工选定" in waiting
    # An administrator sees every Home: still only the round's children are counted.
    admin = _signed_in(app, make, Role.ADMIN)
    page = admin.get(f"/admin/care_round/details/?id={home_round['round'].id}").text
    homes = page.split('id="totals-homes"')[1].split("</table>")[0]
    assert "南桥村儿童之家" in homes and "北坡村儿童之家" not in homes
    assert "1 名所选儿童不在本轮名单上" in _give(admin, home_round, ["孙悦"], amount="200").text


def test_a_child_given_twice_is_refused_and_the_one_left_out_is_listed(app, make, db,
                                                                      home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    answer = _give(staff, home_round, ["王秀梅", "李明", "张小花"], **_bag(home_round),
                   amount="200.00")
    assert "已记录 3 名儿童的慰问" in answer.text
    assert _count(db, RoundGift) == 3
    again = _give(staff, home_round, ["刘洋", "王秀梅"], **_bag(home_round), amount="200.00")
    assert "王秀梅 已在本轮领过（2026-11-25）：每个孩子一轮只发一次" in again.text
    # Nothing of the refused gift is kept: not 刘洋's either, no stock, no money.
    assert _count(db, RoundGift) == 3
    db.session.expire_all()
    assert db.session.get(ResourceItem, home_round["bags"].id).on_hand == 5
    assert sum(_left(db, MoneyEntry, home_id=home_round["home"].id, kind=MoneyKind.DONATION)
               + _left(db, MoneyEntry, home_id=home_round["home"].id,
                       kind=MoneyKind.ALLOCATION)) == Decimal("200.00")
    page = staff.get(f"/admin/care_round/details/?id={home_round['round'].id}").text
    waiting = page.split('id="waiting"')[1].split("</table>")[0]
    assert "刘洋" in waiting and "王秀梅" not in waiting and "张小花" not in waiting
    assert '<span class="badge badge-warning" id="waiting-count">1</span>' in page


def test_gifts_draw_on_the_oldest_batch_and_income_that_holds_them(app, make, db, home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    # 书包: 爱心企业's 3 (the older batch) first. Money: 爱心企业's 500 holds the first two
    # 200s (100 left), 乡政府's 300 the third (100 left).
    answer = _give(staff, home_round, ["王秀梅", "李明", "张小花"], **_bag(home_round),
                   amount="200.00")
    assert "已记录 3 名儿童的慰问" in answer.text
    bags = _left(db, StockMovement, item_id=home_round["bags"].id, kind=MovementKind.DONATION)
    assert bags == [0, 5]
    assert _left(db, MoneyEntry, home_id=home_round["home"].id, kind=MoneyKind.DONATION) \
        == [Decimal("100.00")]
    assert _left(db, MoneyEntry, home_id=home_round["home"].id, kind=MoneyKind.ALLOCATION) \
        == [Decimal("100.00")]
    page = staff.get(f"/admin/care_round/details/?id={home_round['round'].id}").text
    donors = page.split('id="totals-donors"')[1].split("</table>")[0]
    assert "爱心企业" in donors and "书包 3 个" in donors and "400.00" in donors
    assert "乡政府" in donors and "200.00" in donors
    homes = page.split('id="totals-homes"')[1].split("</table>")[0]
    # On the list 4, given 3, not given 1, 3 书包, 600 yuan.
    assert ">4<" in homes and ">3<" in homes and ">1<" in homes and "书包 3 个" in homes
    assert "600.00" in homes


def test_the_fourth_gift_finds_no_single_income_and_nothing_is_saved(app, make, db,
                                                                     home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    answer = _give(staff, home_round, ["王秀梅", "李明", "张小花", "刘洋"], **_bag(home_round),
                   amount="200.00")
    assert "没有哪一笔收入单独够 ¥200.00" in answer.text
    assert _count(db, RoundGift) == 0 and _count(db, StockMovement) == 2
    assert db.session.get(ResourceItem, home_round["bags"].id).on_hand == 8


def test_too_few_goods_refuse_the_whole_gift(app, make, db, home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    answer = _give(staff, home_round, ["王秀梅", "李明"], **_bag(home_round, "4"))
    assert "没有哪一批入库单独够 4 个" in answer.text
    assert _count(db, RoundGift) == 0


def test_a_form_that_says_nothing_or_is_outside_the_round_is_refused(app, make, db,
                                                                     home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    for form, message in (({}, "请填写每个孩子领到的物品或慰问金"),
                          ({"given_on": "2026-11-19", "amount": "200"}, "发放日期不在本轮日期内"),
                          ({"amount": "20.005"}, "慰问金请写成元"),
                          ({"item_1": str(home_round["bags"].id), "quantity_1": "0"},
                           "每行物品须选物资并写数量")):
        assert message in _give(staff, home_round, ["王秀梅"], **form).text, message
    other = _signed_in(app, make, Role.STAFF, home=home_round["other"])
    # Not on the list (孙悦 is of a Home the round does not visit); the round is not hers.
    refused = _give(staff, home_round, ["孙悦"], amount="200")
    assert "1 名所选儿童不在本轮名单上" in refused.text
    assert other.get(f"/admin/care_round/details/?id={home_round['round'].id}") \
        .status_code == 404
    assert _give(other, home_round, ["王秀梅"], amount="200").status_code == 404
    assert _count(db, RoundGift) == 0


def test_two_gifts_to_one_child_at_once_only_one_is_saved(app, make, db, home_round):
    round_id, child_id = home_round["round"].id, home_round["kids"]["王秀梅"].id
    home_id = home_round["home"].id
    outcomes = saved_at_once(app, db.engine, lambda session: session.add(RoundGift(
        round_id=round_id, child_id=child_id, home_id=home_id, given_on=date(2026, 11, 25))))
    assert outcomes.count("saved") == 1, outcomes
    assert _count(db, RoundGift) == 1


def test_a_closed_round_gives_nothing_more_and_keeps_its_totals(app, make, db, home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    _give(staff, home_round, ["王秀梅"], **_bag(home_round), amount="200.00")
    supervisor = _signed_in(app, make, Role.SUPERVISOR, home=home_round["home"])
    assert supervisor.post(f"/admin/care_round/close/?id={home_round['round'].id}") \
        .status_code == 403
    assert supervisor.post(f"/admin/care_round/give/?id={home_round['round'].id}",
                           data={}).status_code == 403
    staff.post(f"/admin/care_round/close/?id={home_round['round'].id}")
    db.session.expire_all()
    assert db.session.get(CareRound, home_round["round"].id).closed_on is not None
    refused = _give(staff, home_round, ["李明"], amount="200.00")
    assert "本轮已关闭" in refused.text and _count(db, RoundGift) == 1
    page = supervisor.get(f"/admin/care_round/details/?id={home_round['round'].id}").text
    assert 'id="round-closed"' in page and 'id="give-form"' in page
    assert 'name="given_on"' not in page  # nothing to give with
    # A round with gifts is kept.
    deleted = staff.post("/admin/care_round/delete/", data={"id": home_round["round"].id},
                         follow_redirects=True)
    assert "本轮已有发放记录" in deleted.text and _count(db, CareRound) == 1


def test_a_round_of_two_homes_is_changed_only_by_one_who_sees_both(app, make, db, home_round):
    care_round = home_round["round"]
    care_round.homes = [home_round["home"], home_round["other"]]
    db.session.commit()
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    page = staff.get(f"/admin/care_round/details/?id={care_round.id}").text
    assert "孙悦" not in page  # the other Home's child, on the round's list but not hers
    assert 'id="close-form"' not in page
    assert staff.post(f"/admin/care_round/close/?id={care_round.id}").status_code == 403
    answer = staff.post(f"/admin/care_round/edit/?id={care_round.id}", data={
        "name": "改名", "starts_on": "2026-11-20", "ends_on": "2026-12-31",
        "homes": [str(home_round["home"].id)], "for_everyone": "y",
        "loaded_version": str(care_round.version)}, follow_redirects=True)
    assert "只有能看到全部儿童之家的人才能修改" in answer.text
    db.session.expire_all()
    assert db.session.get(CareRound, care_round.id).name == "冬季慰问"
    deleted = staff.post("/admin/care_round/delete/", data={"id": care_round.id},
                         follow_redirects=True)
    assert "只有能看到全部儿童之家的人才能修改" in deleted.text and _count(db, CareRound) == 1
    admin = _signed_in(app, make, Role.ADMIN)
    page = admin.get(f"/admin/care_round/details/?id={care_round.id}&home="
                     f"{home_round['other'].id}").text
    assert "孙悦" in page.split('id="waiting"')[1].split("</table>")[0]


def test_the_list_for_signatures_has_a_line_per_child(app, make, db, home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    _give(staff, home_round, ["王秀梅", "李明"], **_bag(home_round), amount="200.00")
    response = staff.get(f"/admin/care_round/signatures.xlsx?id={home_round['round'].id}"
                         f"&home={home_round['home'].id}")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    header = rows.index(next(row for row in rows if row[0] == "编号"))
    assert rows[header][-1] == "签收（本人或监护人）"
    lines = {row[2]: row for row in rows[header + 1:]}
    assert sorted(lines) == sorted(["王秀梅", "李明", "张小花", "刘洋"])
    assert lines["王秀梅"][4] == "书包 1 个" and lines["王秀梅"][5] == "200.00"
    assert lines["刘洋"][4] == "书包一个" and lines["刘洋"][6] is None  # to be given
    assert all(row[-1] is None for row in lines.values())


def test_every_change_of_a_round_and_each_gift_is_in_the_trail(app, make, db, home_round):
    from models import AuditEntry
    from models.enums import AuditAction

    admin = _signed_in(app, make, Role.ADMIN)
    care_round = home_round["round"]
    answer = admin.post(f"/admin/care_round/edit/?id={care_round.id}", data={
        "name": "冬季慰问", "starts_on": "2026-11-20", "ends_on": "2026-12-31",
        "homes": [str(home_round["home"].id), str(home_round["other"].id)],
        "for_in_difficulty": "y", "picked": [str(home_round["kids"]["刘洋"].id)],
        "loaded_version": str(care_round.version)})
    assert answer.status_code == 302, answer.text[-1500:]
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "care_round", AuditEntry.action == AuditAction.UPDATE)).one()
    assert entry.changes["homes"] == ["南桥村儿童之家", "南桥村儿童之家、北坡村儿童之家"]
    assert entry.changes["for_key_target"] == [True, False]
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    _give(staff, home_round, ["王秀梅"], **_bag(home_round), amount="200.00")
    made = db.session.execute(select(AuditEntry.table_name, AuditEntry.record_label).where(
        AuditEntry.action == AuditAction.CREATE, AuditEntry.username != "")).all()
    assert ("round_gift", "冬季慰问 · 王秀梅") in made
    assert {"stock_movement", "money_entry"} <= {table for table, _label in made}
    trail = admin.get("/admin/audit/").text
    assert "慰问发放" in trail and "慰问活动" in trail


def test_a_donation_is_traced_to_the_children_it_reached(app, make, db, home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    _give(staff, home_round, ["王秀梅", "李明"], **_bag(home_round), amount="200.00")
    # 张小花's 书包 outside the round, from 县妇联's batch by choice.
    newer = db.session.scalar(select(StockMovement).where(StockMovement.donor == "县妇联"))
    make.movement(home_round["bags"], kind=MovementKind.HAND_OUT, quantity=2,
                  child=home_round["kids"]["张小花"], source=newer,
                  occurred_on=date(2026, 11, 26))
    page = staff.get("/admin/donors/").text
    assert "书包：发出 2 个，惠及 2 名儿童" in page  # 爱心企业's
    assert "书包：发出 2 个，惠及 1 名儿童" in page  # 县妇联's
    reached = staff.get("/admin/donors/reached/?donor=爱心企业").text
    rows = reached.split('id="reached"')[1].split("</table>")[0]
    assert "王秀梅" in rows and "李明" in rows and "张小花" not in rows
    assert "书包 1 个" in rows and "慰问金 ¥200.00" in rows
    assert "张小花" in staff.get("/admin/donors/reached/?donor=县妇联").text
    # Supervisors and the donor read counts only.
    supervisor = _signed_in(app, make, Role.SUPERVISOR, home=home_round["home"])
    assert supervisor.get("/admin/donors/reached/?donor=爱心企业").status_code == 403
    assert "惠及 2 名儿童" in supervisor.get("/admin/donors/").text
    other = _signed_in(app, make, Role.STAFF, home=home_round["other"])
    assert "王秀梅" not in other.get("/admin/donors/reached/?donor=爱心企业").text
    response = staff.get("/admin/donors/acknowledgement.xlsx?donor=爱心企业")
    cells = [str(cell) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(
        values_only=True) for cell in row if cell is not None]
    assert "2人" in cells and "2 个" in cells and "¥400.00" in cells
    assert not any(name in cell for cell in cells for name in home_round["kids"])


def test_the_round_page_costs_the_same_queries_however_many_were_given(app, make, db,
                                                                      home_round):
    from tests.conftest import count_queries

    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    url = f"/admin/care_round/details/?id={home_round['round'].id}"

    def cost() -> int:
        staff.get(url)  # warm
        with count_queries(db.engine) as counted:
            assert staff.get(url).status_code == 200
        return counted.count

    _give(staff, home_round, ["王秀梅"], **_bag(home_round), amount="200.00")
    one = cost()
    _give(staff, home_round, ["李明", "张小花", "刘洋"], **_bag(home_round), amount="100.00")
    assert cost() == one


def test_odd_forms_and_the_totals_count_each_child_once(app, make, db, home_round):
    staff = _signed_in(app, make, Role.STAFF, home=home_round["home"])
    for amount in ("NaN", "1e30", "Infinity"):
        assert "慰问金请写成元" in _give(staff, home_round, ["王秀梅"], amount=amount).text
    huge = _give(staff, home_round, ["王秀梅"], item_1=str(home_round["bags"].id),
                 quantity_1="99999999999999999999999")
    assert "每个孩子每样物品最多 1000" in huge.text and _count(db, RoundGift) == 0
    # One item on two lines: one hand-out of both, from the batch that holds them.
    bag = str(home_round["bags"].id)
    _give(staff, home_round, ["王秀梅"], item_1=bag, quantity_1="2", item_2=bag,
          quantity_2="1")
    _give(staff, home_round, ["李明", "张小花"], amount="200.00")
    page = staff.get(f"/admin/care_round/details/?id={home_round['round'].id}").text
    donors = page.split('id="totals-donors"')[1].split("</table>")[0]
    # 爱心企业: 王秀梅's 3 书包 and 李明's and 张小花's money: three children.
    assert "书包 3 个" in donors and 'data-label="惠及儿童">3<' in donors
    # Two given leave care: not given yet stays 1 (刘洋), as the list says.
    for name in ("王秀梅", "李明"):
        home_round["kids"][name].status = ChildStatus.LEFT_CARE
        home_round["kids"][name].left_on = date(2026, 11, 30)
    db.session.commit()
    page = staff.get(f"/admin/care_round/details/?id={home_round['round'].id}").text
    homes = page.split('id="totals-homes"')[1].split("</table>")[0]
    assert 'data-label="尚未发放">1<' in homes
    assert '<span class="badge badge-warning" id="waiting-count">1</span>' in page


def test_a_township_round_page_costs_the_same_queries_for_two_or_six_homes(app, make, db):
    from tests.conftest import count_queries

    homes = [make.home(name=f"甲乡{n}号儿童之家", township="甲乡") for n in range(6)]
    for home in homes:
        make.child(home=home, in_difficulty=True)
    small = make._save(CareRound(name="两家", starts_on=date(2026, 11, 1),
                                 ends_on=date(2026, 11, 30), for_in_difficulty=True,
                                 homes=homes[:2]))
    large = make._save(CareRound(name="六家", starts_on=date(2026, 11, 1),
                                 ends_on=date(2026, 11, 30), for_in_difficulty=True,
                                 homes=homes))
    township = _signed_in(app, make, Role.STAFF, township="甲乡")

    def cost(care_round) -> int:
        url = f"/admin/care_round/details/?id={care_round.id}&home={homes[0].id}"
        township.get(url)
        with count_queries(db.engine) as counted:
            page = township.get(url)
        assert page.status_code == 200 and 'id="close-form"' in page.text
        return counted.count

    assert cost(small) == cost(large)
