"""The roster import at county scale: a 40,000-row roster (title row, header variants, dates
as text, siblings sharing guardians, both parents) previewed and imported into a fresh
database, with the time of each step and the process's peak memory (RSS). Run by
`make bench` in a process of its own; prints one JSON line.

    python bench/import_roster.py --rows 40000 [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.base import local_today  # noqa: E402

HEADER = ["序号", "姓名", "性别", "出生日期", "身份证号码", "学校", "年级", "班级",
          "班主任及电话", "留守类型", "监护方式", "是否寄宿", "监护人姓名", "与儿童关系",
          "监护人电话", "父亲姓名", "父亲电话", "父亲务工地点", "母亲姓名", "母亲电话",
          "母亲务工地点", "家庭住址"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "小明红华丽伟芳娜敏静秀英强磊军洋勇艳杰娟涛超霞平刚桂兰梅婷雪琳浩宇轩涵"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: date, seq: int) -> str:
    body = f"430626{born:%Y%m%d}{seq % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def write_roster(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    # Shared strings, as Excel and WPS save a workbook (run in a process of its own: this
    # mode keeps the sheet in memory, which is not the import's memory).
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("花名册")
    sheet.write_string(0, 0, "平江县2026年农村留守儿童花名册")
    for col, text in enumerate(HEADER):
        sheet.write_string(1, col, text)
    used: set[str] = set()
    family = None
    for n in range(1, rows + 1):
        if family is None or rng.random() > 0.3:  # about one child in three has a sibling
            family = (rng.choice(SURNAMES), f"1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}",
                      rng.choice(("爷爷", "奶奶", "外婆")))
        surname, phone, relation = family
        while True:
            born = date(2009, 1, 1) + timedelta(days=rng.randint(0, 5000))
            number = id_number(born, rng.randint(0, 999))
            if number not in used:
                used.add(number)
                break
        values = [n, surname + "".join(rng.choice(GIVEN) for _ in range(2)),
                  "男" if int(number[16]) % 2 else "女", f"{born.year}.{born.month}.{born.day}",
                  number, "城关小学", f"{rng.randint(1, 6)}年级", f"{rng.randint(1, 5)}班",
                  f"张老师 138{rng.randint(0, 10**8 - 1):08d}",
                  rng.choice(("父母均外出", "单亲外出")), rng.choice(("随祖辈", "跟爷爷奶奶")),
                  rng.choice(("是", "否")), f"{surname}{relation}", relation, phone,
                  f"{surname}大", f"139{rng.randint(0, 10**8 - 1):08d}", "广东东莞",
                  "陈芳", f"137{rng.randint(0, 10**8 - 1):08d}", "浙江义乌", "新联村3组"]
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(n + 1, col, value)
            else:
                sheet.write_string(n + 1, col, value)
    book.close()


def report_section(rows: int) -> str:
    """The 40,000-row roster import, in a process of its own (its peak memory is its own):
    SQLite, and PostgreSQL in a fresh database beside BENCH_DATABASE_URL's when set."""
    runs = [("SQLite", [])]
    if os.environ.get("BENCH_DATABASE_URL"):
        url = sa.engine.make_url(os.environ["BENCH_DATABASE_URL"])
        fresh = url.set(drivername="postgresql+psycopg", database=f"{url.database}_import")
        admin = sa.create_engine(fresh.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{fresh.database}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{fresh.database}"'))
        admin.dispose()
        runs.append(("PostgreSQL", ["--database-url",
                                    fresh.render_as_string(hide_password=False)]))
    lines = ["### roster import", "",
             f"Date {local_today()}. Command: `make bench` (`python bench/import_roster.py "
             f"--rows {rows}`): a roster with a title row, header variants, text dates, "
             "siblings sharing guardians and both parents, read once as the upload does "
             "(its cells kept, compressed), previewed from them and imported into an "
             "empty Home, then previewed again (every row unchanged). Peak memory is the "
             "process's peak RSS up to the end of the import.", "",
             "| database | rows | file MiB | read at upload s | cells kept MiB | preview s | "
             "import s | upload + preview + import s | peak RSS MiB | second preview s | "
             "second preview: unchanged |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, extra in runs:
        done = subprocess.run([sys.executable, str(Path(__file__)),
                               "--rows", str(rows), *extra], cwd=ROOT, check=True,
                              capture_output=True, text=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        total = r["read_s"] + r["preview_s"] + r["commit_s"]
        lines.append(f"| {name} | {r['rows']:,} | {r['file_mib']} | {r['read_s']} | "
                     f"{r['cells_mib']} | {r['preview_s']} | {r['commit_s']} | {total:.1f} | "
                     f"{r['import_peak_rss_mib']} | {r['second_preview_s']} | "
                     f"{r['second_counts']['unchanged']:,} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--database-url", default=None,
                        help="an empty database (default: a new SQLite file)")
    parser.add_argument("--write-only", help=argparse.SUPPRESS)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    url = options.database_url or f"sqlite:///{workdir / 'import.db'}"
    roster = workdir / "roster.xlsx"
    if options.write_only:
        write_roster(Path(options.write_only), options.rows)
        return 0
    subprocess.run([sys.executable, __file__, "--rows", str(options.rows), "--write-only",
                    str(roster)], check=True)

    from flask_migrate import upgrade

    from admin_app import create_app, importing
    from admin_app.access import SYSTEM
    from admin_app.extensions import db
    from models import Home

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        home = Home(name="城关镇留守儿童之家", township="城关镇", village="新联村")
        db.session.add(home)
        db.session.commit()
        home_id = home.id
        content = roster.read_bytes()
        # As the import page does: the file read through once at upload, its cells kept.
        started = time.perf_counter()
        cells = importing.read_once(content, roster.name)
        read = time.perf_counter() - started
        started = time.perf_counter()
        plan = importing.preview(db.session, cells, roster.name, SYSTEM, home)
        previewed = time.perf_counter() - started
        counts = plan.counts
        started = time.perf_counter()
        importing.commit(db.session, plan, home)
        committed = time.perf_counter() - started
        first_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        del plan
        db.session.remove()
        home = db.session.get(Home, home_id)
        started = time.perf_counter()
        again = importing.preview(db.session, cells, roster.name, SYSTEM, home).counts
        second = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "rows": options.rows, "file_mib": round(len(content) / 2**20, 1),
        "read_s": round(read, 1), "cells_mib": round(len(cells) / 2**20, 1),
        "preview_s": round(previewed, 1), "commit_s": round(committed, 1),
        "second_preview_s": round(second, 1), "import_peak_rss_mib": round(first_peak),
        "peak_rss_mib": round(peak),
        "counts": counts, "second_counts": again,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
