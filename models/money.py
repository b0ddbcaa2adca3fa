"""A Home's money (资金台账), in yuan and fen: what came in (a donation with its donor, an
allocation from the township or county, other income) and what went out (慰问金 to a named
child, goods bought — linked to the stock movement that brought them in —, an activity's
costs), each payment drawn on one line of money in, so a donor's gift is traced to what it
paid for and to the children it reached.

Each line of money in keeps what is left of it (`remaining`); a payment takes its amount
from the line it draws on by a conditional UPDATE that refuses to go below zero, in the
same transaction as the payment (models/money_keeping.py): two payments of the last yuan
cannot both pass, on SQLite or PostgreSQL. A Home's balance is what is left of its lines
in, so it can never be negative either. Lines are corrected, never deleted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.activities import Activity
from models.base import Timestamped, Versioned, db, enum_column, sorted_by
from models.enums import MoneyKind
from models.inventory import StockMovement
from models.people import Child
from models.places import Home

YUAN = Numeric(12, 2)


class MoneyEntry(Versioned, Timestamped, db.Model):
    __tablename__ = "money_entry"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("remaining IS NULL OR (remaining >= 0 AND remaining <= amount)",
                        name="remaining_within_amount"),
        sorted_by("money_entry", "kind"),
        sorted_by("money_entry", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: a change loads the value it replaces, even on an expired record, so
    # the ledger's hook gives back what the line took before (models.money_keeping).
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True,
                                         active_history=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[MoneyKind] = mapped_column(enum_column(MoneyKind), active_history=True)
    amount: Mapped[Decimal] = mapped_column(YUAN, active_history=True)
    # Money in: who gave it (a donation's donor, the allocating office).
    donor: Mapped[str] = mapped_column(String(100), default="")
    # Money in: what is left of it, kept with every payment drawn on it.
    remaining: Mapped[Decimal | None] = mapped_column(YUAN)
    # Money out: the line of money in it was drawn on (first in, first out unless chosen).
    source_id: Mapped[int | None] = mapped_column(ForeignKey("money_entry.id"), index=True,
                                                  active_history=True)
    # 慰问金: the child it was given to; goods bought: their stock movement in; an
    # activity's costs: the activity.
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    stock_movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movement.id"),
                                                          index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    # 慰问金 of a 慰问 round: the child's gift in it (models.rounds).
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("round_gift.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    home: Mapped[Home] = relationship()
    source: Mapped[MoneyEntry | None] = relationship(remote_side=[id])
    child: Mapped[Child | None] = relationship()
    stock_movement: Mapped[StockMovement | None] = relationship()
    activity: Mapped[Activity | None] = relationship()
    gift: Mapped[RoundGift | None] = relationship()  # noqa: F821
    recorded_by: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def incoming(self) -> bool:
        kind = kind_of(self.kind)
        return kind is not None and kind.incoming

    def __str__(self) -> str:
        who = f" {self.donor}" if self.incoming and self.donor else ""
        return f"{self.occurred_on} {MoneyKind.label_of(self.kind)}{who} ¥{self.amount}"


def kind_of(value) -> MoneyKind | None:
    """The kind a line holds: the member, or its name as a form sets it before the save."""
    if value is None or isinstance(value, MoneyKind):
        return value
    return MoneyKind[value] if value in MoneyKind.__members__ else MoneyKind(value)
