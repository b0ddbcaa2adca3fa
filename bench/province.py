"""`make bench-province`: a province's million children (3,000 Homes) in one PostgreSQL
database, against the 100,000-child county measured in the same run. Reports the seed's
time, the database's and its indexes' sizes, every page's median on both (and the ratio),
and a township's roster export in a fresh process (time, peak and anonymous memory).

    python bench/province.py [--homes 3000] [--children 1000000]

PROVINCE_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/bench_province) and
BENCH_DATABASE_URL (the county; default …/bench_county) are built once and kept; the seed's
time is kept beside the cache so that a later run can still say it."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.against_peer import export_rss  # noqa: E402
from bench.harness import CACHE, Bench, build  # noqa: E402
from bench.report import cpu_reference, write_report  # noqa: E402
from bench.run import page_list  # noqa: E402
from models.base import local_today  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432/"
RUNS = 15


def sizes(url: str) -> dict:
    """The database's size on disk, its indexes', and its largest tables (with theirs)."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
        tables = conn.execute(sa.text(
            "SELECT relname, pg_table_size(c.oid), pg_indexes_size(c.oid), "
            "reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "ORDER BY pg_total_relation_size(c.oid) DESC")).all()
    engine.dispose()
    return {"total": total, "indexes": sum(t[2] for t in tables),
            "tables": [list(t) for t in tables[:6]]}


def medians(url: str) -> tuple[list, float, float]:
    """Every page of bench/run.py's list on `url`: 3 warm-ups, then RUNS timed; with the CPU
    reference before and after."""
    before = cpu_reference()
    bench = Bench(url)
    pages, _chosen = page_list(bench)
    found = []
    for name, who, path in pages:
        result = bench.page(who, path, runs=RUNS)
        found.append((name, result))
        print(url.rsplit("/", 1)[-1], name, {k: round(v, 1) for k, v in result.items()},
              flush=True)
    from admin_app.extensions import db

    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()
    bench.ctx.pop()
    gc.collect()
    return found, before, cpu_reference()


def report(options, took: float | None, size: dict, county: tuple, province: tuple,
           township: dict) -> str:
    mib = 2**20
    seed = f"{took / 60:.0f} min" if took else "—"
    lines = [
        "### a province on PostgreSQL (issue 25.5)", "",
        f"Date {local_today()}. Command: `make bench-province` (`python bench/province.py "
        f"--homes {options.homes} --children {options.children}`). Seeded by `flask seed "
        f"demo` in {seed}; the database {size['total'] / 2**30:.1f} GiB on disk, "
        f"{size['indexes'] / 2**30:.1f} GiB of it indexes. Largest tables (rows, table, "
        "indexes): " + "; ".join(
            f"{name} {rows:,} rows, {table / 2**30:.2f} + {index / 2**30:.2f} GiB"
            for name, table, index, rows in size["tables"]) + ".",
        f"Each page: 3 warm-ups, then {RUNS} timed, signed in as county-level staff, on the "
        "100,000-child county and then on the province in the same run (medians; ratio = "
        f"province / county). CPU reference: county {county[1]:.0f}–{county[2]:.0f} ms, "
        f"province {province[1]:.0f}–{province[2]:.0f} ms.", "",
        "| page | county median ms | province median ms | ratio | province queries |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    # The same pages in the same order (a search's fragment is each database's own child's).
    for (_, theirs), (name, mine) in zip(county[0], province[0], strict=True):
        lines.append(f"| {name} | {theirs['median']:.1f} | {mine['median']:.1f} | "
                     f"{mine['median'] / theirs['median']:.2f} | {mine['queries']} |")
    lines += ["", "A township's roster export on the province (the first Home's township, as "
              "its supervisor; bench/rss.py, a fresh process): "
              f"{township['seconds']:.1f} s, {township['bytes'] / 1e6:.1f} MB written, "
              f"peak RSS {township['peak_rss'] / mib:.0f} MiB, anonymous memory "
              f"{township['anon_before'] / mib:.0f} → {township['anon_peak'] / mib:.0f} MiB "
              f"({(township['anon_peak'] - township['anon_before']) / mib:+.0f})."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--homes", type=int, default=3000)
    parser.add_argument("--children", type=int, default=1_000_000)
    options = parser.parse_args()
    url = os.environ.get("PROVINCE_DATABASE_URL", SERVER + "bench_province")
    county_url = os.environ.get("BENCH_DATABASE_URL", SERVER + "bench_county")
    kept = CACHE / f"province-{options.children}.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    took = build(url, options.homes, options.children)
    if took is not None:
        kept.write_text(json.dumps({"seed_seconds": took}))
    elif kept.exists():
        took = json.loads(kept.read_text())["seed_seconds"]
    build(county_url, 200, 100_000)
    size = sizes(url)
    county = medians(county_url)
    province = medians(url)
    township = export_rss("township", url)
    body = report(options, took, size, county, province, township)
    print(body)
    write_report({"province": body})
    return 0


if __name__ == "__main__":
    sys.exit(main())
