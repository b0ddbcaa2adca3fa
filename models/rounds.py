"""慰问活动: a round of gifts to children (every half year, at a festival), over one or more
Homes, to the children it names — those in difficulty, key targets of help, living alone,
every child, and any picked by hand. Each child given in a round has one gift record
(`RoundGift`, unique per round and child: a second gift is refused), which its hand-outs
(stock movements) and its 慰问金 (a line of the money ledger) name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Timestamped, Versioned, db, sorted_by
from models.people import Child
from models.places import Home

care_round_home = Table(
    "care_round_home", db.metadata,
    Column("round_id", ForeignKey("care_round.id", ondelete="CASCADE"), primary_key=True),
    Column("home_id", ForeignKey("home.id"), primary_key=True, index=True),
)

care_round_child = Table(
    "care_round_child", db.metadata,
    Column("round_id", ForeignKey("care_round.id", ondelete="CASCADE"), primary_key=True),
    Column("child_id", ForeignKey("child.id"), primary_key=True, index=True),
)


class CareRound(Versioned, Timestamped, db.Model):
    __tablename__ = "care_round"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_it_starts"),
        CheckConstraint("money_each IS NULL OR money_each > 0", name="money_each_positive"),
        sorted_by("care_round", "starts_on"),
        sorted_by("care_round", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # Who may receive: any child of the round's Homes in care who is one of these, and the
    # children picked by hand.
    for_everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    for_in_difficulty: Mapped[bool] = mapped_column(Boolean, default=False)
    for_key_target: Mapped[bool] = mapped_column(Boolean, default=False)
    for_living_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    # What each child receives, in words (书包一个、文具一套), and the 慰问金 each, if any.
    goods: Mapped[str] = mapped_column(String(200), default="")
    money_each: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    note: Mapped[str] = mapped_column(String(200), default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    homes: Mapped[list[Home]] = relationship(secondary=care_round_home, order_by=Home.name)
    picked: Mapped[list[Child]] = relationship(secondary=care_round_child,
                                               order_by=Child.name)
    closed_by: Mapped[User | None] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return self.name


class RoundGift(Versioned, Timestamped, db.Model):
    """What one child received in one round: the hand-outs and the 慰问金 that name it."""

    __tablename__ = "round_gift"
    __table_args__ = (UniqueConstraint("round_id", "child_id", name="one_gift_per_child"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("care_round.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    # The child's Home when given (a child who moves later stays counted where given).
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    round: Mapped[CareRound] = relationship()
    child: Mapped[Child] = relationship()
    home: Mapped[Home] = relationship()
    recorded_by: Mapped[User | None] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"{self.round} · {self.child}"
