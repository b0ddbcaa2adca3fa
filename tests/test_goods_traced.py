"""Goods traced to their donors (issue 22): each movement out draws on one batch in of its
item — the oldest that holds it, or the one chosen — and each batch keeps what is left of
it; a movement out larger than any one batch is refused, never split in silence; a batch
drawn on is not deleted, shrunk below what went out or moved to another item; and the
migration counts what is left of the batches kept before, oldest first."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from admin_app.extensions import db as _db
from models import ResourceItem, StockMovement
from models.enums import MovementKind, Role
from models.stock import computed_left, computed_on_hand
from models.validators import InvalidValue
from tests.conftest import database_at, sign_in

OUT = MovementKind.HAND_OUT
LATER = date(2026, 11, 20)


def _refused(match: str, change, db) -> None:
    from flask import current_app

    with current_app.test_request_context(), pytest.raises(InvalidValue, match=match):
        change()
        db.session.commit()
    db.session.rollback()


def _left(db, *batches) -> list[int]:
    db.session.expire_all()
    return [db.session.get(StockMovement, batch.id).remaining for batch in batches]


@pytest.fixture
def bags(make):
    home = make.home(name="南桥村儿童之家")
    item = make.item(home=home, name="书包", unit="个")
    older = make.movement(item, quantity=3, donor="爱心企业", occurred_on=date(2026, 11, 1))
    newer = make.movement(item, quantity=5, donor="县妇联", occurred_on=date(2026, 11, 10))
    return home, item, older, newer


def test_a_hand_out_draws_on_the_oldest_batch_that_holds_it(make, db, bags):
    home, item, older, newer = bags
    child = make.child(home=home, name="王秀梅")
    first = make.movement(item, kind=OUT, quantity=2, child=child, occurred_on=date(2026, 11, 20))
    assert first.source_id == older.id
    second = make.movement(item, kind=OUT, quantity=2, child=child, occurred_on=date(2026, 11, 21))
    assert second.source_id == newer.id  # the older has 1 left
    assert _left(db, older, newer) == [1, 3]
    assert [computed_left(db.session, b.id) for b in (older, newer)] == [1, 3]
    assert db.session.get(ResourceItem, item.id).on_hand == 4 == computed_on_hand(
        db.session, item.id)


def test_more_than_any_one_batch_holds_is_refused_not_split(make, db, bags):
    home, item, older, newer = bags
    child = make.child(home=home)
    _refused("没有哪一批入库单独够 6 个（单批最多剩 5 个，合计 8 个）",
             lambda: make.movement(item, kind=OUT, quantity=6, child=child,
                                   occurred_on=LATER), db)
    _refused("书包 库存不足：现有 8 个，需要 9 个",
             lambda: make.movement(item, kind=OUT, quantity=9, child=child,
                                   occurred_on=LATER), db)
    assert _left(db, older, newer) == [3, 5]
    assert db.session.get(ResourceItem, item.id).on_hand == 8


def test_goods_go_out_only_of_batches_come_in_by_that_day(make, db, bags):
    home, item, older, newer = bags
    child = make.child(home=home)
    # On 5 November only 爱心企业's 3 had come in: 4 cannot have gone out then.
    _refused("没有哪一批 2026-11-05 前入库的够 4 个",
             lambda: make.movement(item, kind=OUT, quantity=4, child=child,
                                   occurred_on=date(2026, 11, 5)), db)
    _refused("所选批次 2026-11-10 才入库",
             lambda: make.movement(item, kind=OUT, quantity=1, child=child, source=newer,
                                   occurred_on=date(2026, 11, 5)), db)
    early = make.movement(item, kind=OUT, quantity=2, child=child, occurred_on=date(2026, 11, 5))
    assert early.source_id == older.id and _left(db, older, newer) == [1, 5]


def test_the_batch_chosen_on_the_form_is_drawn_on(app, make, db, bags):
    home, item, older, newer = bags
    child = make.child(home=home)
    client = app.test_client()
    assert sign_in(client, make.user(Role.STAFF, home=home).username).status_code == 302
    form = {"item": str(item.id), "occurred_on": "2026-11-20", "kind": "HAND_OUT",
            "quantity": "1", "child": str(child.id)}
    assert client.post("/admin/stock_movement/new/",
                       data={**form, "source": str(newer.id)}).status_code == 302
    assert _left(db, older, newer) == [3, 4]
    # Left to choose: the oldest.
    assert client.post("/admin/stock_movement/new/", data=form).status_code == 302
    assert _left(db, older, newer) == [2, 4]
    # A batch in names no batch; a movement out does not draw on another movement out.
    refused = client.post("/admin/stock_movement/new/", data={
        **form, "kind": "DONATION", "donor": "某人", "source": str(newer.id)})
    assert "入库记录无需选择来源批次" in refused.text
    hand_out = db.session.scalar(sa.select(StockMovement).where(StockMovement.kind == OUT)
                                 .limit(1))
    refused = client.post("/admin/stock_movement/new/", data={**form,
                                                              "source": str(hand_out.id)})
    assert "出库只能出自一批入库" in refused.text
    assert _left(db, older, newer) == [2, 4]


def test_a_batch_drawn_on_keeps_what_went_out(make, db, bags):
    home, item, older, newer = bags
    hand_out = make.movement(item, kind=OUT, quantity=2, child=make.child(home=home),
                             occurred_on=LATER)
    _refused("这批入库已发出 2 个，不能删除", lambda: db.session.delete(older), db)
    older = db.session.get(StockMovement, older.id)
    older.quantity = 1
    _refused("这批入库已发出 2 个，数量不能改得比这更少", lambda: None, db)
    older = db.session.get(StockMovement, older.id)
    older.item_id = make.item(home=home, name="文具盒").id
    _refused("这批入库已发出 2 个，不能改成别的物资", lambda: None, db)
    older = db.session.get(StockMovement, older.id)
    older.kind = MovementKind.LOSS
    _refused("入库不能改成出库", lambda: None, db)
    # Grown: what is left grows with it; the hand-out removed: it comes back to its batch.
    older = db.session.get(StockMovement, older.id)
    older.quantity = 4
    db.session.commit()
    assert _left(db, older) == [2]
    db.session.delete(db.session.get(StockMovement, hand_out.id))
    db.session.commit()
    assert _left(db, older, newer) == [4, 5]
    db.session.delete(db.session.get(StockMovement, older.id))
    db.session.commit()
    assert db.session.get(ResourceItem, item.id).on_hand == 5 == computed_on_hand(
        db.session, item.id)


def test_a_corrected_hand_out_gives_back_before_it_draws_again(make, db, bags):
    home, item, older, newer = bags
    hand_out = make.movement(item, kind=OUT, quantity=3, child=make.child(home=home),
                             occurred_on=LATER)
    assert hand_out.source_id == older.id
    hand_out.quantity = 2
    db.session.commit()
    assert _left(db, older, newer) == [1, 5]  # still the older, which holds it again


def test_a_hand_out_grown_past_what_is_left_gives_back_first(make, db):
    item = make.item(name="作业本")
    batch = make.movement(item, quantity=10, occurred_on=date(2026, 11, 1))
    hand_out = make.movement(item, kind=OUT, quantity=6, occurred_on=LATER)
    hand_out.quantity = 9  # 4 left: only with its own 6 given back first
    db.session.commit()
    assert _left(db, batch) == [1]
    assert db.session.get(ResourceItem, item.id).on_hand == 1 == computed_on_hand(
        db.session, item.id)


def test_the_migration_counts_what_is_left_of_the_batches_oldest_first(tmp_path):
    from flask_migrate import upgrade

    from models import Home

    with database_at(tmp_path, "a1c3e5f7b9d2"):
        with _db.engine.begin() as conn:
            conn.execute(sa.insert(Home.__table__).values(id=1, name="甲", township="镇",
                                                          village="村"))
            conn.execute(sa.text(
                "INSERT INTO resource_item (id, home_id, name, unit, low_stock_threshold, "
                "location, on_hand, version) VALUES (1, 1, '书包', '个', 0, '', 3, 1), "
                "(2, 1, '篮球', '个', 0, '', 0, 1)"))
            then = sa.table("stock_movement", *(sa.column(c) for c in (
                "id", "item_id", "occurred_on", "kind", "quantity", "donor", "child_id",
                "note", "version")))
            # Entered out of order: the later batch first. 10 + 5 in, 12 out of 书包;
            # one 篮球 in and out.
            conn.execute(sa.insert(then), [
                dict(id=1, item_id=1, occurred_on=date(2025, 3, 1), kind="DONATION",
                     quantity=5, donor="县妇联", note="", version=1),
                dict(id=2, item_id=1, occurred_on=date(2025, 1, 1), kind="DONATION",
                     quantity=10, donor="爱心企业", note="", version=1),
                dict(id=3, item_id=1, occurred_on=date(2025, 4, 1), kind="HAND_OUT",
                     quantity=12, donor="", note="王秀梅", version=1),
                dict(id=4, item_id=2, occurred_on=date(2025, 4, 1), kind="PURCHASE",
                     quantity=1, donor="", note="", version=1),
                dict(id=5, item_id=2, occurred_on=date(2025, 4, 2), kind="LOSS",
                     quantity=1, donor="", note="", version=1)])
        upgrade()
        with _db.engine.connect() as conn:
            left = dict(conn.execute(sa.text(
                "SELECT id, remaining FROM stock_movement ORDER BY id")).all())
            sources = {row[0] for row in conn.execute(sa.text(
                "SELECT source_id FROM stock_movement WHERE kind IN ('HAND_OUT', 'LOSS')"))}
        # 爱心企业's older 10 went first, then 2 of 县妇联's 5; nobody said which batch the
        # old movements out drew on.
        assert left == {1: 3, 2: 0, 3: None, 4: 0, 5: None}
        assert sources == {None}


def test_an_untraced_hand_out_is_corrected_and_removed_without_moving_others(make, db, bags):
    _home, item, older, newer = bags
    # A movement out kept before batches: the migration charged its 2 to the older batch.
    legacy = make.movement(item, kind=OUT, quantity=2, occurred_on=LATER)
    db.session.execute(sa.update(StockMovement).where(StockMovement.id == legacy.id)
                       .values(source_id=None))
    db.session.commit()
    traced = make.movement(item, kind=OUT, quantity=3, source=newer, occurred_on=LATER)
    assert _left(db, older, newer) == [1, 2]
    legacy = db.session.get(StockMovement, legacy.id)
    legacy.note = "补记"  # a note corrected: still untraced, nothing drawn again
    db.session.commit()
    assert _left(db, older, newer) == [1, 2]
    assert db.session.get(StockMovement, legacy.id).source_id is None
    db.session.delete(db.session.get(StockMovement, legacy.id))
    db.session.commit()
    # Back to the older batch, not into the room the traced hand-out took from the newer.
    assert _left(db, older, newer) == [3, 2] and traced.id


def test_a_batch_cleared_to_automatic_and_a_batch_moved_after_its_goods(app, make, db, bags):
    home, item, older, _newer = bags
    child = make.child(home=home)
    hand_out = make.movement(item, kind=OUT, quantity=1, occurred_on=LATER, child=child)
    pens = make.item(home=home, name="文具盒", unit="个")
    pen_batch = make.movement(pens, quantity=4, occurred_on=date(2026, 11, 2))
    client = app.test_client()
    assert sign_in(client, make.user(Role.STAFF, home=home).username).status_code == 302
    moved = client.post(f"/admin/stock_movement/edit/?id={hand_out.id}", data={
        "item": str(pens.id), "occurred_on": "2026-11-20", "kind": "HAND_OUT", "quantity": "1",
        "child": str(child.id), "source": "", "loaded_version": str(hand_out.version)})
    assert moved.status_code == 302, moved.text[-800:]
    assert _left(db, older, pen_batch) == [3, 3]
    older = db.session.get(StockMovement, older.id)
    make.movement(item, kind=OUT, quantity=1, source=older, occurred_on=date(2026, 11, 3))
    older = db.session.get(StockMovement, older.id)
    older.occurred_on = date(2026, 11, 5)
    _refused("这批入库的物资 2026-11-03 已发出", lambda: None, db)
