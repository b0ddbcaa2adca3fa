"""慰问 rounds (models.rounds): who may receive, who has received, giving — a child's
hand-outs and 慰问金 saved with her gift in one transaction, refused whole if any part is
(a second gift in the round, too little stock, too little money) — and the round's totals
by Home and by donor. Every list is of the children and gifts the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true
from sqlalchemy.orm import aliased

from admin_app import access
from admin_app.extensions import db
from models import (
    CareRound,
    Child,
    Home,
    MoneyEntry,
    ResourceItem,
    RoundGift,
    StockMovement,
    care_round_child,
    care_round_home,
)
from models.base import local_today
from models.enums import ChildStatus, LivingArrangement, MoneyKind, MovementKind
from models.validators import InvalidValue

# Why a child may receive, as the round's page shows it.
REASONS = {"in_difficulty": _l("In difficulty"), "key_target": _l("Key target"),
           "alone": _l("Lives alone"), "picked": _l("Picked by hand")}


def picked(care_round: CareRound):
    return select(care_round_child.c.child_id).where(
        care_round_child.c.round_id == care_round.id)


def eligible(care_round: CareRound) -> ColumnElement[bool]:
    """The children the round is for: in care (not anonymised) in its Homes, and one of
    those it names, or picked by hand."""
    named = [Child.id.in_(picked(care_round))]
    if care_round.for_everyone:
        named.append(true())
    if care_round.for_in_difficulty:
        named.append(Child.in_difficulty.is_(True))
    if care_round.for_key_target:
        named.append(Child.key_target.is_(True))
    if care_round.for_living_alone:
        named.append(Child.living_arrangement == LivingArrangement.ALONE)
    homes = select(care_round_home.c.home_id).where(care_round_home.c.round_id == care_round.id)
    return and_(Child.status == ChildStatus.IN_CARE, Child.anonymised_on.is_(None),
                Child.home_id.in_(homes), or_(*named))


def _given(care_round: CareRound):
    return exists().where(RoundGift.round_id == care_round.id, RoundGift.child_id == Child.id)


@dataclass
class Waiting:
    """An eligible child not yet given, and why she is eligible."""

    id: int
    name: str
    home: str
    grade: str
    reasons: list[str]


def waiting(care_round: CareRound, user, home_id: int | None = None) -> list[Waiting]:
    """The eligible children not yet given in the round (of one Home, or all the user sees),
    by Home and name (one query)."""
    query = (select(Child.id, Child.name, Home.name, Child.grade, Child.in_difficulty,
                    Child.key_target, Child.living_arrangement,
                    Child.id.in_(picked(care_round)))
             .join(Home, Home.id == Child.home_id)
             .where(eligible(care_round), ~_given(care_round), access.visible(Child, user))
             .order_by(Home.name, Child.name, Child.id))
    if home_id is not None:
        query = query.where(Child.home_id == home_id)
    found = []
    for child_id, name, home, grade, difficulty, key, living, by_hand in db.session.execute(query):
        reasons = [str(REASONS[key_]) for key_, said in (
            ("in_difficulty", difficulty), ("key_target", key),
            ("alone", living is LivingArrangement.ALONE), ("picked", by_hand)) if said]
        found.append(Waiting(child_id, name, home, grade, reasons))
    return found


@dataclass
class Given:
    gift: RoundGift
    child: str
    home: str
    grade: str
    goods: list[str] = field(default_factory=list)
    money: Decimal | None = None


def given(care_round: CareRound, user, home_id: int | None = None) -> list[Given]:
    """The round's gifts the user may see, each with what it was (three queries)."""
    query = (select(RoundGift, Child.name, Home.name, Child.grade)
             .join(Child, Child.id == RoundGift.child_id)
             .join(Home, Home.id == RoundGift.home_id)
             .where(RoundGift.round_id == care_round.id, access.visible(RoundGift, user))
             .order_by(Home.name, Child.name, RoundGift.id))
    if home_id is not None:
        query = query.where(RoundGift.home_id == home_id)
    gifts = {gift.id: Given(gift, child, home, grade)
             for gift, child, home, grade in db.session.execute(query)}
    if not gifts:
        return []
    for gift_id, item, quantity, unit in db.session.execute(
            select(StockMovement.gift_id, ResourceItem.name, StockMovement.quantity,
                   ResourceItem.unit).join(ResourceItem)
            .where(StockMovement.gift_id.in_(gifts)).order_by(StockMovement.id)):
        gifts[gift_id].goods.append(f"{item} {quantity} {unit}".strip())
    for gift_id, amount in db.session.execute(
            select(MoneyEntry.gift_id, func.sum(MoneyEntry.amount))
            .where(MoneyEntry.gift_id.in_(gifts)).group_by(MoneyEntry.gift_id)):
        gifts[gift_id].money = Decimal(amount)
    return list(gifts.values())


