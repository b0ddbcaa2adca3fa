"""`make bench`: county-scale figures for BENCHMARKS.md. Not part of the test suite.

Builds (once, then cached) a county database with the seed command, then measures, in
process through Flask's test client, the pages staff use most and the exports, with the
number of SQL queries of each, and writes the table into BENCHMARKS.md. SQLite always;
PostgreSQL too when BENCH_DATABASE_URL is set (that database is rebuilt when its size is
not the one asked for).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.against_peer import against_the_peer, export_rss, peer_section, rss_lines
from bench.floor import (
    calendar_rows,
    care_records_plain,
    grouped_rows,
    query_rows,
    roster_plain,
)
from bench.harness import CACHE, Bench, build
from bench.peer import table as peer_table
from bench.report import cpu_reference, table, write_report
from models.base import local_today


def page_list(bench: Bench) -> tuple[list, dict]:
    """The pages measured, as (name, who, url), on the county `bench` has open, and the
    facts they were chosen by (the child, her Home, the list's filter keys, a fragment of
    her name): the same child and pages on every run of one database."""
    from models import CareRecord, CareRound, Child, Home
    from models.enums import LivingArrangement

    db = bench.db
    # A child with an ID number and care records, the same one on every run.
    child = db.session.scalar(
        sa.select(Child).where(Child.id_number.is_not(None),
                               sa.exists().where(CareRecord.child_id == Child.id))
        .order_by(Child.id).limit(1))
    home_id = child.home_id
    township = db.session.get(Home, home_id).township
    record = db.session.scalar(sa.select(CareRecord.id).where(CareRecord.child_id == child.id)
                               .limit(1))
    view = next(v for v in bench.app.extensions["admin"][0]._views if v.endpoint == "child")
    args = {str(g.label): f["arg"] for g in view._filter_groups.values() for f in g.filters}
    fragment = child.name[1:3] if len(child.name) > 2 else child.name[:2]
    last_month = f"{local_today().replace(day=1) - timedelta(days=1):%Y-%m}"  # last month
    # The demo's open 慰问 round, over every Home (seed.giving).
    open_round = db.session.scalar(sa.select(CareRound.id).where(CareRound.closed_on.is_(None))
                                   .limit(1))
    pages = [
        ("children list, page 1", "bench_county", "/admin/child/"),
        ("children list, page 1,000", "bench_county", "/admin/child/?page=999&page_size=20"),
        (f"search: two characters ({fragment})", "bench_county",
         f"/admin/child/?search={fragment}"),
        ("search: full ID number", "bench_county", f"/admin/child/?search={child.id_number}"),
        ("filter: Home and living arrangement", "bench_county",
         f"/admin/child/?flt0_{args['儿童之家']}={home_id}"
         f"&flt1_{args['生活方式']}={LivingArrangement.GRANDPARENTS.name}"),
        ("sort by birth date", "bench_county", "/admin/child/?sort=2"),
        ("sort by Home, descending", "bench_county", "/admin/child/?sort=3&desc=1"),
        ("child's details (archive card)", "bench_county",
         f"/admin/child/details/?id={child.id}"),
        ("child's edit form", "bench_county", f"/admin/child/edit/?id={child.id}"),
        ("month calendar, all Homes", "bench_county",
         f"/admin/calendar/?month={local_today():%Y-%m}"),
        ("five-ones follow-up, one Home", "bench_county",
         f"/admin/followup/?home={home_id}"),
        (f"five-ones follow-up, a township ({township}: totals by Home)", "bench_county",
         f"/admin/followup/?township={township}"),
        ("scorecard, the county, last month", "bench_county",
         f"/admin/scorecard/?period={last_month}"),
        ("scorecard, the county, last month, counted again", "bench_county",
         f"/admin/scorecard/?period={last_month}&again=1"),
        (f"scorecard, a township ({township}), last month", "bench_county",
         f"/admin/scorecard/?period={last_month}&township={township}"),
        (f"overdue duties, a township ({township})", "bench_county",
         f"/admin/reminders/?township={township}"),
        ("overview, county staff", "bench_county", "/admin/"),
        ("overview, county staff, counted again", "bench_county", "/admin/?again=1"),
        ("my children, volunteer", "bench_volunteer", "/admin/my-children/"),
        # Every other list a county grows: page 1 in its default order.
        ("guardians list", "bench_county", "/admin/guardian/"),
        ("parents list", "bench_county", "/admin/parent_contact/"),
        ("caring mothers list", "bench_county", "/admin/volunteer/"),
        ("pairings list", "bench_county", "/admin/pairing/"),
        ("care records list", "bench_county", "/admin/care_record/"),
        ("activities list", "bench_county", "/admin/activity/"),
        ("stock movements list", "bench_county", "/admin/stock_movement/"),
        ("care record's edit form", "bench_county", f"/admin/care_record/edit/?id={record}"),
        ("慰问 round over every Home, county staff", "bench_county",
         f"/admin/care_round/details/?id={open_round}&home={home_id}"),
        ("donors, county staff", "bench_county", "/admin/donors/"),
    ]
    return pages, {"child": child, "home_id": home_id, "args": args, "fragment": fragment,
                   "township": township}


def measure(url: str) -> tuple[list, list, dict]:
    from admin_app.reports.calendar import COLUMNS as CALENDAR_COLUMNS
    from models import CareRecord, Child, Home
    from models.calendar import month_activities

    before = cpu_reference()
    bench = Bench(url)
    db = bench.db
    counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for name, model in (("children", Child), ("care records", CareRecord),
                                  ("homes", Home))}
    pages, chosen = page_list(bench)
    child, home_id, args, fragment = (chosen[k] for k in ("child", "home_id", "args",
                                                          "fragment"))
    page_rows = []
    for name, who, path in pages:
        page_rows.append((name, bench.page(who, path)))
        print(name, {k: round(v, 1) for k, v in page_rows[-1][1].items()}, flush=True)
    peer_rows = against_the_peer(bench, url, child, home_id, fragment, args)

    year = local_today().year
    month = local_today().replace(day=1)
    # The first date-range filter is "between" (the next one is "not between").
    care_args = {}
    for g in next(v for v in bench.app.extensions["admin"][0]._views
                  if v.endpoint == "care_record")._filter_groups.values():
        for f in g.filters:
            care_args.setdefault(str(g.label) + str(f["type"]), f["arg"])
    last = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    period = f"{month:%Y-%m-%d}+to+{last - timedelta(days=1):%Y-%m-%d}"
    exports = [
        ("roster, every child", "/admin/child/export/xlsx/", roster_plain(), 39,
         grouped_rows),
        # Its floor: the details sheet's rows (the export's own query for the whole year,
        # with the date, weekday and volunteers it writes besides, bench.floor.calendar_rows)
        # written straight; the export draws a wall sheet for each month on top of them.
        (f"calendar, year {year}", f"/admin/calendar/export.xlsx?year={year}",
         month_activities(date(year, 1, 1), date(year, 12, 31), None, CALENDAR_COLUMNS), 13,
         calendar_rows),
        ("care records, this month",
         f"/admin/care_record/export/xlsx/?flt0_{care_args['日期daterangepicker']}={period}",
         care_records_plain(month, last), 9, query_rows),
    ]
    export_rows = []
    for name, path, query, columns, rows in exports:
        result = bench.export("bench_county", path, query, columns, rows)
        export_rows.append((name, result))
        print(name, result, flush=True)
    memory = export_memory(bench)
    return page_rows, export_rows, {**counts, **memory, "cpu": (before, cpu_reference()),
                                    "peer": peer_rows}


def export_memory(bench: Bench) -> dict:
    """Peak memory of the roster builder at 1,000 rows and at every row."""
    from admin_app.access import SYSTEM
    from admin_app.reports.records import roster_workbook
    from models import Child

    peaks = {}
    for label, limit in (("1,000", 1000), ("all", None)):
        ids = sa.select(Child.id)
        if limit:
            ids = ids.order_by(Child.id).limit(limit)
        tracemalloc.start()
        book, count = roster_workbook(ids.subquery().select(), SYSTEM, "bench")
        book.close().close()
        peaks[label] = (count, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return {"memory": peaks}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--homes", type=int, default=200)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=40_000)
    parser.add_argument("--only", choices=("all", "pages", "import", "uploads", "postgresql",
                                           "backup", "peer"),
                        default="all", help="pages: the pages and exports (no backup); "
                        "postgresql: the same on BENCH_DATABASE_URL only")
    options = parser.parse_args()
    from bench.backup import report_section as backup_section
    from bench.import_roster import report_section as import_section
    from bench.refused_uploads import report_section as uploads_section

    # The sections measured in processes of their own, each its own part of the report.
    for key, section in (("uploads", uploads_section),
                         ("import", lambda: import_section(options.import_rows))):
        if options.only in ("all", key):
            body = section()
            print(body)
            write_report({key: body})
            if options.only == key:
                return 0
    CACHE.mkdir(parents=True, exist_ok=True)
    targets = {"sqlite": f"sqlite:///{CACHE / f'county-{options.children}.db'}"}
    if options.only == "postgresql":
        if not os.environ.get("BENCH_DATABASE_URL"):
            parser.error("--only postgresql needs BENCH_DATABASE_URL")
        targets = {}
    if os.environ.get("BENCH_DATABASE_URL"):
        targets["postgresql"] = os.environ["BENCH_DATABASE_URL"]
    sections = {}
    failed = False
    if options.only == "peer":
        for url in targets.values():
            build(url, options.homes, options.children)
        body = peer_section(targets)
        print(body)
        write_report({"peer": body})
        return 0
    if options.only == "backup":
        for url in targets.values():
            build(url, options.homes, options.children)
        body = backup_section(targets)
        write_report({"backup": body})
        return 0
    for name, url in targets.items():
        took = build(url, options.homes, options.children)
        pages, exports, facts = measure(url)
        rss = {kind: export_rss(kind, url) for kind in ("ours", "peer")}
        small, full = facts["memory"]["1,000"], facts["memory"]["all"]
        margin = full[1] / small[1]
        # Flat memory: a hundred times the rows within 1.5× or 8 MiB of the small export.
        flat = margin <= 1.5 or full[1] - small[1] <= 8
        failed |= not flat
        body = "\n".join([
            f"### {name}",
            "",
            f"Date {local_today()}; {platform.machine()}, {os.cpu_count()} cores; Python "
            f"{platform.python_version()}; SQLAlchemy {sa.__version__}.",
            f"Command: `make bench` (`python bench/run.py --homes {options.homes} "
            f"--children {options.children}`"
            + (", with BENCH_DATABASE_URL" if name == "postgresql" else "") + ").",
            f"Database: {facts['homes']} Homes, {facts['children']:,} children, "
            f"{facts['care records']:,} care records"
            + (f"; built in {took:.0f} s." if took else " (cached build)."),
            "Each page: 3 warm-up requests, then 30 timed, signed in as county-level staff "
            "(the volunteer's page as a caring mother). Each export: it and its floor "
            "(the same cells from one plain SELECT, no subquery, in primary-key order, "
            "written with plain XlsxWriter in constant-memory mode; bench/floor.py) timed "
            "in turn, 5 times each; medians of the wall time and of the process's CPU "
            "time (the ratio is CPU's: on PostgreSQL the server's work is in the wall time "
            "only). Peak MiB (Python): tracemalloc's peak of Python's allocations in one "
            "more run; the process's resident memory is measured below (bench/rss.py).",
            f"CPU reference (a fixed Python loop, best of 5; lower is a faster machine): "
            f"{facts['cpu'][0]:.0f} ms before the run, {facts['cpu'][1]:.0f} ms after.",
            "",
            table(pages, exports),
            "",
            "Against vanilla Flask-Admin 2.2.1 in the same run (bench/peer.py: one plain "
            "ModelView of the children, 14 columns, search on name and ID number, filters "
            "on Home and gender, xlsx export; no sign-in, access rule, masking or audit). "
            "Each page: 3 warm-ups, then ours and the peer's in turn, 30 times; medians; "
            "ratio = ours / peer (below 1: ours is faster).",
            "",
            peer_table(facts["peer"]),
            "",
            f"Roster builder peak memory (Python allocations, tracemalloc): "
            f"{small[0]:,} rows {small[1]:.1f} MiB, {full[0]:,} rows {full[1]:.1f} MiB — "
            f"{margin:.2f}×, +{full[1] - small[1]:.1f} MiB "
            f"({'flat' if flat else 'NOT flat'}: the margin is 1.5× or 8 MiB).",
            "",
            rss_lines(rss),
        ])
        sections[name] = body
        print(body)
    if options.only == "all":  # --only pages, --only postgresql: the pages and exports
        sections["backup"] = backup_section(targets)
    write_report(sections)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
