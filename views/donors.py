"""捐赠方: who gave what to the Homes, with totals per donor and item."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import aliased

from admin_app import access
from admin_app.access import scoped
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.xlsx import Column, Workbook
from models import Child, Home, MoneyEntry, ResourceItem, StockMovement
from models.base import local_today
from models.enums import AuditAction, MoneyKind, MovementKind
from views.base import AppView
from views.exporting import XLSX, refused_over_daily_limit


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


def money_given(user, donor: str | None = None) -> dict[str, dict]:
    """Per donor: the money given (times, yuan, last date, what is left) and what it paid
    for, by kind of payment, with the number of children it reached (counts only)."""
    incomes = (select(MoneyEntry.donor, func.count(), func.sum(MoneyEntry.amount),
                      func.max(MoneyEntry.occurred_on), func.sum(MoneyEntry.remaining))
               .where(MoneyEntry.kind == MoneyKind.DONATION, MoneyEntry.donor != "")
               .group_by(MoneyEntry.donor))
    source = aliased(MoneyEntry)
    spent = (select(source.donor, MoneyEntry.kind, func.sum(MoneyEntry.amount),
                    func.count(distinct(MoneyEntry.child_id)))
             .join(source, source.id == MoneyEntry.source_id)
             .where(source.kind == MoneyKind.DONATION, source.donor != "")
             .group_by(source.donor, MoneyEntry.kind))
    if donor is not None:
        incomes = incomes.where(MoneyEntry.donor == donor)
        spent = spent.where(source.donor == donor)
    found: dict[str, dict] = {}
    for name, times, amount, last, left in db.session.execute(
            scoped(incomes, MoneyEntry, user)):
        found[name] = {"times": times, "amount": Decimal(amount), "last": last,
                       "left": Decimal(left or 0), "spent": []}
    for name, kind, amount, children in db.session.execute(scoped(spent, MoneyEntry, user)):
        if name in found:
            found[name]["spent"].append((MoneyKind.label_of(kind), Decimal(amount), children))
    return found


def goods_reached(user, donor: str | None = None) -> dict[str, list[tuple]]:
    """Per donor: each item of theirs handed out — how many, to how many children — read
    from the batches the hand-outs drew on (one query)."""
    batch = aliased(StockMovement)
    query = (select(batch.donor, ResourceItem.name, ResourceItem.unit, Home.name,
                    func.sum(StockMovement.quantity),
                    func.count(distinct(StockMovement.child_id)))
             .select_from(StockMovement).join(batch, batch.id == StockMovement.source_id)
             .join(ResourceItem, ResourceItem.id == StockMovement.item_id)
             .join(Home, Home.id == ResourceItem.home_id)
             .where(batch.kind == MovementKind.DONATION, batch.donor != "",
                    StockMovement.kind == MovementKind.HAND_OUT)
             .group_by(batch.donor, ResourceItem.name, ResourceItem.unit, Home.name)
             .order_by(batch.donor, Home.name, ResourceItem.name))
    if donor is not None:
        query = query.where(batch.donor == donor)
    found: dict[str, list[tuple]] = {}
    for name, item, unit, home, quantity, children in db.session.execute(
            scoped(query, StockMovement, user)):
        found.setdefault(name, []).append((item, unit, home, quantity, children))
    return found


def children_reached(user, donor: str) -> list[tuple]:
    """Each child a donor's goods or money reached: (day, child, Home, what), newest first
    (two queries)."""
    batch, income = aliased(StockMovement), aliased(MoneyEntry)
    goods = (select(StockMovement.occurred_on, Child.name, Home.name, ResourceItem.name,
                    StockMovement.quantity, ResourceItem.unit)
             .select_from(StockMovement).join(batch, batch.id == StockMovement.source_id)
             .join(Child, Child.id == StockMovement.child_id)
             .join(ResourceItem, ResourceItem.id == StockMovement.item_id)
             .join(Home, Home.id == ResourceItem.home_id)
             .where(batch.kind == MovementKind.DONATION, batch.donor == donor,
                    StockMovement.kind == MovementKind.HAND_OUT))
    money = (select(MoneyEntry.occurred_on, Child.name, Home.name, MoneyEntry.amount)
             .select_from(MoneyEntry).join(income, income.id == MoneyEntry.source_id)
             .join(Child, Child.id == MoneyEntry.child_id)
             .join(Home, Home.id == MoneyEntry.home_id)
             .where(income.kind == MoneyKind.DONATION, income.donor == donor))
    rows = [(day, child, home, f"{item} {quantity} {unit}".strip())
            for day, child, home, item, quantity, unit in db.session.execute(
                scoped(goods, StockMovement, user))]
    rows += [(day, child, home, gettext("Money ¥%(amount)s", amount=f"{amount:.2f}"))
             for day, child, home, amount in db.session.execute(
                 scoped(money, MoneyEntry, user))]
    return sorted(rows, key=lambda row: (row[0], row[1]), reverse=True)


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
        return self.render("admin/donors.html", donors=donors, money=money_given(current_user),
                           reached=goods_reached(current_user),
                           names_children=access.sees_whom_gifts_reached(current_user),
                           can_export=access.can(current_user, access.EXPORT,
                                                 self.resource_name))

    @expose("/reached/")
    @access.needs(access.READ)
    def reached(self):
        """Where 某某公司's gift went: the children it reached, for staff (the donor and
        supervisors read the counts)."""
        if not access.sees_whom_gifts_reached(current_user):
            abort(403)
        donor = (request.args.get("donor") or "").strip()
        if not donor:
            return redirect(url_for(".index"))
        return self.render("admin/donors_reached.html", donor=donor,
                           rows=children_reached(current_user, donor))

    @expose("/acknowledgement.xlsx")
    @access.needs(access.EXPORT)
    def acknowledgement(self):
        """A donor's thanks: what they gave and how far it reached, in counts only — never a
        child's name or details (PIPL)."""
        donor = (request.args.get("donor") or "").strip()
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        goods = [row for row in donations(current_user) if row[0] == donor]
        money = money_given(current_user, donor).get(donor)
        if not donor or (not goods and money is None):
            abort(404)
        title = gettext("What %(donor)s gave, and how far it reached", donor=donor)
        book = Workbook(title=title)
        subtitle = gettext("Written on %(day)s from the records of the Children's Homes.",
                           day=local_today().isoformat())
        lines = [(gettext("%(item)s given to %(home)s", item=item, home=home),
                  f"{quantity} {unit}", times, last)
                 for _donor, item, unit, home, quantity, times, last in goods]
        lines += [(gettext("Of it, %(item)s handed out at %(home)s", item=item, home=home),
                   f"{quantity} {unit}", gettext("%(n)s children", n=children), None)
                  for item, unit, home, quantity, children
                  in goods_reached(current_user, donor).get(donor, [])]
        if money is not None:
            lines.append((gettext("Money given"), f"¥{money['amount']:.2f}", money["times"],
                          money["last"]))
            lines += [(gettext("Of it, %(kind)s", kind=kind), f"¥{amount:.2f}",
                       gettext("%(n)s children", n=children) if children else "", None)
                      for kind, amount, children in money["spent"]]
            lines.append((gettext("Still to be spent"), f"¥{money['left']:.2f}", "", None))
        book.table(gettext("Acknowledgement"), title, [
            Column(gettext("Given or spent"), "text", 30), Column(gettext("How much"), "text", 14),
            Column(gettext("Times or children"), "text", 14),
            Column(gettext("Last date"), "date", 12)], lines, subtitle=subtitle)
        record_access(AuditAction.EXPORT, table_name="donors", home_id=current_user.home_id,
                      label=title[:100], details={"donor": donor, "rows": len(lines)})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")