@dataclass
class Totals:
    """A round's figures for the Homes the user sees: per Home (eligible, given, money,
    goods) and per donor (the goods and money drawn on what each gave)."""

    homes: list[dict]
    donors: list[dict]


def totals(care_round: CareRound, user) -> Totals:
    """Grouped queries, however many children the round reaches."""
    homes: dict[str, dict] = {}

    def at(name: str) -> dict:
        return homes.setdefault(name, {"home": name, "eligible": 0, "given": 0, "waiting": 0,
                                       "money": Decimal("0.00"), "goods": []})

    for name, count in db.session.execute(
            select(Home.name, func.count()).join(Child, Child.home_id == Home.id)
            .where(eligible(care_round), access.visible(Child, user)).group_by(Home.name)):
        at(name)["eligible"] = count
    for name, count in db.session.execute(
            select(Home.name, func.count()).join(Child, Child.home_id == Home.id)
            .where(eligible(care_round), ~_given(care_round), access.visible(Child, user))
            .group_by(Home.name)):
        at(name)["waiting"] = count
    gifts_seen = and_(RoundGift.round_id == care_round.id, access.visible(RoundGift, user))
    for name, count in db.session.execute(
            select(Home.name, func.count()).select_from(RoundGift)
            .join(Home, Home.id == RoundGift.home_id)
            .where(gifts_seen).group_by(Home.name)):
        at(name)["given"] = count
    for name, amount in db.session.execute(
            select(Home.name, func.sum(MoneyEntry.amount)).select_from(MoneyEntry)
            .join(RoundGift, RoundGift.id == MoneyEntry.gift_id)
            .join(Home, Home.id == RoundGift.home_id).where(gifts_seen).group_by(Home.name)):
        at(name)["money"] = Decimal(amount)
    for name, item, unit, quantity in db.session.execute(
            select(Home.name, ResourceItem.name, ResourceItem.unit,
                   func.sum(StockMovement.quantity)).select_from(StockMovement)
            .join(RoundGift, RoundGift.id == StockMovement.gift_id)
            .join(ResourceItem, ResourceItem.id == StockMovement.item_id)
            .join(Home, Home.id == RoundGift.home_id).where(gifts_seen)
            .group_by(Home.name, ResourceItem.name, ResourceItem.unit)
            .order_by(Home.name, ResourceItem.name)):
        at(name)["goods"].append(f"{item} {quantity} {unit}".strip())
    return Totals([homes[name] for name in sorted(homes)], _by_donor(gifts_seen))


def _by_donor(gifts_seen) -> list[dict]:
    """The goods and money of the round's gifts, by the donor of the batch or income each
    was drawn on (goods bought or allocated: by how they came in), with the children each
    donor's goods or money reached, counted once (four queries)."""
    donors: dict[str, dict] = {}

    def of(donor: str, kind) -> dict:
        name = donor or str(kind.label)
        return donors.setdefault(name, {"donor": name, "money": Decimal("0.00"), "goods": [],
                                        "reached": set()})

    batch = aliased(StockMovement)
    goods = (select(StockMovement).select_from(StockMovement)
             .join(RoundGift, RoundGift.id == StockMovement.gift_id)
             .join(batch, batch.id == StockMovement.source_id).where(gifts_seen))
    for donor, kind, item, unit, quantity in db.session.execute(
            goods.with_only_columns(batch.donor, batch.kind, ResourceItem.name,
                                    ResourceItem.unit, func.sum(StockMovement.quantity))
            .join(ResourceItem, ResourceItem.id == StockMovement.item_id)
            .group_by(batch.donor, batch.kind, ResourceItem.name, ResourceItem.unit)):
        of(donor, kind)["goods"].append(f"{item} {quantity} {unit}".strip())
    for donor, kind, child_id in db.session.execute(
            goods.with_only_columns(batch.donor, batch.kind, RoundGift.child_id).distinct()):
        of(donor, kind)["reached"].add(child_id)
    income = aliased(MoneyEntry)
    money = (select(MoneyEntry).select_from(MoneyEntry)
             .join(RoundGift, RoundGift.id == MoneyEntry.gift_id)
             .join(income, income.id == MoneyEntry.source_id).where(gifts_seen))
    for donor, kind, amount in db.session.execute(
            money.with_only_columns(income.donor, income.kind, func.sum(MoneyEntry.amount))
            .group_by(income.donor, income.kind)):
        of(donor, kind)["money"] += Decimal(amount)
    for donor, kind, child_id in db.session.execute(
            money.with_only_columns(income.donor, income.kind, RoundGift.child_id).distinct()):
        of(donor, kind)["reached"].add(child_id)
    for entry in donors.values():
        entry["children"] = len(entry.pop("reached"))
    return [donors[name] for name in sorted(donors)]


