"""Fixtures: a fresh database per run (SQLite file, or a new PostgreSQL database when
TEST_DATABASE_URL is set), the app built on it by the migrations, factories for records,
signed-in clients per role, and a query counter."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from admin_app import create_app
from admin_app.extensions import db as _db
from models import (
    Activity,
    CareRecord,
    Child,
    Guardian,
    Home,
    Pairing,
    ParentContact,
    ResourceItem,
    StockMovement,
    User,
    Volunteer,
)
from models.duties import install_defaults
from models.enums import (
    CareKind,
    Gender,
    GuardianRelation,
    LeftBehindType,
    LivingArrangement,
    MovementKind,
    ParentRelation,
    Role,
    VolunteerKind,
)
from models.sealed import new_key_file_content

PASSWORD = "correct horse battery"
# The limiter's keys of this run apart from any other's on a shared store (redis in CI).
os.environ.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex[:12]}")


def wall_time(*parts: int) -> datetime:
    """A time on the Homes' wall clock (an activity's start, a workbook's cell): naive, as
    the app keeps it (models.activities.Activity.starts_at, admin_app.i18n.wall_clock)."""
    return datetime(*parts)  # noqa: DTZ001 (a wall-clock time carries no zone by design)


def _normalise(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@contextmanager
def fresh_database(folder: Path):
    """The URL of a new, empty database: SQLite in `folder`, or on the server named by
    TEST_DATABASE_URL a database of its own, dropped afterwards. No state carries over."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{folder / 'test.db'}"
        return
    server_url = make_url(_normalise(server))
    name = f"test_children_home_{uuid.uuid4().hex[:10]}"
    admin_engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


