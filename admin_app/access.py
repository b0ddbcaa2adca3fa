"""The role rules as plain functions: what a user may see (a query filter) and do.

Deny by default: a role, a resource or a model the rules do not name is refused, and an
unknown role or model raises. Every view, look-up, form drop-down and custom page asks
these functions; nothing else decides who sees what.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, false, or_, select, true

from models import (
    Activity,
    ActivityKind,
    ActivityParticipant,
    ActivitySeries,
    Assistance,
    AuditEntry,
    CareRecord,
    CareRound,
    Child,
    Consent,
    DataRequest,
    DutyRule,
    ExportRequest,
    Guardian,
    Home,
    MoneyEntry,
    Pairing,
    ParentContact,
    ResourceCategory,
    ResourceItem,
    RosterUpload,
    RoundGift,
    SchoolTerm,
    StockMovement,
    User,
    Volunteer,
    VolunteerOrganisation,
)
from models.base import local_today, utcnow
from models.enums import HOME_SCOPED_ROLES, Role
from models.validators import InvalidValue, clean_township

# How long a volunteer may still correct a care record she wrote.
VOLUNTEER_EDIT_WINDOW = timedelta(days=7)


class Action(str, enum.Enum):
    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    EXPORT = "export"
    DECIDE = "decide"  # an export request: approve or refuse it (may_decide)


class UnknownRole(RuntimeError):
    pass


def needs(action: Action, **by_method: Action):
    """Declares, beside `expose`, the right a handler needs on its view's resource (another
    for one HTTP method: POST=CREATE); the gate (views.base) refuses a handler without."""
    declared = {"*": action, **{method.upper(): right for method, right in by_method.items()}}

    def declare(handler):
        handler.needs = declared
        return handler

    return declare


def needed(handler, method: str) -> Action | None:
    """The right `handler` declared for a request of `method`; None if it declared none."""
    declared = getattr(handler, "needs", None)
    return None if declared is None else declared.get(method.upper(), declared["*"])


READ, CREATE, EDIT, DELETE, EXPORT, DECIDE = Action
EVERYTHING = frozenset({READ, CREATE, EDIT, DELETE, EXPORT})
READ_ONLY = frozenset({READ, EXPORT})
# A line of money is corrected, never deleted (models.money).
MONEY = frozenset({READ, CREATE, EDIT, EXPORT})

RECORDS = ("home", "child", "guardian", "parent_contact", "assistance", "volunteer",
           "pairing", "care_record", "family_call", "activity", "activity_series",
           "resource_item", "stock_movement", "consent", "data_request", "care_round")
LOOKUPS = ("activity_kind", "resource_category", "volunteer_organisation")

# What each role may do on each resource (a view's endpoint, or a custom page's name).
PERMISSIONS: dict[Role, dict[str, frozenset[Action]]] = {
    Role.ADMIN: {
        **dict.fromkeys(RECORDS + LOOKUPS + ("user",), EVERYTHING),
        "audit": READ_ONLY,
        "dashboard": frozenset({READ}),
        "calendar": READ_ONLY,
        "followup": READ_ONLY,
        "donors": READ_ONLY,  # the acknowledgement of a donor is an export
        "import": frozenset({READ, CREATE}),
        "school_year": frozenset({READ, CREATE}),
        # The privacy page: notice, retention purge, yearly audit export, incident query.
        "privacy": EVERYTHING,
        "export_request": frozenset({READ, CREATE, DECIDE}),
        # Never deleted: a duty is made inactive, a term corrected.
        "duty_rule": frozenset({READ, CREATE, EDIT, EXPORT}),
        "school_term": frozenset({READ, CREATE, EDIT, EXPORT}),
        "reminders": frozenset({READ}), "scorecard": READ_ONLY,
        # The forms and reports the county sends upward (附件3 汇总表 …), of their scope.
        "reports": READ_ONLY,
        # 资金台账: corrected, never deleted.
        "money_entry": MONEY,
    },
    Role.STAFF: {
        **dict.fromkeys(RECORDS + LOOKUPS, EVERYTHING),
        # A Home's staff keep its details up to date; Homes are opened by administrators.
        "home": frozenset({READ, EDIT, EXPORT}),
        "dashboard": frozenset({READ}),
        "calendar": READ_ONLY,
        "followup": READ_ONLY,
        "donors": READ_ONLY,  # the acknowledgement of a donor is an export
        # Rosters into their own Home(s) only (the import plans rows in the user's scope).
        "import": frozenset({READ, CREATE}),
        # Every grade of a Home moved up at a new school year (their own Homes).
        "school_year": frozenset({READ, CREATE}),
        "privacy": frozenset({READ}),  # the guardians' notice
        # A Home's designated person among them decides its requests (may_decide).
        "export_request": frozenset({READ, CREATE, DECIDE}),
        # The county's duties of care (its administrators set them), and what is overdue.
        "duty_rule": frozenset({READ}), "reminders": frozenset({READ}),
        "scorecard": READ_ONLY, "school_term": frozenset({READ}), "reports": READ_ONLY,
        "money_entry": MONEY,
    },
    Role.SUPERVISOR: {
        **dict.fromkeys(RECORDS + LOOKUPS, READ_ONLY),
        "audit": frozenset({READ}),
        "dashboard": frozenset({READ}),
        "calendar": READ_ONLY,
        "followup": READ_ONLY,
        "donors": READ_ONLY,  # the acknowledgement of a donor is an export
        # The notice, the yearly audit export and the incident query of their Homes.
        "privacy": READ_ONLY,
        "export_request": frozenset({READ, CREATE, DECIDE}),
        "duty_rule": frozenset({READ}), "reminders": frozenset({READ}),
        "scorecard": READ_ONLY, "school_term": frozenset({READ}), "reports": READ_ONLY,
        "money_entry": READ_ONLY,
    },
    Role.VOLUNTEER: {
        # The overview sends her on to her children.
        "dashboard": frozenset({READ}),
        "child": frozenset({READ}),
        "care_record": frozenset({READ, CREATE, EDIT}),
        "family_call": frozenset({READ, CREATE, EDIT}),  # care records too (亲情电话)
        "activity": frozenset({READ}),
        "calendar": frozenset({READ}),
        "my_children": frozenset({READ}),
    },
}


class SystemUser:
    """Who the command line acts as: county-wide, like an administrator."""

    is_authenticated, role, username = True, Role.ADMIN, "system"
    id = home_id = volunteer_id = township = None


SYSTEM = SystemUser()


def _role(user) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role not in PERMISSIONS:
        raise UnknownRole(user.role)
    return user.role


def can(user, action: Action, resource: str) -> bool:
    """May `user` do `action` on the resource (a view endpoint) at all?"""
    role = _role(user)
    if role is None:
        return False
    return action in PERMISSIONS[role].get(resource, frozenset())


def masks(user, kind: str) -> bool:
    """Whether `user` sees values of this kind masked. ID numbers: everyone, until a user
    who may asks to see one record's number with a reason (PIPL; see views.people). Phones:
    everyone but staff, who call parents and guardians every day."""
    if kind == "id_number":
        return True
    if kind == "phone":
        return _role(user) is not Role.STAFF
    return False


def calls_her_children(user) -> bool:
    """A caring mother sees in full the phones of her children's guardian, parents and class
    teacher, since three of the five ones are calls (DOMAIN.md). Her children are those she
    is actively paired with (`my_children`, her scope): once a pairing ends the child is out
    of her reach, numbers and all. Each number shown to her is recorded (masking.to_call)."""
    return _role(user) is Role.VOLUNTEER and user.volunteer_id is not None


def full_ids_in_approved_export(user) -> bool:
    """The MCA registration forms (附件1) go upward with the ID numbers in full: they are
    written so only in an export approved by the Home's designated person (views.exporting)
    and only for those who type ID numbers and may unmask one (handles_numbers). A
    supervisor's approved copy stays masked, as everything she reads."""
    return handles_numbers(user)


