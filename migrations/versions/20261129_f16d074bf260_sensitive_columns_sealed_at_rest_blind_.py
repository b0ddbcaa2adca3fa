"""Sensitive columns sealed at rest (AES-GCM), blind indexes (keyed HMAC) for exact look-ups

Existing values are sealed in place, with their blind indexes, and the values of those
columns inside the audit trail's recorded changes too. The keys come from the app
(DATA_KEYS or instance/data_keys.json), which `flask db upgrade` configures.

Revision ID: f16d074bf260
Revises: 3d693bdbbbd2
Create Date: 2026-11-29 13:48:07.742962

"""
import sqlalchemy as sa
from alembic import op

from models.sealed import PREFIX, blind_index, open_text, seal_text

# revision identifiers, used by Alembic.
revision = 'f16d074bf260'
down_revision = '3d693bdbbbd2'
branch_labels = None
depends_on = None

# table: {column: (plain length or None for TEXT before, blind index column or None)}
SEALED = {
    "child": {"id_number": (18, "id_number_hash"), "class_teacher_phone": (20, None),
              "address": (200, None), "health": (None, None), "psychology": (None, None),
              "behaviour": (None, None)},
    "guardian": {"phone": (20, "phone_hash"), "health": (100, None), "address": (200, None)},
    "parent_contact": {"phone": (20, "phone_hash")},
    "volunteer": {"phone": (20, "phone_hash")},
    "care_record": {"notes": (None, None), "follow_up_note": (200, None)},
}
NOT_NULL = {("child", "address"), ("guardian", "health"), ("guardian", "address"),
            ("care_record", "follow_up_note")}
BATCH = 1000


def _rewrite(table_name, columns, value_of, index_of):
    """Each row's columns through `value_of`, and their blind indexes through `index_of`."""
    conn = op.get_bind()
    names = list(columns)
    indexes = {name: columns[name][1] for name in names if columns[name][1]}
    table = sa.table(table_name, sa.column("id"), *(sa.column(n) for n in names),
                     *(sa.column(i) for i in indexes.values()))
    rows = conn.execute(sa.select(table.c.id, *(table.c[n] for n in names))).all()
    updates = []
    for row in rows:
        values = dict(zip(names, row[1:]))
        changed = {n: value_of(v) for n, v in values.items()}
        if changed == values:
            continue
        for name, index in indexes.items():
            changed[index] = index_of(values[name])
        updates.append({"row_id": row[0], **changed})
    if not updates:
        return
    statement = table.update().where(table.c.id == sa.bindparam("row_id")).values(
        {name: sa.bindparam(name) for name in updates[0] if name != "row_id"})
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start:start + BATCH])


def _audit(value_of):
    conn = op.get_bind()
    audit = sa.table("audit_entry", sa.column("id"), sa.column("table_name"),
                     sa.column("changes", sa.JSON))
    rows = conn.execute(sa.select(audit.c.id, audit.c.table_name, audit.c.changes).where(
        audit.c.table_name.in_(list(SEALED)))).all()
    for entry_id, table_name, changes in rows:
        if not changes:
            continue
        fields = SEALED[table_name]
        new = {key: ([value_of(v) for v in value] if isinstance(value, list) else
                     value_of(value)) if key in fields else value
               for key, value in changes.items()}
        if new != changes:
            conn.execute(audit.update().where(audit.c.id == entry_id).values(changes=new))


def _seal(value):
    return seal_text(value) if isinstance(value, str) else value


def _open(value):
    return open_text(value) if isinstance(value, str) and value.startswith(PREFIX) else value


def upgrade():
    for table_name, columns in SEALED.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for name, (_length, index) in columns.items():
                batch_op.alter_column(name, type_=sa.Text(),
                                      existing_nullable=(table_name, name) not in NOT_NULL)
                if index:
                    batch_op.add_column(sa.Column(index, sa.String(length=64), nullable=True))
            if table_name == "child":
                batch_op.drop_constraint("uq_child_id_number", type_="unique")
                batch_op.create_unique_constraint("uq_child_id_number_hash", ["id_number_hash"])
            elif "phone" in columns:
                batch_op.drop_index(f"ix_{table_name}_phone")
                batch_op.create_index(f"ix_{table_name}_phone_hash", ["phone_hash"],
                                      unique=False)
    for table_name, columns in SEALED.items():
        _rewrite(table_name, columns, _seal, blind_index)
    _audit(_seal)
    # Rosters waiting for their import are sealed as they are written from now on; any
    # waiting now are dropped (they expire within a day anyway).
    op.execute("DELETE FROM roster_upload")


def downgrade():
    for table_name, columns in SEALED.items():
        _rewrite(table_name, columns, _open, lambda value: None)
    _audit(_open)
    for table_name, columns in SEALED.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            if table_name == "child":
                batch_op.drop_constraint("uq_child_id_number_hash", type_="unique")
                batch_op.create_unique_constraint("uq_child_id_number", ["id_number"])
            elif "phone" in columns:
                batch_op.drop_index(f"ix_{table_name}_phone_hash")
                batch_op.create_index(f"ix_{table_name}_phone", ["phone"], unique=False)
            for name, (length, index) in columns.items():
                if index:
                    batch_op.drop_column(index)
                batch_op.alter_column(name, type_=sa.String(length) if length else sa.Text(),
                                      existing_nullable=(table_name, name) not in NOT_NULL)
