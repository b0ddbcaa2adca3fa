"""`make bench`: county-scale figures for BENCHMARKS.md. Not part of the test suite.

Builds (once, then cached) a county database with the seed command, then measures, in
process through Flask's test client, the pages staff use most and the exports, with the
number of SQL queries of each, and writes the table into BENCHMARKS.md. SQLite always;
PostgreSQL too when BENCH_DATABASE_URL is set (that database is rebuilt when its size is
not the one asked for).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
sys.path.insert(0, str(ROOT))

from bench.floor import (  # noqa: E402
    calendar_rows,
    care_records_plain,
    floor_peak,
    floor_seconds,
    grouped_rows,
    query_rows,
    roster_plain,
)
from bench.peer import table as peer_table  # noqa: E402
from bench.report import cpu_reference, table, write_report  # noqa: E402
from models.base import local_today  # noqa: E402

PASSWORD = "bench password 1"


def flask(*args: str, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEMO_MODE": "1"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def schema_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def build(url: str, homes: int, children: int) -> float | None:
    """Seed the database unless it already holds this county at the current schema;
    returns the seconds taken."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            have = conn.execute(sa.text("SELECT count(*) FROM child")).scalar()
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        have = revision = None
    if have == children and revision == schema_head():
        return None
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
    started = time.perf_counter()
    flask("db", "upgrade", url=url)
    flask("seed", "demo", "--homes", str(homes), "--children", str(children), "--no-accounts",
          url=url)
    return time.perf_counter() - started


class Bench:
    def __init__(self, url: str) -> None:
        from flask.testing import FlaskClient

        from admin_app import create_app

        class FreshContextClient(FlaskClient):
            # Each request in an app context of its own, as in a server (fresh `g`).
            def open(self, *args, **kwargs):
                with self.application.app_context():
                    return super().open(*args, **kwargs)

        self.app = create_app({
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "LOGIN_THROTTLE": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "DAILY_EXPORT_LIMIT": 10_000,
        })
        self.app.test_client_class = FreshContextClient
        gc.collect()
        gc.freeze()  # as wsgi.py does after start-up
        self.ctx = self.app.app_context()
        self.ctx.push()
        from admin_app.extensions import db

        self.db = db
        self.queries = 0
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        self.users = self._users()

    def _count(self, *args) -> None:
        self.queries += 1

    def _users(self) -> dict:
        from models import Home, Pairing, User
        from models.enums import Role

        db = self.db
        volunteer_id = db.session.scalar(sa.select(Pairing.volunteer_id).limit(1))
        # A township's supervisor: the first Home's township (a province's township roster).
        township = db.session.scalar(sa.select(Home.township).order_by(Home.id).limit(1))
        wanted = {"bench_county": (Role.STAFF, None, None),
                  "bench_volunteer": (Role.VOLUNTEER, volunteer_id, None),
                  "bench_township": (Role.SUPERVISOR, None, township)}
        for username, (role, volunteer, place) in wanted.items():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            if user is None:
                user = User(username=username, role=role, volunteer_id=volunteer,
                            township=place, active=True)
                user.set_password(PASSWORD)
                db.session.add(user)
        db.session.commit()
        return {name: self._client(name) for name in wanted}

    def _client(self, username: str):
        client = self.app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        return client

    def page(self, who: str, url: str, runs: int = 30, warm: int = 3) -> dict:
        client = self.users[who]
        for _ in range(warm):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            self.queries = 0
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return {"median": statistics.median(times),
                "p95": times[max(0, round(0.95 * len(times)) - 1)], "queries": self.queries}

    def export(self, who: str, url: str, floor_query=None, columns: int = 0,
               floor_rows=query_rows, runs: int = 5) -> dict:
        """The export and its floor (the same cells from one plain SELECT written straight,
        bench.floor) timed in turn, `runs` times each, so that both meet the same minutes of
        this machine (its speed drifts by half within minutes): medians of the wall time
        and of this process's CPU time (on PostgreSQL the server's work is in the wall time
        only). Then once more under tracemalloc for the peak of Python's allocations (it
        slows Python down several times, so the two are not measured together)."""
        client = self.users[who]

        def timed() -> tuple[float, float, object]:
            approved = self._approved(who, url)
            self.queries = 0
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(approved)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert response.status_code == 200, (url, response.status_code)
            return wall, cpu, response

        exports, floors = [], []
        for _ in range(runs):
            wall, cpu, response = timed()
            exports.append((wall, cpu))
            queries = self.queries
            if floor_query is not None:
                floors.append(floor_seconds(self.db.session, floor_query, columns, floor_rows))
        approved = self._approved(who, url)
        tracemalloc.start()
        client.get(approved)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        result = {"seconds": statistics.median(w for w, _ in exports),
                  "cpu": statistics.median(c for _, c in exports), "runs": runs,
                  "peak_mib": peak / 2**20, "queries": queries, "bytes": len(response.data),
                  "floor": None}
        if floors:
            result["floor"] = {"seconds": statistics.median(w for w, _ in floors),
                               "cpu": statistics.median(c for _, c in floors),
                               "peak_mib": floor_peak(self.db.session, floor_query, columns,
                                                      floor_rows)}
        return result

    def _approved(self, who: str, url: str) -> str:
        """An export of sensitive columns needs an approved request: made here directly,
        as the designated person would approve it (the approval is not what is timed)."""
        from urllib.parse import parse_qs, urlsplit

        from models import ExportRequest, User
        from models.consent import ExportState

        response = self.users[who].get(url)
        if response.status_code != 302 or "/export-requests/ask" not in response.location:
            return url
        asked = parse_qs(urlsplit(response.location).query)
        user = self.db.session.scalar(sa.select(User).where(User.username == who))
        item = ExportRequest(user_id=user.id, home_id=user.home_id, endpoint=asked["list"][0],
                             query=asked.get("query", [""])[0], reason="benchmark",
                             state=ExportState.APPROVED, decided_by_id=user.id,
                             decided_on=local_today())
        self.db.session.add(item)
        self.db.session.commit()
        return url + ("&" if "?" in url else "?") + f"approved={item.id}"


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
    for name, who, url in pages:
        page_rows.append((name, bench.page(who, url)))
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
    for name, url, query, columns, rows in exports:
        result = bench.export("bench_county", url, query, columns, rows)
        export_rows.append((name, result))
        print(name, result, flush=True)
    memory = export_memory(bench)
    return page_rows, export_rows, {**counts, **memory, "cpu": (before, cpu_reference()),
                                    "peer": peer_rows}


