"""Cell safety proved on a written workbook, opened again with openpyxl: text that Excel
would read as a formula stays text and carries the quote prefix; titles never become
formulas, links or numbers; numbers, ID numbers and dates keep their kinds."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from admin_app.xlsx import Column, Workbook

# (text written, whether the cell carries Excel's quote prefix)
CELLS = [
    ("=1+1", True),
    ("+8613800001111", True),
    ("-2", True),
    ("@x", True),
    ("\t=1+1", True),
    ("\r=1+1", True),
    ("\n@SUM(A1)", True),
    ("  =1+1", True),
    ("＝1+1", True),
    ("－2", True),
    ("王小明", False),
    ("1+1=2", False),
    ("谈心 -2", False),
]


def _written(rows, columns, title="花名册", **table) -> openpyxl.worksheet.worksheet.Worksheet:
    book = Workbook(title="测试")
    book.table("表", title, columns, rows, **table)
    handle = book.close()
    try:
        return openpyxl.load_workbook(io.BytesIO(handle.read())).worksheets[0]
    finally:
        handle.close()


@pytest.fixture(scope="module")
def sheet():
    return _written([(text,) for text, _ in CELLS], [Column("备注")])


@pytest.mark.parametrize(("row", "written", "quoted"),
                         [(n, text, quoted) for n, (text, quoted) in enumerate(CELLS, start=3)])
def test_text_is_written_as_text_with_the_quote_prefix_where_excel_would_see_a_formula(
        sheet, row, written, quoted):
    cell = sheet.cell(row=row, column=1)
    assert cell.data_type == "s"
    assert cell.value.replace("_x000D_", "\r") == written  # openpyxl leaves CR escaped
    assert bool(cell.quotePrefix) is quoted


def test_a_title_is_never_a_formula_a_link_or_a_number():
    for title in ("=HYPERLINK(\"http://x\",\"点我\")", "http://example.com/", "12345"):
        sheet = _written([("a", "b")], [Column("甲"), Column("乙")], title=title,
                         subtitle="=1+1")
        cell = sheet.cell(row=1, column=1)
        assert (cell.data_type, cell.value, cell.hyperlink) == ("s", title, None), title
        assert sheet.cell(row=2, column=1).data_type == "s"
        assert sheet.cell(row=2, column=1).value == "=1+1"


def test_numbers_codes_and_dates_keep_their_kinds():
    sheet = _written([(3, 2.5, "430626201503120037", date(2025, 6, 1), "0931-8123456")],
                     [Column("人数", "int"), Column("小时", "int"), Column("身份证号", "code"),
                      Column("日期", "date"), Column("电话", "code")])
    number, hours, code, day, phone = (sheet.cell(row=3, column=c) for c in range(1, 6))
    assert (number.data_type, number.value) == ("n", 3)
    assert (hours.data_type, hours.value) == ("n", 2.5)
    assert (code.data_type, code.value, code.number_format) == ("s", "430626201503120037", "@")
    assert day.value.date() == date(2025, 6, 1) and day.number_format == "yyyy-mm-dd"
    assert (phone.data_type, phone.value) == ("s", "0931-8123456")


def test_an_id_number_in_a_code_column_that_looks_like_a_formula_is_still_plain_code():
    sheet = _written([("-430626201503120037",)], [Column("身份证号", "code")])
    cell = sheet.cell(row=3, column=1)
    assert (cell.value, cell.number_format, bool(cell.quotePrefix)) == (
        "-430626201503120037", "@", False)


def test_a_stamp_with_an_ampersand_is_printed_as_written(app):
    book = Workbook(stamp="王&李 2026-12-01 家访")
    book.table("表", "花名册", [Column("甲")], [("a",)])
    handle = book.close()
    try:
        data = handle.read()
    finally:
        handle.close()
    import zipfile

    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "&amp;L&amp;8王&amp;&amp;李 2026-12-01 家访" in sheet_xml
