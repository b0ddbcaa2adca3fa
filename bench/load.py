"""`make load`: the app under gunicorn (two instances, several workers each) on PostgreSQL,
sharing one database, one secret key, one set of data keys and one rate-limit store (redis),
driven by locust as LOAD_USERS signed-in users of mixed roles (bench/locustfile.py) for a
bounded time. First it checks that a session made on one instance is served by the other
and that signing out on one ends it on both. Writes its figures into BENCHMARKS.md.
Everything stays on 127.0.0.1.

    python bench/load.py [--users 50] [--seconds 120] [--homes 40] [--children 8000]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.base import local_today  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "load password 1"
PORTS = (8101, 8102)
SIGN_IN = "/login [POST]"  # not a page: the password hash's cost, deliberately slow


def fresh_database(url: str) -> None:
    target = sa.engine.make_url(url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def accounts(env: dict, users: int) -> dict[str, int]:
    """Load accounts: caring mothers with children, staff of Homes, county supervisors."""
    from models.enums import Role

    os.environ.update(env)
    from admin_app import create_app
    from admin_app.extensions import db
    from models import Home, Pairing, User

    app = create_app()
    made = {"volunteer": 0, "staff": 0, "supervisor": 0}
    with app.app_context():
        volunteers = db.session.scalars(sa.select(Pairing.volunteer_id).where(
            Pairing.ended_on.is_(None)).distinct().limit(users)).all()
        homes = db.session.scalars(sa.select(Home.id).order_by(Home.id)).all()
        for n in range(1, users + 1):
            for role, extra in (("volunteer", {"role": Role.VOLUNTEER,
                                               "volunteer_id": volunteers[n % len(volunteers)]}),
                                ("staff", {"role": Role.STAFF, "home_id": homes[n % len(homes)]}),
                                ("supervisor", {"role": Role.SUPERVISOR})):
                if role == "volunteer" and n > len(volunteers):
                    continue
                user = User(username=f"load_{role}_{n}", active=True, **extra)
                user.set_password(PASSWORD)
                db.session.add(user)
                made[role] += 1
        db.session.commit()
    return made


def start(env: dict, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the app on port {port} did not start")


def session_check() -> list[str]:
    """A session made on one instance works on the other; sign-out on one ends it on both."""
    import re

    problems = []
    first, second = (f"http://127.0.0.1:{port}" for port in PORTS)
    browser = requests.Session()
    page = browser.get(f"{first}/login")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    signed = browser.post(f"{first}/login", allow_redirects=False, data={
        "username": "load_staff_1", "password": PASSWORD,
        "csrf_token": token.group(1) if token else ""})
    if signed.status_code != 302:
        problems.append(f"sign-in on {first} answered {signed.status_code}")
    other = browser.get(f"{second}/admin/child/", allow_redirects=False)
    if other.status_code != 200:
        problems.append(f"the session from {first} was refused by {second} ({other.status_code})")
    page = browser.get(f"{second}/admin/child/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    browser.post(f"{second}/logout", data={"csrf_token": token.group(1) if token else ""})
    copy = requests.Session()
    copy.cookies.update(signed.cookies)
    after = copy.get(f"{first}/admin/child/", allow_redirects=False)
    if after.status_code != 302:
        problems.append(f"after signing out on {second}, {first} still served the session")
    return problems


def run_locust(env: dict, users: int, seconds: int, prefix: Path) -> None:
    subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
         "--users", str(users), "--spawn-rate", "10", "--run-time", f"{seconds}s",
         "--host", f"http://127.0.0.1:{PORTS[0]}", "--csv", str(prefix), "--only-summary",
         "--loglevel", "WARNING"],
        cwd=ROOT, env={**env, "LOAD_HOSTS": ",".join(f"http://127.0.0.1:{p}" for p in PORTS),
                       "LOAD_PASSWORD": PASSWORD, "LOAD_SAMPLES": f"{prefix}_samples.tsv"},
        check=False)


def percentile(sorted_times: list[float], share: float) -> float:
    """The nearest-rank percentile of times already sorted."""
    return sorted_times[max(0, math.ceil(share * len(sorted_times)) - 1)]


def grouped(prefix: Path, signed_in: bool = False) -> tuple[dict, dict]:
    """From every request's sample (bench/locustfile.py): the times per page kind and per
    role, sorted, with the failures of each; `signed_in`: only the requests that ended
    after the last user's sign-in (50 password hashes at once saturate two cores for
    half a minute: the start of a working day, not its afternoon)."""
    kinds: dict[str, list] = {}
    roles: dict[str, list] = {}
    with open(f"{prefix}_samples.tsv") as handle:
        samples = [line.rstrip("\n").split("\t") for line in handle]
    begun = max((float(at) for _, name, _, _, at in samples if name == SIGN_IN),
                default=0.0) if signed_in else 0.0
    for role, name, ms, failed, at in samples:
        if float(at) > begun:
            for groups, key in ((kinds, name), (roles, role or "?")):
                entry = groups.setdefault(key, [[], 0])
                entry[0].append(float(ms))
                entry[1] += int(failed)
    for groups in (kinds, roles):
        for entry in groups.values():
            entry[0].sort()
    return kinds, roles


def percentile_rows(groups: dict, label: str, limit: float | None) -> list[str]:
    lines = [f"| {label} | requests | failures | p50 ms | p95 ms | p99 ms |"
             + (" p95 < 500 ms |" if limit else ""),
             "|---|---:|---:|---:|---:|---:|" + ("---|" if limit else "")]
    for key in sorted(groups):
        times, failed = groups[key]
        p95 = percentile(times, 0.95)
        verdict = ""
        if limit:
            verdict = (" — (hashing the password: its cost is chosen, once a session) |"
                       if key == SIGN_IN else " yes |" if p95 < limit else " NO |")
        lines.append(f"| {key} | {len(times)} | {failed} | {percentile(times, 0.50):.0f} | "
                     f"{p95:.0f} | {percentile(times, 0.99):.0f} |{verdict}")
    return lines


def report(prefix: Path, options, made: dict, problems: list[str]) -> tuple[str, int]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures = int(total["Failure Count"])
    lines = [
        "### load (PostgreSQL, gunicorn, locust)", "",
        f"Date {local_today()}; {platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}. Command: `make load` (`python bench/load.py --users "
        f"{options.users} --seconds {options.seconds} --homes {options.homes} --children "
        f"{options.children} --workers {options.workers}`).",
        f"Two app instances (ports {PORTS[0]}, {PORTS[1]}), {options.workers} gunicorn "
        f"workers each, one PostgreSQL database on 127.0.0.1, rate limits in redis; "
        f"{options.users} users ({made['volunteer']} caring mothers, {made['staff']} staff, "
        f"{made['supervisor']} supervisors made; locust weights 5:3:2), "
        f"{options.seconds} s after a ramp of 10 users a second.",
        "Session shared by both instances and ended on both by one sign-out: "
        + ("yes." if not problems else "NO — " + "; ".join(problems)), "",
        "| request | count | failures | median ms | p95 ms | p99 ms | per second |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                     f"{row['50%']} | {row['95%']} | {row['99%']} | "
                     f"{float(row['Requests/s']):.1f} |")
    kinds, roles = grouped(prefix)
    steady, steady_roles = grouped(prefix, signed_in=True)
    lines += ["", "Each request's own time (bench/locustfile.py records them all), nearest-rank "
              "percentiles per page kind and per role of the user who asked (locust's table "
              "above rounds them). The whole run, sign-ins included:", "",
              *percentile_rows(kinds, "page kind", 500), "",
              *percentile_rows(roles, "role", None), "",
              "Once every user has signed in (the requests that ended after the last "
              "sign-in: 50 password hashes within seconds hold both cores for half a minute, "
              "as at the start of a working day):", "",
              *percentile_rows(steady, "page kind", 500), "",
              *percentile_rows(steady_roles, "role", None)]
    return "\n".join(lines), failures + len(problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 50)))
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--homes", type=int, default=40)
    parser.add_argument("--children", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=3)
    options = parser.parse_args()
    from models.sealed import new_key_file_content

    url = os.environ.get("LOAD_DATABASE_URL",
                         "postgresql://postgres@127.0.0.1:5432/children_home_load")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
           "DATA_KEYS": json.dumps(new_key_file_content()), "DEMO_MODE": "1",
           "RATELIMIT_STORAGE_URI": os.environ.get("LOAD_REDIS", "redis://127.0.0.1:6379/15"),
           "DAILY_EXPORT_LIMIT": "100000"}
    fresh_database(url)
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo", "--homes", str(options.homes), "--children",
          str(options.children), "--no-accounts")
    made = accounts(env, options.users)
    servers = [start(env, port, options.workers) for port in PORTS]
    try:
        for port in PORTS:
            wait_for(port)
        problems = session_check()
        prefix = ROOT / "bench" / ".cache" / "load"
        prefix.parent.mkdir(parents=True, exist_ok=True)
        run_locust(env, options.users, options.seconds, prefix)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    body, errors = report(prefix, options, made, problems)
    print(body)
    from bench.report import write_report

    write_report({"load": body})
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
