"""The declarative base, shared column helpers, the enum column type every model uses, and
the clock (utcnow for moments, local_today for the Homes' day)."""

from __future__ import annotations

import enum
import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import get_timezone
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    Enum,
    Index,
    Integer,
    MetaData,
    any_,
    bindparam,
    func,
    inspect,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Created here, unbound, so models need not import the app package; admin_app.extensions
# re-exports it and create_app binds it.
db = SQLAlchemy(model_class=Base)


# The Homes' zone when BABEL_DEFAULT_TIMEZONE is not set (admin_app.config reads it).
DEFAULT_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Today in the configured zone (BABEL_DEFAULT_TIMEZONE), the one "today" of the app: the
    server's own clock may run in UTC, whose date is yesterday's until 08:00 in Beijing.
    Without an app (a script) the zone is the environment's, as admin_app.config reads it."""
    if has_app_context():
        zone = get_timezone()
    else:
        zone = ZoneInfo(os.environ.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE))
    return datetime.now(UTC).astimezone(zone).date()


class Moment(TypeDecorator):
    """A moment in time (`DateTime(timezone=True)`), always handed back as an aware UTC
    datetime: PostgreSQL returns aware values, SQLite the naive UTC it stored. A naive value
    given to it is taken as UTC. Shown to people through admin_app.i18n.show_datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def previous(record, name: str):
    """What attribute `name` of `record` held before the change now being flushed (its
    current value if unchanged). For session hooks that undo a record's old effect; the
    column needs active_history=True for an expired record to remember it."""
    history = inspect(record).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(record, name)


class likely(FunctionElement):
    """A condition true of nearly every row (a pairing started before today). SQLite, which
    plans without knowing how values spread, is told so (its `likely()`), and does not walk
    an index for it: the county's overview went from 140 to 600 ms when pairings got an
    index on their start for the list's sort. Other databases see the condition itself."""

    type = Boolean()
    inherit_cache = True
    name = "likely"


@compiles(likely)
def _likely(element, compiler, **kw) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(likely, "sqlite")
def _likely_on_sqlite(element, compiler, **kw) -> str:
    return f"likely({compiler.process(element.clauses, **kw)})"


def among(column, values):
    """`column IN values`, for a select of ids or for ids known in Python (a Home's 500
    children). The latter on PostgreSQL as `column = ANY(:array)`, one parameter: with one
    placeholder per id the statement was too long for psycopg's cache of parsed queries and
    was parsed again, with its 500 casts, on every page."""
    if isinstance(values, list | tuple | set | frozenset) \
            and db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def sorted_by(table: str, column: str) -> Index:
    """The index a list's sort by `column` walks: the column, then the id that breaks its ties
    (views.listing), so PostgreSQL reads one page without sorting a whole group of equal
    values first (a day's care records, every child in care). SQLite keeps the id in every
    index anyway."""
    return Index(f"ix_{table}_{column}", column, "id")


class Timestamped:
    """created_at / updated_at on every record."""

    created_at: Mapped[datetime] = mapped_column(
        Moment, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        Moment, default=utcnow, server_default=func.now(), onupdate=utcnow
    )


class Versioned:
    """A version number checked on every UPDATE (SQLAlchemy's version_id_col): two people
    editing the same record cannot silently overwrite each other."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """Store an enum by its member name as a short string (no native PostgreSQL type to
    migrate). Names, not values, because Flask-Admin's form and filter converters use names."""
    # validate_strings: a member of another category (equal to none of these) is refused
    # on its way to the database instead of being stored as its raw value.
    return Enum(enum_cls, native_enum=False, create_constraint=False, length=32,
                validate_strings=True)