def handles_numbers(user) -> bool:
    """Administrators and staff type ID numbers and phones, find a child by the whole
    number, and may unmask one record's ID number with a reason. Caring mothers and
    supervisors never do."""
    return _role(user) in (Role.ADMIN, Role.STAFF)


def sees_whom_gifts_reached(user) -> bool:
    """Which children a donor's gift reached, by name: for those who hand the gifts out and
    keep the records (administrators, staff). Supervisors and donors read counts only."""
    return _role(user) in {Role.ADMIN, Role.STAFF}


def my_children(user, today: date | None = None):
    """The ids of the children a volunteer is actively paired with (a subquery)."""
    today = today or local_today()
    return select(Pairing.child_id).where(
        Pairing.volunteer_id == user.volunteer_id, Pairing.overlapping(today, today))


# How each model reaches its Home, for staff and supervisors of one Home or of a township:
# `at(column)` tests a Home id column against the user's Homes.
def _by_home(model, at) -> ColumnElement[bool]:
    rules = {
        Home: lambda: at(Home.id),
        Child: lambda: at(Child.home_id),
        Guardian: lambda: at(Guardian.home_id),
        Volunteer: lambda: at(Volunteer.home_id),
        Activity: lambda: at(Activity.home_id),
        ActivitySeries: lambda: at(ActivitySeries.home_id),
        ResourceItem: lambda: at(ResourceItem.home_id),
        ParentContact: lambda: ParentContact.child.has(at(Child.home_id)),
        Assistance: lambda: Assistance.child.has(at(Child.home_id)),
        Pairing: lambda: Pairing.child.has(at(Child.home_id)),
        CareRecord: lambda: CareRecord.child.has(at(Child.home_id)),
        Consent: lambda: Consent.child.has(at(Child.home_id)),
        DataRequest: lambda: DataRequest.child.has(at(Child.home_id)),
        StockMovement: lambda: StockMovement.item.has(at(ResourceItem.home_id)),
        ActivityParticipant: lambda: ActivityParticipant.activity.has(at(Activity.home_id)),
        User: lambda: at(User.home_id),
        AuditEntry: lambda: at(AuditEntry.home_id),
        ExportRequest: lambda: at(ExportRequest.home_id),
        MoneyEntry: lambda: at(MoneyEntry.home_id),
        # A 慰问 round: seen by the Homes it visits; its gifts by the children's Homes.
        CareRound: lambda: CareRound.homes.any(at(Home.id)),
        RoundGift: lambda: at(RoundGift.home_id),
    }
    if model in SHARED:
        return true()
    if model not in rules:
        raise LookupError(f"no scoping rule for {model.__name__}")
    return rules[model]()


