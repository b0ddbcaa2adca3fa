"""indexes for the county overview counted again

Children by living arrangement and kind counted from one index (status, arrangement, kind);
children's latest care walked with the id after it, so the never-contacted are walked in id
order instead of reading every child (views.dashboard).

Revision ID: b7c41d2e9a05
Revises: af3451cc5e9e
Create Date: 2026-11-29 21:55:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c41d2e9a05'
down_revision = 'af3451cc5e9e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_child_arrangement", "child",
                    ["status", "living_arrangement", "left_behind_type"])
    op.drop_index("ix_child_last_care_on", table_name="child")
    op.create_index("ix_child_last_care_on", "child", ["last_care_on", "id"])


def downgrade():
    op.drop_index("ix_child_last_care_on", table_name="child")
    op.create_index("ix_child_last_care_on", "child", ["last_care_on"])
    op.drop_index("ix_child_arrangement", table_name="child")
