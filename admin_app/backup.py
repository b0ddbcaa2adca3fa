"""Backups a county's one IT person can trust (`flask backup ...`, admin_app/cli.py).

A backup is a folder: the database's snapshot (`database.sqlite`, made with SQLite's online
backup API; or `database.dump`, PostgreSQL's `pg_dump --format=custom`) and `manifest.json`,
which says what the snapshot holds: the schema revision, the rows of every table, each
file's size and SHA-256, and a few sealed values (ciphertext, as the snapshot holds them) to
try the keys on before anything is restored. The keys themselves are never in a backup:
`write_keys` writes them to a file of their own, to be kept elsewhere.

The snapshot is consistent while the panel runs and people save records: SQLite copies the
whole file in one step of its backup API, inside one read transaction; PostgreSQL counts
the rows and dumps them in one exported snapshot (`pg_dump --snapshot`), so the manifest's
counts are the dump's.

A restore goes into an empty database only, and refuses before writing anything when the
files do not match their checksums, the backup is of the other database, its schema is
newer than this version of the code, or the keys do not open its sealed values. After the
restore the rows are counted against the manifest, the sealed values tried again, and an
older schema upgraded with the migrations.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from flask_babel import gettext as _
from sqlalchemy.engine import Connection, Engine, make_url

from admin_app.sealing import sealed_columns
from models.sealed import PREFIX, MissingKey, Sealed, blind_index, keyring, open_text

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite"
POSTGRES_FILE = "database.dump"
# Tables a new database's migrations fill themselves: still "empty" for a restore.
MIGRATION_TABLES = {"alembic_version", "duty_rule"}
CHUNK = 1 << 20


class Refused(Exception):
    """A backup or restore that did not happen, with the reason for the person running it."""


@dataclass
class Restored:
    revision: str
    upgraded_to: str | None
    tables: int
    rows: int


def keys_mismatch(where: str) -> str:
    return _("The keys do not match the backup: the encrypted information cannot be read "
             "(%(where)s). Put the key file kept with this backup in place (DATA_KEYS or "
             "instance/data_keys.json) and run the restore again.", where=where)


# -- creating -------------------------------------------------------------------------------


def create(engine: Engine, output: Path) -> dict:
    """Write a backup of the database behind `engine` into the new folder `output`; returns
    the manifest. Refuses a folder that exists and holds anything."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise Refused(_("%(path)s already exists: a backup never overwrites anything. Name a "
                        "new folder.", path=output))
    made = not output.exists()
    output.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            facts = _sqlite_snapshot(engine, output / SQLITE_FILE)
        elif engine.dialect.name == "postgresql":
            facts = _postgres_snapshot(engine, output / POSTGRES_FILE)
        else:
            raise Refused(_("Backups are made of SQLite and PostgreSQL databases only."))
        manifest = {
            "format": FORMAT,
            "made_by": f"children-home {_version()}",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": engine.dialect.name,
            **facts,
            "files": {path.name: _file_facts(path) for path in sorted(output.iterdir())},
        }
        path = output / MANIFEST
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        path.chmod(0o600)
    except BaseException:
        for path in output.iterdir():
            path.unlink()
        if made:
            output.rmdir()
        raise
    return manifest


def _sqlite_snapshot(engine: Engine, target: Path) -> dict:
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            # pages=-1: the whole database in one step, one read transaction: consistent.
            source.driver_connection.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    target.chmod(0o600)
    copy_engine = sa.create_engine(f"sqlite:///{target}")
    try:
        with copy_engine.connect() as conn:
            facts = _facts(conn)
            conn.exec_driver_sql("PRAGMA journal_mode = DELETE")
    finally:
        copy_engine.dispose()
    return facts


def _postgres_snapshot(engine: Engine, target: Path) -> dict:
    program = _program("pg_dump")
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ",
                                      postgresql_readonly=True)
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            facts = _facts(conn)
            _run([program, "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
                  "--no-password", *_libpq(engine)], engine)
    target.chmod(0o600)
    return facts


def _facts(conn: Connection) -> dict:
    """What the manifest says of a database: its schema revision, rows per table, and a
    few sealed values."""
    names = sorted(sa.inspect(conn).get_table_names())
    revision = None
    if "alembic_version" in names:
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    tables = {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name)))
              .scalar() for name in names}
    return {"revision": revision, "tables": tables, "sealed_sample": _sealed_sample(conn)}


def _sealed_sample(conn: Connection) -> list[dict]:
    """The first and last sealed values of every sealed text column the database has, as
    stored (ciphertext), with the blind index beside those that have one."""
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    sample = []
    for table, columns in sealed_columns().items():
        if table.name not in present:
            continue
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for column in columns:
            if not isinstance(column.type, Sealed) or column.name not in have:
                continue
            stored = sa.type_coerce(column, sa.Text())
            index = column.info.get("index")
            index_column = (sa.type_coerce(table.c[index], sa.Text())
                            if index and index in have else sa.null())
            base = sa.select(stored, index_column).where(stored.like(f"{PREFIX}%"))
            rows = [*conn.execute(base.order_by(table.c.id).limit(1)),
                    *conn.execute(base.order_by(table.c.id.desc()).limit(1))]
            for value, hashed in dict.fromkeys(tuple(row) for row in rows):
                sample.append({"table": table.name, "column": column.name, "value": value,
                               "index": hashed})
    return sample


