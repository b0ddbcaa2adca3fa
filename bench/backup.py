"""`make bench` (alone: `python bench/run.py --only backup`): how long `flask backup create`
and `flask backup restore` take on the county, and how large the backup is, on each
database, beside their floors measured in the same run: for SQLite a plain copy of the
database file (which is not a consistent backup while people save records), for PostgreSQL
`pg_dump --format=custom` and `pg_restore` alone (no manifest, no counts, no checks).

Each figure is the median of RUNS wall-clock runs of the command as a county's IT person
runs it (a new process, the app's start-up included); the restore goes each time into a new
empty database (a new SQLite file; a new PostgreSQL database, dropped after).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def _flask(url: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": url, "REQUEST_LOG": "0"}, check=True,
                   stdout=subprocess.DEVNULL)


def _timed(action, *args, **kwargs) -> float:
    started = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - started


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir())


class _Databases:
    """New empty databases beside the county's: SQLite files in a temporary folder, or
    PostgreSQL databases on the same server."""

    def __init__(self, url: str, scratch: Path) -> None:
        self.url, self.scratch, self.made = url, scratch, []
        self.postgres = not url.startswith("sqlite")

    def new(self) -> str:
        if not self.postgres:
            return f"sqlite:///{self.scratch / f'restored-{uuid.uuid4().hex[:8]}.db'}"
        name = f"bench_restore_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return sa.engine.make_url(self.url).set(database=name).render_as_string(
            hide_password=False)

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.made:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _admin(self):
        url = self.url.replace("postgresql://", "postgresql+psycopg://", 1)
        return sa.create_engine(url, isolation_level="AUTOCOMMIT").connect()


def measure(url: str) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    databases = _Databases(url, scratch)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        children = conn.execute(sa.text("SELECT count(*) FROM child")).scalar()
        if databases.postgres:
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
        else:
            size = Path(url[len("sqlite:///"):]).stat().st_size
    engine.dispose()
    times = {"create": [], "restore": [], "floor create": [], "floor restore": []}
    backup_bytes = floor_bytes = 0
    try:
        for run in range(RUNS):
            folder = scratch / f"backup-{run}"
            times["create"].append(_timed(_flask, url, "backup", "create", "--output",
                                          str(folder)))
            backup_bytes = _folder_bytes(folder)
            times["restore"].append(_timed(_flask, databases.new(), "backup", "restore",
                                           str(folder)))
            floor = scratch / f"floor-{run}"
            if databases.postgres:
                libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
                times["floor create"].append(_timed(
                    subprocess.run, ["pg_dump", "--format=custom", f"--file={floor}",
                                     f"--dbname={libpq}"], check=True))
                empty = databases.new().replace("postgresql+psycopg://", "postgresql://", 1)
                times["floor restore"].append(_timed(
                    subprocess.run, ["pg_restore", "--no-owner", "--single-transaction",
                                     f"--dbname={empty}", str(floor)], check=True))
            else:
                source = Path(url[len("sqlite:///"):])
                times["floor create"].append(_timed(shutil.copyfile, source, floor))
                back = scratch / f"floor-back-{run}.db"
                times["floor restore"].append(_timed(shutil.copyfile, floor, back))
            floor_bytes = floor.stat().st_size
            for path in scratch.iterdir():
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
    finally:
        if databases.postgres:
            databases.drop_all()
        shutil.rmtree(scratch, ignore_errors=True)
    return {"children": children, "database_bytes": size, "backup_bytes": backup_bytes,
            "floor_bytes": floor_bytes,
            **{key: statistics.median(values) for key, values in times.items()},
            "spread": {key: (min(values), max(values)) for key, values in times.items()}}


def report_section(targets: dict[str, str]) -> str:
    floors = {"sqlite": "copying the database file", "postgresql": "pg_dump / pg_restore alone"}
    lines = [
        "### backup and restore (issue 24)",
        "",
        "Command: `make bench` (`python bench/run.py --only backup` alone). Wall-clock seconds "
        f"of `flask --app wsgi backup create` and `backup restore` as run by hand (a new "
        f"process each time, start-up included), median of {RUNS} runs (min–max beside); "
        "each restore into a new empty database. The floor, measured in the same run: "
        "SQLite, copying the file (not a consistent backup while people write); PostgreSQL, "
        "`pg_dump --format=custom` and `pg_restore --single-transaction` alone.",
        "",
        "| database | children | database MB | backup MB | create s | floor s | restore s | "
        "floor s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, url in targets.items():
        r = measure(url)
        spread = r["spread"]
        lines.append(
            f"| {name} ({floors[name]}) | {r['children']:,} | {r['database_bytes'] / 1e6:,.0f} "
            f"| {r['backup_bytes'] / 1e6:,.0f} "
            f"| {r['create']:.1f} ({spread['create'][0]:.1f}–{spread['create'][1]:.1f}) "
            f"| {r['floor create']:.1f} "
            f"| {r['restore']:.1f} ({spread['restore'][0]:.1f}–{spread['restore'][1]:.1f}) "
            f"| {r['floor restore']:.1f} |")
        print(lines[-1], flush=True)
    return "\n".join(lines)
