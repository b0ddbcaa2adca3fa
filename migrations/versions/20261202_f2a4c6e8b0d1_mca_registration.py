"""what the MCA registration form asks that the roster did not hold (附件1 登记表)

`child.ethnicity` (民族), `hukou_address` (户籍所在地, sealed), `hukou_elsewhere` (lives
elsewhere than her household is registered) and `schooling` (就学情况); a parent's
`id_number` (sealed, masked as the child's), `health` (sealed) and `able_to_guard`; and
`assistance`, the help from the state a child's family receives (低保, 特困供养 …) with its
monthly amount. Empty for every record kept before: nobody has said them.

Revision ID: f2a4c6e8b0d1
Revises: e3b5c7d9f1a4
Create Date: 2026-12-02 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a4c6e8b0d1'
down_revision = 'e3b5c7d9f1a4'
branch_labels = None
depends_on = None

SCHOOLING = ("KINDERGARTEN", "PRESCHOOL", "IN_SCHOOL", "SUSPENDED", "DROPPED_OUT",
             "NOT_ENROLLED")
KINDS = ("MINIMUM_LIVING", "EXTREME_POVERTY", "ORPHAN", "UNSUPPORTED", "TEMPORARY", "MEDICAL",
         "HOUSING", "OTHER")


def upgrade():
    with op.batch_alter_table("child") as batch:
        batch.add_column(sa.Column("ethnicity", sa.String(20), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("hukou_address", sa.Text(), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("hukou_elsewhere", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("schooling", sa.Enum(
            *SCHOOLING, name="schooling", native_enum=False, create_constraint=False,
            length=32), nullable=True))
    with op.batch_alter_table("parent_contact") as batch:
        batch.add_column(sa.Column("id_number", sa.Text(), nullable=True))
        batch.add_column(sa.Column("health", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("able_to_guard", sa.Boolean(), nullable=True))
    op.create_table(
        "assistance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="assistancekind", native_enum=False,
                                  create_constraint=False, length=32), nullable=False),
        sa.Column("monthly_amount", sa.Numeric(10, 2), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("note", sa.String(200), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("monthly_amount IS NULL OR monthly_amount >= 0",
                           name=op.f("ck_assistance_amount_not_negative")),
        sa.CheckConstraint("until IS NULL OR since IS NULL OR until >= since",
                           name=op.f("ck_assistance_ends_after_it_starts")),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"],
                                name="fk_assistance_child_id_child"),
        sa.PrimaryKeyConstraint("id", name="pk_assistance"),
    )
    op.create_index("ix_assistance_child_id", "assistance", ["child_id"])


def downgrade():
    op.drop_index("ix_assistance_child_id", table_name="assistance")
    op.drop_table("assistance")
    with op.batch_alter_table("parent_contact") as batch:
        batch.drop_column("able_to_guard")
        batch.drop_column("health")
        batch.drop_column("id_number")
    with op.batch_alter_table("child") as batch:
        batch.drop_column("schooling")
        batch.drop_column("hukou_elsewhere")
        batch.drop_column("hukou_address")
        batch.drop_column("ethnicity")
