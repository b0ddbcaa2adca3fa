"""Uploads bounded (issue 19.3): a workbook past the roster's limits (50,000 rows, 200
columns) is refused from its own XML before a cell is read, a CSV from its bytes; a good
file is read once at upload and its cells kept, so the steps after never open it again.
How fast and in how much memory: bench/refused_uploads.py (BENCHMARKS.md)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from admin_app import importing
from admin_app.importing import frozen, reading
from models import Child, RosterUpload
from tests.conftest import wall_time
from tests.test_import import _client_for, _upload, roster, row

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def with_sheet(xml: bytes) -> bytes:
    """A real roster's workbook with its sheet's XML replaced by `xml`."""
    source = zipfile.ZipFile(io.BytesIO(roster([row()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, xml if item.filename == SHEET
                            else source.read(item.filename))
    return out.getvalue()


def sheet_xml(rows: int, dimension: str | None, cell=lambda n: f'<c r="A{n}" s="0"/>') -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(f'<row r="{n}">{cell(n)}</row>' for n in range(1, rows + 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{declared}'
            f"<sheetData>{body}</sheetData></worksheet>").encode()


def uploads(db) -> int:
    return db.session.scalar(select(func.count()).select_from(RosterUpload))


def test_a_million_empty_rows_are_refused_at_upload(app, make, db):
    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    content = with_sheet(sheet_xml(1_048_576, "A1:A1048576"))
    page = _upload(client, content, home)
    assert page.status_code == 400 and "超过 50,000 行" in page.text
    assert uploads(db) == 0


def test_a_sheet_declaring_more_rows_than_a_roster_holds_is_refused_from_that_alone(make, db):
    with pytest.raises(importing.BadFile) as refused:
        importing.read_once(with_sheet(sheet_xml(3, "A1:N51001")), "花名册.xlsx")
    assert "50,000" in str(refused.value.message)
    importing.read_once(with_sheet(sheet_xml(3, "A1:N51000")), "花名册.xlsx")


def test_rows_past_the_limit_are_counted_when_the_sheet_declares_no_size(make, db):
    content = with_sheet(sheet_xml(51_001 + 1, None))
    with pytest.raises(importing.BadFile) as refused:
        importing.read_once(content, "花名册.xlsx")
    assert "50,000" in str(refused.value.message)
    # One row fewer than the sheet may hold in all is read (its rows are empty).
    importing.read_once(with_sheet(sheet_xml(51_000, None)), "花名册.xlsx")


def test_a_sheet_wider_than_200_columns_is_refused(make, db):
    with pytest.raises(importing.BadFile) as declared:
        importing.read_once(with_sheet(sheet_xml(3, "A1:GT3")), "花名册.xlsx")  # 202 columns
    assert "200" in str(declared.value.message)
    wide = with_sheet(sheet_xml(2, None, cell=lambda n: "".join(
        f'<c r="{_column(c)}{n}" t="inlineStr"><is><t>x</t></is></c>' for c in range(1, 203))))
    with pytest.raises(importing.BadFile) as counted:
        importing.read_once(wide, "花名册.xlsx")
    assert "200" in str(counted.value.message)
    importing.read_once(with_sheet(sheet_xml(3, "A1:GR3")), "花名册.xlsx")  # 200: read


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def test_a_csv_past_the_limit_is_refused_but_line_breaks_in_cells_are_not_rows(monkeypatch,
                                                                             make, db):
    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 10)
    monkeypatch.setattr(reading, "MAX_ROWS", 8)
    header = "姓名,性别,出生日期,监护人姓名,监护人电话\n"
    many = (header + "王小明,男,2015-03-12,李奶奶,13800001111\n" * 11).encode()
    with pytest.raises(importing.BadFile):
        importing.read_once(many, "花名册.csv")
    # Four children, each address over three lines: 13 line breaks, 5 records.
    tall = (header + '王小明,男,2015-03-12,"李奶奶\n住城关镇\n红星村",13800001111\n' * 4)
    importing.read_once(tall.encode("gb18030"), "花名册.csv")


def test_the_cells_read_at_upload_come_back_as_they_were(make, db):
    cells = [1, 2.5, 110105201503120011.0, True, None, "王小明\n二行", date(2016, 2, 29),
             wall_time(2026, 12, 1, 23, 30), reading.TooLong("很长的内容")]
    sheet = reading.Sheet("花名册", [(1, ["标题"]), (2, ["姓名", "性别"])],
                          iter([(3, list(cells)), (5, ["李四"])]),
                          head_spans={1: [(0, 13)]})
    back = frozen.thaw(frozen.freeze(reading.Roster([sheet]))).sheets[0]
    assert back.name == "花名册" and back.head == [(1, ["标题"]), (2, ["姓名", "性别"])]
    assert back.head_spans == {1: [(0, 13)]} and back.from_csv is False
    rows = list(back.rest)
    assert rows == [(3, cells), (5, ["李四"])]
    kinds = [type(value) for value in rows[0][1]]
    assert kinds == [int, float, float, bool, type(None), str, date, datetime, reading.TooLong]


def test_after_upload_the_workbook_is_never_read_again(app, make, db, monkeypatch):
    import openpyxl

    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1) or real(
        *a, **k))
    upload = _upload(client, roster([row(), row(name="错的", born="明天", n=2)]), home)
    assert upload.status_code == 302 and len(opened) == 1
    preview = upload.headers["Location"]
    for _ in range(2):
        assert client.get(preview).status_code == 200
    token = preview.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(f"/admin/import/{token}/errors.xlsx").status_code == 200
    page = client.get(preview).text
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    done = client.post(f"/admin/import/{token}/commit",
                       data={"mode": "valid", "fingerprint": fingerprint})
    assert done.status_code == 302
    assert len(opened) == 1  # the upload's one reading
    assert db.session.scalar(select(func.count()).select_from(Child)) == 1


def test_a_cell_holding_a_nul_refuses_its_row_and_reaches_no_query(make, db):
    """A CSV's NUL past its first 4 KB (an xlsx cannot hold one) went into the look-up of the
    file's names and PostgreSQL answered 500; now the row is refused, said why."""
    from admin_app.access import SYSTEM

    home = make.home()
    lines = ["姓名,性别,出生日期,留守类型,生活方式,监护人姓名,监护人电话"]
    lines += [f"王小{i},男,2015-03-12,父母均外出,随祖辈,李奶奶{i},138{i:08d}"
              for i in range(300)]
    lines += ["王\x00小明,男,2015-03-12,父母均外出,随祖辈,李奶奶,13800001111",
              "张三,男,\x002015-03-12,父母均外出,随祖辈,李四,13900001111"]
    content = ("\n".join(lines) + "\n").encode()
    plan = importing.preview(db.session, importing.read_once(content, "花名册.csv"),
                             "花名册.csv", SYSTEM, home)
    refused = [row for row in plan.rows if row.errors]
    assert [row.number for row in refused] == [302, 303]
    assert all("无法保存" in message for row in refused for _column, message in row.errors)
    counts = importing.commit(db.session, plan, home, valid_only=True)
    assert counts["new"] == 300 and counts["error"] == 2


