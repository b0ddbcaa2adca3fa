"""An index of the characters and character pairs of children's and guardians' names, so
that a search for a fragment of a name (王, 小芳) looks the fragment up instead of reading
every name in the county: Chinese names are two to four characters, shorter than the
trigrams PostgreSQL's pg_trgm indexes, and SQLite has nothing of the kind.

A fragment's candidates are the names holding each of its pairs; the search still tests
each candidate's name itself (views.search), so the index can only narrow, never widen,
what is found. Kept by a session hook for every name saved through the ORM, and by
`refresh` after writes that bypass it (the seed, the roster import, anonymisation), and
filled by the migration that made it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Index, String, and_, delete, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import db
from models.people import Child, Guardian

# The tables whose names are indexed, by the name each has here.
KINDS = {"child": Child, "guardian": Guardian}
BATCH = 5000
COLUMNS = ("kind", "gram", "record_id")


class NameGram(db.Model):
    """One character, or two adjacent characters, of a record's name (lower case)."""

    __tablename__ = "name_gram"
    __table_args__ = (Index("ix_name_gram_record", "kind", "record_id"),)

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    record_id: Mapped[int] = mapped_column(primary_key=True)


def grams(text: str) -> set[str]:
    """Every character and every pair of adjacent characters of `text`, in lower case,
    spaces left out."""
    text = "".join((text or "").lower().split())
    return set(text) | {text[i:i + 2] for i in range(len(text) - 1)}


def fragment_grams(term: str) -> set[str]:
    """What a name must hold to contain `term`: its pairs (its one character if it has
    only one)."""
    term = "".join(term.lower().split())
    if len(term) == 1:
        return {term}
    return {term[i:i + 2] for i in range(len(term) - 1)}


def candidates(kind: str, term: str) -> ColumnElement[bool] | None:
    """`record id IN (…)` for the records of `kind` whose names may contain `term`; None
    when the term has nothing to look up (then every record is a candidate)."""
    wanted = fragment_grams(term)
    if not wanted:
        return None
    key = KINDS[kind].__table__.c.id
    found = None
    for gram in sorted(wanted):
        ids = select(NameGram.record_id).where(NameGram.kind == kind, NameGram.gram == gram)
        clause = key.in_(ids)
        found = clause if found is None else and_(found, clause)
    return found


def add(connection, kind: str, names: Iterable[tuple[int, str]]) -> None:
    """Index the names of new records of `kind`: (id, name) pairs. On PostgreSQL through
    COPY, in the same transaction (an import's 40,000 children make 300,000 rows)."""
    rows = [(kind, gram, record_id) for record_id, name in names for gram in grams(name)]
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY name_gram ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(NameGram), [dict(zip(COLUMNS, row, strict=True))
                                              for row in rows[start:start + BATCH]])


def refresh(connection, kind: str, ids=None) -> None:
    """Index again the names of the records of `kind` among `ids` (a list, or a select of
    ids; None: every record) as they are in the database now."""
    table = KINDS[kind].__table__
    forget = delete(NameGram).where(NameGram.kind == kind)
    names = select(table.c.id, table.c.name).order_by(table.c.id)
    if ids is not None:
        forget = forget.where(NameGram.record_id.in_(ids))
        names = names.where(table.c.id.in_(ids))
    connection.execute(forget)
    last = 0  # a batch at a time, by id: no cursor held open while the grams are written
    while batch := connection.execute(names.where(table.c.id > last).limit(BATCH)).all():
        add(connection, kind, batch)
        last = batch[-1][0]


@event.listens_for(Session, "after_flush")
def _keep_names(session: Session, flush_context) -> None:
    changed: dict[str, dict[int, str | None]] = {kind: {} for kind in KINDS}
    for kind, model in KINDS.items():
        for record in session.new:
            if isinstance(record, model):
                changed[kind][record.id] = record.name
        for record in session.dirty:
            if isinstance(record, model) and session.is_modified(record) \
                    and inspect(record).attrs.name.history.has_changes():
                changed[kind][record.id] = record.name
        for record in session.deleted:
            if isinstance(record, model):
                changed[kind][record.id] = None
    for kind, names in changed.items():
        if names:
            connection = session.connection()
            connection.execute(delete(NameGram).where(NameGram.kind == kind,
                                                      NameGram.record_id.in_(list(names))))
            add(connection, kind, [(i, name) for i, name in names.items() if name])
