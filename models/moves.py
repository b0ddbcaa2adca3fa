"""A child's moves between Children's Homes: one archive follows her (一人一档), and her card
says when she came from where."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Timestamped, db


class ChildMove(Timestamped, db.Model):
    """Written when a child's Home changes (views.duplicates.record_move); never edited."""

    __tablename__ = "child_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    from_home_id: Mapped[int] = mapped_column(ForeignKey("home.id"))
    to_home_id: Mapped[int] = mapped_column(ForeignKey("home.id"))
    moved_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
