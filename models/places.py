"""Children's Homes and the small lookup tables each county names its own way."""

from __future__ import annotations

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Timestamped, Versioned, db


class Home(Versioned, Timestamped, db.Model):
    __tablename__ = "home"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    township: Mapped[str] = mapped_column(String(50), default="")
    village: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    opening_hours: Mapped[str] = mapped_column(String(100), default="")

    label_column = "name"  # what a drop-down of Homes shows (views.fields.NamedSelectField)

    def __str__(self) -> str:
        return self.name


def townships(session) -> list[str]:
    """The townships the Homes are in, in order (an account may be scoped to one)."""
    return list(session.scalars(select(Home.township).where(Home.township != "")
                                .distinct().order_by(Home.township)))


class _Lookup(Versioned, Timestamped):
    """A name staff may edit in the panel, shown in drop-downs in `sort_order`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    label_column = "name"

    def __str__(self) -> str:
        return self.name


class ActivityKind(_Lookup, db.Model):
    __tablename__ = "activity_kind"

    # A CSS colour for the calendar.
    colour: Mapped[str] = mapped_column(String(7), default="#4e79a7")


class ResourceCategory(_Lookup, db.Model):
    __tablename__ = "resource_category"


class VolunteerOrganisation(_Lookup, db.Model):
    __tablename__ = "volunteer_organisation"
