"""Reading an uploaded roster as it really is: an .xlsx (openpyxl, read-only, cached values
of formulas, never evaluated) or a .csv in UTF-8 or GBK. Whatever is wrong with the file
itself raises `BadFile` with a message for users; nothing here writes anything."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from flask_babel import lazy_gettext as _l

MAX_FILE_BYTES = 20 * 1024 * 1024
# A county's roster is a few thousand children; past these the file is split.
MAX_ROWS = 50_000
MAX_COLUMNS = 200
# Rows a sheet may hold in all, empty ones (formatted, never filled) among them: past it the
# file is refused from the sheet's own XML before a cell is read.
MAX_SHEET_ROWS = MAX_ROWS + 1_000
MAX_CELL_CHARACTERS = 2_000
# An .xlsx is a zip; its parts may unpack to this much at most, and no part may be more
# than this many times its packed size (a zip bomb packs gigabytes into a few kilobytes).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_PACKING_RATIO = 200

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected Office file


DAMAGED = _l("This file is not a valid Excel workbook (.xlsx); it may be damaged. Open it in "
             "Excel or WPS, save it again and upload it.")
MACROS = _l("Files with macros (.xlsm) are not accepted, because macros can carry harmful "
            "code. Save the roster as .xlsx without macros.")


class BadFile(ValueError):
    """The file cannot be read as a roster; the message says why and what to do."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


HEAD_ROWS = 15  # where the title and header rows are looked for


@dataclass
class Sheet:
    """One sheet: its first non-empty rows (`head`, where the header is found) and an
    iterator over the rest, read as they are needed so memory stays flat. A row is its
    number as the spreadsheet shows it (1-based) and a list of cell values (str, int,
    float, datetime or None)."""

    name: str
    head: list[tuple[int, list[Any]]]
    rest: Iterator[tuple[int, list[Any]]]
    from_csv: bool = False  # a CSV has been through Excel's hands more often than not
    # The ranges merged across columns in the first rows, by row: {row: [(first, last)]}
    # (0-based columns); None when nothing is merged there (a CSV).
    head_spans: dict[int, list[tuple[int, int]]] | None = None

    def rows_after(self, index: int) -> Iterator[tuple[int, list[Any]]]:
        """The rows after the first `index` rows of the head, then the rest (once)."""
        yield from self.head[index:]
        yield from self.rest


class Roster:
    """An open roster file: its visible sheets; `close()` when done (or use `with`)."""

    def __init__(self, sheets: list[Sheet], close=lambda: None) -> None:
        self.sheets = sheets
        self._close = close

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Roster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _sheet(name: str, rows: Iterator[tuple[int, list[Any]]], from_csv: bool = False) -> Sheet:
    rows = _limited(rows)
    head = []
    for row in rows:
        head.append(row)
        if len(head) == HEAD_ROWS:
            break
    return Sheet(name, head, rows, from_csv)


def read_roster(content: bytes, filename: str) -> Roster:
    """The sheets of a roster file, refusing what is not a roster we can safely read. Only
    the first rows are read here; the rest as the caller iterates (a row limit or a cell
    that cannot be read raises BadFile then)."""
    if len(content) > MAX_FILE_BYTES:
        raise BadFile(_l("The file is larger than 20 MB. Split the roster into several files."))
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("xls", "et"):
        raise BadFile(_l("This is an old-format Excel file (.xls). Open it in Excel or WPS and "
                         "save it as .xlsx, then upload it again."))
    if suffix in ("xlsm", "xltm"):
        raise BadFile(MACROS)
    if content.startswith(_OLE_SIGNATURE):
        raise BadFile(_l("This file is password-protected or in the old .xls format. Remove "
                         "the password and save it as .xlsx, then upload it again."))
    if suffix == "csv":
        return Roster([_read_csv(content)])
    if suffix != "xlsx":
        raise BadFile(_l("Please upload an Excel workbook (.xlsx) or a CSV file."))
    return _read_xlsx(content)


