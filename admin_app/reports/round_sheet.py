"""A 慰问 round's list for signatures (签收表): a line per child of the round — what she
received and when, or, not given yet, what the round gives — with a cell to sign in when
the gift is handed over. Printed on A4, one page wide."""

from __future__ import annotations

from flask_babel import gettext

from admin_app.xlsx import Column, Workbook
from models import CareRound


def signature_workbook(care_round: CareRound, title: str, given: list, waiting: list
                       ) -> Workbook:
    """`given`: the round's gifts (admin_app.rounds.Given); `waiting`: its eligible children
    not yet given (admin_app.rounds.Waiting). Rows by Home and name."""
    planned_money = f"{care_round.money_each:.2f}" if care_round.money_each else ""
    rows = [(line.home, line.child, line.grade, "、".join(line.goods),
             f"{line.money:.2f}" if line.money is not None else "", line.gift.given_on)
            for line in given]
    rows += [(child.home, child.name, child.grade, care_round.goods, planned_money, None)
             for child in waiting]
    rows.sort(key=lambda row: (row[0], row[1]))
    book = Workbook(title=title)
    subtitle = gettext("%(starts)s to %(ends)s. %(given)s given, %(waiting)s still to give.",
                       starts=care_round.starts_on.isoformat(),
                       ends=care_round.ends_on.isoformat(), given=len(given),
                       waiting=len(waiting))
    book.table(gettext("Signatures"), title, [
        Column(gettext("No."), "int", 6), Column(gettext("Children's Home"), "text", 16),
        Column(gettext("Name"), "text", 10), Column(gettext("Grade"), "text", 10),
        Column(gettext("Goods received"), "text", 28),
        Column(gettext("Money (yuan)"), "text", 10), Column(gettext("Day given"), "date", 12),
        Column(gettext("Signature (child or guardian)"), "text", 22)],
        ((number, *row, "") for number, row in enumerate(rows, start=1)), subtitle=subtitle)
    return book
