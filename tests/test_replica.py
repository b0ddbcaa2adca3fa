"""Long reads from a PostgreSQL streaming replica (admin_app/replica.py): an export is served
from the replica while it is current, every write stays on the primary, and a replica that
lags or is stopped is passed over for the primary.

The routing itself is tested on SQLite in every run (a copy of the database standing in
for the replica). The replica's tests need one: `.ci/run` makes a primary on port 5433 and
a replica of it with pg_basebackup on 5434, runs this file with TEST_DATABASE_URL (the
primary) and TEST_REPLICA_URL, then stops the replica and runs it again with
TEST_REPLICA_STOPPED=1."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import time
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from admin_app import create_app
from models import AuditEntry, Child, Home, sealed
from models.enums import AuditAction, Gender, LeftBehindType, LivingArrangement, Role
from tests.conftest import (
    PASSWORD,
    FreshContextClient,
    export_through_approval,
    sign_in,
)

REPLICA = os.environ.get("TEST_REPLICA_URL")
# What reads from the replica besides the lists' exports (admin_app/replica.py).
LONG_READS = ("/admin/scorecard/?again=1", "/admin/scorecard/export.xlsx",
              "/admin/reports/work-report/", "/admin/reports/work-report.xlsx",
              "/admin/reports/mca-summary.xlsx", "/admin/privacy/audit.xlsx",
              "/admin/calendar/export.xlsx", "/admin/followup/export.xlsx",
              "/admin/care_record/export/xlsx/")
STOPPED = os.environ.get("TEST_REPLICA_STOPPED") == "1"


def names_exported(client) -> set[str]:
    response = export_through_approval(client, "/admin/child/export/xlsx/")
    assert response.status_code == 200, response.text[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["花名册"]
    return {row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]}


def exports_on_the_primary(db) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == AuditAction.EXPORT))


def test_reads_in_the_block_go_elsewhere_and_the_requests_session_comes_back(app, db, make,
                                                                           tmp_path):
    """reading_from: in the block `db.session` is a session on the other database (a copy
    of the SQLite file stands in for the replica); the request's session, with a record it
    has not saved yet, is the same one after, and saves it to the primary."""
    from admin_app.replica import reading_from

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL replica is tested below, on a real one")
    home = make.home(name="甲之家")
    make.child(home=home, name="复制前")
    copy = tmp_path / "copy.db"
    with db.engine.connect() as conn:
        target = sqlite3.connect(copy)
        conn.connection.dbapi_connection.backup(target)
        target.close()
    elsewhere = sa.create_engine(f"sqlite:///{copy}")
    make.child(home=home, name="复制后")
    own = db.session()
    own.add(Child(name="未保存", home=home, gender=Gender.MALE, birth_date=date(2015, 3, 12),
                  entered_on=date(2024, 9, 1), left_behind_type=LeftBehindType.BOTH_PARENTS,
                  living_arrangement=LivingArrangement.GRANDPARENTS))
    with reading_from(elsewhere) as session:
        assert db.session() is session and session is not own
        assert set(db.session.scalars(sa.select(Child.name))) == {"复制前"}
    assert db.session() is own
    db.session.commit()
    assert set(db.session.scalars(sa.select(Child.name))) == {"复制前", "复制后", "未保存"}
    elsewhere.dispose()


def _replica_of(database_url: str) -> str:
    return make_url(REPLICA).set(database=make_url(database_url).database) \
        .render_as_string(hide_password=False)


@pytest.fixture
def replicated(app, database_url):
    """An app like the tests' own on the same primary database, reading long reads from its
    replica (or from a replica that is stopped)."""
    if not REPLICA:
        pytest.skip("needs a PostgreSQL replica (TEST_REPLICA_URL; .ci/run makes one)")
    served = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url, "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "LOGIN_THROTTLE": False,
        "REQUEST_LOG": False, "DATA_KEYS_CONTENT": sealed.keyring().content(),
        "DATABASE_REPLICA_URL": _replica_of(database_url), "REPLICA_MAX_LAG_S": 30,
    })
    served.test_client_class = FreshContextClient
    yield served
    with served.app_context():
        from admin_app.extensions import db

        for engine in db.engines.values():
            engine.dispose()


def caught_up(served, seconds: float = 30) -> None:
    """Until the replica has replayed what the primary has written."""
    from admin_app.extensions import db
    from admin_app.replica import lag_seconds

    deadline = time.monotonic() + seconds
    with served.app_context():
        while lag_seconds(db.engines["replica"]) != 0:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.2)


def on_replica(served, statement: str) -> None:
    with served.app_context():
        from admin_app.extensions import db

        with db.engines["replica"].connect() as conn:
            conn.execute(sa.text(statement))


def a_county(replicated, make):
    """A Home with one child, and the county's administrator signed in to `replicated`."""
    home = make.home(name="甲之家")
    make.child(home=home, name="早录入")
    client = replicated.test_client()
    assert sign_in(client, make.user(Role.ADMIN).username, PASSWORD).status_code == 302
    return home.id, client


def long_reads_answer(client) -> None:
    for url in LONG_READS:
        response = export_through_approval(client, url)
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.skipif(STOPPED, reason="the replica is stopped in this run")
def test_an_export_is_served_from_the_replica_while_it_is_current(replicated, db, make):
    home_id, client = a_county(replicated, make)
    caught_up(replicated)
    before = exports_on_the_primary(db)
    assert names_exported(client) == {"早录入"}
    # The export's entry in the access log is written on the primary.
    assert exports_on_the_primary(db) == before + 1
    # Replay paused: what the primary saves now is not on the replica, which is still
    # within REPLICA_MAX_LAG_S: the export is the replica's.
    on_replica(replicated, "SELECT pg_wal_replay_pause()")
    try:
        make.child(home=db.session.get(Home, home_id), name="后录入")
        db.session.commit()
        assert names_exported(client) == {"早录入"}
        # Further behind than allowed: the primary's.
        replicated.config["REPLICA_MAX_LAG_S"] = 0
        assert names_exported(client) == {"早录入", "后录入"}
    finally:
        on_replica(replicated, "SELECT pg_wal_replay_resume()")
    replicated.config["REPLICA_MAX_LAG_S"] = 30
    caught_up(replicated)
    assert names_exported(client) == {"早录入", "后录入"}
    # Every other long read goes there too, and answers.
    long_reads_answer(client)


@pytest.mark.skipif(not STOPPED, reason="the replica runs in this run")
def test_a_stopped_replica_is_passed_over_for_the_primary(replicated, db, make, caplog):
    _home_id, client = a_county(replicated, make)
    with caplog.at_level(logging.WARNING, logger="children_home.replica"):
        started = time.monotonic()
        assert names_exported(client) == {"早录入"}
    assert time.monotonic() - started < 20  # told in seconds, not the system's timeout
    assert any("replica unreachable" in r.getMessage() for r in caplog.records)
    long_reads_answer(client)
