"""Stock on hand, kept from the movements: every insert, change or removal of a movement
moves its item's `on_hand` in the same transaction, by a conditional UPDATE that refuses to
go below zero. Concurrent hand-outs of the last unit: the database serialises the two
UPDATEs and the second finds too little stock (no lost update on SQLite or PostgreSQL).

Each movement in is a batch that keeps what is left of it (`remaining`); each movement out
draws on one batch of its item (first in, first out unless chosen), by the same kind of
conditional UPDATE, so a donor's goods are traced to the children they reached. An item's
batches hold what it has on hand. A movement out larger than any one batch is refused with
what each holds, never split in silence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, event, func, inspect, select, update
from sqlalchemy.orm import Session, aliased

from models.base import previous
from models.enums import MovementKind
from models.inventory import ResourceItem, StockMovement, movement_kind
from models.validators import InvalidValue


def signed_quantity():
    """A movement's effect on stock as SQL: + for in, - for out."""
    return case(*((StockMovement.kind == kind, StockMovement.quantity * kind.sign)
                  for kind in MovementKind))


def computed_on_hand(session: Session, item_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(signed_quantity()), 0))
                          .where(StockMovement.item_id == item_id))


def computed_left(session: Session, batch_id: int) -> int:
    """A batch's quantity less the movements out drawn on it, counted from the movements."""
    with session.no_autoflush:
        quantity = session.scalar(select(StockMovement.quantity)
                                  .where(StockMovement.id == batch_id))
        return quantity - session.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity), 0))
            .where(StockMovement.source_id == batch_id))


def _short(session: Session, item_id: int, wanted: int) -> InvalidValue:
    name, left, unit = session.connection().execute(
        select(ResourceItem.name, ResourceItem.on_hand, ResourceItem.unit)
        .where(ResourceItem.id == item_id)).one()
    return InvalidValue(_l(
        "Not enough %(item)s in stock: %(left)s %(unit)s left, %(wanted)s %(unit)s "
        "asked for.", item=name, left=left, unit=unit, wanted=wanted))


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
        raise _short(session, item_id, -delta)


