"""The restore drill (issue 24): seed, back up, restore into a new database, and compare
every table's rows and every sealed value; the panel serves the restored archive card; a
wrong key file, a damaged file, a full database and a newer schema are refused before
anything is written; a backup taken while another process writes care records restores to
a consistent state. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from admin_app import create_app
from admin_app.extensions import db as _db
from models import Child
from models.enums import MovementKind, Role
from models.sealed import configure, keyring, new_key_file_content
from tests.conftest import PASSWORD, FreshContextClient, database_at, fresh_database, sign_in

ROOT = Path(__file__).resolve().parent.parent
KEYS_MISMATCH = "密钥与备份不匹配：加密的信息将无法读取"
# The schema just before the newest migration: a backup of it is upgraded on restore.
OLDER = "b8d0f2a4c6e9"
HEAD = "c9e1a3b5d7f0"


@contextmanager
def panel_on(url: str, keys: dict):
    """An app on the database at `url` with the key file `keys`, inside its app context;
    the process-wide keyring is put back afterwards."""
    previous = keyring().content()
    try:
        other = create_app({"TESTING": True, "SECRET_KEY": "restored", "LOGIN_THROTTLE": False,
                            "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                            "DATA_KEYS_CONTENT": keys})
        other.test_client_class = FreshContextClient
        with other.app_context():
            yield other
            _db.session.remove()
            _db.engine.dispose()
    finally:
        configure(previous)


@contextmanager
def new_database(tmp_path: Path, name: str):
    folder = tmp_path / name
    folder.mkdir()
    with fresh_database(folder) as url:
        yield url


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=[*args])


def awkward_county(app, make):
    """The demo county and the awkward cases: an archived child born on 29 February with a
    landline, an ended pairing, the last unit of stock, a sealed note written in Chinese."""
    assert run(app, "seed", "demo", "--homes", "1", "--children", "12",
               "--no-accounts").exit_code == 0
    home = make.home(name="双河留守儿童之家")
    guardian = make.guardian(home=home, name="赵奶奶", phone="0851-83361234")
    child = make.child(home=home, guardian=guardian, name="刘闰闰",
                       birth_date=date(2016, 2, 29), left_on=date(2026, 7, 1),
                       id_number="52262720160229002X", health="哮喘，随身带喷雾")
    volunteer = make.volunteer(home=home, name="陈爱心")
    make.pairing(volunteer, child, ended_on=date(2026, 6, 30))
    make.care_record(child, volunteer=volunteer, notes="谈心：想念妈妈\n下次带绘本")
    bag = make.item(home=home, name="书包")
    make.movement(bag, quantity=1, donor="县妇联")
    make.movement(bag, kind=MovementKind.HAND_OUT, quantity=1, child=child)
    make.user(Role.ADMIN, username="county_admin")
    return child.id  # read now: an object of this session must not load inside another app


def table_rows(engine, *, opened: bool) -> dict[str, list]:
    """Every table's rows in key order: as stored (ciphertext) or as the app reads them
    (sealed values opened with the keys configured)."""
    found = {}
    with engine.connect() as conn:
        for table in _db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            if opened:
                query = sa.select(table).order_by(*order)
            else:
                query = sa.select(*(sa.type_coerce(c, c.type.impl)
                                    if isinstance(c.type, sa.types.TypeDecorator) else c
                                    for c in table.columns)).order_by(*order)
            found[table.name] = [tuple(row) for row in conn.execute(query)]
    return found


def test_a_backup_restores_every_row_and_sealed_value_and_the_panel_serves_it(
        app, make, db, tmp_path):
    child_id = awkward_county(app, make)
    keys = keyring().content()
    stored, opened = table_rows(db.engine, opened=False), table_rows(db.engine, opened=True)
    assert sum(len(rows) for rows in stored.values()) > 1000
    made = run(app, "backup", "create", "--output", str(tmp_path / "nightly"))
    assert made.exit_code == 0, made.output
    assert str(tmp_path / "nightly") in made.output
    # The audit trail keeps the copy (after the snapshot: not in the backup itself).
    assert db.session.execute(sa.text(
        "SELECT action, record_label FROM audit_entry WHERE table_name = 'backup'")).all() \
        == [("EXPORT", str(tmp_path / "nightly"))]
    manifest = json.loads((tmp_path / "nightly" / "manifest.json").read_text())
    assert manifest["revision"] == HEAD
    with db.engine.connect() as conn:
        assert manifest["tables"]["care_record"] == conn.exec_driver_sql(
            "SELECT count(*) FROM care_record").scalar()
    # Nothing of the keys in any file of the backup.
    secrets = [base64.b64decode(k) for k in keys["keys"].values()] + \
        [base64.b64decode(keys["index"])]
    texts = [*keys["keys"].values(), keys["index"]]
    for path in (tmp_path / "nightly").iterdir():
        content = path.read_bytes()
        assert not any(s in content for s in secrets), path
        assert not any(t.encode() in content for t in texts), path
    with new_database(tmp_path, "target1") as url, panel_on(url, keys) as restored:
        done = run(restored, "backup", "restore", str(tmp_path / "nightly"))
        assert done.exit_code == 0, done.output
        # Every row as stored and as read, and one more: the restore's own audit entry.
        entry = _db.session.execute(sa.text(
            "SELECT id, action, table_name FROM audit_entry ORDER BY id DESC LIMIT 1")).one()
        assert tuple(entry)[1:] == ("IMPORT", "backup")
        for rows, expected in ((table_rows(_db.engine, opened=False), stored),
                               (table_rows(_db.engine, opened=True), opened)):
            rows["audit_entry"] = [row for row in rows["audit_entry"] if row[0] != entry.id]
            assert rows == expected
        client = restored.test_client()
        assert sign_in(client, "county_admin", PASSWORD).status_code == 302
        card = client.get(f"/admin/child/details/?id={child_id}").text
        for expected in ("刘闰闰", "2016年2月29日", "赵奶奶", "陈爱心", "谈心：想念妈妈", "书包",
                         "哮喘，随身带喷雾"):
            assert expected in card, expected


def test_a_wrong_key_file_is_refused_with_the_message_and_nothing_is_restored(
        app, make, db, tmp_path):
    awkward_county(app, make)
    assert run(app, "backup", "create", "--output", str(tmp_path / "b")).exit_code == 0
    with new_database(tmp_path, "target2") as url, panel_on(url, new_key_file_content()) as other:
        done = run(other, "backup", "restore", str(tmp_path / "b"))
        assert done.exit_code != 0
        assert KEYS_MISMATCH in done.output
        assert sa.inspect(_db.engine).get_table_names() == []
    # The same keys but another index key: exact look-ups would find nothing. Refused too.
    keys = keyring().content()
    other_index = {**keys, "index": new_key_file_content()["index"]}
    with new_database(tmp_path, "target3") as url, panel_on(url, other_index) as other:
        done = run(other, "backup", "restore", str(tmp_path / "b"))
        assert done.exit_code != 0 and KEYS_MISMATCH in done.output
        assert sa.inspect(_db.engine).get_table_names() == []


def test_a_restore_refuses_a_database_with_records_and_a_damaged_backup(app, make, db,
                                                                         tmp_path):
    make.child(name="已有的孩子")
    assert run(app, "backup", "create", "--output", str(tmp_path / "b")).exit_code == 0
    full = run(app, "backup", "restore", str(tmp_path / "b"))
    assert full.exit_code != 0 and "数据库不是空的" in full.output and "child" in full.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Child)) == 1
    dump = next(p for p in (tmp_path / "b").iterdir() if p.name != "manifest.json")
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    keys = keyring().content()
    with new_database(tmp_path, "target4") as url, panel_on(url, keys) as other:
        done = run(other, "backup", "restore", str(tmp_path / "b"))
        assert done.exit_code != 0 and "已损坏" in done.output and dump.name in done.output
        assert sa.inspect(_db.engine).get_table_names() == []


def test_backups_and_key_files_are_never_written_over(app, make, tmp_path):
    make.child()
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "last-week.txt").write_text("上周的备份")
    done = run(app, "backup", "create", "--output", str(tmp_path / "kept"))
    assert done.exit_code != 0 and "已存在" in done.output
    assert [p.name for p in (tmp_path / "kept").iterdir()] == ["last-week.txt"]
    keys_file = tmp_path / "keys.json"
    assert run(app, "backup", "keys", "--output", str(keys_file)).exit_code == 0
    assert json.loads(keys_file.read_text()) == keyring().content()
    assert keys_file.stat().st_mode & 0o077 == 0
    keys_file.write_text("别的文件")
    again = run(app, "backup", "keys", "--output", str(keys_file))
    assert again.exit_code != 0 and "已存在" in again.output
    assert keys_file.read_text() == "别的文件"


def test_a_backup_of_an_older_schema_is_restored_and_upgraded(app, tmp_path):
    (tmp_path / "old").mkdir()
    with database_at(tmp_path / "old", OLDER) as old:
        keys = keyring().content()
        assert run(old, "backup", "create", "--output", str(tmp_path / "b")).exit_code == 0
    with new_database(tmp_path, "target5") as url, panel_on(url, keys) as other:
        done = run(other, "backup", "restore", str(tmp_path / "b"))
        assert done.exit_code == 0, done.output
        with _db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() \
                == HEAD
            assert "activity_series_child" in sa.inspect(conn).get_table_names()


def test_a_backup_of_a_newer_schema_is_refused(app, make, tmp_path):
    make.child()
    assert run(app, "backup", "create", "--output", str(tmp_path / "b")).exit_code == 0
    path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "revision": "ffffffffffff"}))
    keys = keyring().content()
    with new_database(tmp_path, "target6") as url, panel_on(url, keys) as other:
        done = run(other, "backup", "restore", str(tmp_path / "b"))
        assert done.exit_code != 0 and "更新的版本" in done.output
        assert sa.inspect(_db.engine).get_table_names() == []


def test_a_backup_taken_while_care_records_are_written_is_consistent(app, make, db, tmp_path):
    """Another process adds a child and her care record in each transaction while the
    backup runs: the restored database holds both of each pair or neither."""
    home = make.home()
    keys = keyring().content()
    stop = tmp_path / "stop"
    writer = subprocess.Popen(  # noqa: S603 (this interpreter, this repository's module)
        [sys.executable, "-m", "tests.backup_writer", str(home.id), str(stop)], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
             "DATA_KEYS": json.dumps(keys)}, stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(20):  # writing has begun
            assert writer.stdout.readline(), "the writer stopped"
        made = run(app, "backup", "create", "--output", str(tmp_path / "b"))
        assert made.exit_code == 0, made.output
        for _ in range(20):  # and went on while the backup was taken
            assert writer.stdout.readline(), "the writer stopped"
    finally:
        stop.touch()
        writer.wait(timeout=30)
    assert writer.returncode == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    with new_database(tmp_path, "target7") as url, panel_on(url, keys) as other:
        done = run(other, "backup", "restore", str(tmp_path / "b"))
        assert done.exit_code == 0, done.output
        with _db.engine.connect() as conn:
            children = conn.execute(sa.text(
                "SELECT count(*) FROM child WHERE name LIKE '并发%'")).scalar()
            records = conn.execute(sa.text(
                "SELECT count(*) FROM care_record JOIN child ON child.id = care_record.child_id"
                " WHERE child.name LIKE '并发%'")).scalar()
            orphans = conn.exec_driver_sql(
                "SELECT count(*) FROM care_record LEFT JOIN child ON child.id = "
                "care_record.child_id WHERE child.id IS NULL").scalar()
            total = conn.exec_driver_sql("SELECT count(*) FROM care_record").scalar()
    assert children >= 20 and records == children and orphans == 0
    assert total == manifest["tables"]["care_record"]