def _home_test(user):
    """The test of a Home id column against `user`'s Homes: her Home, or her township's
    (a subquery of its own, never correlated with a Home the outer query joins)."""
    if user.home_id is not None:
        return lambda column: column == user.home_id
    township_homes = select(Home.id).where(Home.township == user.township).correlate(None)
    return lambda column: (Home.township == user.township if column is Home.id
                           else column.in_(township_homes))


def _for_volunteer(model, user) -> ColumnElement[bool]:
    if user.volunteer_id is None:
        return false()
    children = my_children(user)
    own_home = select(Volunteer.home_id).where(Volunteer.id == user.volunteer_id)
    rules = {
        Child: lambda: Child.id.in_(children),
        CareRecord: lambda: CareRecord.child_id.in_(children),
        ParentContact: lambda: ParentContact.child_id.in_(children),
        Guardian: lambda: Guardian.id.in_(
            select(Child.guardian_id).where(Child.id.in_(children))),
        Pairing: lambda: and_(Pairing.volunteer_id == user.volunteer_id,
                              Pairing.child_id.in_(children)),
        Volunteer: lambda: Volunteer.id == user.volunteer_id,
        Activity: lambda: Activity.home_id.in_(own_home),
        Home: lambda: Home.id.in_(own_home),
    }
    if model in SHARED:
        return true()
    if model in rules:
        return rules[model]()
    if model in KNOWN:
        return false()
    raise LookupError(f"no scoping rule for {model.__name__}")


# County-wide tables everyone may read: drop-downs' lookups, the duties of care, terms.
SHARED = {ActivityKind, ResourceCategory, VolunteerOrganisation, DutyRule, SchoolTerm}
KNOWN = SHARED | {Home, Child, Guardian, Volunteer, Activity, ActivitySeries, ResourceItem,
                  ParentContact, Assistance, Pairing, CareRecord, StockMovement,
                  ActivityParticipant, User, AuditEntry, Consent, DataRequest, RosterUpload,
                  ExportRequest, MoneyEntry, CareRound, RoundGift}


def visible(model, user) -> ColumnElement[bool]:
    """The filter that keeps only the rows of `model` that `user` may see."""
    role = _role(user)
    if model not in KNOWN:
        raise LookupError(f"no scoping rule for {model.__name__}")
    if role is None:
        return false()
    if model is RosterUpload:  # a roster waiting to be imported: its uploader's alone
        return RosterUpload.user_id == user.id
    if model is ExportRequest:
        return _export_requests(user)
    if role is Role.ADMIN:
        return true()
    if role is Role.VOLUNTEER:
        return _for_volunteer(model, user)
    if model is User or (model is AuditEntry and role is Role.STAFF):
        return false()  # accounts are the administrators'; the trail is for supervisors
    if sees_every_home(user):  # county-level staff and supervisors
        return true()
    return _by_home(model, _home_test(user))


def sees_every_home(user) -> bool:
    """Whether `user`'s scope is the whole county (administrators, and staff and
    supervisors with neither a Home nor a township): every `visible` rule is then true."""
    role = _role(user)
    return role is Role.ADMIN or (role in HOME_SCOPED_ROLES
                                  and user.home_id is None and not user.township)


