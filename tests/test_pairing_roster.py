"""爱心妈妈结对花名册: caring mothers and their children, the children found by ID number or
name and birth date, every value compared with what was saved; the limit of children per
caring mother, one caring mother per child, all or nothing, and the command line."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select, text

from admin_app import importing
from admin_app.access import SYSTEM
from admin_app.importing.rows import ERROR, NEW, UNCHANGED
from models import AuditEntry, Pairing, Volunteer
from models.enums import AuditAction, Gender
from seed.demo import id_number
from tests.test_import import errors_of


def _book(rows, two_rows=True) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "结对名单"
    sheet.append(["城关镇新联村爱心妈妈结对花名册"])
    if two_rows:
        sheet.append(["序号", "爱心妈妈", None, None, "结对儿童", None, None, "结对时间"])
        sheet.append([None, "姓名", "联系电话", "工作单位", "姓名", "身份证号", "出生日期", None])
        sheet.merge_cells("B2:D2")
        sheet.merge_cells("E2:G2")
        for col in "AH":
            sheet.merge_cells(f"{col}2:{col}3")
    for row in rows:
        sheet.append(row)
    sheet.append(["合计", None, None, None, len(rows)])
    sheet.append(["填表人：张三", None, None, None, "审核人：李四"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _preview(db, content, home):
    return importing.preview(db.session, content, "结对.xlsx", SYSTEM, home,
                             kind=importing.PAIRINGS)


def test_a_pairing_roster_pairs_each_child_with_her_caring_mother(app, make, db):
    home = make.home()
    born_a, born_b, born_c = date(2015, 3, 12), date(2014, 6, 1), date(2016, 9, 9)
    number_a = id_number("430624", born_a, 1, male=False)
    a = make.child(home=home, name="李小花", birth_date=born_a, id_number=number_a)
    b = make.child(home=home, name="李小草", birth_date=born_b)
    c = make.child(home=home, name="李小树", birth_date=born_c)
    kept = make.volunteer(home=home, name="陈老师", phone="13700001111")
    content = _book([
        [1, "张爱芳", "13812345678", "城关镇妇联", "李小花", number_a, None, "2025-09-01"],
        [2, "张爱芳", "13812345678", "城关镇妇联", "李小草", None, "2014-06-01", "2025-09-01"],
        [3, "陈老师", "13700001111", "新联小学", "李小树", None, "2016/9/9", "2025-03-01"],
    ])
    plan = _preview(db, content, home)
    assert plan.counts == {NEW: 3, "updated": 0, UNCHANGED: 0, ERROR: 0}, errors_of(plan)
    assert any("女" in note or "女性" in note for note in plan.notes)  # 爱心妈妈: said
    importing.commit(db.session, plan, home, kind=importing.PAIRINGS)
    pairs = db.session.execute(text(
        "SELECT v.name, p.child_id, p.started_on FROM pairing p JOIN volunteer v "
        "ON v.id = p.volunteer_id ORDER BY p.child_id")).all()
    assert [(name, child, str(day)[:10]) for name, child, day in pairs] == [
        ("张爱芳", a.id, "2025-09-01"), ("张爱芳", b.id, "2025-09-01"),
        ("陈老师", c.id, "2025-03-01")]
    new = db.session.scalar(select(Volunteer).where(Volunteer.name == "张爱芳"))
    assert new.phone == "13812345678" and new.gender is Gender.FEMALE
    assert new.organisation.name == "城关镇妇联" and new.home_id == home.id
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 2  # 陈老师 kept
    assert kept.id in {v.id for v in db.session.scalars(select(Volunteer))}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == AuditAction.CREATE, AuditEntry.table_name == "pairing")) == 3
    # The same file again changes nothing.
    again = _preview(db, content, home)
    assert again.counts == {NEW: 0, "updated": 0, UNCHANGED: 3, ERROR: 0}, errors_of(again)


def test_limits_and_children_not_found_refuse_the_row_and_nothing_is_saved(app, make, db):
    home, other = make.home(), make.home()
    children = [make.child(home=home, name=f"周{n}", birth_date=date(2015, 1, n + 1))
                for n in range(5)]
    make.child(home=other, name="外人", birth_date=date(2015, 2, 2))
    paired = make.volunteer(home=home, name="已结对")
    make.pairing(paired, children[4])
    rows = [[n + 1, "王妈妈", "13812345678", "", f"周{n}", None, f"2015-01-0{n + 1}",
             "2025-09-01"] for n in range(4)]
    rows += [[5, "新妈妈", "13911112222", "", "周4", None, "2015-01-05", "2025-09-01"],
             [6, "新妈妈", "13911112222", "", "外人", None, "2015-02-02", "2025-09-01"],
             [7, "新妈妈", "13911112222", "", "没这人", None, "2015-02-02", "2025-09-01"]]
    plan = _preview(db, _book(rows), home)
    errors = {number: message for number, _c, message in errors_of(plan)}
    # Row numbers as the sheet shows them: the header takes rows 1-3.
    assert set(errors) == {7, 8, 9, 10}, errors
    assert "3" in errors[7]  # the fourth child for 王妈妈: over the limit of 3
    assert "已结对" in errors[8]  # 周4 has her caring mother
    assert plan.counts[ERROR] == 4
    before = db.session.scalar(select(func.count()).select_from(Pairing))
    try:
        importing.commit(db.session, plan, home, kind=importing.PAIRINGS)
    except ValueError:
        pass
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == before


def test_cli_imports_pairings(app, make, db, tmp_path):
    home = make.home()
    make.child(home=home, name="郑一", birth_date=date(2015, 3, 12))
    path = tmp_path / "结对.xlsx"
    path.write_bytes(_book([[1, "冯妈妈", "13812345678", "", "郑一", None, "2015-03-12",
                             "2025-09-01"]]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "pairings", str(path), "--home", home.name,
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated, 0 unchanged, 0 refused" in result.output
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 0
    result = runner.invoke(args=["import", "pairings", str(path), "--home", home.name])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 1


def test_through_the_import_page_with_its_rows_to_correct(app, make, db):
    from openpyxl import load_workbook

    from tests.test_import import _client_for

    home = make.home()
    make.child(home=home, name="郑一", birth_date=date(2015, 3, 12))
    content = _book([
        [1, "冯妈妈", "13812345678", "", "郑一", None, "2015-03-12", "2025-09-01"],
        [2, "冯妈妈", "13812345678", "", "查无此人", None, "2015-03-12", "2025-09-01"]])
    client, _ = _client_for(app, make, "STAFF", home)
    answer = client.post("/admin/import/", data={
        "file": (io.BytesIO(content), "结对.xlsx"), "home": str(home.id), "kind": "pairings"},
        content_type="multipart/form-data")
    assert answer.status_code == 302, answer.text[-1000:]
    page = client.get(answer.headers["Location"]).text
    assert "新结对" in page and 'data-count="new">1<' in page and 'data-count="error">1<' in page
    book = load_workbook(io.BytesIO(client.get(answer.headers["Location"] + "errors.xlsx").data))
    rows = [[c.value for c in r] for r in book.worksheets[0].iter_rows(min_row=3)]
    assert any("查无此人" in (str(v) for v in r) for r in rows)
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    client.post(answer.headers["Location"] + "commit",
                data={"fingerprint": fingerprint, "mode": "valid"})
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 1
    # A supervisor may not import pairings (nor anything).
    supervisor, _ = _client_for(app, make, "SUPERVISOR", home)
    refused = supervisor.post("/admin/import/", data={
        "file": (io.BytesIO(content), "结对.xlsx"), "home": str(home.id), "kind": "pairings"},
        content_type="multipart/form-data")
    assert refused.status_code == 403
