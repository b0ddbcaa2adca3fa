"""a child's moves between Children's Homes, kept on her archive

`child_move`: when a child's Home changes, the day, from where, to where and who recorded
it; one archive follows the child (一人一档) instead of a second one in the new Home.

Revision ID: f7a3d2c8b9e1
Revises: e5b1c7d9a2f4
Create Date: 2026-12-01 22:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f7a3d2c8b9e1'
down_revision = 'e5b1c7d9a2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'child_move',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('from_home_id', sa.Integer(), nullable=False),
        sa.Column('to_home_id', sa.Integer(), nullable=False),
        sa.Column('moved_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True),
                  server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True),
                  server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['child_id'], ['child.id'],
                                name=op.f('fk_child_move_child_id_child')),
        sa.ForeignKeyConstraint(['from_home_id'], ['home.id'],
                                name=op.f('fk_child_move_from_home_id_home')),
        sa.ForeignKeyConstraint(['to_home_id'], ['home.id'],
                                name=op.f('fk_child_move_to_home_id_home')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_child_move_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_child_move')),
    )
    with op.batch_alter_table('child_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_move_child_id'), ['child_id'], unique=False)


def downgrade():
    with op.batch_alter_table('child_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_move_child_id'))
    op.drop_table('child_move')
