"""The demo's money and 慰问 rounds: each Home's incomes (donations, the township's
allocation), last spring's round closed, and this winter's open, half given at the first
Home — saved through the session, so the ledger's and the batches' hooks keep what is left
of each income and batch as they do for staff."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from admin_app import access
from admin_app import rounds as giving
from models import CareRound, Home, MoneyEntry, ResourceItem
from models.enums import MoneyKind
from seed import vocabulary as words


class GivingMixin:
    """For DemoBuilder: uses its session and today; draws from a stream of its own, so the
    rest of a seeded county stays as it was before money and rounds came."""

    def make_money_and_rounds(self, home_ids: list[int]) -> None:
        rng = random.Random(self.seed + 2)
        session, today = self.session, self.today
        spring = today - timedelta(days=300)
        for home_id in home_ids:
            # The money of last spring's round, raised by recycling bottles (seeds).
            session.add(MoneyEntry(home_id=home_id, kind=MoneyKind.DONATION,
                                   donor="回收瓶子募捐", amount=Decimal("2000.00"),
                                   occurred_on=spring - timedelta(days=10)))
            for _ in range(rng.randrange(1, 4)):
                session.add(MoneyEntry(
                    home_id=home_id, kind=MoneyKind.DONATION, donor=rng.choice(words.DONORS),
                    amount=Decimal(rng.randrange(5, 31) * 100),
                    occurred_on=today - timedelta(days=rng.randrange(30, 300))))
            session.add(MoneyEntry(home_id=home_id, kind=MoneyKind.ALLOCATION, donor="乡镇政府",
                                   amount=Decimal("1000.00"),
                                   occurred_on=today - timedelta(days=rng.randrange(30, 300))))
        session.flush()
        homes = session.scalars(select(Home).where(Home.id.in_(home_ids))).all()
        last = CareRound(name=f"{spring.year}年春节慰问", starts_on=spring,
                         ends_on=spring + timedelta(days=20), for_in_difficulty=True,
                         for_key_target=True, money_each=Decimal("200.00"), homes=homes)
        session.add(last)
        session.flush()
        for home_id in home_ids:  # 慰问金 for up to 8 of each Home's list; the rest missed
            listed = giving.waiting(last, access.SYSTEM, home_id)
            if listed:
                giving.give(last, access.SYSTEM, child_ids=[c.id for c in listed[:8]],
                            given_on=spring + timedelta(days=5), goods=[],
                            amount=Decimal("200.00"))
        last.closed_on = spring + timedelta(days=21)
        winter = CareRound(name=f"{today.year}年冬季慰问", starts_on=today - timedelta(days=10),
                           ends_on=today + timedelta(days=20), for_in_difficulty=True,
                           for_key_target=True, for_living_alone=True, goods="书包一个",
                           money_each=Decimal("200.00"), homes=homes)
        session.add(winter)
        session.flush()
        first = home_ids[0]
        waiting = giving.waiting(winter, access.SYSTEM, first)
        item = session.scalar(select(ResourceItem).where(ResourceItem.home_id == first)
                              .order_by(ResourceItem.on_hand.desc()).limit(1))
        chosen = [child.id for child in waiting[: min((len(waiting) + 1) // 2, 8)]]
        if chosen and item is not None and item.on_hand >= len(chosen):
            giving.give(winter, access.SYSTEM, child_ids=chosen, given_on=today,
                        goods=[giving.Goods(item, 1)], amount=Decimal("200.00"))
        session.flush()
