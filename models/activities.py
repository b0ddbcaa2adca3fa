"""The Home's activities: what, when, where, who organised it, which children came."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Timestamped, Versioned, db, enum_column
from models.enums import ActivityStatus
from models.people import Child, Volunteer
from models.places import ActivityKind, Home

activity_volunteer = Table(
    "activity_volunteer",
    db.metadata,
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    Column("volunteer_id", ForeignKey("volunteer.id"), primary_key=True, index=True),
)


class Activity(Versioned, Timestamped, db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        Index("ix_activity_home_starts", "home_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"))
    title: Mapped[str] = mapped_column(String(100))
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

    home: Mapped[Home] = relationship()
    kind: Mapped[ActivityKind | None] = relationship()
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
