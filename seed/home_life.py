"""The life of a Home in the demo data: a year of activities with the children who came,
and an inventory whose stock never dips below zero."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, update

from models import Activity, ActivityParticipant, ResourceItem, StockMovement, activity_volunteer
from models.enums import ActivityStatus, MovementKind
from seed import vocabulary as words
from seed.calendar import add_months


class HomeLifeMixin:
    """For DemoBuilder: uses its rng, today, pick, person_name, day_between and inserts."""

    def make_activities(self, home_id, child_ids, volunteer_ids, lookups) -> None:
        rng = self.rng
        kinds = lookups["kinds"]
        rows, participants, helpers = [], [], []
        month_start = self.today.replace(day=1)
        for months_back in range(-1, 12):
            first = add_months(month_start, -months_back)
            for _ in range(rng.randrange(3, 7)):
                kind_name = self.pick(list(words.ACTIVITY_TITLES))
                day = self.day_between(first, add_months(first, 1) - timedelta(days=1))
                start = datetime.combine(day, time(self.pick((9, 14, 15, 16)), 0))
                done = start.date() < self.today
                title = self.pick(words.ACTIVITY_TITLES[kind_name])
                if kind_name == "节日活动":
                    title = words.FESTIVALS_BY_MONTH.get(first.month, title)
                rows.append({
                    "home_id": home_id,
                    "title": title,
                    "kind_id": kinds.get(kind_name),
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=self.pick((1, 2, 2, 3))),
                    "place": self.pick(("儿童之家活动室", "学校操场", "村部会议室", "图书角")),
                    "organiser": self.person_name(False),
                    "status": (ActivityStatus.DONE if done and rng.random() < 0.95
                               else ActivityStatus.CANCELLED if done
                               else ActivityStatus.PLANNED),
                    "summary": "活动顺利开展，孩子们积极参与。" if done else "",
                })
        activity_ids = self.insert_returning_ids(Activity, rows)
        for activity_id in activity_ids:
            if child_ids:
                for child_id in rng.sample(child_ids, min(len(child_ids), rng.randrange(5, 16))):
                    participants.append({"activity_id": activity_id, "child_id": child_id,
                                         "attended": rng.random() < 0.9})
            if volunteer_ids:
                for volunteer_id in rng.sample(volunteer_ids, min(len(volunteer_ids), 2)):
                    helpers.append({"activity_id": activity_id, "volunteer_id": volunteer_id})
        self.insert_rows(ActivityParticipant, participants)
        self.insert_rows(activity_volunteer, helpers)
        self.counts.activities += len(activity_ids)

    def make_inventory(self, home_id, child_ids, lookups) -> None:
        rng = self.rng
        chosen = rng.sample(words.ITEMS, 8)
        item_rows = [{
            "home_id": home_id, "name": name, "category_id": lookups["categories"].get(category),
            "unit": unit, "low_stock_threshold": rng.choice((0, 2, 5, 10)),
            "location": self.pick(("活动室柜子", "图书角", "办公室", "仓库")),
        } for name, category, unit in chosen]
        item_ids = self.insert_returning_ids(ResourceItem, item_rows)
        batches, outgoing = [], []
        on_hand = []
        for item_id in item_ids:
            stock, held = 0, []  # the item's batches in, each with what is left of it
            days = sorted(self.day_between(self.today - timedelta(days=360), self.today)
                          for _ in range(rng.randrange(4, 14)))
            for day in days:
                if stock < 5 or rng.random() < 0.35:
                    quantity = rng.randrange(5, 60)
                    kind = rng.choice((MovementKind.DONATION, MovementKind.DONATION,
                                       MovementKind.PURCHASE))
                    batch = {"item_id": item_id, "occurred_on": day, "kind": kind,
                             "quantity": quantity,
                             "donor": self.pick(words.DONORS)
                             if kind == MovementKind.DONATION else "",
                             "child_id": None, "note": "", "remaining": quantity}
                    batches.append(batch)
                    held.append(batch)
                    stock += quantity
                else:
                    quantity = rng.randrange(1, min(stock, 5) + 1)
                    # Drawn on the oldest batch that holds it (models.stock), at most what
                    # the fullest batch has left.
                    source = next((b for b in held if b["remaining"] >= quantity), None) \
                        or max(held, key=lambda b: b["remaining"])
                    quantity = min(quantity, source["remaining"])
                    source["remaining"] -= quantity
                    outgoing.append({"item_id": item_id, "occurred_on": day,
                                     "kind": MovementKind.HAND_OUT, "quantity": quantity,
                                     "donor": "",
                                     "child_id": self.pick(child_ids) if child_ids else None,
                                     "note": "", "_source": source})
                    stock -= quantity
            on_hand.append({"item": item_id, "stock": stock})
        # Batches first, for the ids the movements out name; dates ascend per item, so
        # stock on hand never dips below zero on any day.
        batch_ids = {id(batch): new_id for batch, new_id in zip(
            batches, self.insert_returning_ids(StockMovement, batches), strict=True)}
        for row in outgoing:
            row["source_id"] = batch_ids[id(row.pop("_source"))]
        self.insert_rows(StockMovement, outgoing)
        movements = len(batches) + len(outgoing)
        # Bulk inserts skip the session's stock hook: set the sums directly.
        items = ResourceItem.__table__
        self.session.execute(update(items).where(items.c.id == bindparam("item"))
                             .values(on_hand=bindparam("stock")), on_hand)
        self.counts.items += len(item_ids)
        self.counts.movements += movements