def _read_xlsx(content: bytes) -> Roster:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        _check_parts(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise BadFile(DAMAGED) from None
    if "xl/vbaProject.bin" in archive.namelist():
        raise BadFile(MACROS)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise BadFile(DAMAGED) from None
    try:
        sheets = []
        for worksheet in book.worksheets:
            if getattr(worksheet, "sheet_state", "visible") != "visible":
                continue
            ranges = _scan_sheet(archive, worksheet)
            sheet = _sheet(worksheet.title, _merged(_guarded(enumerate(
                _all_rows(worksheet), start=1)), ranges))
            sheet.head_spans = _head_spans(sheet, ranges)
            sheets.append(sheet)
    except BadFile:
        book.close()
        raise
    except Exception:
        book.close()
        raise BadFile(DAMAGED) from None
    return Roster(sheets, book.close)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CHUNK = 1 << 20
_LONGEST_TAG = 200  # kept from one chunk to the next: a tag may straddle them


def too_many_rows() -> BadFile:
    return BadFile(_l("The file has more than %(n)s rows. Split the roster into several "
                      "files, or delete the empty rows below the roster, save and upload it "
                      "again.", n=f"{MAX_ROWS:,}"))


def too_many_columns() -> BadFile:
    return BadFile(_l("The file has more than %(n)s columns. Delete the empty columns to the "
                      "right of the roster, save and upload it again.", n=MAX_COLUMNS))


def _scan_sheet(archive: zipfile.ZipFile, worksheet) -> list[tuple[int, int, int, int]]:
    """One pass over the sheet's XML before any cell is read: refuses a sheet whose declared
    size (<dimension>) or number of rows is past the limits (a file of a million empty rows
    is refused in a moment, not parsed for a minute), and returns its merged ranges as (first
    row, last row, first column, last column), 1-based, ordered by their first row.
    Read-only openpyxl exposes neither (a family's guardian merged over its siblings)."""
    path = getattr(worksheet, "_worksheet_path", None)
    if not path:
        return []
    from openpyxl.utils import column_index_from_string

    found, buffer, rows, first = [], b"", 0, True
    with archive.open(path.lstrip("/")) as part:
        while True:
            chunk = part.read(_CHUNK)
            buffer += chunk
            if first and (size := _DIMENSION.search(buffer)):
                if int(size.group(2)) > MAX_SHEET_ROWS:
                    raise too_many_rows()
                if column_index_from_string(size.group(1).decode()) > MAX_COLUMNS:
                    raise too_many_columns()
            first = False
            cut = len(buffer) if not chunk else max(0, len(buffer) - _LONGEST_TAG)
            rows += sum(1 for match in _ROW.finditer(buffer) if match.start() < cut)
            if rows > MAX_SHEET_ROWS:
                raise too_many_rows()
            for match in _MERGE.finditer(buffer):
                if match.start() >= cut:
                    break
                first_col, first_row, last_col, last_row = match.groups()
                found.append((int(first_row), int(last_row),
                              column_index_from_string(first_col.decode()),
                              column_index_from_string(last_col.decode())))
            buffer = buffer[cut:]
            if not chunk:
                break
    return sorted(found)


def _merged(rows: Iterator[tuple[int, list[Any]]], ranges: list[tuple[int, int, int, int]]):
    """Each merged range's value given to every row it covers, in its first column (Excel
    keeps it in the first row only): siblings share the family's merged guardian, phone and
    address. A range's other columns stay empty: no value lands in a column that did not say
    it."""
    if not ranges:
        yield from rows
        return
    waiting, active = iter(ranges), []  # active: [last row, column, value]
    upcoming = next(waiting, None)
    for number, cells in rows:
        active = [merge for merge in active if merge[0] >= number]
        while upcoming is not None and upcoming[0] <= number:
            first_row, last_row, first_col, _ = upcoming
            if first_row == number and last_row > first_row:
                value = cells[first_col - 1] if first_col <= len(cells) else None
                active.append([last_row, first_col, value])
            upcoming = next(waiting, None)
        for last_row, col, value in active:
            if value is None or last_row < number:
                continue
            if len(cells) < col:
                cells = [*cells, *([None] * (col - len(cells)))]
            if cells[col - 1] is None:
                cells = list(cells)
                cells[col - 1] = value
        yield number, cells


def _head_spans(sheet: Sheet, ranges) -> dict[int, list[tuple[int, int]]] | None:
    last = sheet.head[-1][0] if sheet.head else 0
    spans: dict[int, list[tuple[int, int]]] = {}
    for first_row, _last_row, first_col, last_col in ranges:
        if first_row <= last and last_col > first_col:
            spans.setdefault(first_row, []).append((first_col - 1, last_col - 1))
    return spans or None


def _all_rows(worksheet):
    """Every row, whatever the sheet declares: read-only openpyxl stops at the sheet's
    <dimension>, which programs other than Excel leave stale (a sheet of 11 rows that
    declared A1:E5 gave 5, and no word)."""
    worksheet.reset_dimensions()
    return worksheet.iter_rows(values_only=True)


def _guarded(rows):
    """A damaged part found while reading is the file's fault, said as such."""
    try:
        yield from rows
    except BadFile:
        raise
    except Exception:
        raise BadFile(DAMAGED) from None


def _check_parts(archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        packed = max(info.compress_size, 1)
        if total > MAX_UNPACKED_BYTES or (info.file_size > 1024 * 1024 and
                                          info.file_size / packed > MAX_PACKING_RATIO):
            raise BadFile(_l("This file unpacks to far more data than a roster holds and was "
                             "refused. Save the roster again as an ordinary .xlsx file."))


def _read_csv(content: bytes) -> Sheet:
    """Read as a stream of the bytes (no copy of the text in memory), refusing at once a
    file of more records than a roster holds."""
    encoding = _encoding(content)
    if content.count(b"\n") > MAX_SHEET_ROWS and _records(content, encoding) > MAX_SHEET_ROWS:
        raise too_many_rows()  # lines are records unless a cell holds a line break
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline=""))

    def rows():
        try:
            yield from ((n, list(row)) for n, row in enumerate(reader, start=1))
        except csv.Error:
            raise BadFile(_l("This CSV file could not be read; save it from Excel or WPS as "
                             "“CSV UTF-8” and upload it again.")) from None

    return _sheet("CSV", rows(), from_csv=True)


