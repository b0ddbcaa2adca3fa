"""The archive card's records beside the child's own fields (档案卡): recent care records,
activities attended, items received and moves between Homes, in two queries. The child is
one the user may see (views.people.ChildView scoped her)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, case, cast, literal, null, select, union_all
from sqlalchemy.orm import aliased, joinedload

from admin_app.extensions import db
from models import (
    Activity,
    ActivityParticipant,
    CareRecord,
    Child,
    ChildMove,
    Home,
    ResourceItem,
    StockMovement,
)
from models.duties import duties, risks_of
from models.enums import ActivityStatus, MovementKind

ARCHIVE_RECENT = 10
# How the archive card says a child took part in an activity.
ATTENDANCE = {"1": _l("Yes"), "0": _l("No"), "planned": _l("Enrolled (not held yet)"),
              "cancelled": _l("Cancelled")}


def archive_card(child: Child) -> dict:
    """What the details page shows beside the child's own fields, in three queries: the
    recent care records, the activities attended and items received together, and the
    duties of care (the guardian, parents and pairings come with the child:
    ChildView.record_load_options)."""
    session = db.session
    care_records = session.scalars(
        select(CareRecord).options(joinedload(CareRecord.volunteer))
        .where(CareRecord.child_id == child.id)
        .order_by(CareRecord.occurred_on.desc(), CareRecord.id.desc())
        .limit(ARCHIVE_RECENT)
    ).all()
    # One statement for two tables: their rows in one shape, the dates as ISO text (the
    # same on SQLite and PostgreSQL), each branch its own newest few.
    activities = (
        select(literal("activity").label("section"),
               cast(Activity.starts_at, String).label("on"), Activity.title.label("what"),
               # A date not held yet (or called off) says so, not that the child came.
               case((Activity.status == ActivityStatus.PLANNED, "planned"),
                    (Activity.status == ActivityStatus.CANCELLED, "cancelled"),
                    (ActivityParticipant.attended.is_(True), "1"), else_="0").label("how"),
               cast(null(), Integer).label("quantity"), cast(null(), String).label("unit"))
        .join(ActivityParticipant, ActivityParticipant.activity_id == Activity.id)
        .where(ActivityParticipant.child_id == child.id)
        .order_by(Activity.starts_at.desc()).limit(ARCHIVE_RECENT))
    received = (
        select(literal("received"), cast(StockMovement.occurred_on, String),
               ResourceItem.name, cast(StockMovement.kind, String), StockMovement.quantity,
               ResourceItem.unit)
        .join(ResourceItem, ResourceItem.id == StockMovement.item_id)
        .where(StockMovement.child_id == child.id)
        .order_by(StockMovement.occurred_on.desc(), StockMovement.id.desc())
        .limit(ARCHIVE_RECENT))
    came_from, went_to = aliased(Home), aliased(Home)
    moves = (
        # Labelled: two anonymous NULL casts in one select were read as one on PostgreSQL.
        select(literal("moved").label("section"), cast(ChildMove.moved_on, String).label("on"),
               went_to.name.label("what"), came_from.name.label("how"),
               cast(null(), Integer).label("quantity"), cast(null(), String).label("unit"))
        .join(came_from, came_from.id == ChildMove.from_home_id)
        .join(went_to, went_to.id == ChildMove.to_home_id)
        .where(ChildMove.child_id == child.id))
    history: dict[str, list] = {"activity": [], "received": [], "moved": []}
    for row in session.execute(union_all(activities.subquery().select(),
                                         received.subquery().select(),
                                         moves.subquery().select())):
        on = date.fromisoformat(row.on[:10])
        if row.section == "activity":
            history["activity"].append((on, row.what, ATTENDANCE[row.how]))
        elif row.section == "moved":
            history["moved"].append((on, row.how, row.what))
        else:
            history["received"].append((on, row.what, MovementKind[row.how], row.quantity,
                                        row.unit))
    for rows in history.values():  # a union keeps no order of its own
        rows.sort(key=lambda row: row[0], reverse=True)
    risks = risks_of(child)
    return {
        # Each duty of care at the child's pace, and the risks that made it stricter.
        "paces": [(duty, duty.pace(risks), duty.why_stricter(risks))
                  for duty in duties(session)],
        "parents": child.parents,
        "guardian": child.guardian,
        "pairings": child.pairings,
        "care_records": care_records,
        "activities": history["activity"],
        "received": history["received"],
        "moves": history["moved"],
    }