def sees_home(user, home_id: int | None) -> bool:
    """Whether `user`'s scope holds the Home `home_id` (None: the whole county, which only
    a county-wide scope holds). Asks the database for a township's Homes."""
    if sees_every_home(user):
        return True
    if home_id is None or _role(user) not in HOME_SCOPED_ROLES:
        return False
    if user.home_id is not None:
        return user.home_id == home_id
    from admin_app.extensions import db

    return db.session.scalar(select(Home.id).where(Home.id == home_id,
                                                   visible(Home, user))) is not None


def holds_every_home(user, home_ids) -> bool:
    """Whether `user`'s scope holds each of these Homes: who may change or close a round
    that visits them (a Home's staff not a county's round of ten Homes)."""
    return set(home_ids) <= homes_seen(user, home_ids)


def homes_seen(user, home_ids) -> set[int]:
    """Those of these Homes that `user`'s scope holds (one query for a township's)."""
    home_ids = set(home_ids)
    if sees_every_home(user):
        return home_ids
    if _role(user) not in HOME_SCOPED_ROLES:
        return set()
    if user.home_id is not None:
        return home_ids & {user.home_id}
    from admin_app.extensions import db

    return set(db.session.scalars(select(Home.id).where(Home.id.in_(home_ids),
                                                        visible(Home, user))))


def scoped(stmt, model, user):
    """`stmt` (a select() or a legacy Query over `model`) limited to what `user` may see."""
    return stmt.where(visible(model, user)) if hasattr(stmt, "where") else stmt.filter(
        visible(model, user))


def can_change(user, action: Action, record, now: datetime | None = None) -> bool:
    """Row-level rules on top of scoping: a volunteer adds care records for her children
    and corrects only her own, for seven days."""
    role = _role(user)
    if role is None:
        return False
    if role is not Role.VOLUNTEER:
        return True
    if not isinstance(record, CareRecord):
        return False
    if action is CREATE:
        return True
    if action is not EDIT or record.recorded_by_id != user.id:
        return False
    created = record.created_at
    if created is None:
        return True
    return (now or utcnow()) - created <= VOLUNTEER_EDIT_WINDOW


def _export_requests(user) -> ColumnElement[bool]:
    """A user's own export requests and those she decides: all for an administrator, her
    scope's Homes' for a designated person (one of no Home is the county's)."""
    own = ExportRequest.user_id == user.id
    if not decides_exports(user):
        return own
    if sees_every_home(user):
        return true()
    return or_(own, _by_home(ExportRequest, _home_test(user)))


def decides_exports(user) -> bool:
    """Whether `user` decides export requests at all: administrators, and the designated
    persons (儿童个人信息保护负责人) among staff and supervisors, no caring mother."""
    role = _role(user)
    if role is None or DECIDE not in PERMISSIONS[role].get("export_request", frozenset()):
        return False
    return role is Role.ADMIN or bool(getattr(user, "privacy_officer", False))


def may_decide(user, item: ExportRequest) -> bool:
    """Whether `user` may approve or refuse the export request `item`: an administrator any;
    a designated person those of the Homes in her scope, and never her own."""
    if not decides_exports(user):
        return False
    if _role(user) is Role.ADMIN:
        return True
    return item.user_id != user.id and sees_home(user, item.home_id)


def writes_as_herself(user) -> bool:
    """A caring mother's care records are hers: her form offers no volunteer to choose, and
    each record she saves is saved as hers, whatever the request says."""
    return _role(user) is Role.VOLUNTEER


def her_care_records(user) -> ColumnElement[bool]:
    """A caring mother's own care records, for her workbook: those she wrote about the
    children in her care now (never another's notes, nothing of an ended pairing)."""
    if not writes_as_herself(user) or user.volunteer_id is None:
        return false()
    return and_(visible(CareRecord, user), CareRecord.volunteer_id == user.volunteer_id)


def account_scope(role: Role, *, home, township: str | None, volunteer,
                  townships) -> str | None:
    """An account's scope, for the accounts form and `flask users create` alike: the
    township to keep (None for none), or InvalidValue. A caring mother's account is linked
    to her volunteer record (`volunteer`: it, or anything true where the link stays as it
    was); a township only for staff and supervisors, never beside a Home (clean_township)."""
    if role is Role.VOLUNTEER and volunteer is None:
        raise InvalidValue(_l("A caring mother's account must be linked to her volunteer "
                              "record."))
    return clean_township(township, role=role, has_home=home is not None, townships=townships)
