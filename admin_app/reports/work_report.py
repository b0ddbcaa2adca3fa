"""The term or year work report (工作总结) of a Home, a township or the county: the period's
figures in the sentences the seeds use (“本学期共开展活动 N 次，参与儿童 M 人次，家访 K 次…”),
a table of the children by school stage and gender, the enrolment and consolidation rates,
the duties of care done against due, and the headings staff write under themselves (the
words and the files: admin_app.reports.work_report_writing).

Every figure is counted by the database from the records of the user's scope, narrowed to a
township or a Home: activities held (done, not planned or cancelled) and their attendance,
care records by kind, pairings begun and ended, children entering and leaving care, goods
handed out. Written as a Word document (python-docx) and as a workbook of the figures.

入学率 counts the children of compulsory-school age (6 to 15 on 31 August before the school
year of the period's last day) in care that day whose schooling is recorded, and of them
those in school; 巩固率 the pupils in school on the period's first day (their schooling
then read back from the audit trail, which keeps every change of a record) still in school
on its last, among those in care on both days. A child whose schooling is not recorded,
who left care during the period, or whose record was made after the period began is
counted apart, never guessed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import String, and_, case, cast, distinct, func, or_, select

from admin_app import access
from admin_app.extensions import db
from admin_app.i18n import local_midnight
from admin_app.reports.records import stage_of
from admin_app.reports.scorecard import Period, _homes_among, _in_care_at, scorecard
from models import (
    Activity,
    ActivityKind,
    ActivityParticipant,
    AuditEntry,
    CareRecord,
    Child,
    Pairing,
    ResourceItem,
    StockMovement,
)
from models.duties import duties
from models.enums import (
    ActivityStatus,
    AuditAction,
    CareKind,
    Gender,
    MovementKind,
    Schooling,
)

# 义务教育: the ages the enrolment rate counts, on 31 August before the school year of the
# period's last day (school_age_day).
SCHOOL_AGES = (6, 15)


@dataclass
class Rate:
    part: int = 0
    whole: int = 0
    apart: dict = field(default_factory=dict)  # why -> children counted apart

    @property
    def percent(self) -> str:
        return f"{100 * self.part / self.whole:.1f}%" if self.whole else "—"


@dataclass
class WorkReport:
    period: Period
    place: str
    first: date
    last: date  # the period's last day, or today while it runs
    activities: int = 0
    attendances: int = 0  # 人次
    children_attending: int = 0
    by_kind: list = field(default_factory=list)  # (kind name, activities, attendances)
    care: dict = field(default_factory=dict)  # CareKind -> (records, children)
    pairings_made: int = 0
    pairings_ended: int = 0
    entered: int = 0
    left: int = 0
    handouts: int = 0
    children_given: int = 0
    goods: list = field(default_factory=list)  # (item, unit, quantity)
    in_care: int = 0
    stages: Counter = field(default_factory=Counter)  # (stage key, Gender) -> children
    enrolment: Rate = field(default_factory=Rate)
    consolidation: Rate = field(default_factory=Rate)
    duties: list = field(default_factory=list)  # (duty name, done, due)


def _day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min)


def work_report(user, period: Period, today: date, place: str, township: str | None = None,
                home_id: int | None = None) -> WorkReport:
    first, last = period.first, min(period.last, today)
    report = WorkReport(period, place, first, last)

    def narrowed(column):
        return _homes_among(column, township, home_id)

    def scoped(query, model):
        return db.session.execute(access.scoped(query, model, user))

    held = and_(Activity.status == ActivityStatus.DONE, narrowed(Activity.home_id),
                Activity.starts_at >= datetime.combine(first, time.min),
                Activity.starts_at < _day_after(last))
    attended = and_(ActivityParticipant.activity_id == Activity.id,
                    ActivityParticipant.attended.is_(True))
    for kind, activities, attendances in scoped(
            select(ActivityKind.name, func.count(distinct(Activity.id)),
                   func.count(ActivityParticipant.id))
            .select_from(Activity)
            .outerjoin(ActivityKind, ActivityKind.id == Activity.kind_id)
            .outerjoin(ActivityParticipant, attended)
            .where(held).group_by(ActivityKind.name).order_by(ActivityKind.name), Activity):
        report.by_kind.append((kind or gettext("Kind not given"), activities, attendances))
    report.by_kind.sort(key=lambda line: (-line[1], line[0]))
    report.activities = sum(line[1] for line in report.by_kind)
    report.attendances = sum(line[2] for line in report.by_kind)
    report.children_attending = scoped(
        select(func.count(distinct(ActivityParticipant.child_id))).select_from(Activity)
        .join(ActivityParticipant, attended).where(held), Activity).scalar_one()

    child_here = narrowed(Child.home_id)
    for kind, records, children in scoped(
            select(CareRecord.kind, func.count(), func.count(distinct(CareRecord.child_id)))
            .join(Child, Child.id == CareRecord.child_id)
            .where(child_here, CareRecord.occurred_on >= first, CareRecord.occurred_on <= last)
            .group_by(CareRecord.kind), Child):
        report.care[CareKind(kind) if not isinstance(kind, CareKind) else kind] = (
            records, children)

    report.pairings_made, report.pairings_ended = scoped(
        select(func.count().filter(and_(Pairing.started_on >= first,
                                        Pairing.started_on <= last)),
               func.count().filter(and_(Pairing.ended_on >= first, Pairing.ended_on <= last)))
        .select_from(Pairing).join(Child, Child.id == Pairing.child_id).where(child_here),
        Child).one()
    report.entered, report.left = (int(n or 0) for n in scoped(
        select(func.count().filter(and_(Child.entered_on >= first, Child.entered_on <= last)),
               func.count().filter(and_(Child.left_on >= first, Child.left_on <= last)))
        .where(child_here), Child).one())

    handed = and_(StockMovement.kind == MovementKind.HAND_OUT,
                  StockMovement.occurred_on >= first, StockMovement.occurred_on <= last,
                  narrowed(ResourceItem.home_id))
    for item, unit, quantity in scoped(
            select(ResourceItem.name, ResourceItem.unit, func.sum(StockMovement.quantity))
            .join(ResourceItem, ResourceItem.id == StockMovement.item_id).where(handed)
            .group_by(ResourceItem.name, ResourceItem.unit)
            .order_by(func.sum(StockMovement.quantity).desc(), ResourceItem.name),
            StockMovement):
        report.goods.append((item, unit, int(quantity)))
    report.handouts, report.children_given = scoped(
        select(func.count(), func.count(distinct(StockMovement.child_id)))
        .select_from(StockMovement)
        .join(ResourceItem, ResourceItem.id == StockMovement.item_id).where(handed),
        StockMovement).one()

    _children_figures(report, scoped, child_here)
    _duty_figures(report, user, period, today, township, home_id)
    return report


def schooling(user, period: Period, today: date, township: str | None = None,
              home_id: int | None = None, counted: dict | None = None) -> WorkReport:
    """The children figures alone (by stage and gender, 入学率, 巩固率), for the scorecard:
    from `counted` (what `schooling_counts` returned, perhaps a few minutes ago), or
    counted now."""
    report = WorkReport(period, "", period.first, min(period.last, today))
    if counted is None:
        _children_figures(report, lambda query, model: db.session.execute(
            access.scoped(query, model, user)), _homes_among(Child.home_id, township, home_id))
        return report
    report.in_care = counted["in_care"]
    report.stages = Counter({(stage, Gender[gender]): n
                             for stage, gender, n in counted["stages"]})
    for rate, (part, whole, apart) in ((report.enrolment, counted["enrolment"]),
                                       (report.consolidation, counted["consolidation"])):
        rate.part, rate.whole, rate.apart = part, whole, apart
    return report


def schooling_counts(user, period: Period, today: date, township: str | None = None,
                     home_id: int | None = None) -> dict:
    """`schooling`'s figures as JSON, to be kept (models.figures.kept)."""
    report = schooling(user, period, today, township, home_id)
    return {"in_care": report.in_care,
            "stages": [[stage, gender.name, n] for (stage, gender), n
                       in report.stages.items()],
            "enrolment": [report.enrolment.part, report.enrolment.whole,
                          report.enrolment.apart],
            "consolidation": [report.consolidation.part, report.consolidation.whole,
                              report.consolidation.apart]}


