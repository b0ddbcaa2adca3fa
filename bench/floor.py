"""The floor of an export: the same rows (the export's own query) written straight with
XlsxWriter, with no formats, masking or safety — the least an export costs, measured in
the same run as the export (bench/run.py)."""

from __future__ import annotations

import tempfile
import time
import tracemalloc

import xlsxwriter


def write_floor(session, query, columns: int) -> None:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        book = xlsxwriter.Workbook(handle.name, {"constant_memory": True})
        sheet = book.add_worksheet()
        rows = session.execute(query.execution_options(yield_per=1000))
        for r, row in enumerate(rows):
            for c, value in enumerate(row[:columns]):
                sheet.write(r, c, value.name if hasattr(value, "name") else value)
        book.close()


def floor_seconds(session, query, columns: int) -> float:
    started = time.perf_counter()
    write_floor(session, query, columns)
    return time.perf_counter() - started


def floor_peak(session, query, columns: int) -> float:
    tracemalloc.start()
    write_floor(session, query, columns)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20
