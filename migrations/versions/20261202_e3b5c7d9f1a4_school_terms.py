"""school terms as the county enters them (学期)

`school_term`: the first and last days of each school year's autumn and spring terms; the
calendar marks them and the winter and summer holidays between, and the scorecard's terms
are these. Empty: the usual dates are used, marked as estimated.

Revision ID: e3b5c7d9f1a4
Revises: d9f1a3c5e7b2
Create Date: 2026-12-02 07:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3b5c7d9f1a4'
down_revision = 'd9f1a3c5e7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "school_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("term", sa.Enum("AUTUMN", "SPRING", name="term", native_enum=False,
                                  create_constraint=False, length=32), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("last_day > first_day", name=op.f("ck_school_term_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name="pk_school_term"),
        sa.UniqueConstraint("school_year", "term", name="one_of_each"),
    )


def downgrade():
    op.drop_table("school_term")
