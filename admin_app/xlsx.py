"""The one workbook writer every export uses: safe cells, real dates, text for numbers that
are not numbers, sensible widths, frozen headers, A4 landscape, and rows streamed to a
temporary file with XlsxWriter's constant_memory mode, so memory stays flat.

Cell safety (SECURITY.md): strings are never turned into formulas, links or numbers, and a
text that Excel would read as a formula when someone edits the cell — one starting with
= + - @ (half- or full-width), or with a tab, CR, LF or NUL before them — is written with
Excel's quote prefix, so it stays text.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import IO, Any

import xlsxwriter
from flask import g, has_request_context
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
CONTROL_STARTS = ("\t", "\r", "\n", "\0")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell


_EPOCH = datetime(1899, 12, 31)  # noqa: DTZ001 (Excel's day 0: its cells carry no zone)
_EPOCH_DAY = _EPOCH.toordinal()
_SECONDS_A_DAY = 60 * 60 * 24


def excel_serial(value: date | time) -> float | None:
    """The number Excel keeps for a date, a time or a naive datetime (1900 date system),
    computed as XlsxWriter computes it but without its general conversion, which was a
    tenth of a calendar export's time; None where that conversion is needed (a time zone,
    a day before 1901). Tested equal to XlsxWriter's."""
    if isinstance(value, datetime):
        if value.tzinfo is not None or value.year < 1901:
            return None
        delta = value - _EPOCH
        serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) \
            / _SECONDS_A_DAY
    elif isinstance(value, date):
        if value.year < 1901:
            return None
        serial = float(value.toordinal() - _EPOCH_DAY)
    elif isinstance(value, time) and value.tzinfo is None:
        return (float(value.hour * 3600 + value.minute * 60 + value.second)
                + float(value.microsecond) / 1e6) / _SECONDS_A_DAY
    else:
        return None
    return serial + 1  # Excel counts a 29 February 1900 that never was


_WIDE = re.compile("[\u2e80-\U0010ffff]")  # CJK and beyond: two columns each


def display_width(text: str) -> int:
    """Columns a text takes in Excel's units: CJK characters count two."""
    return len(text) + len(_WIDE.findall(text))


_LEADING = "".join(CONTROL_STARTS) + " "
_SUSPECT = frozenset(FORMULA_STARTS + CONTROL_STARTS + (" ",))


