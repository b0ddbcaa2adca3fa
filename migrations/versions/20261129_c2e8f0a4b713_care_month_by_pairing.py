"""a pairing's month of the care summary looked up by one index

`ix_care_month_child_month` gains the caring mother after the month: a pairing's month
(child, month, caring mother) is then found in it. Without it SQLite built a temporary
index over the whole care summary for each township's follow-up totals (107 ms).

Revision ID: c2e8f0a4b713
Revises: b7c41d2e9a05
Create Date: 2026-11-29 22:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c2e8f0a4b713'
down_revision = 'b7c41d2e9a05'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_care_month_child_month", table_name="care_month")
    op.create_index("ix_care_month_child_month", "care_month",
                    ["child_id", "month", "volunteer_id"])


def downgrade():
    op.drop_index("ix_care_month_child_month", table_name="care_month")
    op.create_index("ix_care_month_child_month", "care_month", ["child_id", "month"])
