"""An uploaded roster read once: its sheets' cells as the reader gave them, kept (sealed, in
the upload's row) in place of the file. The preview, the mapping step, the errors workbook
and the import read them back in a fraction of the time the workbook took, and never open
the workbook again; memory stays flat (each sheet's rows are one compressed stream)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from admin_app.importing.reading import Roster, Sheet, TooLong, Unstorable, read_roster

MAGIC = b"ROSTER-CELLS-1\n"
_CHUNK = 1 << 20


def read_once(content: bytes, filename: str) -> bytes:
    """The file read through to its last row (raising BadFile for whatever is wrong with
    it), as the bytes `thaw` reads back."""
    with read_roster(content, filename) as roster:
        return freeze(roster)


def is_frozen(content: bytes) -> bool:
    return content.startswith(MAGIC)


def freeze(roster: Roster) -> bytes:
    sheets, bodies = [], []
    for sheet in roster.sheets:
        compressor = zlib.compressobj(6)
        parts = [compressor.compress(_line(number, cells)) for number, cells in sheet.rest]
        parts.append(compressor.flush())
        body = b"".join(parts)
        bodies.append(body)
        sheets.append({"name": sheet.name, "csv": sheet.from_csv, "size": len(body),
                       "head": [[number, _cells(cells)] for number, cells in sheet.head],
                       "spans": {str(row): spans for row, spans in
                                 (sheet.head_spans or {}).items()} or None})
    header = json.dumps({"sheets": sheets}, ensure_ascii=False).encode()
    return MAGIC + len(header).to_bytes(4, "big") + header + b"".join(bodies)


def thaw(content: bytes) -> Roster:
    start = len(MAGIC) + 4
    end = start + int.from_bytes(content[len(MAGIC):start], "big")
    sheets, offset = [], end
    for meta in json.loads(content[start:end])["sheets"]:
        body = memoryview(content)[offset:offset + meta["size"]]
        offset += meta["size"]
        spans = meta["spans"]
        sheets.append(Sheet(
            meta["name"], [(number, _values(cells)) for number, cells in meta["head"]],
            _rows(body), meta["csv"],
            {int(row): [tuple(span) for span in found] for row, found in spans.items()}
            if spans else None))
    return Roster(sheets)


def _rows(body: memoryview) -> Iterator[tuple[int, list[Any]]]:
    """The rows, a megabyte of text at most unpacked at a time: cells that repeat pack
    hundreds of times smaller, and are never all unpacked at once."""
    decompressor, tail = zlib.decompressobj(), b""
    for start in range(0, len(body), _CHUNK):
        packed = body[start:start + _CHUNK]
        while packed:
            lines = (tail + decompressor.decompress(packed, _CHUNK)).split(b"\n")
            packed = decompressor.unconsumed_tail
            tail = lines.pop()
            for line in lines:
                number, cells = json.loads(line)
                yield number, _values(cells)
    for line in (tail + decompressor.flush()).split(b"\n"):
        if line:
            number, cells = json.loads(line)
            yield number, _values(cells)


def _line(number: int, cells: list[Any]) -> bytes:
    return json.dumps([number, _cells(cells)], ensure_ascii=False,
                      separators=(",", ":")).encode() + b"\n"


def _cells(cells: list[Any]) -> list[Any]:
    """A row's values as JSON holds them: the types JSON lacks tagged."""
    return [_cell(value) for value in cells]


def _cell(value: Any) -> Any:
    if isinstance(value, TooLong):
        return {"l": str(value)}
    if isinstance(value, Unstorable):
        return {"u": str(value)}
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _values(cells: list[Any]) -> list[Any]:
    return [_value(cell) if isinstance(cell, dict) else cell for cell in cells]


def _value(cell: dict) -> Any:
    if "l" in cell:
        return TooLong(cell["l"])
    if "u" in cell:
        return Unstorable(cell["u"])
    if "t" in cell:
        return datetime.fromisoformat(cell["t"])
    return date.fromisoformat(cell["d"])
