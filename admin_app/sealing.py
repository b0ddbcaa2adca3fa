"""Work over every sealed (encrypted) value at once: re-encryption after a key rotation."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from models import AuditEntry
from models.base import db
from models.sealed import PREFIX, Sealed, SealedBytes, keyring, open_text, seal_text

BATCH = 1000


def sealed_columns() -> dict:
    """{table: [sealed columns]} over every table."""
    found = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, Sealed | SealedBytes)]
        if columns:
            found[table] = columns
    return found


def reseal_everything(session: Session) -> dict[str, int]:
    """Read every sealed value (any key the keyring has) and write it back sealed with the
    current key; the same for sealed values inside the audit trail. One transaction."""
    counts = {}
    current = keyring().current
    for table, columns in sealed_columns().items():
        done, last = 0, None
        while True:
            query = select(table.c.id, *columns).order_by(table.c.id).limit(BATCH)
            if last is not None:  # ids are numbers, or tokens (a roster upload)
                query = query.where(table.c.id > last)
            rows = session.execute(query).all()
            if not rows:
                break
            statement = update(table).where(table.c.id == bindparam("row_id")).values(
                {column.key: bindparam(f"new_{column.key}") for column in columns})
            session.execute(statement, [
                {"row_id": row[0], **{f"new_{column.key}": value
                                      for column, value in zip(columns, row[1:], strict=True)}}
                for row in rows])
            done, last = done + len(rows), rows[-1][0]
        counts[table.name] = done
    entries = 0
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.changes.is_not(None))):
        changes = entry.changes or {}
        new = {key: _reseal(value, current) for key, value in changes.items()}
        if new != changes:
            entry.changes = new
            entries += 1
    counts["audit_entry"] = entries
    session.commit()
    return counts


def _reseal(value, current: str):
    if isinstance(value, list):
        return [_reseal(v, current) for v in value]
    if isinstance(value, str) and value.startswith(PREFIX) and \
            keyring().key_id(value) != current:
        return seal_text(open_text(value))
    return value
