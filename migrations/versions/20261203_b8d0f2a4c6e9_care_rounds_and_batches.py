"""慰问 rounds (care_round, its Homes and hand-picked children, one gift per child in a
round) and goods traced to their donors: each stock movement in keeps what is left of it,
each movement out the batch it drew on; hand-outs and 慰问金 name the round's gift.

The movements out recorded before name no batch (nobody said which); what each batch in
has left is counted by taking those movements from each item's oldest batches first, so
an item's batches hold what it has on hand.

Revision ID: b8d0f2a4c6e9
Revises: a1c3e5f7b9d2
Create Date: 2026-12-03 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d0f2a4c6e9'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None

INCOMING = ("DONATION", "PURCHASE", "TRANSFER_IN", "LOAN_RETURN")


def _stamps():
    return [sa.Column("version", sa.Integer(), server_default="1", nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True),
                      server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True),
                      server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False)]


def upgrade():
    op.create_table(
        "care_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("for_everyone", sa.Boolean(), nullable=False),
        sa.Column("for_in_difficulty", sa.Boolean(), nullable=False),
        sa.Column("for_key_target", sa.Boolean(), nullable=False),
        sa.Column("for_living_alone", sa.Boolean(), nullable=False),
        sa.Column("goods", sa.String(200), nullable=False),
        sa.Column("money_each", sa.Numeric(12, 2), nullable=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_care_round_ends_after_it_starts")),
        sa.CheckConstraint("money_each IS NULL OR money_each > 0",
                           name=op.f("ck_care_round_money_each_positive")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user_account.id"],
                                name="fk_care_round_closed_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_care_round"),
    )
    # The list's sorts walk an index, the id breaking ties (models.base.sorted_by).
    for column in ("starts_on", "name"):
        op.create_index(f"ix_care_round_{column}", "care_round", [column, "id"])
    for table, column, target in (("care_round_home", "home_id", "home"),
                                  ("care_round_child", "child_id", "child")):
        op.create_table(
            table,
            sa.Column("round_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["round_id"], ["care_round.id"], ondelete="CASCADE",
                                    name=f"fk_{table}_round_id_care_round"),
            sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                    name=f"fk_{table}_{column}_{target}"),
            sa.PrimaryKeyConstraint("round_id", column, name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_{column}", table, [column])
    op.create_table(
        "round_gift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("home_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(200), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(["round_id"], ["care_round.id"],
                                name="fk_round_gift_round_id_care_round"),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name="fk_round_gift_child_id_child"),
        sa.ForeignKeyConstraint(["home_id"], ["home.id"], name="fk_round_gift_home_id_home"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name="fk_round_gift_recorded_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_round_gift"),
        sa.UniqueConstraint("round_id", "child_id", name="one_gift_per_child"),
    )
    for column in ("round_id", "child_id", "home_id"):
        op.create_index(f"ix_round_gift_{column}", "round_gift", [column])
    with op.batch_alter_table("stock_movement") as batch:
        batch.add_column(sa.Column("remaining", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("gift_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_stock_movement_source_id_stock_movement",
                                 "stock_movement", ["source_id"], ["id"])
        batch.create_foreign_key("fk_stock_movement_gift_id_round_gift", "round_gift",
                                 ["gift_id"], ["id"])
        batch.create_check_constraint(
            op.f("ck_stock_movement_remaining_within_quantity"),
            "remaining IS NULL OR (remaining >= 0 AND remaining <= quantity)")
        batch.create_index("ix_stock_movement_source_id", ["source_id"])
        batch.create_index("ix_stock_movement_gift_id", ["gift_id"])
    with op.batch_alter_table("money_entry") as batch:
        batch.add_column(sa.Column("gift_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_money_entry_gift_id_round_gift", "round_gift",
                                 ["gift_id"], ["id"])
        batch.create_index("ix_money_entry_gift_id", ["gift_id"])
    _count_what_is_left()


def _count_what_is_left():
    """Each batch in: its quantity less the movements out of its item, taken from the
    oldest batches first (by day, then as entered)."""
    connection = op.get_bind()
    movements = connection.execute(sa.text(
        "SELECT id, item_id, kind, quantity FROM stock_movement "
        "ORDER BY item_id, occurred_on, id")).all()
    out: dict[int, int] = {}
    for _id, item_id, kind, quantity in movements:
        if kind not in INCOMING:
            out[item_id] = out.get(item_id, 0) + quantity
    for movement_id, item_id, kind, quantity in movements:
        if kind not in INCOMING:
            continue
        taken = min(quantity, out.get(item_id, 0))
        out[item_id] = out.get(item_id, 0) - taken
        connection.execute(sa.text("UPDATE stock_movement SET remaining = :left WHERE id = :id"),
                           {"left": quantity - taken, "id": movement_id})


def downgrade():
    with op.batch_alter_table("money_entry") as batch:
        batch.drop_index("ix_money_entry_gift_id")
        batch.drop_constraint("fk_money_entry_gift_id_round_gift", type_="foreignkey")
        batch.drop_column("gift_id")
    with op.batch_alter_table("stock_movement") as batch:
        batch.drop_index("ix_stock_movement_gift_id")
        batch.drop_index("ix_stock_movement_source_id")
        batch.drop_constraint(op.f("ck_stock_movement_remaining_within_quantity"),
                              type_="check")
        batch.drop_constraint("fk_stock_movement_gift_id_round_gift", type_="foreignkey")
        batch.drop_constraint("fk_stock_movement_source_id_stock_movement", type_="foreignkey")
        batch.drop_column("gift_id")
        batch.drop_column("source_id")
        batch.drop_column("remaining")
    for column in ("round_id", "child_id", "home_id"):
        op.drop_index(f"ix_round_gift_{column}", table_name="round_gift")
    op.drop_table("round_gift")
    for table, column in (("care_round_home", "home_id"), ("care_round_child", "child_id")):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
    for column in ("starts_on", "name"):
        op.drop_index(f"ix_care_round_{column}", table_name="care_round")
    op.drop_table("care_round")