def _draw(session: Session, batch_id: int, delta: int) -> None:
    """Add `delta` to what is left of a batch (negative: a movement out drawn on it), or
    refuse if it would go below zero or above the batch's own quantity."""
    if delta == 0:
        return
    statement = update(StockMovement).where(StockMovement.id == batch_id)
    if delta < 0:
        statement = statement.where(StockMovement.remaining >= -delta)
    else:
        statement = statement.where(StockMovement.remaining + delta <= StockMovement.quantity)
    result = session.connection().execute(
        statement.values(remaining=StockMovement.remaining + delta)
        .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        left, donor, day, unit = session.connection().execute(
            select(StockMovement.remaining, StockMovement.donor, StockMovement.occurred_on,
                   ResourceItem.unit).join(ResourceItem)
            .where(StockMovement.id == batch_id)).one()
        raise InvalidValue(_l(
            "Not enough left of the %(day)s batch from %(donor)s: %(left)s %(unit)s left, "
            "%(wanted)s %(unit)s asked for.", day=day, donor=donor or "—", left=left,
            unit=unit, wanted=-delta))


def _give_back_untraced(session: Session, item_id: int, quantity: int) -> None:
    """A movement out recorded before batches were kept, changed or removed: what it took
    goes back to the item's batches that have room, newest first."""
    drawn = aliased(StockMovement)
    traced = (select(func.coalesce(func.sum(drawn.quantity), 0))
              .where(drawn.source_id == StockMovement.id).scalar_subquery())
    room = StockMovement.quantity - StockMovement.remaining - traced
    with session.no_autoflush:
        batches = session.execute(
            select(StockMovement.id, room)
            .where(StockMovement.item_id == item_id, StockMovement.remaining.is_not(None),
                   room > 0)
            .order_by(StockMovement.occurred_on.desc(), StockMovement.id.desc())).all()
    for batch_id, room in batches:
        if quantity <= 0:
            break
        _draw(session, batch_id, min(room, quantity))
        quantity -= min(room, quantity)


def _item_id(movement: StockMovement) -> int | None:
    """The movement's item: a form sets the item itself, whose id the column gets at the
    flush."""
    return movement.item.id if movement.item is not None else movement.item_id


def _pick(session: Session, movement: StockMovement, given_back: tuple | None) -> int:
    """The item's oldest batch, come in by the movement's day, that still holds the whole
    movement out, counting what a corrected movement gives back to the batch it drew on
    (`given_back`: batch, quantity)."""
    item_id = _item_id(movement)
    left = StockMovement.remaining
    if given_back is not None and given_back[0] is not None:
        left = StockMovement.remaining + case(
            (StockMovement.id == given_back[0], given_back[1]), else_=0)
    by_then = StockMovement.occurred_on <= movement.occurred_on
    with session.no_autoflush:
        found = session.scalar(
            select(StockMovement.id).where(StockMovement.item_id == item_id,
                                           StockMovement.remaining.is_not(None), by_then,
                                           left >= movement.quantity)
            .order_by(StockMovement.occurred_on, StockMovement.id).limit(1))
        if found is not None:
            return found
        largest, total, later = session.execute(
            select(func.coalesce(func.max(case((by_then, left))), 0),
                   func.coalesce(func.sum(case((by_then, left))), 0),
                   func.coalesce(func.max(left), 0))
            .where(StockMovement.item_id == item_id)).one()
        unit = session.scalar(select(ResourceItem.unit).where(ResourceItem.id == item_id))
    if later >= movement.quantity > largest:
        raise InvalidValue(_l(
            "No batch that had come in by %(day)s holds %(wanted)s %(unit)s: goods that came "
            "in later cannot have gone out then.", day=movement.occurred_on,
            wanted=movement.quantity, unit=unit))
    if total >= movement.quantity:
        raise InvalidValue(_l(
            "No single batch holds %(wanted)s %(unit)s (the most one holds is %(largest)s "
            "%(unit)s, %(total)s %(unit)s in all): record it as two, each drawn on one batch.",
            wanted=movement.quantity, largest=largest, total=total, unit=unit))
    raise _short(session, item_id, movement.quantity)


def _draws_anew(movement: StockMovement) -> bool:
    """Whether a changed movement out changed what it draws (its item, quantity, day, kind
    or batch): a corrected note leaves it drawn, or untraced, as it was."""
    state = inspect(movement)
    return any(state.attrs[name].history.has_changes()
               for name in ("item_id", "item", "quantity", "occurred_on", "kind", "source",
                            "source_id"))


def _source_left_to_choose(movement: StockMovement) -> bool:
    """No batch named: none ever, or the form's choice set to nothing (自动)."""
    return movement.source is None and (movement.source_id is None
                                        or bool(inspect(movement).attrs.source.history.added))


def _check_source(session: Session, movement: StockMovement) -> None:
    if movement.incoming:
        if movement.source_id is not None or movement.source is not None:
            raise InvalidValue(_l("Stock coming in draws on no other batch."))
        return
    cleared = bool(inspect(movement).attrs.source.history.added)  # the form's 自动
    source = movement.source or (session.get(StockMovement, movement.source_id)
                                 if movement.source_id is not None and not cleared else None)
    if source is None:
        return
    if not source.incoming:
        raise InvalidValue(_l("Stock going out draws on a batch that came in, not on another "
                              "movement out."))
    if source.item_id != _item_id(movement):
        raise InvalidValue(_l("Stock going out draws on a batch of the same item."))
    if movement.occurred_on is not None and source.occurred_on > movement.occurred_on \
            and (movement.id is None or _draws_anew(movement)):
        raise InvalidValue(_l("The batch chosen came in on %(day)s, after this movement: "
                              "choose one that had come in by then.", day=source.occurred_on))


def _left_of(session: Session, batch_id: int) -> int | None:
    """What is left of a batch as the database holds it (a record in the session may not
    know the draws made since it was loaded)."""
    with session.no_autoflush:
        return session.scalar(select(StockMovement.remaining)
                              .where(StockMovement.id == batch_id))


@event.listens_for(Session, "before_flush")
def _prepare(session: Session, flush_context, instances) -> None:
    for movement in session.deleted:
        if isinstance(movement, StockMovement) and movement.incoming:
            left = _left_of(session, movement.id)
            if left is not None and left < movement.quantity:
                raise InvalidValue(_l("%(drawn)s %(unit)s of this batch went out already: it "
                                      "cannot be deleted.", drawn=movement.quantity - left,
                                      unit=movement.item.unit))
    for movement in (*session.new, *session.dirty):
        if not isinstance(movement, StockMovement) or movement in session.deleted:
            continue
        kind = movement_kind(movement.kind)
        if kind is None or movement.quantity is None:
            continue
        if movement in session.new and movement.incoming:
            movement.remaining = movement.quantity
        if movement in session.dirty and session.is_modified(movement):
            was = movement_kind(previous(movement, "kind"))
            if was is not None and (was.sign > 0) != movement.incoming:
                raise InvalidValue(_l("Stock coming in cannot become stock going out, nor the "
                                      "other way: delete the movement and record it again."))
            if movement.incoming:
                _correct_batch(session, movement)
        _check_source(session, movement)
        if not movement.incoming and _source_left_to_choose(movement) \
                and (movement in session.new or _draws_anew(movement)):
            # The relationship, not its column: a form sets `source` (to nothing when left
            # to choose), which the flush would write over a column set here.
            given_back = None
            if movement in session.dirty:
                given_back = (previous(movement, "source_id"), previous(movement, "quantity"))
            movement.source = session.get(StockMovement, _pick(session, movement, given_back))


def _correct_batch(session: Session, batch: StockMovement) -> None:
    """A batch in, changed: less of it only if no more was drawn on it; another item only
    if nothing was."""
    drawn = previous(batch, "quantity") - (_left_of(session, batch.id) or 0)
    with session.no_autoflush:
        unit = session.scalar(select(ResourceItem.unit)
                              .where(ResourceItem.id == previous(batch, "item_id")))
    if previous(batch, "item_id") != _item_id(batch) and drawn:
        raise InvalidValue(_l("%(drawn)s %(unit)s of this batch went out already: it stays "
                              "with its item.", drawn=drawn, unit=unit))
    if batch.occurred_on != previous(batch, "occurred_on"):
        with session.no_autoflush:
            first_out = session.scalar(select(func.min(StockMovement.occurred_on))
                                       .where(StockMovement.source_id == batch.id))
        if first_out is not None and first_out < batch.occurred_on:
            raise InvalidValue(_l("Goods of this batch went out on %(day)s: it came in by "
                                  "then.", day=first_out))
    shrunk = batch.quantity - previous(batch, "quantity")
    if shrunk < 0:
        try:
            _draw(session, batch.id, shrunk)
        except InvalidValue:
            raise InvalidValue(_l("%(drawn)s %(unit)s of this batch went out already: its "
                                  "quantity cannot be less.", drawn=drawn,
                                  unit=unit)) from None


def _effect(kind, quantity) -> int:
    if kind is None or quantity is None:
        return 0
    kind = movement_kind(kind)
    return kind.sign * quantity


@event.listens_for(Session, "after_flush")
def _keep_stock(session: Session, flush_context) -> None:
    # After the flush the rows and their ids exist, and the attributes' history still says
    # what each movement was before.
    # Incoming first, so a movement moved from one item to another never dips below zero.
    changes: list[tuple[int, int]] = []
    # Batches: (batch id, or None with the item for a movement recorded before batches
    # were kept; delta).
    draws: list[tuple[int | None, int, int]] = []
    for movement in session.new:
        if isinstance(movement, StockMovement):
            changes.append((movement.item_id, _effect(movement.kind, movement.quantity)))
            if not movement.incoming:
                draws.append((movement.source_id, movement.item_id, -movement.quantity))
    for movement in session.dirty:
        if not isinstance(movement, StockMovement) or not session.is_modified(movement):
            continue
        changes.append((previous(movement, "item_id"),
                        -_effect(previous(movement, "kind"), previous(movement, "quantity"))))
        changes.append((movement.item_id, _effect(movement.kind, movement.quantity)))
        if movement.incoming:
            grown = movement.quantity - previous(movement, "quantity")
            if grown > 0:
                draws.append((movement.id, movement.item_id, grown))
        elif _draws_anew(movement):
            draws.append((previous(movement, "source_id"), previous(movement, "item_id"),
                          previous(movement, "quantity")))
            draws.append((movement.source_id, movement.item_id, -movement.quantity))
    for movement in session.deleted:
        if not isinstance(movement, StockMovement):
            continue
        changes.append((movement.item_id, -_effect(movement.kind, movement.quantity)))
        if not movement.incoming:
            draws.append((movement.source_id, movement.item_id, movement.quantity))
    for item_id, delta in sorted(changes, key=lambda change: -change[1]):
        move(session, item_id, delta)
    # What comes back first, so a movement moved to another batch never dips below zero.
    for batch_id, item_id, delta in sorted(draws, key=lambda draw: -draw[2]):
        if batch_id is not None:
            _draw(session, batch_id, delta)
        elif delta > 0:
            _give_back_untraced(session, item_id, delta)
