"""What is left of each line of money in, kept with every payment drawn on it: a payment
takes its amount from its source by a conditional UPDATE that refuses to go below zero,
in the same transaction (as models.stock keeps stock on hand). A payment saved without a
source draws on the Home's oldest line of money in that still holds enough (first in,
first out); one larger than any single line is refused with what each holds, never split
in silence."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, event, func, inspect, select, update
from sqlalchemy.orm import Session

from models.base import previous
from models.money import MoneyEntry, kind_of
from models.validators import InvalidValue

ZERO = Decimal("0.00")


def balance(session: Session, home_id: int) -> Decimal:
    """What the Home has left: what is left of its lines of money in."""
    return session.scalar(select(func.coalesce(func.sum(MoneyEntry.remaining), 0))
                          .where(MoneyEntry.home_id == home_id)) or ZERO


def computed_spent(session: Session, source_id: int) -> Decimal:
    """The payments drawn on a line of money in, counted from the ledger itself."""
    with session.no_autoflush:
        return Decimal(session.scalar(select(func.coalesce(func.sum(MoneyEntry.amount), 0))
                                      .where(MoneyEntry.source_id == source_id)))


def computed_remaining(session: Session, source_id: int) -> Decimal:
    """A line's amount less the payments drawn on it, counted from the ledger itself."""
    amount = session.scalar(select(MoneyEntry.amount).where(MoneyEntry.id == source_id))
    return Decimal(amount) - computed_spent(session, source_id)