def school_age_day(day: date) -> date:
    """The day school age is counted on: 31 August before the school year `day` is in."""
    return date(day.year if day.month >= 9 else day.year - 1, 8, 31)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _children_figures(report: WorkReport, scoped, child_here) -> None:
    """Children in care on the last day by stage and gender, and the two rates, counted by
    the database in groups (a county's 100,000 children are not read one by one); only
    the pupils whose schooling changed during the period are read singly."""
    first, last = report.first, report.last
    low, high = SCHOOL_AGES
    # Of school age: aged low to high on 31 August of the school year the last day is in
    # (a pupil starts school once six by then), as dates.
    on = school_age_day(last)
    school_age = case((and_(Child.birth_date > years_before(on, high + 1),
                            Child.birth_date <= years_before(on, low)), 1), else_=0)
    for schooling, grade, school, gender, aged, n in scoped(
            select(Child.schooling, Child.grade, Child.school, Child.gender, school_age,
                   func.count())
            .where(child_here, _in_care_at(last))
            .group_by(Child.schooling, Child.grade, Child.school, Child.gender, school_age),
            Child):
        report.in_care += n
        report.stages[(stage_of(schooling, grade, school), gender)] += n
        if aged:
            _count(report.enrolment, schooling, schooling is Schooling.IN_SCHOOL, n)
    in_care_last = case((_in_care_at(last), 1), else_=0)
    begun = local_midnight(first)
    late = case((Child.created_at > begun, 1), else_=0)
    outcomes: Counter = Counter()
    for schooling, stays, archived_late, n in scoped(
            select(Child.schooling, in_care_last, late, func.count())
            .where(child_here, _in_care_at(first))
            .group_by(Child.schooling, in_care_last, late), Child):
        outcomes.update(_outcome(schooling, schooling, stays, archived_late, n))
    # The children whose schooling changed since the first day: counted by what it was on
    # the first day and on the last (a past period is not counted with today's schooling).
    history = _schooling_history(report)
    ids = sorted(history)
    ended = local_midnight(last + timedelta(days=1))
    for start in range(0, len(ids), BATCH):
        for row in scoped(
                select(Child.id, Child.schooling, Child.grade, Child.school, Child.gender,
                       school_age, in_care_last, case((_in_care_at(first), 1), else_=0),
                       late)
                .where(child_here, or_(_in_care_at(first), _in_care_at(last)),
                       Child.id.in_(ids[start:start + BATCH])), Child):
            child_id, now, grade, school, gender, aged, stays, was_in, archived_late = row
            at_start = _schooling_at(history[child_id], begun, now)
            at_end = _schooling_at(history[child_id], ended, now)
            if stays and at_end is not now:
                report.stages[(stage_of(now, grade, school), gender)] -= 1
                report.stages[(stage_of(at_end, grade, school), gender)] += 1
                if aged:
                    _count(report.enrolment, now, now is Schooling.IN_SCHOOL, -1)
                    _count(report.enrolment, at_end, at_end is Schooling.IN_SCHOOL, 1)
            if was_in:
                outcomes.subtract(_outcome(now, now, stays, archived_late, 1))
                outcomes.update(_outcome(at_start, at_end, stays, archived_late, 1))
    rate = report.consolidation
    rate.whole, rate.part = outcomes["whole"], outcomes["part"]
    rate.apart = {why: outcomes[why] for why in ("left", "archived_later") if outcomes[why]}


