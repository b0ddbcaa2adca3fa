"""Settings read from the environment, with safe defaults for a single-machine install."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from models.base import DEFAULT_ZONE


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else a key generated once into instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _with_driver(url: str) -> str:
    """Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return _with_driver(url)
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'children_home.db'}"


# What a complete archive may be required to hold beyond the form's own required fields
# (admin_app/reports/scorecard.py counts 建档率 by ARCHIVE_REQUIRED, a comma list of these).
ARCHIVE_FIELDS = ("id_number", "school", "grade", "class_teacher", "guardian", "guardianship",
                  "parent")


def _archive_required(text: str) -> tuple[str, ...]:
    chosen = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in chosen if name not in ARCHIVE_FIELDS]
    if unknown:
        raise ValueError(f"ARCHIVE_REQUIRED: unknown {', '.join(unknown)}; "
                         f"choose among {', '.join(ARCHIVE_FIELDS)}")
    return chosen


# Every PostgreSQL session the app opens: a server-side cursor (an export's rows, streamed)
# is always read to its end, so plan it for all its rows, not for the first tenth
# (PostgreSQL's default): this month's care records, 22.8 → 11.3 s at 100,000 children.
POSTGRESQL_SETTINGS = {"options": "-c cursor_tuple_fraction=1.0"}


def load(instance_path: Path, overrides: dict | None = None) -> dict:
    """The configuration for an app whose instance folder is `instance_path`, `overrides`
    applied last. The secret key and the SQLite file are made only when not overridden."""
    overrides = overrides or {}
    config = {
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": (
            overrides.get("SQLALCHEMY_DATABASE_URI") or _database_url(instance_path)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": os.environ.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE),
        "LANGUAGES": ("zh_Hans_CN", "en"),
        # A caring mother may take an hour over a talk note: the CSRF token lives as long as
        # the session, and the session ends after PERMANENT_SESSION_LIFETIME of inactivity.
        "WTF_CSRF_TIME_LIMIT": None,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "SESSION_REFRESH_EACH_REQUEST": True,
        # The largest upload (a roster of 20 MB and the form around it); larger gets 413.
        "MAX_CONTENT_LENGTH": 21 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=7),
        "FLASK_ADMIN_SWATCH": "default",
        "DEMO_MODE": os.environ.get("DEMO_MODE", "0") == "1",
        # Several server processes must share one store (e.g. redis://127.0.0.1:6379/0).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Years a child's record is kept after leaving care or turning 18 (then anonymised).
        "PRIVACY_RETENTION_YEARS": int(os.environ.get("PRIVACY_RETENTION_YEARS", "3")),
        # How many exports a user may make in a day.
        "DAILY_EXPORT_LIMIT": int(os.environ.get("DAILY_EXPORT_LIMIT", "20")),
        # Seconds the county-wide figures of the overview are kept before being counted again
        # (a Home's staff always see theirs counted live).
        "OVERVIEW_MAX_AGE": int(os.environ.get("OVERVIEW_MAX_AGE", "300")),
        # How far a list counts its rows: past it the list says "10,000+" (and counts a few
        # pages past the one shown, so the pager always offers the next ones).
        "LIST_COUNT_LIMIT": int(os.environ.get("LIST_COUNT_LIMIT", "10000")),
        # How many children one volunteer may care for at once (DOMAIN.md: usually 2-3).
        "MAX_ACTIVE_PAIRINGS": int(os.environ.get("MAX_ACTIVE_PAIRINGS", "3")),
        # Failed sign-ins (admin_app/throttle.py): a pause past the first two (per account
        # at one address; per account on a browser that has signed in to it before); past
        # the next two (from one address; at one account from everywhere), unknown browsers
        # slowed to LOGIN_SLOW_PACE there, never locked out.
        "LOGIN_THROTTLE": True,
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_DEVICE": os.environ.get("LOGIN_LIMIT_PER_DEVICE", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes"),
        "LOGIN_SLOW_DOWN_AFTER": os.environ.get("LOGIN_SLOW_DOWN_AFTER", "20 per 15 minutes"),
        "LOGIN_SLOW_PACE": os.environ.get("LOGIN_SLOW_PACE", "1 per 5 seconds"),
        # Proxies (nginx) in front of the app that say who is calling (X-Forwarded-For):
        # sign-in limits and the audit trail count by that address. 0: the caller is the
        # address that connects (a proxy's header, which anyone can send, is never trusted).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # What the county requires of a complete archive, for the scorecard's 建档率.
        "ARCHIVE_REQUIRED": _archive_required(os.environ.get(
            "ARCHIVE_REQUIRED", "id_number,school,grade,guardian,guardianship,parent")),
        # Days a duty of care may stay overdue before it is raised to the Home's staff, and
        # then to the township's supervisors (admin_app/reports/reminders.py).
        "ESCALATE_TO_HOME_DAYS": int(os.environ.get("ESCALATE_TO_HOME_DAYS", "14")),
        "ESCALATE_TO_TOWNSHIP_DAYS": int(os.environ.get("ESCALATE_TO_TOWNSHIP_DAYS", "30")),
        # The daily digest of overdue duties (flask reminders send) goes out through this
        # SMTP server; none set: the command only says what it would send.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_BACKEND": "smtp",  # in tests too: they run an SMTP server of their own
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "noreply@localhost"),
        # Where the digest's links point (the address staff open the panel at).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # One JSON line per request to standard error (admin_app/operations.py); 0: none.
        "REQUEST_LOG": os.environ.get("REQUEST_LOG", "1") == "1",
        # Keys of the shared store begin with it (several deployments, or test runs, on one
        # redis).
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
        # A PostgreSQL streaming replica the long reads go to (exports, the scorecard, the
        # work report, the yearly audit workbook: admin_app/replica.py); every write and
        # every list stays on DATABASE_URL. A replica more than REPLICA_MAX_LAG_S seconds
        # behind, or unreachable, is passed over for the primary.
        "DATABASE_REPLICA_URL": os.environ.get("DATABASE_REPLICA_URL", ""),
        "REPLICA_MAX_LAG_S": float(os.environ.get("REPLICA_MAX_LAG_S", "30")),
    }
    if "DATA_KEYS_CONTENT" not in overrides:
        from models.sealed import load_keys

        # The keys of the encrypted columns: DATA_KEYS, else instance/data_keys.json.
        config["DATA_KEYS_CONTENT"], config["DATA_KEYS_FILE"] = load_keys(instance_path)
    config.update(overrides)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": POSTGRESQL_SETTINGS}
    if config["DATABASE_REPLICA_URL"]:
        config["SQLALCHEMY_BINDS"] = {"replica": {
            "url": _with_driver(config["DATABASE_REPLICA_URL"]), "pool_pre_ping": True,
            # A replica that is down is told in seconds, not after the system's timeout.
            "connect_args": {**POSTGRESQL_SETTINGS, "connect_timeout": 3}}}
    return config
