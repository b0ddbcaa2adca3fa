"""an account's scope may be a township: its Homes, not one Home nor the county

`user_account.township`: staff and supervisors of a township's women's federation see
and keep the records of every Home in that township (DOMAIN.md: "their own Home(s)").
Empty for everyone else: a Home's accounts keep their Home, the county's have neither.

Revision ID: d4a7c9e1f2b3
Revises: c2e8f0a4b713
Create Date: 2026-12-01 16:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4a7c9e1f2b3'
down_revision = 'c2e8f0a4b713'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_account", sa.Column("township", sa.String(length=50), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("township")
