"""慰问活动: the rounds, and each round's page — the eligible children not yet given, the
gifts given, the form that gives one Home's children their goods and 慰问金 at once, the
totals by Home and donor, closing, and the list for signatures (签收表)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from admin_app import access
from admin_app import rounds as giving
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.reports.round_sheet import rounds_workbook, signature_workbook
from models import CareRound, Home, MoneyEntry, ResourceItem, RoundGift
from models.base import local_today
from models.enums import AuditAction, MoneyKind
from models.validators import InvalidValue
from views.base import AppModelView
from views.exporting import XLSX, refused_over_daily_limit
from views.fields import FieldError, field_value
from views.labels import LABELS_BY_TABLE

GOODS_LINES = 3
# What one child may be given in a round, at most (a typing slip, not a gift).
MOST_GOODS, MOST_MONEY = 1000, Decimal("100000.00")



def _names_someone(form) -> None:
    """A round says who may receive, and its hand-picked children are of its Homes."""
    homes = field_value(form, "homes") or []
    if not homes:
        raise FieldError("homes", _l("Choose the Children's Homes the round visits."))
    picked = field_value(form, "picked") or []
    if not picked and not any(field_value(form, name) for name in (
            "for_everyone", "for_in_difficulty", "for_key_target", "for_living_alone")):
        raise FieldError("for_everyone", _l("Say who may receive: tick a group, or pick "
                                            "children by hand."))
    home_ids = {home.id for home in homes}
    outside = [child.name for child in picked if child.home_id not in home_ids]
    if outside:
        raise FieldError("picked", _l("%(names)s are not of the round's Children's Homes.",
                                      names="、".join(outside)))
    starts, ends = field_value(form, "starts_on"), field_value(form, "ends_on")
    if starts and ends and ends < starts:
        raise FieldError("ends_on", _l("The round ends on or after the day it starts."))


class CareRoundView(AppModelView):
    allow_export = True
    export_builder = staticmethod(rounds_workbook)
    export_name = _l("care rounds")
    column_labels = LABELS_BY_TABLE["care_round"]
    details_template = "admin/care_round.html"
    column_list = ("name", "starts_on", "ends_on", "goods", "money_each", "closed_on")
    column_phone_list = ("name", "starts_on", "closed_on")
    column_details_list = ("name", "starts_on", "ends_on", "homes", "for_everyone",
                           "for_in_difficulty", "for_key_target", "for_living_alone", "goods",
                           "money_each", "note", "closed_on", "closed_by")
    column_searchable_list = ("name",)
    column_filters = ("starts_on",)
    column_sortable_list = ("starts_on", "name")
    column_default_sort = ("starts_on", True)
    form_columns = ("name", "starts_on", "ends_on", "homes", "for_everyone",
                    "for_in_difficulty", "for_key_target", "for_living_alone", "picked",
                    "goods", "money_each", "note")
    form_args = {"money_each": {"places": 2}}
    form_ajax_refs = {"picked": {"fields": ("name",), "page_size": 10}}
    form_checks = (_names_someone,)

    def update_model(self, form, model: CareRound) -> bool:
        """A round is changed only by one whose scope holds every Home it visits (before
        the form's choice of Homes, which offers only hers, replaces them)."""
        if not access.holds_every_home(current_user, {home.id for home in model.homes}):
            flash(gettext("The round visits Children's Homes beyond yours: only someone who "
                          "sees them all may change it."), "error")
            return False
        return super().update_model(form, model)

    def on_model_delete(self, model: CareRound) -> None:
        if not access.holds_every_home(current_user, {home.id for home in model.homes}):
            raise InvalidValue(_l("The round visits Children's Homes beyond yours: only "
                                  "someone who sees them all may change it."))
        if db.session.scalar(select(RoundGift.id).where(RoundGift.round_id == model.id)
                             .limit(1)) is not None:
            raise InvalidValue(_l("Gifts were given in this round: it is kept. Close it "
                                  "instead."))
        super().on_model_delete(model)

    # -- the round's page ------------------------------------------------------------------
    def _round(self) -> CareRound:
        found = self.get_one(request.args.get("id", ""))
        if found is None:
            abort(404)
        return found

    def _homes_seen(self, care_round: CareRound) -> list[Home]:
        seen = access.homes_seen(current_user, {home.id for home in care_round.homes})
        return [home for home in care_round.homes if home.id in seen]

    def _home(self, care_round: CareRound) -> Home | None:
        """The Home whose children the page lists and gives to: the one asked for, else the
        user's own, else the round's first she sees."""
        homes = self._homes_seen(care_round)
        asked = request.values.get("home", type=int)
        for home in homes:
            if home.id == (asked or current_user.home_id):
                return home
        return homes[0] if homes else None

    def render(self, template, **kwargs):
        if template == self.details_template:
            care_round = kwargs["model"]
            home = self._home(care_round)
            home_id = home.id if home else None
            kwargs.update(
                home=home, homes=self._homes_seen(care_round),
                waiting=giving.waiting(care_round, current_user, home_id) if home else [],
                given=giving.given(care_round, current_user, home_id) if home else [],
                totals=giving.totals(care_round, current_user),
                items=self._items(home_id), incomes=self._incomes(home_id),
                goods_lines=range(1, GOODS_LINES + 1), today=local_today(),
                may_give=(care_round.closed_on is None
                          and access.can(current_user, access.CREATE, self.resource_name)),
                may_close=(care_round.closed_on is None
                           and access.can(current_user, access.EDIT, self.resource_name)
                           and access.holds_every_home(current_user,
                                                       {h.id for h in care_round.homes})),
                may_export=access.can(current_user, access.EXPORT, self.resource_name))
        return super().render(template, **kwargs)

    @staticmethod
    def _items(home_id: int | None) -> list[ResourceItem]:
        if home_id is None:
            return []
        return db.session.scalars(access.scoped(
            select(ResourceItem).where(ResourceItem.home_id == home_id,
                                       ResourceItem.on_hand > 0), ResourceItem, current_user)
            .order_by(ResourceItem.name)).all()

    @staticmethod
    def _incomes(home_id: int | None) -> list[MoneyEntry]:
        if home_id is None:
            return []
        return db.session.scalars(access.scoped(
            select(MoneyEntry).where(MoneyEntry.home_id == home_id,
                                     MoneyEntry.kind.in_([k for k in MoneyKind if k.incoming]),
                                     MoneyEntry.remaining > 0), MoneyEntry, current_user)
            .order_by(MoneyEntry.occurred_on, MoneyEntry.id)).all()

    @expose("/give/", methods=("POST",))
    @access.needs(access.CREATE)
    def give_view(self):
        care_round = self._round()
        back = url_for(".details_view", id=care_round.id, home=request.form.get("home", ""))
        try:
            gifts = giving.give(care_round, current_user, **self._gift_form(care_round))
            db.session.commit()
        except InvalidValue as refused:
            db.session.rollback()
            flash(str(refused), "error")
            return redirect(back)
        except IntegrityError:  # the same child given at the same moment by someone else
            db.session.rollback()
            flash(gettext("Someone recorded a gift to one of these children a moment ago: "
                          "nothing was saved. Look at the list again."), "error")
            return redirect(back)
        flash(gettext("Recorded the gifts of %(n)s children.", n=len(gifts)), "success")
        return redirect(back)

    def _gift_form(self, care_round: CareRound) -> dict:
        """The give form's values, or InvalidValue saying what is wrong with them."""
        form = request.form
        child_ids = [int(v) for v in form.getlist("child") if v.isdigit()]
        try:
            given_on = date.fromisoformat(form.get("given_on", ""))
        except ValueError:
            raise InvalidValue(_l("Write the day given as a date.")) from None
        goods = []
        for line in range(1, GOODS_LINES + 1):
            item_id, quantity = form.get(f"item_{line}", ""), form.get(f"quantity_{line}", "")
            if not item_id and not quantity.strip():
                continue
            item = db.session.scalar(access.scoped(
                select(ResourceItem).where(ResourceItem.id == int(item_id)), ResourceItem,
                current_user)) if item_id.isdigit() else None
            if item is None or not quantity.strip().isdigit() or int(quantity) < 1:
                raise InvalidValue(_l("Each line of goods names an item and a whole number "
                                      "of at least 1."))
            if int(quantity) > MOST_GOODS:
                raise InvalidValue(_l("At most %(n)s of an item for each child.",
                                      n=MOST_GOODS))
            same = next((g for g in goods if g.item.id == item.id), None)
            if same is not None:  # one item on two lines: one hand-out of both
                goods.remove(same)
                quantity = str(same.quantity + int(quantity))
            goods.append(giving.Goods(item, int(quantity)))
        amount = None
        if (written := form.get("amount", "").strip()):
            try:
                amount = Decimal(written)
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite() or not (
                    Decimal("0.01") <= amount <= MOST_MONEY) \
                    or amount != amount.quantize(Decimal("0.01")):
                raise InvalidValue(_l("Write the money as yuan with at most two decimals, "
                                      "from ¥0.01 to ¥%(most)s.", most=MOST_MONEY))
        income = None
        if (income_id := form.get("income", "")).isdigit():
            income = db.session.scalar(access.scoped(
                select(MoneyEntry).where(MoneyEntry.id == int(income_id)), MoneyEntry,
                current_user))
            if income is None or not income.incoming:
                raise InvalidValue(_l("Choose an income of the children's Home."))
        return {"child_ids": child_ids, "given_on": given_on, "goods": goods,
                "amount": amount, "income": income, "note": form.get("note", "").strip()[:200]}

    @expose("/close/", methods=("POST",))
    @access.needs(access.EDIT)
    def close_view(self):
        care_round = self._round()
        if care_round.closed_on is None:
            if not access.holds_every_home(current_user, {h.id for h in care_round.homes}):
                abort(403)
            care_round.closed_on, care_round.closed_by_id = local_today(), current_user.id
            db.session.commit()
            flash(gettext("The round is closed; its totals are below."), "success")
        return redirect(url_for(".details_view", id=care_round.id))

    @expose("/signatures.xlsx")
    @access.needs(access.EXPORT)
    def signatures_view(self):
        """The round's children of one Home (or all the user sees), a line each to sign
        when the gift is received."""
        care_round = self._round()
        back = url_for(".details_view", id=care_round.id)
        if (refused := refused_over_daily_limit(back)) is not None:
            return refused
        home = self._home(care_round) if request.args.get("home") else None
        home_id = home.id if home else None
        lines = giving.given(care_round, current_user, home_id)
        waiting = giving.waiting(care_round, current_user, home_id)
        title = gettext("%(round)s: signatures of %(place)s", round=care_round.name,
                        place=home.name if home else gettext("All Children's Homes"))
        book = signature_workbook(care_round, title, lines, waiting)
        record_access(AuditAction.EXPORT, care_round, label=title, details={
            "rows": len(lines) + len(waiting), "export": "care_round_signatures",
            "children": sorted({line.gift.child_id for line in lines}
                               | {child.id for child in waiting})})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")
