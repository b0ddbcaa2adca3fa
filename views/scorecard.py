"""考核 scorecards at /admin/scorecard/ (?home=, ?township=, ?period=2026-12 | 2026-autumn |
2026) and the same as a workbook at /admin/scorecard/export.xlsx: staff and supervisors in
their scope, the county's administrators for every Home; caring mothers have none."""

from __future__ import annotations

import hashlib

from flask import current_app, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user

from admin_app import access
from admin_app.access import EXPORT
from admin_app.audit import record_access
from admin_app.extensions import db
from admin_app.replica import replica_reads
from admin_app.reports.scorecard import Period, counted_duties, counts, scorecard
from admin_app.reports.work_report import schooling, schooling_counts
from admin_app.reports.work_report_writing import notes, stage_rows
from admin_app.xlsx import Column, Workbook
from models.base import local_today
from models.duties import duties
from models.enums import AuditAction
from models.figures import kept
from views.base import AppView
from views.calendar import chosen_place
from views.exporting import XLSX, refused_over_daily_limit
from views.labels import LABELS
from views.people import PairedFilter


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


SHAPE = 1  # of what `_counted` keeps: counts() and schooling_counts()
_ID = "-home-"  # where a Home's id goes in the links made once per page


class _HomeLinks:
    """Each link of a Home's line, made from one URL per page: `urls.children(home_id)`."""

    def __init__(self, patterns: dict[str, str]) -> None:
        for name, pattern in patterns.items():
            setattr(self, name, lambda home_id, pattern=pattern: pattern.replace(
                _ID, str(home_id)))


def _ranks(lines) -> dict[int, str]:
    """Each Home's rank, said once per page: 甲乡第 2 名 · 全县第 3 名."""
    in_township, in_county = gettext("%(township)s: %(n)s"), gettext("county: %(n)s")
    nowhere = gettext("No township")
    return {line.home_id: in_township % {"township": line.township or nowhere,
                                         "n": line.rank_township}
            + (" · " + in_county % {"n": line.rank_county} if line.rank_county else "")
            for line in lines}