@dataclass(frozen=True)
class Goods:
    item: ResourceItem
    quantity: int


def give(care_round: CareRound, user, *, child_ids: list[int], given_on: date,
         goods: list[Goods], amount: Decimal | None, income: MoneyEntry | None = None,
         note: str = "") -> list[RoundGift]:
    """Each child's gift in the round, with her hand-outs and 慰问金, flushed child by child
    (each draws on the batches and incomes as the one before left them). InvalidValue,
    before anything is saved, for a closed round, a day outside it, a child not eligible or
    given already, goods of another Home; the hooks refuse too little stock or money. The
    caller commits, or rolls back on any refusal: nothing of a refused gift is kept."""
    if care_round.closed_on is not None:
        raise InvalidValue(_l("The round is closed: nothing more can be given in it."))
    if not care_round.starts_on <= given_on <= care_round.ends_on:
        raise InvalidValue(_l("The day given is outside the round (%(starts)s to %(ends)s).",
                              starts=care_round.starts_on, ends=care_round.ends_on))
    if given_on > local_today():
        raise InvalidValue(_l("The day given cannot be in the future."))
    if not goods and amount is None:
        raise InvalidValue(_l("Say what each child receives: goods, money, or both."))
    if not child_ids:
        raise InvalidValue(_l("Choose the children who received it."))
    children = db.session.scalars(
        select(Child).where(Child.id.in_(child_ids), access.visible(Child, user),
                            eligible(care_round)).order_by(Child.name)).all()
    if len(children) != len(set(child_ids)):
        raise InvalidValue(_l("%(n)s of the children chosen are not on the round's list.",
                              n=len(set(child_ids)) - len(children)))
    already = db.session.execute(
        select(Child.name, RoundGift.given_on).join(RoundGift, RoundGift.child_id == Child.id)
        .where(RoundGift.round_id == care_round.id, Child.id.in_(child_ids))
        .order_by(Child.name)).all()
    if already:
        raise InvalidValue(_l("%(names)s received a gift in this round already (%(day)s): a "
                              "child is given once in a round.",
                              names="、".join(name for name, _day in already),
                              day=already[0][1]))
    homes = {child.home_id for child in children}
    if goods and (len(homes) > 1 or any(g.item.home_id not in homes for g in goods)):
        raise InvalidValue(_l("Goods come from the children's own Children's Home: give the "
                              "children of one Home at a time, from its own stock."))
    if income is not None and (income.home_id not in homes or len(homes) > 1):
        raise InvalidValue(_l("The money is drawn on an income of the children's own "
                              "Children's Home."))
    made = []
    for child in children:
        gift = RoundGift(round=care_round, child=child, home_id=child.home_id,
                         given_on=given_on, recorded_by_id=user.id, note=note)
        db.session.add(gift)
        for line in goods:
            db.session.add(StockMovement(
                item=line.item, occurred_on=given_on, kind=MovementKind.HAND_OUT,
                quantity=line.quantity, child=child, gift=gift, recorded_by_id=user.id,
                note=care_round.name[:200]))
        if amount is not None:
            db.session.add(MoneyEntry(
                home_id=child.home_id, occurred_on=given_on, kind=MoneyKind.CONDOLENCE,
                amount=amount, child=child, gift=gift, source=income, recorded_by_id=user.id,
                note=care_round.name[:200]))
        db.session.flush()
        made.append(gift)
    return made
