"""Extensions created once, unbound; `create_app` binds them to an app."""

import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from models.base import db

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "mail", "migrate"]

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
mail = Mail()
# Storage from RATELIMIT_STORAGE_URI: memory:// for one process, redis://... for several.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


SQLITE_MAP_BYTES = 4 * 2**30  # address space only; SQLite maps no more than the file


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite as a multi-user database: enforce foreign keys as PostgreSQL does, use the
    write-ahead log so a long export (a read) does not lock out people saving records, and
    read the file through a memory map: a county's file is gigabytes, and a count over its
    pairings read their pages one system call at a time through SQLite's 2 MB cache (the
    overview counted again: 75 → 29 ms for that count). The map is the operating system's
    page cache, shared by every connection, not memory of their own. No automatic indexes:
    planning without statistics, SQLite built one over the whole care summary for each
    township's follow-up (110 ms; 9.5 ms through the index there is), where every lookup
    here has an index of its own (tests/test_views_smoke.py checks the sorts' plans)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute(f"PRAGMA mmap_size = {SQLITE_MAP_BYTES}")
        cursor.execute("PRAGMA automatic_index = OFF")
        cursor.close()