class ScorecardView(AppView):
    resource = "scorecard"

    def _asked(self):
        today = local_today()
        period = Period.parse(request.args.get("period"), today)
        homes, townships, township, home = chosen_place(current_user, one_home_by_default=False)
        return today, period, homes, home, townships, township

    def _card(self, again: bool = False):
        today, period, homes, home, townships, township = self._asked()
        home_id = home.id if home else None
        counted, counted_at = self._counted(today, period, township, home_id, again)
        lines, by_township, whole, months = scorecard(current_user, period, today, township,
                                                      home_id, counted["card"])
        rules = counted_duties(duties(db.session))
        pupils = schooling(current_user, period, today, township, home_id, counted["pupils"])
        return (today, period, homes, home, townships, township, lines, by_township, whole,
                rules, months, pupils, counted_at)

    @staticmethod
    def _counted(today, period, township, home_id, again: bool):
        """What the database counts for the card, and when: for those who see every Home
        (a county's 100,000 children), kept for OVERVIEW_MAX_AGE and shared, as the
        overview's figures are; for a Home's or a township's accounts, counted now."""
        def count():
            with replica_reads():
                return {"card": counts(current_user, period, today, township, home_id),
                        "pupils": schooling_counts(current_user, period, today, township,
                                                   home_id)}

        if not access.sees_every_home(current_user):
            return count(), None
        # The shape's version in the key: figures kept by the code before an upgrade are
        # not read by the code after it.
        asked = f"{SHAPE}|{period.key}|{township or ''}|{home_id or ''}"
        key = "scorecard:" + hashlib.sha256(asked.encode()).hexdigest()[:24]
        return kept(key, today, count, again)

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        (today, period, homes, home, townships, township, lines, by_township, whole,
         rules, months, pupils, counted_at) = self._card(again=bool(request.args.get("again")))
        first = period.first.strftime("%Y-%m")
        children = next(v for v in self.admin._views if v.endpoint == "child")
        home_key = next(key for key, (_, flt) in children._filter_args.items()
                        if str(flt.name) == str(LABELS["home"]))
        paired_key = next(key for key, (_, flt) in children._filter_args.items()
                          if isinstance(flt, PairedFilter))
        return self.render(
            "admin/scorecard.html", period=period, homes=homes, home=home,
            townships=townships, township=township, lines=lines, by_township=by_township,
            whole=whole, duties=rules, percent=_percent, today=today,
            periods=Period.choices(today),
            can_export=access.can(current_user, EXPORT, self.resource_name),
            months=months, stage_rows=stage_rows(pupils), pupils=pupils,
            counted_at=counted_at,
            rate_notes=notes(pupils)[1:], required=[LABELS[name] for name in
                                     current_app.config["ARCHIVE_REQUIRED"]],
            urls=_HomeLinks({
                "home": url_for(".index", period=period.key, home=_ID),
                "children": url_for("child.index_view", **{f"flt0_{home_key}": _ID}),
                "unpaired": url_for("child.index_view", **{f"flt0_{home_key}": _ID,
                                                          f"flt1_{paired_key}": "0"}),
                "followup": url_for("followup.index", home=_ID, month=first),
                "calendar": url_for("calendar.index", home=_ID, month=first)}),
            ranks=_ranks(lines),
            link=lambda **args: url_for(".index", **{
                "period": period.key, "township": township,
                "home": home.id if home else None, **args}))

    @expose("/export.xlsx")
    @access.needs(access.EXPORT)
    def export(self):
        if (refused := refused_over_daily_limit(url_for(".index"))) is not None:
            return refused
        # Counted afresh: a workbook is sent upward (and what it counted is kept).
        (_, period, _, home, _, township, lines, by_township, whole, rules,
         months, pupils, _) = self._card(again=True)
        place = home.name if home else township or gettext("Whole county")
        title = gettext("%(place)s scorecard, %(period)s", place=place, period=period.label)
        book = Workbook(title=title)
        columns = [Column(gettext("Children's Home"), "text", 22),
                   Column(gettext("Township"), "text", 12),
                   Column(gettext("Children in care"), "int", 10),
                   Column(gettext("Archives complete"), "int", 10),
                   Column(gettext("Paired"), "int", 10),
                   *(c for d in rules for c in (
                       Column(gettext("%(duty)s: done", duty=d.label), "int", 10),
                       Column(gettext("%(duty)s: due", duty=d.label), "int", 10))),
                   Column(gettext("Activities held"), "int", 10),
                   Column(gettext("Family calls"), "int", 10),
                   Column(gettext("Children at risk"), "int", 10),
                   Column(gettext("Their duties done"), "int", 10),
                   Column(gettext("Their duties due"), "int", 10),
                   Column(gettext("Rank in township"), "int", 8),
                   Column(gettext("Rank in county"), "int", 8)]

        def row(line):
            f = line.figures
            return (line.name, line.township, f.children, f.complete, f.paired,
                    *(n for d in rules for n in (f.done.get(d.key, 0), f.due.get(d.key, 0))),
                    f.activities, f.calls, f.at_risk, f.risk_done, f.risk_due,
                    line.rank_township, line.rank_county)

        book.table(gettext("By Home"), title, columns,
                   (*(row(line) for line in lines),
                    *(row(line) for line in by_township.values()), row(whole)))
        book.table(gettext("By month"), title, [
            Column(gettext("Month"), "text", 10), Column(gettext("Duties done"), "int", 10),
            Column(gettext("Duties due"), "int", 10)], months)
        book.table(gettext("By stage and gender"), title, [
            Column(gettext("School stage"), "text", 16), Column(gettext("Boys"), "int", 8),
            Column(gettext("Girls"), "int", 8), Column(gettext("Total"), "int", 8)],
            stage_rows(pupils))
        book.table(gettext("School rates"), title, [
            Column(gettext("Figure"), "text", 16), Column(gettext("Value"), "text", 10),
            Column(gettext("How it is counted"), "text", 100)],
            ((gettext("Enrolment rate"), pupils.enrolment.percent, notes(pupils)[1]),
             (gettext("Consolidation rate"), pupils.consolidation.percent, notes(pupils)[2])))
        record_access(AuditAction.EXPORT, table_name="scorecard", home_id=home.id if home else None,
                      label=title[:100], details={"rows": len(lines)})
        return send_file(book.close(), mimetype=XLSX, as_attachment=True,
                         download_name=f"{title}.xlsx")
