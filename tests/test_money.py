"""A Home's money ledger (issue 22): what is left of each income kept with every payment
drawn on it, first in first out unless chosen; never below zero, also for two payments at
once; corrections give back what a line took; lines never deleted; amounts in fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from models import MoneyEntry
from models.enums import MoneyKind
from models.money_keeping import balance, computed_remaining
from models.validators import InvalidValue
from tests.conftest import saved_at_once

IN, GIFT = MoneyKind.DONATION, MoneyKind.CONDOLENCE


def _line(db, home, kind, amount, day=date(2026, 11, 1), **kw):
    entry = MoneyEntry(home_id=home.id, kind=kind, amount=Decimal(amount), occurred_on=day,
                       **kw)
    db.session.add(entry)
    db.session.commit()
    return entry


def _left(db, entry) -> Decimal:
    db.session.refresh(entry)
    return entry.remaining


def _refused(db, match: str, change) -> None:
    """The change is refused, with `match` in the message as a user reads it (in Chinese)."""
    from flask import current_app

    with current_app.test_request_context(), pytest.raises(InvalidValue, match=match):
        change()
        db.session.commit()
    db.session.rollback()


def test_a_payment_draws_on_the_oldest_income_that_holds_it(make, db):
    home = make.home()
    small = _line(db, home, IN, "30.00", date(2026, 10, 1), donor="村委会")
    large = _line(db, home, IN, "100.00", date(2026, 11, 1), donor="爱心企业")
    child = make.child(home=home)
    paid = _line(db, home, GIFT, "50.00", child_id=child.id)
    assert paid.source_id == large.id  # the older one holds only 30
    assert (_left(db, small), _left(db, large)) == (Decimal("30.00"), Decimal("50.00"))
    assert balance(db.session, home.id) == Decimal("80.00")
    second = _line(db, home, GIFT, "20.00", child_id=child.id)
    assert second.source_id == small.id
    assert computed_remaining(db.session, small.id) == _left(db, small) == Decimal("10.00")


def test_money_never_goes_below_zero_and_is_never_split_in_silence(make, db):
    home = make.home()
    _line(db, home, IN, "30.00", date(2026, 10, 1))
    _line(db, home, IN, "100.00")
    _refused(db, "没有哪一笔收入单独够 ¥120", lambda: _line(db, home, GIFT, "120.00"))
    _refused(db, "余额不足", lambda: _line(db, home, GIFT, "130.01"))
    assert balance(db.session, home.id) == Decimal("130.00")
    assert db.session.query(MoneyEntry).count() == 2


def test_fen_are_kept_to_the_last_one(make, db):
    home = make.home()
    income = _line(db, home, IN, "100.00")
    for _ in range(3):
        _line(db, home, MoneyKind.OTHER_OUT, "33.33")
    assert _left(db, income) == Decimal("0.01")
    _refused(db, "余额不足", lambda: _line(db, home, MoneyKind.OTHER_OUT, "0.02"))
    _line(db, home, MoneyKind.OTHER_OUT, "0.01")
    assert balance(db.session, home.id) == Decimal("0.00")


def test_corrections_give_back_what_a_line_took(make, db):
    home = make.home()
    first = _line(db, home, IN, "100.00", date(2026, 10, 1))
    second = _line(db, home, IN, "50.00")
    paid = _line(db, home, GIFT, "60.00")
    assert paid.source_id == first.id
    paid.amount = Decimal("80.00")
    db.session.commit()
    assert _left(db, first) == Decimal("20.00")
    _refused(db, "剩余不足", lambda: setattr(paid, "amount", Decimal("101.00")))
    paid.source_id = second.id
    paid.amount = Decimal("50.00")
    db.session.commit()
    assert (_left(db, first), _left(db, second)) == (Decimal("100.00"), Decimal("0.00"))
    # Moved back by its relationship, as a form sets it.
    paid.source = first
    db.session.commit()
    assert (_left(db, first), _left(db, second)) == (Decimal("50.00"), Decimal("50.00"))
    paid.source = second
    db.session.commit()
    # An income cannot shrink below what was spent of it, nor be deleted.
    _refused(db, "已经支出 ¥50.00", lambda: setattr(second, "amount", Decimal("40.00")))
    second.amount = Decimal("70.00")
    db.session.commit()
    assert _left(db, second) == Decimal("20.00")
    _refused(db, "只能更正，不能删除", lambda: db.session.delete(paid))
    _refused(db, "收入不能改成支出", lambda: setattr(second, "kind", GIFT))


def test_a_payment_draws_only_on_money_in_of_its_own_home(make, db):
    home, other = make.home(), make.home()
    theirs = _line(db, other, IN, "100.00")
    mine = _line(db, home, IN, "100.00")
    paid = _line(db, home, GIFT, "10.00")
    _refused(db, "本儿童之家", lambda: _line(db, home, GIFT, "10.00", source_id=theirs.id))
    _refused(db, "不能从另一笔支出", lambda: _line(db, home, GIFT, "10.00",
                                              source_id=paid.id))
    assert _left(db, mine) == Decimal("90.00") and _left(db, theirs) == Decimal("100.00")


def test_two_payments_of_the_last_money_at_once_only_one_succeeds(app, db, make):
    home = make.home()
    income = _line(db, home, IN, "100.00")
    home_id, income_id = home.id, income.id  # the threads must not touch the test's session
    outcomes = saved_at_once(app, db.engine, lambda session: session.add(MoneyEntry(
        home_id=home_id, kind=GIFT, amount=Decimal("80.00"), occurred_on=date(2026, 11, 2),
        source_id=income_id)))
    assert outcomes.count("saved") == 1, outcomes
    assert _left(db, income) == Decimal("20.00") == computed_remaining(db.session, income_id)


def _signed_in(app, make, role, **kw):
    from models.enums import Role  # noqa: F401
    from tests.conftest import sign_in

    client = app.test_client()
    assert sign_in(client, make.user(role, **kw).username).status_code == 302
    return client


def test_the_ledger_screens_refuse_in_chinese_and_show_what_is_left(app, make, db):
    from models.enums import Role

    home, other = make.home(name="南桥村儿童之家"), make.home(name="城关镇儿童之家")
    _line(db, home, IN, "100.00", donor="爱心企业")
    _line(db, other, IN, "999.00", donor="别家的捐赠")
    child = make.child(home=home, name="王秀梅")
    staff = _signed_in(app, make, Role.STAFF, home_id=home.id)
    form = {"home": str(home.id), "occurred_on": "2026-11-05", "kind": "CONDOLENCE",
            "amount": "150.00", "child": str(child.id), "note": "春节慰问"}
    page = staff.post("/admin/money_entry/new/", data=form).text
    assert "余额不足：合计还剩 ¥100.00，本次要用 ¥150.00" in page
    assert "慰问金请选择领取的儿童" in staff.post(
        "/admin/money_entry/new/", data={**form, "child": ""}).text
    assert staff.post("/admin/money_entry/new/", data={**form, "amount": "60.00"}
                      ).status_code == 302
    listed = staff.get("/admin/money_entry/").text
    assert "南桥村儿童之家：¥40.00" in listed
    assert "别家的捐赠" not in listed
    assert "/admin/money_entry/delete/" not in listed
    paid = db.session.query(MoneyEntry).filter_by(kind=GIFT).one()
    assert paid.source.donor == "爱心企业"
    # Corrected through the form, its income kept: what it took before is given back.
    edit = {**form, "amount": "70.00", "source": str(paid.source_id), "version": "1"}
    assert staff.post(f"/admin/money_entry/edit/?id={paid.id}", data=edit).status_code == 302
    assert "南桥村儿童之家：¥30.00" in staff.get("/admin/money_entry/").text
    # Left blank: the oldest income that holds it, the same one here.
    edit = {**edit, "amount": "65.00", "source": "__None", "version": "2"}
    assert staff.post(f"/admin/money_entry/edit/?id={paid.id}", data=edit).status_code == 302
    assert "南桥村儿童之家：¥35.00" in staff.get("/admin/money_entry/").text
    assert staff.post("/admin/money_entry/delete/", data={"id": paid.id}).status_code == 403
    supervisor = _signed_in(app, make, Role.SUPERVISOR, home_id=home.id)
    assert supervisor.get("/admin/money_entry/").status_code == 200
    assert supervisor.post("/admin/money_entry/new/", data=form).status_code == 403
    volunteer = make.volunteer(home=home)
    mother = _signed_in(app, make, Role.VOLUNTEER, volunteer_id=volunteer.id)
    assert mother.get("/admin/money_entry/").status_code == 403


def test_a_donors_money_is_traced_and_thanked_in_counts_only(app, make, db):
    import io

    from openpyxl import load_workbook

    from models.enums import Role

    home = make.home(name="南桥村儿童之家")
    _line(db, home, IN, "500.00", date(2026, 10, 1), donor="爱心企业")
    _line(db, home, IN, "80.00", date(2026, 9, 1), donor="村委会")
    girl, boy = make.child(home=home, name="王秀梅"), make.child(home=home, name="李小军")
    # The 100s draw on 爱心企业's (村委会's older 80 holds neither), the 50 on 村委会's, the 60
    # on 爱心企业's again (村委会's has 30 left).
    for child, amount in ((girl, "100.00"), (boy, "100.00"), (girl, "50.00")):
        _line(db, home, GIFT, amount, child_id=child.id)
    _line(db, home, MoneyKind.OTHER_OUT, "60.00")
    staff = _signed_in(app, make, Role.STAFF, home_id=home.id)
    page = staff.get("/admin/donors/").text
    assert "慰问金 ¥200.00（2人）；其他支出 ¥60.00" in page and "¥240.00</td>" in page
    assert "慰问金 ¥50.00（1人）" in page and "¥30.00</td>" in page
    response = staff.get("/admin/donors/acknowledgement.xlsx?donor=爱心企业")
    assert response.status_code == 200
    cells = [cell for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(
        values_only=True) for cell in row if cell is not None]
    assert "¥500.00" in cells and "¥200.00" in cells and "2人" in cells and "¥240.00" in cells
    assert not any(name in str(cell) for cell in cells for name in ("王秀梅", "李小军"))
    assert staff.get("/admin/donors/acknowledgement.xlsx?donor=没有的人").status_code == 404


def test_the_ledger_exports_its_lines_and_balances_in_scope(app, make, db):
    import io

    from openpyxl import load_workbook

    from models.enums import Role

    home, other = make.home(name="南桥村儿童之家"), make.home(name="北坡村儿童之家")
    income = _line(db, home, IN, "500.00", date(2026, 10, 1), donor="=爱心企业")
    _line(db, other, IN, "70.00", date(2026, 10, 1), donor="北坡捐赠人")
    child = make.child(home=home, name="王秀梅")
    _line(db, home, GIFT, "120.50", date(2026, 10, 8), child_id=child.id)
    staff = _signed_in(app, make, Role.STAFF, home_id=home.id)
    response = staff.get("/admin/money_entry/export/xlsx/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    left, lines = book.worksheets
    assert [row for row in left.iter_rows(values_only=True) if row[0] == "南桥村儿童之家"] \
        == [("南桥村儿童之家", 379.5)]
    rows = [row for row in lines.iter_rows(values_only=True) if row[0] is not None]
    payment = next(row for row in rows if row[7] == "王秀梅")
    assert payment[3] == 120.5 and payment[6] == "2026-10-01 =爱心企业"
    cell = next(c for r in lines.iter_rows() for c in r if c.value == 120.5)
    assert cell.number_format == "0.00"
    donor = next(c for r in lines.iter_rows() for c in r if c.value == "=爱心企业")
    assert donor.data_type == "s"  # text, never a formula
    assert not any("北坡" in str(cell) for row in rows for cell in row)
    assert payment[5] is None and next(row for row in rows if row[4] == "=爱心企业")[5] \
        == 379.5 == float(computed_remaining(db.session, income.id))


def test_money_is_paid_only_out_of_income_come_in_by_that_day(make, db):
    home = make.home()
    early = _line(db, home, IN, "100.00", date(2026, 10, 1), donor="村委会")
    late = _line(db, home, IN, "500.00", date(2026, 11, 10), donor="爱心企业")
    child = make.child(home=home)
    _refused(db, "没有哪一笔 2026-11-05 前到账的收入够 ¥300.00",
             lambda: _line(db, home, GIFT, "300.00", date(2026, 11, 5), child_id=child.id))
    _refused(db, "所选收入 2026-11-10 才到账",
             lambda: _line(db, home, GIFT, "50.00", date(2026, 11, 5), child_id=child.id,
                           source_id=late.id))
    paid = _line(db, home, GIFT, "80.00", date(2026, 11, 5), child_id=child.id)
    assert paid.source_id == early.id and _left(db, late) == Decimal("500.00")
