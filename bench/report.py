"""The benchmark's report: its tables, the sections it keeps up to date in BENCHMARKS.md,
and a reference figure for the speed of the machine that measured them."""

from __future__ import annotations

import time
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def cpu_reference() -> float:
    """Milliseconds a fixed pure-Python loop takes, best of five: this machine's speed drifts
    by a third from one minute to the next (other tenants), so figures from different runs
    are compared through it."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best * 1000


def table(page_rows, export_rows) -> str:
    lines = ["| page | median ms | p95 ms | queries |", "| --- | ---: | ---: | ---: |"]
    for name, r in page_rows:
        lines.append(f"| {name} | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} |")
    lines += ["", "| export | median s | CPU s | peak MiB (Python) | queries | floor s | "
                  "floor CPU s | ratio to floor (CPU) | ratio (wall) |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in export_rows:
        f = r["floor"]
        floor_cells = (f"{f['seconds']:.2f} | {f['cpu']:.2f} | {r['cpu'] / f['cpu']:.2f}× | "
                       f"{r['seconds'] / f['seconds']:.2f}×") if f else "— | — | — | —"
        lines.append(f"| {name} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak_mib']:.1f} | "
                     f"{r['queries']} | {floor_cells} |")
    return "\n".join(lines)


def write_report(sections: dict[str, str]) -> None:
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    for key, body in sections.items():
        start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
        block = f"{start}\n{body}\n{end}"
        if start in text:
            text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text)
