"""an account's e-mail address, for the reminders' daily digest

`user_account.email`: where `flask reminders send` mails the counts of overdue duties of
care and the links to them (never a child's name). Empty for every account kept before.

Revision ID: c7d2e4a9b1f6
Revises: b3e9d1f5a7c2
Create Date: 2026-12-02 06:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7d2e4a9b1f6'
down_revision = 'b3e9d1f5a7c2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_account", sa.Column("email", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("email")
