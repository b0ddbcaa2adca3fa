"""a child's guardianship as the MCA survey assesses it (监护情况)

`child.guardianship`: 较好 / 一般 / 差 / 无人监护 / 父或母无监护能力 / 受委托监护人监护能力不足,
an assessment of the care at home, kept apart from the living arrangement (rosters' 监护情况
had been read as 生活方式). Empty for the children kept before: nobody has assessed them.

Revision ID: e5b1c7d9a2f4
Revises: d4a7c9e1f2b3
Create Date: 2026-12-01 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b1c7d9a2f4'
down_revision = 'd4a7c9e1f2b3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("child", sa.Column(
        "guardianship",
        sa.Enum("GOOD", "FAIR", "POOR", "NOBODY", "PARENT_UNABLE", "PROXY_UNABLE",
                name="guardianship", native_enum=False, create_constraint=False, length=32),
        nullable=True))


def downgrade():
    with op.batch_alter_table("child") as batch:
        batch.drop_column("guardianship")