def needs_quote(text: str) -> bool:
    if not text or text[0] not in _SUSPECT:  # nearly every cell: decided by its first character
        return False
    return text.startswith(CONTROL_STARTS) or text.lstrip(_LEADING).startswith(FORMULA_STARTS)


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, its kind, its width in characters."""

    header: str
    kind: str = "text"  # text | code | int | yuan | date | time | datetime | bool
    width: float = 12


_END = object()


class Workbook:
    """A workbook written to a temporary file; `close()` hands back an open binary file
    (already unlinked on POSIX, so it disappears when closed)."""

    # Rows one Excel sheet holds (XlsxWriter silently drops any beyond).
    max_rows = 1_048_576

    def __init__(self, title: str = "", stamp: str | None = None) -> None:
        # An approved export of sensitive columns carries who, when and what for on every
        # sheet's header (views.exporting sets it for the request as `g.export_stamp`).
        if stamp is None and has_request_context():
            stamp = g.get("export_stamp")
        self.stamp = stamp
        handle, self.path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        self.book = xlsxwriter.Workbook(self.path, {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        })
        if title:
            self.book.set_properties({"title": title})
        self.labels: dict[Enum, str] = {}
        font = {"font_name": "宋体", "font_size": 11}
        add = self.book.add_format
        self.formats = {
            "title": add({**font, "bold": True, "font_size": 16, "align": "center",
                          "valign": "vcenter"}),
            "subtitle": add({**font, "italic": True, "font_color": "#555555"}),
            "header": add({**font, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                           "align": "center", "valign": "vcenter", "text_wrap": True}),
            "text": add({**font, "valign": "top"}),
            "quoted": add({**font, "valign": "top", "quote_prefix": True}),
            "wrap": add({**font, "valign": "top", "text_wrap": True}),
            "code": add({**font, "num_format": "@", "valign": "top"}),
            "int": add({**font, "num_format": "0", "valign": "top"}),
            "yuan": add({**font, "num_format": "0.00", "valign": "top"}),
            "date": add({**font, "num_format": "yyyy-mm-dd", "align": "left", "valign": "top"}),
            "time": add({**font, "num_format": "hh:mm", "align": "left", "valign": "top"}),
            "datetime": add({**font, "num_format": "yyyy-mm-dd hh:mm", "align": "left",
                             "valign": "top"}),
        }
        self.text_format = self.formats["text"]

    def add_format(self, **properties) -> Any:
        return self.book.add_format({"font_name": "宋体", "font_size": 11, **properties})

    def sheet(self, name: str, *, landscape: bool = True, paper: int = 9) -> Worksheet:
        """A sheet set up to print: A4 (9) or A3 (8), landscape, one page wide."""
        sheet = self.book.add_worksheet(name[:31])
        sheet.set_paper(paper)
        if landscape:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.set_footer("&C&P / &N")
        if self.stamp:
            # Excel's header codes start with &: a stamp's own & is written &&.
            sheet.set_header("&L&8" + self.stamp.replace("&", "&&")[:200])
        return sheet

    def table(self, name: str, title: str, columns: Sequence[Column],
              rows: Iterable[Sequence[Any]], *, subtitle: str = "", paper: int = 9) -> int:
        """A sheet with a title row, a header row (frozen, with an autofilter) and `rows`
        streamed in; rows beyond what one Excel sheet holds continue on sheets named
        “name (2)”, “name (3)”… rather than being cut off. Returns the number of rows."""
        remaining: Iterator | None = iter(rows)
        total, part = 0, 1
        while remaining is not None:
            sheet_name = name if part == 1 else f"{name[:25]} ({part})"
            written, remaining = self._table_sheet(sheet_name, title, columns, remaining,
                                                   subtitle, paper)
            total += written
            part += 1
        return total

    def _table_sheet(self, name, title, columns, rows, subtitle, paper):
        """One sheet of a table; returns the rows written and the rows left (or None)."""
        sheet = self.sheet(name, paper=paper)
        last_col = len(columns) - 1
        sheet.set_row(0, 28)
        self._across(sheet, 0, last_col, title, self.formats["title"])
        header_row = 1
        if subtitle:
            self._across(sheet, 1, last_col, subtitle, self.formats["subtitle"])
            header_row = 2
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(header_row, col, column.header, self.formats["header"])
        sheet.freeze_panes(header_row + 1, 0)
        sheet.repeat_rows(header_row)
        room = self.max_rows - header_row - 1
        count, left = 0, None
        writers = [self.cell_writer(column.kind) for column in columns]
        for values in rows:
            count += 1
            row = header_row + count
            for col, (write, value) in enumerate(zip(writers, values, strict=True)):
                write(sheet, row, col, value)
            if count == room:
                following = next(rows, _END)
                left = None if following is _END else itertools.chain([following], rows)
                break
        sheet.autofilter(header_row, 0, header_row + max(count, 1), last_col)
        return count, left

    @staticmethod
    def _across(sheet: Worksheet, row: int, last_col: int, text: str, cell_format) -> None:
        """A line over the whole table's width (a merged range, unless one column)."""
        if last_col > 0:
            sheet.merge_range(row, 0, row, last_col, text, cell_format)
        else:
            sheet.write_string(row, 0, text, cell_format)

    def cell_writer(self, kind: str) -> Callable[[Worksheet, int, int, Any], None]:
        """How a table writes a value in a column of `kind`: nothing for an empty value
        (Excel keeps no empty cell; a roster's missing phones were styled blanks, a tenth of
        its cells); numbers, dates and times as such in their formats; ID numbers and phones
        as text (or Excel keeps 15 digits and drops the rest); anything else as text, never
        a formula (`write_text`). Chosen once per column, not for each of a roster's 2.8
        million cells."""
        text, number = self.write_text, self.formats.get(kind)

        if kind in ("int", "yuan"):
            def write(sheet, row, col, value):
                if value is None or value == "":
                    return
                if isinstance(value, Decimal):  # yuan and fen, shown with two decimals
                    value = float(value)
                if isinstance(value, int | float):
                    sheet.write_number(row, col, value, number)
                else:
                    text(sheet, row, col, value)
        elif kind in ("date", "datetime", "time"):
            moments = (time, datetime) if kind == "time" else (date, datetime)

            def write(sheet, row, col, value):
                if value is None or value == "":
                    return
                if not isinstance(value, moments):
                    text(sheet, row, col, value)
                    return
                if kind == "time" and isinstance(value, datetime):
                    value = value.time()
                serial = excel_serial(value)
                if serial is None:
                    sheet.write_datetime(row, col, value, number)
                else:  # what write_datetime stores, without converting again
                    sheet.write_number(row, col, serial, number)
        elif kind == "code":
            def write(sheet, row, col, value):
                if value is not None and value != "":
                    sheet.write_string(row, col, str(value), number)
        else:
            def write(sheet, row, col, value):
                if value is not None and value != "":
                    text(sheet, row, col, value)
        return write

    def write_text(self, sheet: Worksheet, row: int, col: int, value: Any,
                   cell_format=None) -> None:
        text = value
        if type(text) is not str:
            if isinstance(text, Enum):
                # Labels are translated once per workbook, not once per cell.
                if text not in self.labels:
                    self.labels[text] = str(getattr(text, "label", text.name))
                text = self.labels[text]
            else:
                text = str(text)
        if len(text) > MAX_CELL_TEXT:
            text = text[:MAX_CELL_TEXT]
        if needs_quote(text):
            sheet.write_string(row, col, text, self.formats["quoted"])
        else:
            sheet.write_string(row, col, text, cell_format or self.text_format)

    def close(self) -> IO[bytes]:
        self.book.close()
        handle = open(self.path, "rb")  # the response closes it
        os.unlink(self.path)
        return handle

    def discard(self) -> None:
        try:
            self.book.close()
        finally:
            if os.path.exists(self.path):
                os.unlink(self.path)