def against_the_peer(bench: Bench, url: str, child, home_id: int, rare: str,
                     args: dict) -> list:
    """Our children list against vanilla Flask-Admin's (bench.peer) for the same questions,
    paired run by run; the roster export against the peer's once each (a long export)."""
    from bench.peer import filter_arg, paired, peer_app
    from models import Child, Home
    from models.enums import Gender

    db = bench.db
    # A common fragment beside the rare one of the table above: the demo's names are a
    # surname and one or two characters, so no two characters name hundreds of children;
    # the commonest given character does (about a thousand in 100,000).
    given = sa.func.substr(Child.name, 2, 1)
    common, many = db.session.execute(
        sa.select(given, sa.func.count()).group_by(given).order_by(sa.func.count().desc())
        .limit(1)).one()
    few = db.session.scalar(sa.select(sa.func.count()).select_from(Child)
                            .where(Child.name.contains(rare)))
    home_name = db.session.get(Home, home_id).name
    app = peer_app(url)
    peer = app.test_client()
    ours = bench.users["bench_county"]
    home_arg, gender_arg = filter_arg(app, "home"), filter_arg(app, "gender")
    questions = [
        ("children list, page 1", "/admin/child/", "/admin/child/"),
        ("children list, page 1,000", "/admin/child/?page=999&page_size=20",
         "/admin/child/?page=999"),
        (f"search: a common character ({common}, {many:,} children)",
         f"/admin/child/?search={common}", f"/admin/child/?search={common}"),
        (f"search: a rare fragment ({rare}, {few:,} children)", f"/admin/child/?search={rare}",
         f"/admin/child/?search={rare}"),
        ("search: full ID number", f"/admin/child/?search={child.id_number}",
         f"/admin/child/?search={child.id_number}"),
        ("filter: Home and gender",
         f"/admin/child/?flt0_{args['儿童之家']}={home_id}&flt1_{args['性别']}="
         f"{Gender.FEMALE.name}",
         f"/admin/child/?flt0_{home_arg}={home_name}&flt1_{gender_arg}={Gender.FEMALE.name}"),
        ("sort by birth date", "/admin/child/?sort=2", "/admin/child/?sort=2"),
        ("child's edit form", f"/admin/child/edit/?id={child.id}",
         f"/admin/child/edit/?id={child.id}"),
    ]
    rows = []
    for name, our_url, peer_url in questions:
        for client, target in ((ours, our_url), (peer, peer_url)):
            answer = client.get(target)
            assert answer.status_code == 200, (target, answer.status_code)
        result = paired(lambda u=our_url: ours.get(u), lambda u=peer_url: peer.get(u))
        rows.append((name, result))
        print("against the peer:", name, {k: round(v, 2) for k, v in result.items()},
              flush=True)
    # The long exports in turn, 5 times each: medians of the wall time.
    ours_took, peer_took = [], []
    for _ in range(5):
        approved = bench._approved("bench_county", "/admin/child/export/xlsx/")
        started = time.perf_counter()
        assert ours.get(approved).status_code == 200
        ours_took.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert peer.get("/admin/child/export/xlsx/").status_code == 200
        peer_took.append(time.perf_counter() - started)
    our_export, peer_export = statistics.median(ours_took), statistics.median(peer_took)
    rows.append(("roster export, every child (s, median of 5 each)",
                 {"ours": our_export, "peer": peer_export, "ratio": our_export / peer_export}))
    print("against the peer: export", our_export, peer_export, flush=True)
    return rows


