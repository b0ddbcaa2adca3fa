"""资金台账 as a workbook: the ledger's lines of the list (its search and filters), each
payment with the income it drew on and the child it went to, and each Home's balance."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from admin_app import access
from admin_app.extensions import db
from admin_app.xlsx import Column, Workbook
from models import Child, Home, MoneyEntry, User


def money_workbook(ids, user, title: str) -> tuple[Workbook, int]:
    """Two sheets: what each Home of the lines has left, then the lines by day."""
    book = Workbook(title=title)
    balances = access.scoped(
        select(Home.name, func.sum(MoneyEntry.remaining))
        .join(Home, Home.id == MoneyEntry.home_id)
        .where(MoneyEntry.home_id.in_(select(MoneyEntry.home_id).where(MoneyEntry.id.in_(ids))))
        .group_by(Home.name).order_by(Home.name), MoneyEntry, user)
    book.table(gettext("Money left"), title, [
        Column(gettext("Children's Home"), "text", 24),
        Column(gettext("Money left (yuan)"), "yuan", 14)],
        ((home, left or 0) for home, left in db.session.execute(balances)))
    source = aliased(MoneyEntry)
    lines = (select(MoneyEntry, Home.name, source.occurred_on, source.donor, source.kind,
                    Child.name, User.display_name)
             .join(Home, Home.id == MoneyEntry.home_id)
             .outerjoin(source, source.id == MoneyEntry.source_id)
             .outerjoin(Child, Child.id == MoneyEntry.child_id)
             .outerjoin(User, User.id == MoneyEntry.recorded_by_id)
             .where(MoneyEntry.id.in_(ids))
             .order_by(MoneyEntry.occurred_on, MoneyEntry.id))

    def drawn_on(day, donor, kind) -> str:
        return "" if day is None else f"{day.isoformat()} {donor or kind.label}"

    count = book.table(gettext("Money ledger"), title, [
        Column(gettext("Date"), "date", 11), Column(gettext("Children's Home"), "text", 22),
        Column(gettext("Kind"), "text", 14), Column(gettext("Amount (yuan)"), "yuan", 12),
        Column(gettext("Donor or allocating office"), "text", 18),
        Column(gettext("Left of it (yuan)"), "yuan", 12),
        Column(gettext("Drawn on"), "text", 22), Column(gettext("Child"), "text", 10),
        Column(gettext("Recorded by"), "text", 10), Column(gettext("Note"), "text", 24),
    ], ((entry.occurred_on, home, entry.kind, entry.amount, entry.donor, entry.remaining,
         drawn_on(day, donor, kind), child or "", recorder or "", entry.note)
        for entry, home, day, donor, kind, child, recorder
        in db.session.execute(lines).yield_per(500)))
    return book, count
