"""a Home's money ledger (资金台账): money in with its donor and what is left of it, money out
drawn on one line of money in, to a child, for goods or for an activity

Revision ID: a1c3e5f7b9d2
Revises: f2a4c6e8b0d1
Create Date: 2026-12-02 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = 'f2a4c6e8b0d1'
branch_labels = None
depends_on = None

KINDS = ("DONATION", "ALLOCATION", "OTHER_IN", "CONDOLENCE", "PURCHASE", "ACTIVITY",
         "OTHER_OUT")
SORTED = ("kind", "amount")
INDEXED = ("home_id", "occurred_on", "source_id", "child_id", "stock_movement_id",
           "activity_id")


def upgrade():
    op.create_table(
        "money_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("home_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="moneykind", native_enum=False,
                                  create_constraint=False, length=32), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("donor", sa.String(100), nullable=False),
        sa.Column("remaining", sa.Numeric(12, 2), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("stock_movement_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_entry_amount_positive")),
        sa.CheckConstraint("remaining IS NULL OR (remaining >= 0 AND remaining <= amount)",
                           name=op.f("ck_money_entry_remaining_within_amount")),
        sa.ForeignKeyConstraint(["home_id"], ["home.id"], name="fk_money_entry_home_id_home"),
        sa.ForeignKeyConstraint(["source_id"], ["money_entry.id"],
                                name="fk_money_entry_source_id_money_entry"),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"],
                                name="fk_money_entry_child_id_child"),
        sa.ForeignKeyConstraint(["stock_movement_id"], ["stock_movement.id"],
                                name="fk_money_entry_stock_movement_id_stock_movement"),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"],
                                name="fk_money_entry_activity_id_activity"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name="fk_money_entry_recorded_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_money_entry"),
    )
    for column in INDEXED:
        op.create_index(f"ix_money_entry_{column}", "money_entry", [column])
    # The list's sorts walk an index, the id breaking ties (models.base.sorted_by).
    for column in SORTED:
        op.create_index(f"ix_money_entry_{column}", "money_entry", [column, "id"])


def downgrade():
    for column in SORTED:
        op.drop_index(f"ix_money_entry_{column}", table_name="money_entry")
    for column in INDEXED:
        op.drop_index(f"ix_money_entry_{column}", table_name="money_entry")
    op.drop_table("money_entry")
