"""Pairings of volunteers with children, and the care records written about each child."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    false,
    or_,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Timestamped, Versioned, db, enum_column, likely, local_today, sorted_by
from models.enums import CareKind
from models.people import Child, ParentContact, Volunteer
from models.sealed import Sealed


class Pairing(Versioned, Timestamped, db.Model):
    """结对帮扶: one volunteer caring for one child from `started_on` until `ended_on`."""

    __tablename__ = "pairing"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        # At most one open primary pairing per child, even when two people pair at once.
        Index("uq_pairing_open_primary", "child_id", unique=True,
              sqlite_where=text("ended_on IS NULL AND is_primary"),
              postgresql_where=text("ended_on IS NULL AND is_primary")),
        sorted_by("pairing", "started_on"),
        sorted_by("pairing", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(200), default="")
    # The child's caring mother; others (a proxy parent, a student volunteer) may help too.
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    volunteer: Mapped[Volunteer] = relationship()
    child: Mapped[Child] = relationship()

    @property
    def active(self) -> bool:
        return self.ended_on is None or self.ended_on >= local_today()

    @classmethod
    def overlapping(cls, first: date, last: date) -> ColumnElement[bool]:
        """Pairings in force on some day from `first` to `last`; `overlapping(d, d)`: on day d."""
        return and_(likely(cls.started_on <= last),
                    likely(or_(cls.ended_on.is_(None), cls.ended_on >= first)))

    @classmethod
    def primary_for_child(cls, today: date) -> ColumnElement[bool]:
        """The child's (correlated `Child.id`) primary caring mother in force `today`."""
        return and_(cls.child_id == Child.id, cls.is_primary.is_(True),
                    cls.overlapping(today, today))

    def __str__(self) -> str:
        return f"{self.volunteer} — {self.child}"


class CareRecord(Versioned, Timestamped, db.Model):
    """关爱记录: a talk, home visit, contact with parents, teacher or guardian, or a festival."""

    __tablename__ = "care_record"
    __table_args__ = (
        Index("ix_care_record_child_date", "child_id", "occurred_on"),
        sorted_by("care_record", "occurred_on"),
        # The few records still waiting for their follow-up, for the follow-up page; the
        # condition written as SQLAlchemy writes `follow_up_needed.is_(True)`, so that both
        # databases see the query's condition is the index's.
        Index("ix_care_record_open_follow_up", "child_id",
              sqlite_where=text("follow_up_needed IS 1 AND follow_up_done_on IS NULL"),
              postgresql_where=text("follow_up_needed IS true AND follow_up_done_on IS NULL")),
        CheckConstraint("minutes IS NULL OR (minutes >= 1 AND minutes <= 600)",
                        name="minutes_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: a change loads the value it replaces, even on an expired record, so
    # the care summary of the month and child it leaves is rewritten too.
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), active_history=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    occurred_on: Mapped[date] = mapped_column(Date, active_history=True)
    kind: Mapped[CareKind] = mapped_column(enum_column(CareKind))
    notes: Mapped[str] = mapped_column(Sealed(multiline=True), default="")
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_note: Mapped[str] = mapped_column(Sealed(200), default="")
    follow_up_done_on: Mapped[date | None] = mapped_column(Date)
    # A call or video with a parent (亲情电话, views.care.FamilyCallView): with which parent,
    # how long, on which of the Home's devices (an inventory item).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent_contact.id"))
    minutes: Mapped[int | None] = mapped_column(Integer)
    video: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    device_id: Mapped[int | None] = mapped_column(ForeignKey("resource_item.id"))

    child: Mapped[Child] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()  # noqa: F821
    parent: Mapped[ParentContact | None] = relationship()
    device: Mapped[ResourceItem | None] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"{self.child} {self.occurred_on} {CareKind.label_of(self.kind)}"


class CareMonth(db.Model):
    """Per child, month and volunteer, the days of that month with a care record of each
    kind, as bits (day d: 1 << (d - 1)); the row without a volunteer holds every record of
    the child (staff's, and every volunteer's). Whatever duties the county sets
    (models.duties), their ticks are read from these. Derived from the care records and
    rewritten with them by models.care_summary: never written by hand."""

    __tablename__ = "care_month"
    # A child's months (the care summary, the follow-up); a pairing's month (its child, the
    # month and its caring mother: the follow-up's totals by Home); a month's rows by
    # caring mother (the overview).
    __table_args__ = (Index("ix_care_month_child_month", "child_id", "month", "volunteer_id"),
                      Index("ix_care_month_month_volunteer", "month", "volunteer_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))
    month: Mapped[date] = mapped_column(Date)
    talk_days: Mapped[int] = mapped_column(Integer, default=0)
    home_visit_days: Mapped[int] = mapped_column(Integer, default=0)
    parent_call_days: Mapped[int] = mapped_column(Integer, default=0)
    parent_letter_days: Mapped[int] = mapped_column(Integer, default=0)
    teacher_contact_days: Mapped[int] = mapped_column(Integer, default=0)
    guardian_contact_days: Mapped[int] = mapped_column(Integer, default=0)
    festival_days: Mapped[int] = mapped_column(Integer, default=0)
    other_days: Mapped[int] = mapped_column(Integer, default=0)


def kind_days(entity, kind: CareKind):
    """The column of `kind`'s days in CareMonth, or in an alias of its table."""
    columns = getattr(entity, "c", None)
    return columns[f"{kind.value}_days"] if columns is not None else getattr(
        entity, f"{kind.value}_days")
