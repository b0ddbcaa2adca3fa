"""the family phone (亲情电话): a call or video with a parent, kept as a care record

`care_record.parent_id`, `minutes` (1 to 600), `video` and `device_id` (the Home's phone or
tablet, an inventory item): filled for the calls staff and caring mothers help children
make; empty for every record kept before.

Revision ID: d9f1a3c5e7b2
Revises: c7d2e4a9b1f6
Create Date: 2026-12-02 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd9f1a3c5e7b2'
down_revision = 'c7d2e4a9b1f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("care_record") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("video", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_care_record_parent_id_parent_contact", "parent_contact",
                                 ["parent_id"], ["id"])
        batch.create_foreign_key("fk_care_record_device_id_resource_item", "resource_item",
                                 ["device_id"], ["id"])
        batch.create_check_constraint(
            "minutes_in_range", "minutes IS NULL OR (minutes >= 1 AND minutes <= 600)")


def downgrade():
    with op.batch_alter_table("care_record") as batch:
        batch.drop_constraint("minutes_in_range", type_="check")
        batch.drop_constraint("fk_care_record_device_id_resource_item", type_="foreignkey")
        batch.drop_constraint("fk_care_record_parent_id_parent_contact", type_="foreignkey")
        batch.drop_column("device_id")
        batch.drop_column("video")
        batch.drop_column("minutes")
        batch.drop_column("parent_id")