def _records(content: bytes, encoding: str) -> int:
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    try:
        return sum(1 for _ in csv.reader(text))
    except csv.Error:
        return 0  # said when the rows are read


def _encoding(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB 18030, which covers GBK and
    GB 2312, the encodings Chinese Excel and WPS save CSV in. Checked a megabyte at a time,
    the text itself kept nowhere."""
    if b"\0" in content[:4096]:
        raise BadFile(_l("Please upload an Excel workbook (.xlsx) or a CSV file."))
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), _CHUNK):
                decoder.decode(content[start:start + _CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise BadFile(_l("The CSV file is neither UTF-8 nor GBK text. Save it from Excel or WPS "
                     "as “CSV UTF-8” and upload it again."))


def _limited(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """Non-empty rows, at most MAX_ROWS of them, each cell within MAX_CELL_CHARACTERS."""
    kept = 0
    for number, values in rows:
        cells = [_cell(value) for value in values]
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue
        kept += 1
        if kept > MAX_ROWS + 20:  # room for title and header rows
            raise too_many_rows()
        if len(cells) > MAX_COLUMNS:
            raise too_many_columns()
        yield number, cells


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if "\x00" in value:
            # No column can hold it (PostgreSQL's text refuses NUL): the row is refused, and
            # the text shown in its message shows where the NUL was.
            return Unstorable(value.replace("\x00", "␀")[:50])
        if len(value) > MAX_CELL_CHARACTERS:
            # Kept short, so the row is refused with a message rather than stored.
            return TooLong(value[:50])
        return value
    if isinstance(value, bool | int | float | date):
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


class BadCell(str):
    """A cell no field may take as it is (its text for the message, never stored); reading
    it as a field's value raises InvalidValue with `message` (importing.words.text)."""

    message = _l("This cell cannot be read.")


class TooLong(BadCell):
    """A cell longer than any field takes: its start, for the error message."""

    message = _l("This cell is far longer than this column takes.")


class Unstorable(BadCell):
    """A cell holding a character no column can hold (NUL), shown as ␀."""

    message = _l("This cell holds a character that cannot be saved (NUL, shown as ␀). "
                 "Type the cell again in Excel or WPS.")
