"""A weekly series' children and caring mothers, enrolled once for all its dates
(activity_series_child, activity_series_volunteer); models.series carries them to the
dates still to come. Nothing kept before is changed: the series made before enrol nobody.

Revision ID: c9e1a3b5d7f0
Revises: b8d0f2a4c6e9
Create Date: 2026-12-04 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c9e1a3b5d7f0'
down_revision = 'b8d0f2a4c6e9'
branch_labels = None
depends_on = None

TABLES = (("activity_series_child", "child_id", "child"),
          ("activity_series_volunteer", "volunteer_id", "volunteer"))


def upgrade():
    for table, column, target in TABLES:
        op.create_table(
            table,
            sa.Column("series_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["series_id"], ["activity_series.id"], ondelete="CASCADE",
                                    name=f"fk_{table}_series_id_activity_series"),
            sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                    name=f"fk_{table}_{column}_{target}"),
            sa.PrimaryKeyConstraint("series_id", column, name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade():
    for table, column, _target in TABLES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