def test_cells_that_pack_small_are_never_all_unpacked_at_once(make, db):
    import tracemalloc

    long_cell = "王" * 1_900
    rows = iter([(n, [long_cell] * 20) for n in range(3, 3 + 3_000)])  # 171 MB of text
    sheet = reading.Sheet("花名册", [(1, ["姓名"])], rows)
    kept = frozen.freeze(reading.Roster([sheet]))
    assert len(kept) < 2 * 2**20
    tracemalloc.start()
    count = sum(1 for _ in frozen.thaw(kept).sheets[0].rest)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 3_000 and peak < 40 * 2**20


def test_the_preview_lists_the_rows_to_be_added_fifty_at_a_time(app, make, db):
    home = make.home()
    client, _ = _client_for(app, make, "STAFF", home)
    rows = [row(name=f"孩子{i:03d}", phone=f"139{i:08d}", n=i) for i in range(1, 121)]
    preview = _upload(client, roster(rows), home).headers["Location"]
    first = client.get(preview).text.split('id="import-created"')[1].split("</details>")[0]
    assert first.count("<tr>") == 50 and "孩子001" in first and "孩子051" not in first
    third = client.get(preview + "?page=3").text
    listed = third.split('id="import-created"')[1].split("</details>")[0]
    assert listed.count("<tr>") == 20 and "孩子101" in listed and "孩子120" in listed
    assert "第 3 / 3 页" in third and "下 50 条" not in third
