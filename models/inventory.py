"""The Home's resources and every movement of stock in and out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Timestamped, Versioned, db, enum_column, sorted_by
from models.enums import MovementKind
from models.people import Child
from models.places import Home, ResourceCategory


class ResourceItem(Versioned, Timestamped, db.Model):
    __tablename__ = "resource_item"
    __table_args__ = (
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("on_hand >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("resource_category.id"))
    unit: Mapped[str] = mapped_column(String(10), default="")
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=0)
    location: Mapped[str] = mapped_column(String(100), default="")
    # The sum of the item's movements, kept by models.stock in the same transaction as each
    # movement, with a conditional UPDATE: two hand-outs of the last book cannot both pass.
    on_hand: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    home: Mapped[Home] = relationship()
    category: Mapped[ResourceCategory | None] = relationship()

    @property
    def low(self) -> bool:
        return self.on_hand < self.low_stock_threshold

    def __str__(self) -> str:
        return self.name


class StockMovement(Versioned, Timestamped, db.Model):
    """入库 or 出库 of a positive quantity; its kind says which way it goes."""

    __tablename__ = "stock_movement"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),
                      CheckConstraint("remaining IS NULL OR (remaining >= 0 AND "
                                      "remaining <= quantity)", name="remaining_within_quantity"),
                      sorted_by("stock_movement", "kind"),
                      sorted_by("stock_movement", "quantity"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: a change loads the value it replaces, even on an expired record, so
    # the stock hook (models.stock) takes back what the movement did before.
    item_id: Mapped[int] = mapped_column(ForeignKey("resource_item.id"), index=True,
                                         active_history=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[MovementKind] = mapped_column(enum_column(MovementKind), active_history=True)
    quantity: Mapped[int] = mapped_column(Integer, active_history=True)
    donor: Mapped[str] = mapped_column(String(100), default="")
    # Stock in (a batch): how much of it is left, kept with every movement out drawn on it
    # (models.stock), so a donor's goods are traced to the children they reached.
    remaining: Mapped[int | None] = mapped_column(Integer)
    # Stock out: the batch in it was drawn on (first in, first out unless chosen). None
    # only for movements recorded before batches were kept (their batches' `remaining`
    # was counted oldest first by the migration).
    source_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movement.id"), index=True,
                                                  active_history=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    # A hand-out of a 慰问 round: the child's gift in it (models.rounds).
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("round_gift.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    item: Mapped[ResourceItem] = relationship()
    source: Mapped[StockMovement | None] = relationship(remote_side=[id])
    child: Mapped[Child | None] = relationship()
    gift: Mapped[RoundGift | None] = relationship()  # noqa: F821
    recorded_by: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def incoming(self) -> bool:
        kind = movement_kind(self.kind)
        return kind is not None and kind.sign > 0

    def __str__(self) -> str:
        return f"{self.item} {MovementKind.label_of(self.kind)} {self.quantity}"


def movement_kind(value) -> MovementKind | None:
    """The kind a movement holds: the member, or its name as a form sets it before the save."""
    if value is None or isinstance(value, MovementKind):
        return value
    return MovementKind[value] if value in MovementKind.__members__ else MovementKind(value)