def write_keys(output: Path) -> None:
    """The key file of the sealed columns, to `output` (which must not exist)."""
    try:
        with open(output, "x", encoding="utf-8") as file:
            os.chmod(output, 0o600)
            file.write(json.dumps(keyring().content(), indent=1))
    except FileExistsError:
        raise Refused(_("%(path)s already exists: the key file is never written over an "
                        "existing file. Name a new one.", path=output)) from None


# -- restoring ------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise Refused(_("%(path)s is not a backup: it has no manifest.json.", path=folder))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Refused(_("The backup's manifest.json cannot be read: the backup is damaged."))\
            from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Refused(_("The backup's manifest.json is not one this version reads."))
    return manifest


def check_files(folder: Path, manifest: dict) -> None:
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise Refused(_("The backup is incomplete: %(name)s is missing.", name=name))
        if _file_facts(path) != expected:
            raise Refused(_("The backup is damaged: %(name)s does not match its checksum in "
                            "manifest.json.", name=name))


def check_keys(sample: list[dict]) -> None:
    """Every sampled sealed value opens with the keys configured, and its blind index is
    the one these keys give (else exact look-ups of phones and ID numbers would find
    nothing)."""
    for item in sample:
        where = f"{item['table']}.{item['column']}"
        try:
            value = open_text(item["value"])
        except (MissingKey, InvalidTag, ValueError):
            raise Refused(keys_mismatch(where)) from None
        if item.get("index") is not None and blind_index(value) != item["index"]:
            raise Refused(keys_mismatch(where)) from None


def restore(engine: Engine, folder: Path, revisions: set[str], head: str) -> Restored:
    """Restore the backup in `folder` into the empty database behind `engine`, whose code
    knows the schema `revisions` (`head` the newest)."""
    manifest = read_manifest(folder)
    check_files(folder, manifest)
    if manifest["database"] != engine.dialect.name:
        raise Refused(_("This is a backup of a %(theirs)s database; it cannot be restored "
                        "into %(ours)s.", theirs=manifest["database"],
                        ours=engine.dialect.name))
    if manifest["revision"] not in revisions:
        raise Refused(_("The backup was made by a newer version of the panel (schema "
                        "%(revision)s): upgrade the panel first, then restore.",
                        revision=manifest["revision"]))
    check_keys(manifest["sealed_sample"])
    _require_empty(engine)
    if engine.dialect.name == "sqlite":
        _sqlite_restore(engine, folder / SQLITE_FILE)
    else:
        _postgres_restore(engine, folder / POSTGRES_FILE)
    with engine.connect() as conn:
        facts = _facts(conn)
    if facts["tables"] != manifest["tables"]:
        differ = sorted(name for name in {*facts["tables"], *manifest["tables"]}
                        if facts["tables"].get(name) != manifest["tables"].get(name))
        raise Refused(_("The restored rows do not match the backup's manifest (%(tables)s).",
                        tables=", ".join(differ)))
    check_keys(facts["sealed_sample"])
    return Restored(revision=manifest["revision"],
                    upgraded_to=head if manifest["revision"] != head else None,
                    tables=len(manifest["tables"]), rows=sum(manifest["tables"].values()))


def _require_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        holding = [name for name in sorted(set(names) - MIGRATION_TABLES)
                   if conn.execute(sa.select(sa.literal(1)).select_from(sa.table(name))
                                   .limit(1)).first()]
        if "duty_rule" in names:
            # The five ones the first migration writes; an edited or added rule is data.
            rules = conn.exec_driver_sql(
                "SELECT count(*), coalesce(max(version), 1) FROM duty_rule").one()
            if rules[0] > 5 or rules[1] > 1:
                holding.append("duty_rule")
    if holding:
        raise Refused(_("The database is not empty (%(tables)s hold rows): a backup is "
                        "restored into an empty database only, so that nothing in it is "
                        "lost. Make a new database and point DATABASE_URL at it.",
                        tables=", ".join(holding)))


def _sqlite_restore(engine: Engine, source_path: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        target = engine.raw_connection()
        try:
            source.backup(target.driver_connection, pages=-1)
        finally:
            target.close()
    finally:
        source.close()
    engine.dispose()


def _postgres_restore(engine: Engine, dump: Path) -> None:
    program = _program("pg_restore")
    with engine.begin() as conn:
        # Empty tables a migration may have made: dropped, so that the dump's schema is the
        # schema (an older one is then upgraded by the migrations, as the backup's was).
        inspector = sa.inspect(conn)
        for name in inspector.get_table_names():
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
        for enum in inspector.get_enums():
            conn.exec_driver_sql(f'DROP TYPE IF EXISTS "{enum["name"]}" CASCADE')
    _run([program, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--no-password", *_libpq(engine, flag="--dbname"), str(dump)], engine)
    engine.dispose()


# -- helpers --------------------------------------------------------------------------------


def _file_facts(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Refused(_("%(program)s was not found: install PostgreSQL's client programs "
                        "(apt install postgresql-client), of the server's major version or "
                        "newer.", program=name))
    return found


def _libpq(engine: Engine, flag: str = "--dbname") -> list[str]:
    """The database for pg_dump/pg_restore, as a libpq URL without the password (that goes
    in the environment, not on a command line others can read)."""
    url = make_url(engine.url).set(drivername="postgresql", password=None)
    return [f"{flag}={url.render_as_string(hide_password=False)}"]


def _run(command: list[str], engine: Engine) -> None:
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise Refused(_("%(program)s failed: %(error)s", program=Path(command[0]).name,
                        error=done.stderr.strip() or done.returncode))


def _version() -> str:
    try:
        return package_metadata.version("children-home")
    except package_metadata.PackageNotFoundError:
        return "unknown"
