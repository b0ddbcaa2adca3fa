"""an uploaded roster says what it lists: children (花名册) or pairings (结对花名册)

Revision ID: a8c4e6f1d3b7
Revises: f7a3d2c8b9e1
Create Date: 2026-12-01 22:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a8c4e6f1d3b7'
down_revision = 'f7a3d2c8b9e1'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("roster_upload", sa.Column("kind", sa.String(length=20),
                                             server_default="children", nullable=False))


def downgrade():
    with op.batch_alter_table("roster_upload") as batch:
        batch.drop_column("kind")