BATCH = 1000


def _outcome(at_start, now, stays: int, archived_late: int, n: int) -> dict:
    """Where `n` children in care on the first day count in the consolidation rate."""
    if at_start is not Schooling.IN_SCHOOL:
        return {}
    if not stays:
        return {"left": n}
    if archived_late:
        return {"archived_later": n}
    return {"whole": n, "part": n if now is Schooling.IN_SCHOOL else 0}


def _count(rate: Rate, schooling, counted: bool, n: int) -> None:
    if schooling is None:
        rate.apart["unsaid"] = rate.apart.get("unsaid", 0) + n
        return
    rate.whole += n
    rate.part += n if counted else 0


def _schooling_history(report: WorkReport) -> dict[int, list]:
    """Each child's changes of schooling since the period's first day, oldest first, as
    (moment, old value), from the audit trail (which keeps every change of a record)."""
    entries = db.session.execute(
        select(AuditEntry.record_id, AuditEntry.at, AuditEntry.changes).where(
            AuditEntry.table_name == Child.__tablename__,
            AuditEntry.action == AuditAction.UPDATE,
            AuditEntry.at >= local_midnight(report.first),
            cast(AuditEntry.changes, String).like('%"schooling"%'))
        .order_by(AuditEntry.at, AuditEntry.id)).all()
    found: dict[int, list] = {}
    for record_id, at, changes in entries:
        if "schooling" in (changes or {}):
            found.setdefault(record_id, []).append((at, _schooling(changes["schooling"][0])))
    return found


def _schooling_at(changes: list, moment: datetime, now):
    """A child's schooling at `moment`: the old value of her first change after it, else
    what it is now."""
    return next((old for at, old in changes if at >= moment), now)


def _schooling(value) -> Schooling | None:
    if value is None:
        return None
    try:
        return Schooling(value)
    except ValueError:
        return Schooling[value]


def _duty_figures(report: WorkReport, user, period, today, township, home_id) -> None:
    _lines, _townships, whole, _months = scorecard(user, period, today, township, home_id)
    for duty in duties(db.session):
        report.duties.append((duty.label, whole.figures.done.get(duty.key, 0),
                              whole.figures.due.get(duty.key, 0)))
