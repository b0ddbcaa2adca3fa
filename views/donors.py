"""捐赠方: who gave what to the Homes, with totals per donor and item."""

from __future__ import annotations

from flask_admin import expose
from flask_login import current_user
from sqlalchemy import func, select

from admin_app import access
from admin_app.access import scoped
from admin_app.extensions import db
from models import Home, ResourceItem, StockMovement
from models.enums import MovementKind
from views.base import AppView


def donations(user):
    """Per donor and item: how much, how many times, the last date (one query)."""
    query = (select(StockMovement.donor, ResourceItem.name, ResourceItem.unit, Home.name,
                    func.sum(StockMovement.quantity), func.count(),
                    func.max(StockMovement.occurred_on))
             .join(ResourceItem, ResourceItem.id == StockMovement.item_id)
             .join(Home, Home.id == ResourceItem.home_id)
             .where(StockMovement.kind == MovementKind.DONATION, StockMovement.donor != "")
             .group_by(StockMovement.donor, ResourceItem.name, ResourceItem.unit, Home.name)
             .order_by(StockMovement.donor, Home.name, ResourceItem.name))
    return db.session.execute(scoped(query, StockMovement, user)).all()


class DonorsView(AppView):
    resource = "donors"

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        rows = donations(current_user)
        donors: dict[str, dict] = {}
        for donor, item, unit, home, quantity, times, last in rows:
            entry = donors.setdefault(donor, {"times": 0, "last": last, "items": []})
            entry["times"] += times
            entry["last"] = max(entry["last"], last)
            entry["items"].append((item, unit, home, quantity))
        return self.render("admin/donors.html", donors=donors)