def peer_section(targets: dict) -> str:
    """`--only peer`: our children list and roster export against vanilla Flask-Admin's, and
    both exports' memory in fresh processes, on each (already built) county."""
    from models import CareRecord, Child

    parts = ["### against vanilla Flask-Admin 2.2.1 (issue 25)", "",
             f"Date {local_today()}. Command: `python bench/run.py --only peer` (in `make "
             "bench` too, under each database's section). bench/peer.py: one plain ModelView "
             "of the children, 14 columns, search on name and ID number, filters on Home and "
             "gender, xlsx export (tablib); no sign-in, access rule, masking or audit. Each "
             "page: 3 warm-ups, then ours (signed in as county staff) and the peer's in turn, "
             "30 times; medians; ratio = ours / peer (below 1: ours is faster)."]
    for name, url in targets.items():
        before = cpu_reference()
        bench = Bench(url)
        db = bench.db
        child = db.session.scalar(
            sa.select(Child).where(Child.id_number.is_not(None),
                                   sa.exists().where(CareRecord.child_id == Child.id))
            .order_by(Child.id).limit(1))
        view = next(v for v in bench.app.extensions["admin"][0]._views
                    if v.endpoint == "child")
        args = {str(g.label): f["arg"] for g in view._filter_groups.values() for f in g.filters}
        fragment = child.name[1:3] if len(child.name) > 2 else child.name[:2]
        rows = against_the_peer(bench, url, child, child.home_id, fragment, args)
        bench.ctx.pop()
        rss = {kind: export_rss(kind, url) for kind in ("ours", "peer")}
        parts += ["", f"#### {name}", "",
                  f"CPU reference: {before:.0f} ms before, {cpu_reference():.0f} ms after.", "",
                  peer_table(rows), "", rss_lines(rss)]
    return "\n".join(parts)


def export_rss(kind: str, url: str) -> dict:
    """The roster export (ours, or the peer's) in a fresh process: bench/rss.py."""
    import json

    done = subprocess.run([sys.executable, str(ROOT / "bench" / "rss.py"), kind, url],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rss_lines(rss: dict) -> str:
    mib = 2**20
    lines = ["Every child's roster export in a fresh process (bench/rss.py; one run each): "
             "resident memory once started, the peak (VmHWM), and the anonymous part "
             "(RssAnon, the heap; SQLite's memory map is file-backed, shared page cache) "
             "sampled every 10 ms during the export.", "",
             "| export | seconds | MB written | RSS at start MiB | peak RSS MiB | "
             "anonymous at start MiB | anonymous peak MiB | anonymous growth MiB |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind, label in (("ours", "ours (/admin/child/export/xlsx/)"),
                        ("peer", "vanilla Flask-Admin 2.2.1 (tablib)")):
        r = rss[kind]
        lines.append(f"| {label} | {r['seconds']:.1f} | {r['bytes'] / 1e6:.1f} | "
                     f"{r['rss_before'] / mib:.0f} | {r['peak_rss'] / mib:.0f} | "
                     f"{r['anon_before'] / mib:.0f} | {r['anon_peak'] / mib:.0f} | "
                     f"{(r['anon_peak'] - r['anon_before']) / mib:+.0f} |")
    return "\n".join(lines)


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
                        default="all", help="postgresql: the pages and exports on "
                        "BENCH_DATABASE_URL only")
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
    sections["backup"] = backup_section(targets)
    write_report(sections)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
