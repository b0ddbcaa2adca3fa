"""A 慰问 round's list for signatures (签收表): a line per child of the round — what she
received and when, or, not given yet, what the round gives — with a cell to sign in when
the gift is handed over. Printed on A4, one page wide."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select

from admin_app import access
from admin_app.extensions import db
from admin_app.xlsx import Column, Workbook
from models import CareRound, Home, RoundGift, care_round_home


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


def _who(care_round: CareRound) -> str:
    named = [label for said, label in (
        (care_round.for_everyone, gettext("Every child in care")),
        (care_round.for_in_difficulty, gettext("Children in difficulty")),
        (care_round.for_key_target, gettext("Key targets")),
        (care_round.for_living_alone, gettext("Children living alone"))) if said]
    return "、".join(named)


def rounds_workbook(ids, user, title: str) -> tuple[Workbook, int]:
    """The rounds of the list (`ids`), each with its Homes and how many of the children
    the user sees were given in it (three queries, whatever the number of rounds)."""
    homes: dict[int, list[str]] = {}
    for round_id, name in db.session.execute(
            select(care_round_home.c.round_id, Home.name)
            .join(Home, Home.id == care_round_home.c.home_id)
            .where(care_round_home.c.round_id.in_(ids)).order_by(Home.name)):
        homes.setdefault(round_id, []).append(name)
    given = dict(db.session.execute(access.scoped(
        select(RoundGift.round_id, func.count()).where(RoundGift.round_id.in_(ids))
        .group_by(RoundGift.round_id), RoundGift, user)).all())
    rounds = db.session.scalars(select(CareRound).where(CareRound.id.in_(ids))
                                .order_by(CareRound.starts_on, CareRound.id))
    book = Workbook(title=title)
    count = book.table(gettext("Care rounds"), title, [
        Column(gettext("Round"), "text", 20), Column(gettext("Starts on"), "date", 11),
        Column(gettext("Ends on"), "date", 11), Column(gettext("Children's Homes"), "text", 30),
        Column(gettext("Who may receive"), "text", 24),
        Column(gettext("What each child receives"), "text", 24),
        Column(gettext("Money for each child (yuan)"), "text", 10),
        Column(gettext("Children given"), "int", 8), Column(gettext("Closed on"), "date", 11),
    ], ((care_round.name, care_round.starts_on, care_round.ends_on,
         "、".join(homes.get(care_round.id, [])), _who(care_round), care_round.goods,
         f"{care_round.money_each:.2f}" if care_round.money_each else "",
         given.get(care_round.id, 0), care_round.closed_on) for care_round in rounds))
    return book, count
