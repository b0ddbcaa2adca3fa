"""Stock on hand, kept from the movements: every insert, change or removal of a movement
moves its item's `on_hand` in the same transaction, by a conditional UPDATE that refuses to
go below zero. Concurrent hand-outs of the last unit: the database serialises the two
UPDATEs and the second finds too little stock (no lost update on SQLite or PostgreSQL)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, event, func, select, update
from sqlalchemy.orm import Session

from models.base import previous
from models.enums import MovementKind
from models.inventory import ResourceItem, StockMovement
from models.validators import InvalidValue


def signed_quantity():
    """A movement's effect on stock as SQL: + for in, - for out."""
    return case(*((StockMovement.kind == kind, StockMovement.quantity * kind.sign)
                  for kind in MovementKind))


def computed_on_hand(session: Session, item_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(signed_quantity()), 0))
                          .where(StockMovement.item_id == item_id))


def move(session: Session, item_id: int, delta: int) -> None:
    """Add `delta` to the item's stock, or refuse if it would go below zero."""
    if delta == 0:
        return
    statement = update(ResourceItem).where(ResourceItem.id == item_id)
    if delta < 0:
        statement = statement.where(ResourceItem.on_hand >= -delta)
    result = session.connection().execute(
        statement.values(on_hand=ResourceItem.on_hand + delta)
        .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        name, left, unit = session.connection().execute(
            select(ResourceItem.name, ResourceItem.on_hand, ResourceItem.unit)
            .where(ResourceItem.id == item_id)).one()
        raise InvalidValue(_l(
            "Not enough %(item)s in stock: %(left)s %(unit)s left, %(wanted)s %(unit)s "
            "asked for.", item=name, left=left, unit=unit, wanted=-delta))


def _effect(kind, quantity) -> int:
    if kind is None or quantity is None:
        return 0
    kind = kind if isinstance(kind, MovementKind) else MovementKind[kind]
    return kind.sign * quantity


@event.listens_for(Session, "after_flush")
def _keep_stock(session: Session, flush_context) -> None:
    # After the flush the rows and their ids exist, and the attributes' history still says
    # what each movement was before.
    # Incoming first, so a movement moved from one item to another never dips below zero.
    changes: list[tuple[int, int]] = []
    for movement in session.new:
        if isinstance(movement, StockMovement):
            changes.append((movement.item_id, _effect(movement.kind, movement.quantity)))
    for movement in session.dirty:
        if not isinstance(movement, StockMovement) or not session.is_modified(movement):
            continue
        changes.append((previous(movement, "item_id"),
                        -_effect(previous(movement, "kind"), previous(movement, "quantity"))))
        changes.append((movement.item_id, _effect(movement.kind, movement.quantity)))
    for movement in session.deleted:
        if isinstance(movement, StockMovement):
            changes.append((movement.item_id, -_effect(movement.kind, movement.quantity)))
    for item_id, delta in sorted(changes, key=lambda change: -change[1]):
        move(session, item_id, delta)
