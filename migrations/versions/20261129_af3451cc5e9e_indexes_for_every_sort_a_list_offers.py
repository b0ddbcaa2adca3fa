"""indexes for every sort a list offers

Each sort a list offers walks an index: the column, then the id that breaks its ties
(views.listing), so PostgreSQL reads one page without first sorting a whole group of equal
values. Three single-column indexes become such pairs; the names stay.

Revision ID: af3451cc5e9e
Revises: dcc0f03b319e
Create Date: 2026-11-29 18:42:10.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'af3451cc5e9e'
down_revision = 'dcc0f03b319e'
branch_labels = None
depends_on = None

# (table, column) sorted with the id after it
SORTED = (
    ("activity", "status"),
    ("child", "grade"), ("child", "school"),
    ("consent", "decided_on"), ("consent", "state"),
    ("guardian", "birth_year"),
    ("pairing", "ended_on"), ("pairing", "started_on"),
    ("parent_contact", "work_city"),
    ("stock_movement", "kind"), ("stock_movement", "quantity"),
    ("volunteer", "joined_on"), ("volunteer", "kind"),
)
# single-column indexes that were there before, made into pairs
WIDENED = (("child", "status"), ("child", "living_arrangement"), ("care_record", "occurred_on"))
# plain indexes for sorts whose ties are few
PLAIN = (("activity", "title"), ("parent_contact", "name"))


def upgrade():
    for table, column in WIDENED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table, column in SORTED + WIDENED:
        op.create_index(f"ix_{table}_{column}", table, [column, "id"])
    for table, column in PLAIN:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade():
    for table, column in SORTED + WIDENED + PLAIN:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table, column in WIDENED:
        op.create_index(f"ix_{table}_{column}", table, [column])
