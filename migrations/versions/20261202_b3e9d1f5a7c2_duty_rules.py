"""the duties of care a county sets, and a care summary any duty can be read from

`duty_rule`: each duty's name, pace, the kinds of care record that fulfil it, who may, and a
stricter pace for children at risk; written here as the five ones (五个一) the panel had
fixed, so nothing changes until a county edits them.

`care_month` keeps, instead of the five ones' latest dates, the days of the month with a
record of each kind (day d as the bit 1 << (d - 1)), per volunteer and, without one, for all
the child's records; rebuilt from `care_record` in both directions.

Revision ID: b3e9d1f5a7c2
Revises: a8c4e6f1d3b7
Create Date: 2026-12-02 05:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3e9d1f5a7c2'
down_revision = 'a8c4e6f1d3b7'
branch_labels = None
depends_on = None

KINDS = ("talk", "home_visit", "parent_call", "parent_letter", "teacher_contact",
         "guardian_contact", "festival", "other")
FREQUENCIES = ("WEEKLY", "FORTNIGHTLY", "MONTHLY", "YEARLY")
FIVE_ONES = (
    ("与孩子谈心", "talk,home_visit", "MONTHLY"),
    ("与父母通话或写信", "parent_call,parent_letter", "MONTHLY"),
    ("联系班主任", "teacher_contact", "MONTHLY"),
    ("联系临时监护人", "guardian_contact,home_visit", "MONTHLY"),
    ("今年陪伴过节", "festival", "YEARLY"),
)
# The five ones' old columns, and the kinds that ticked each.
OLD = {"child_on": ("TALK", "HOME_VISIT"), "parents_on": ("PARENT_CALL", "PARENT_LETTER"),
       "teacher_on": ("TEACHER_CONTACT",), "guardian_on": ("GUARDIAN_CONTACT", "HOME_VISIT"),
       "festival_on": ("FESTIVAL",)}


def _month_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "CAST(date_trunc('month', occurred_on) AS DATE)"
    return "date(occurred_on, 'start of month')"


def _day_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "CAST(EXTRACT(DAY FROM occurred_on) AS INTEGER)"
    return "CAST(strftime('%d', occurred_on) AS INTEGER)"


def _care_month(columns) -> None:
    op.create_table(
        "care_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["child_id"], ["child.id"],
                                name="fk_care_month_child_id_child"),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteer.id"],
                                name="fk_care_month_volunteer_id_volunteer"),
        sa.PrimaryKeyConstraint("id", name="pk_care_month"),
    )
    op.create_index("ix_care_month_child_month", "care_month",
                    ["child_id", "month", "volunteer_id"])
    op.create_index("ix_care_month_month_volunteer", "care_month", ["month", "volunteer_id"])


def _drop_care_month() -> None:
    op.drop_index("ix_care_month_month_volunteer", table_name="care_month")
    op.drop_index("ix_care_month_child_month", table_name="care_month")
    op.drop_table("care_month")


def upgrade():
    duty_rule = op.create_table(
        "duty_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.String(length=200), nullable=False),
        sa.Column("frequency", sa.Enum(*FREQUENCIES, name="frequency", native_enum=False,
                                       create_constraint=False, length=32), nullable=False),
        sa.Column("fulfilled_by", sa.Enum("PAIRED", "ANYONE", name="fulfilledby",
                                          native_enum=False, create_constraint=False,
                                          length=32), nullable=False),
        sa.Column("stricter_frequency", sa.Enum(*FREQUENCIES, name="frequency",
                                                native_enum=False, create_constraint=False,
                                                length=32), nullable=True),
        sa.Column("stricter_for", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_duty_rule"),
        sa.UniqueConstraint("name", name="uq_duty_rule_name"),
    )
    op.create_index("ix_duty_rule_position", "duty_rule", ["position", "id"])
    op.bulk_insert(duty_rule, [
        {"name": name, "position": position, "kinds": kinds, "frequency": frequency,
         "fulfilled_by": "PAIRED", "stricter_frequency": None, "stricter_for": "",
         "active": True, "version": 1}
        for position, (name, kinds, frequency) in enumerate(FIVE_ONES, start=1)])

    _drop_care_month()
    _care_month([sa.Column(f"{kind}_days", sa.Integer(), nullable=False) for kind in KINDS])
    dialect = op.get_bind().dialect.name
    month, day = _month_sql(dialect), _day_sql(dialect)
    days = ", ".join(
        f"COALESCE(SUM(DISTINCT CASE WHEN kind = '{kind.upper()}' THEN 1 << ({day} - 1) END), 0)"
        for kind in KINDS)
    target = ", ".join(f"{kind}_days" for kind in KINDS)
    op.execute(
        f"INSERT INTO care_month (child_id, volunteer_id, month, {target}) "
        f"SELECT child_id, volunteer_id, {month}, {days} FROM care_record "
        f"WHERE volunteer_id IS NOT NULL GROUP BY child_id, volunteer_id, {month} "
        f"UNION ALL SELECT child_id, NULL, {month}, {days} FROM care_record "
        f"GROUP BY child_id, {month}")


def downgrade():
    _drop_care_month()
    _care_month([sa.Column(name, sa.Date(), nullable=True) for name in OLD])
    month = _month_sql(op.get_bind().dialect.name)
    dates = ", ".join(
        "MAX(CASE WHEN kind IN ({}) THEN occurred_on END)".format(
            ", ".join(f"'{kind}'" for kind in kinds))
        for kinds in OLD.values())
    op.execute(
        f"INSERT INTO care_month (child_id, volunteer_id, month, {', '.join(OLD)}) "
        f"SELECT child_id, volunteer_id, {month}, {dates} FROM care_record "
        f"GROUP BY child_id, volunteer_id, {month}")
    op.drop_index("ix_duty_rule_position", table_name="duty_rule")
    op.drop_table("duty_rule")