def _draw(session: Session, source_id: int, delta: Decimal) -> None:
    """Add `delta` to what is left of the line `source_id` (negative: a payment), or refuse
    if it would go below zero or above the line's own amount."""
    if delta == 0:
        return
    statement = update(MoneyEntry).where(MoneyEntry.id == source_id)
    if delta < 0:
        statement = statement.where(MoneyEntry.remaining >= -delta)
    else:
        statement = statement.where(MoneyEntry.remaining + delta <= MoneyEntry.amount)
    result = session.connection().execute(
        statement.values(remaining=MoneyEntry.remaining + delta)
        .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        left, donor, day = session.connection().execute(
            select(MoneyEntry.remaining, MoneyEntry.donor, MoneyEntry.occurred_on)
            .where(MoneyEntry.id == source_id)).one()
        raise InvalidValue(_l(
            "Not enough money left in the %(day)s income from %(donor)s: ¥%(left)s left, "
            "¥%(wanted)s asked for.", day=day, donor=donor or "—", left=left,
            wanted=-delta))


def _home_id(entry: MoneyEntry) -> int | None:
    """The line's Home: a form sets the Home itself, whose id the column gets at the flush."""
    return entry.home.id if entry.home is not None else entry.home_id


def _pick_source(session: Session, entry: MoneyEntry, given_back: tuple | None) -> int:
    """The Home's oldest line of money in, come in by the payment's day, that still holds
    the whole payment, counting what a corrected payment gives back to the line it drew on
    (`given_back`: line, amount)."""
    home_id = _home_id(entry)
    left = MoneyEntry.remaining
    if given_back is not None and given_back[0] is not None:
        left = MoneyEntry.remaining + case((MoneyEntry.id == given_back[0], given_back[1]),
                                           else_=0)
    by_then = MoneyEntry.occurred_on <= entry.occurred_on
    with session.no_autoflush:
        found = session.scalar(
            select(MoneyEntry.id).where(MoneyEntry.home_id == home_id, by_then,
                                        left >= entry.amount)
            .order_by(MoneyEntry.occurred_on, MoneyEntry.id).limit(1))
        if found is not None:
            return found
        largest, total, later = session.execute(
            select(func.coalesce(func.max(case((by_then, left))), 0),
                   func.coalesce(func.sum(case((by_then, left))), 0),
                   func.coalesce(func.max(left), 0))
            .where(MoneyEntry.home_id == home_id)).one()
    if Decimal(later) >= Decimal(entry.amount) > Decimal(largest):
        raise InvalidValue(_l(
            "No income that had come in by %(day)s holds ¥%(wanted)s: money that came in "
            "later cannot pay for it.", day=entry.occurred_on, wanted=entry.amount))
    if Decimal(total) >= Decimal(entry.amount):
        raise InvalidValue(_l(
            "No single income holds ¥%(wanted)s (the most one holds is ¥%(largest)s, "
            "¥%(total)s in all): record the payment as two, each drawn on one income.",
            wanted=entry.amount, largest=largest, total=total))
    raise InvalidValue(_l("Not enough money: ¥%(total)s left in all, ¥%(wanted)s asked for.",
                          total=total, wanted=entry.amount))


def _source_left_to_choose(entry: MoneyEntry) -> bool:
    """No income named: none ever, or the form's choice set to nothing (自动)."""
    return entry.source is None and (entry.source_id is None
                                     or bool(inspect(entry).attrs.source.history.added))


def _check(session: Session, entry: MoneyEntry) -> None:
    kind = kind_of(entry.kind)
    if kind is None or entry.amount is None:
        return
    if kind.incoming:
        if entry.source_id is not None or entry.source is not None:
            raise InvalidValue(_l("Money coming in draws on no other income."))
        return
    cleared = bool(inspect(entry).attrs.source.history.added)  # the form's 自动
    source = entry.source or (session.get(MoneyEntry, entry.source_id)
                              if entry.source_id is not None and not cleared else None)
    if source is not None:
        if not source.incoming:
            raise InvalidValue(_l("A payment draws on money that came in, not on another "
                                  "payment."))
        if source.home_id != _home_id(entry):
            raise InvalidValue(_l("A payment draws on money of its own Children's Home."))
        state = inspect(entry)
        changed = entry.id is None or any(state.attrs[name].history.has_changes()
                                          for name in ("occurred_on", "source", "source_id"))
        if changed and entry.occurred_on is not None and source.occurred_on > entry.occurred_on:
            raise InvalidValue(_l("The income chosen came in on %(day)s, after the payment: "
                                  "choose one that had come in by then.",
                                  day=source.occurred_on))


@event.listens_for(Session, "before_flush")
def _prepare(session: Session, flush_context, instances) -> None:
    for entry in (*session.new, *session.dirty):
        if not isinstance(entry, MoneyEntry) or entry in session.deleted:
            continue
        kind = kind_of(entry.kind)
        if kind is None or entry.amount is None:
            continue
        if entry in session.new and kind.incoming:
            entry.remaining = Decimal(entry.amount)
        if entry in session.dirty:
            was = kind_of(previous(entry, "kind"))
            if was is not None and was.incoming != kind.incoming:
                raise InvalidValue(_l("Money in cannot become money out, nor the other way: "
                                      "correct it with a line of its own."))
            if previous(entry, "home_id") != _home_id(entry):
                raise InvalidValue(_l("A line of money stays with its Children's Home."))
            if kind.incoming and entry.occurred_on != previous(entry, "occurred_on"):
                with session.no_autoflush:
                    first_paid = session.scalar(select(func.min(MoneyEntry.occurred_on))
                                                .where(MoneyEntry.source_id == entry.id))
                if first_paid is not None and first_paid < entry.occurred_on:
                    raise InvalidValue(_l("Money of this income was paid out on %(day)s: it "
                                          "came in by then.", day=first_paid))
            shrunk = Decimal(entry.amount) - Decimal(previous(entry, "amount"))
            if kind.incoming and shrunk < 0:
                # Less left first, refused if more was spent than the new amount; then the
                # amount itself (what is left never exceeds it).
                try:
                    _draw(session, entry.id, shrunk)
                except InvalidValue:
                    raise InvalidValue(_l(
                        "¥%(spent)s of this income has been spent already: its amount "
                        "cannot be less.", spent=computed_spent(session, entry.id))) from None
        _check(session, entry)
        if not kind.incoming and _source_left_to_choose(entry):
            # The relationship, not its column: a form sets `source` (to nothing when left
            # to choose), which the flush would write over a column set here.
            given_back = None
            if entry in session.dirty:
                given_back = (previous(entry, "source_id"), Decimal(previous(entry, "amount")))
            entry.source = session.get(MoneyEntry, _pick_source(session, entry, given_back))


@event.listens_for(Session, "after_flush")
def _keep(session: Session, flush_context) -> None:
    # After the flush the rows exist; the attributes' history still says what each line was.
    changes: list[tuple[int, Decimal]] = []
    for entry in session.new:
        if isinstance(entry, MoneyEntry) and not entry.incoming:
            changes.append((entry.source_id, -Decimal(entry.amount)))
    for entry in session.dirty:
        if not isinstance(entry, MoneyEntry) or not session.is_modified(entry):
            continue
        if entry.incoming:
            grown = Decimal(entry.amount) - Decimal(previous(entry, "amount"))
            if grown > 0:
                changes.append((entry.id, grown))
        else:
            changes.append((previous(entry, "source_id"), Decimal(previous(entry, "amount"))))
            changes.append((entry.source_id, -Decimal(entry.amount)))
    for entry in session.deleted:
        if isinstance(entry, MoneyEntry):
            raise InvalidValue(_l("A line of money is corrected, never deleted."))
    # What comes back first, so a payment moved to another line never dips below zero.
    for source_id, delta in sorted(changes, key=lambda change: -change[1]):
        if source_id is not None:
            _draw(session, source_id, delta)