@contextmanager
def database_at(folder: Path, revision: str):
    """For a migration's test: an app on a new database of its own, upgraded to `revision`,
    inside its app context. The process-wide keyring (create_app sets it) is put back."""
    from flask_migrate import upgrade as upgrade_to

    from models import sealed

    previous = sealed.keyring().content()
    try:
        with fresh_database(folder) as url:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "migration",
                              "DATA_KEYS_CONTENT": new_key_file_content()})
            with app.app_context():
                upgrade_to(revision=revision)
                yield app
                _db.session.remove()
                _db.engine.dispose()
    finally:
        sealed.configure(previous)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (fresh `g`, own database session), as in a
    server, even while the test holds one open for its own queries."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # One test turns it on (test_auth); elsewhere tests sign in as often as they like.
        "LOGIN_THROTTLE": False,
        # tests/test_operations.py reads the request log of an app of its own.
        "REQUEST_LOG": False,
        # Keys of the encrypted columns made for this run, never the instance folder's.
        "DATA_KEYS_CONTENT": new_key_file_content(),
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def db(app):
    """Each test starts with empty tables (the schema stays) and an app context."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(_db.metadata.sorted_tables):
                    conn.execute(table.delete())
            # The duties of care the migration wrote: the five ones, as a county starts.
            install_defaults(conn)


class Factory:
    """Small builders with sensible defaults; every keyword overrides one field."""

    def __init__(self, session):
        self.session = session
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def _save(self, obj):
        self.session.add(obj)
        self.session.commit()
        return obj

    def home(self, **kw) -> Home:
        n = self._next()
        return self._save(Home(**{"name": f"测试{n}号留守儿童之家", "township": "城关镇",
                                  "village": "新联村", **kw}))

    def guardian(self, **kw) -> Guardian:
        home = kw.pop("home", None) or self.home()
        return self._save(Guardian(**{"home": home, "name": "李奶奶",
                                      "relation": GuardianRelation.GRANDMOTHER,
                                      "phone": "13800001111", "birth_year": 1955, **kw}))

    def child(self, **kw) -> Child:
        home = kw.pop("home", None) or self.home()
        return self._save(Child(**{
            "home": home, "name": f"王小{self._next()}", "gender": Gender.MALE,
            "birth_date": date(2015, 3, 12), "entered_on": date(2024, 9, 1),
            "left_behind_type": LeftBehindType.BOTH_PARENTS,
            "living_arrangement": LivingArrangement.GRANDPARENTS, **kw,
        }))

    def parent(self, child, **kw) -> ParentContact:
        return self._save(ParentContact(**{"child": child, "relation": ParentRelation.FATHER,
                                           "name": "王大明", "phone": "13912345678",
                                           "work_city": "深圳", **kw}))

    def volunteer(self, **kw) -> Volunteer:
        home = kw.pop("home", None) or self.home()
        return self._save(Volunteer(**{"home": home, "name": f"张妈妈{self._next()}",
                                       "gender": Gender.FEMALE, "phone": "13700002222",
                                       "kind": VolunteerKind.CARING_MOTHER,
                                       "joined_on": date(2024, 1, 1), **kw}))

    def pairing(self, volunteer, child, **kw) -> Pairing:
        return self._save(Pairing(**{"volunteer": volunteer, "child": child,
                                     "started_on": date(2024, 9, 1), **kw}))

    def care_record(self, child, **kw) -> CareRecord:
        return self._save(CareRecord(**{"child": child, "occurred_on": date(2025, 3, 1),
                                        "kind": CareKind.TALK, "notes": "谈心", **kw}))

    def activity(self, **kw) -> Activity:
        home = kw.pop("home", None) or self.home()
        start = kw.pop("starts_at", wall_time(2025, 6, 1, 15, 0))
        return self._save(Activity(**{"home": home, "title": "六一儿童节联欢",
                                      "starts_at": start, "ends_at": start + timedelta(hours=2),
                                      **kw}))

    def series(self, **kw):
        from datetime import time

        from models import ActivitySeries
        from models.series import sync_series

        home = kw.pop("home", None) or self.home()
        series = ActivitySeries(**{"home": home, "title": "手工兴趣小组", "weekdays": "2,4",
                                   "starts_at_time": time(15), "ends_at_time": time(17),
                                   "first_day": date(2026, 3, 2), "last_day": date(2026, 3, 31),
                                   **kw})
        self.session.add(series)
        sync_series(self.session, series)
        return self._save(series)

    def item(self, **kw) -> ResourceItem:
        home = kw.pop("home", None) or self.home()
        return self._save(ResourceItem(**{"home": home, "name": "儿童图书", "unit": "本", **kw}))

    def movement(self, item, **kw) -> StockMovement:
        return self._save(StockMovement(**{"item": item, "occurred_on": date(2025, 1, 5),
                                           "kind": MovementKind.DONATION, "quantity": 10, **kw}))

    def user(self, role: Role = Role.ADMIN, **kw) -> User:
        user = User(**{"username": f"user{self._next()}", "role": role, "active": True, **kw})
        user.set_password(kw.pop("password", PASSWORD))
        return self._save(user)


@pytest.fixture
def make(db):
    return Factory(db.session)


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def admin_client(app, make):
    user = make.user(Role.ADMIN, username="admin")
    client = app.test_client()
    response = sign_in(client, user.username)
    assert response.status_code == 302, response.text
    return client


@contextmanager
def count_queries(engine):
    """Counts the SQL statements run inside the block: `with count_queries(e) as q: ...;
    q.count`."""

    class Counter:
        count = 0
        statements: list[str] = []

    counter = Counter()
    counter.statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        counter.count += 1
        counter.statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def export_through_approval(client, url: str):
    """GET an export; when it needs an approved request (sensitive columns), ask for it with
    a purpose and, as the designated person would, approve it; then download."""
    from urllib.parse import parse_qs, urlsplit

    from models import ExportRequest
    from models.consent import ExportState

    response = client.get(url)
    if response.status_code != 302 or "/export-requests/ask" not in response.location:
        return response
    asked = parse_qs(urlsplit(response.location).query)
    answer = client.post("/admin/export-requests/ask", data={
        "list": asked["list"][0], "query": asked.get("query", [""])[0], "purpose": "report"})
    assert answer.status_code == 302, answer.text[-2000:]
    item = _db.session.scalars(sa.select(ExportRequest).order_by(ExportRequest.id.desc())).first()
    if item.state is ExportState.PENDING:
        item.state = ExportState.APPROVED
        _db.session.commit()
    return client.get(url + ("&" if "?" in url else "?") + f"approved={item.id}")


def saved_at_once(app, engine, add, writers: int = 2) -> list[str]:
    """`writers` sessions, each in a thread of its own, `add` a row to their session and
    commit at the same moment: what became of each ("saved", "refused", or the error a
    second SQLite writer may time out with). The threads never touch the test's session."""
    import threading

    from sqlalchemy.orm import Session

    from models.validators import InvalidValue

    barrier = threading.Barrier(writers, timeout=10)
    outcomes: list[str] = []

    def write() -> None:
        with app.app_context(), Session(engine) as session:
            add(session)
            barrier.wait()
            try:
                session.commit()
                outcomes.append("saved")
            except InvalidValue:
                session.rollback()
                outcomes.append("refused")
            except Exception as error:  # SQLite may time out the second writer instead
                session.rollback()
                outcomes.append(f"refused: {type(error).__name__}")

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
