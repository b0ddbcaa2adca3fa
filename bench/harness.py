"""The harness every benchmark shares: the county database built once (and kept) by the
seed command, and `Bench`, the app in process with its signed-in accounts, timing pages and
exports through Flask's test client and counting their SQL queries."""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
sys.path.insert(0, str(ROOT))

from bench.floor import floor_peak, floor_seconds, query_rows  # noqa: E402
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
