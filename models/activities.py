"""The Home's activities: what, when, where, who organised it, which children came."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Timestamped, Versioned, db, enum_column, sorted_by
from models.enums import ActivityStatus
from models.people import Child, Volunteer
from models.places import ActivityKind, Home

activity_volunteer = Table(
    "activity_volunteer",
    db.metadata,
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    Column("volunteer_id", ForeignKey("volunteer.id"), primary_key=True, index=True),
)

# Who is enrolled in a weekly series once for all its dates (models.series carries them to
# the dates still to come).
activity_series_child = Table(
    "activity_series_child",
    db.metadata,
    Column("series_id", ForeignKey("activity_series.id", ondelete="CASCADE"), primary_key=True),
    Column("child_id", ForeignKey("child.id"), primary_key=True, index=True),
)
activity_series_volunteer = Table(
    "activity_series_volunteer",
    db.metadata,
    Column("series_id", ForeignKey("activity_series.id", ondelete="CASCADE"), primary_key=True),
    Column("volunteer_id", ForeignKey("volunteer.id"), primary_key=True, index=True),
)


class ActivitySeries(Versioned, Timestamped, db.Model):
    """A weekly repeating activity (interest groups every Tuesday and Thursday 15:00-17:00
    for a term): its dates are activities of their own, made and kept in step by
    models.series, so each date can still be changed or cancelled on its own."""

    __tablename__ = "activity_series"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="ends_after_start"),
        CheckConstraint("ends_at_time > starts_at_time", name="ends_after_it_starts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("activity_kind.id"))
    # ISO weekdays, Monday = 1: "2,4" is every Tuesday and Thursday.
    weekdays: Mapped[str] = mapped_column(String(13))
    starts_at_time: Mapped[time] = mapped_column(Time)
    ends_at_time: Mapped[time] = mapped_column(Time)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(100), default="")
    organiser: Mapped[str] = mapped_column(String(50), default="")

    home: Mapped[Home] = relationship()
    kind: Mapped[ActivityKind | None] = relationship()
    activities: Mapped[list[Activity]] = relationship(back_populates="series",
                                                      order_by="Activity.starts_at")
    children: Mapped[list[Child]] = relationship(secondary=activity_series_child,
                                                 order_by=Child.name)
    volunteers: Mapped[list[Volunteer]] = relationship(secondary=activity_series_volunteer,
                                                       order_by=Volunteer.name)

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(day) for day in self.weekdays.split(",") if day]

    def __str__(self) -> str:
        return self.title


class Activity(Versioned, Timestamped, db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        Index("ix_activity_home_starts", "home_id", "starts_at"),
        sorted_by("activity", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"))
    title: Mapped[str] = mapped_column(String(100), index=True)
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("activity_kind.id"))
    # Naive local wall-clock times: a Home's afternoon is 15:00 wherever the server runs.
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(100), default="")
    organiser: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus), default=ActivityStatus.PLANNED
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    series_id: Mapped[int | None] = mapped_column(ForeignKey("activity_series.id"), index=True)

    home: Mapped[Home] = relationship()
    kind: Mapped[ActivityKind | None] = relationship()
    series: Mapped[ActivitySeries | None] = relationship(back_populates="activities")
    volunteers: Mapped[list[Volunteer]] = relationship(secondary=activity_volunteer)
    participants: Mapped[list[ActivityParticipant]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.title}"


class ActivityParticipant(Timestamped, db.Model):
    """A child invited to an activity, and whether the child came."""

    __tablename__ = "activity_participant"
    __table_args__ = (UniqueConstraint("activity_id", "child_id", name="one_row_per_child"),)

    # A key of its own: Flask-Admin's inline forms cannot edit rows with a composite key.
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=True)

    activity: Mapped[Activity] = relationship(back_populates="participants")
    child: Mapped[Child] = relationship()

    def __str__(self) -> str:
        return str(self.child)
