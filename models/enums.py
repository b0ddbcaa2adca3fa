"""Categories that statistics and rules depend on, each member with its label for users."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a translatable label (`member.label`)."""

    def __new__(cls, value: str, label: object):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return str(self.label)

    # Members of two categories never equal each other even when their values are spelt
    # alike (LeftBehindType.ONE_PARENT and LivingArrangement.ONE_PARENT are both
    # "one_parent"): every label cache, Counter and set keyed by members keeps them apart.
    # A member still equals its own value as a plain string (forms, look-ups by value).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, LabelledEnum) and type(other) is not type(self):
            return False
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    # Equal to its plain value, so hashed as it: members of two categories merely collide.
    __hash__ = str.__hash__

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def label_of(cls, value) -> str:
        """The label of `value`, a member or its name as a form sets it (the column reads it
        back as the member only once saved): a record's label written at its save reads
        发放, never HAND_OUT."""
        if isinstance(value, cls):
            return str(value.label)
        if isinstance(value, str) and value in cls.__members__:
            return str(cls[value].label)
        return "" if value is None else str(value)


class Gender(LabelledEnum):
    MALE = "male", _l("Male")
    FEMALE = "female", _l("Female")


class LeftBehindType(LabelledEnum):
    BOTH_PARENTS = "both_parents", _l("Both parents away")
    ONE_PARENT = "one_parent", _l("One parent away")


class LivingArrangement(LabelledEnum):
    GRANDPARENTS = "grandparents", _l("With grandparents")
    RELATIVES = "relatives", _l("With other relatives")
    PROXY_GUARDIAN = "proxy_guardian", _l("With a proxy guardian")
    ALONE = "alone", _l("Alone")
    ONE_PARENT = "one_parent", _l("With the parent at home")


class Guardianship(LabelledEnum):
    """监护情况: how well the child is cared for at home, as the MCA's 2016 survey assesses
    it. An assessment, not where the child lives (LivingArrangement)."""

    GOOD = "good", _l("Good")
    FAIR = "fair", _l("Fair")
    POOR = "poor", _l("Poor")
    NOBODY = "nobody", _l("No one caring for the child")
    PARENT_UNABLE = "parent_unable", _l("Father or mother unable to care")
    PROXY_UNABLE = "proxy_unable", _l("Entrusted guardian not able enough")


class Schooling(LabelledEnum):
    """就学情况, in the MCA registration's own choices (幼儿园 / 未入园 / 在校 / 辍学 / 不在学)
    and 休学; which school stage a pupil in school is at follows from her grade
    (models.grades.school_stage), so it is not kept twice."""

    KINDERGARTEN = "kindergarten", _l("In kindergarten")
    PRESCHOOL = "preschool", _l("Under school age, not in kindergarten")
    IN_SCHOOL = "in_school", _l("In school")
    SUSPENDED = "suspended", _l("Schooling suspended")
    DROPPED_OUT = "dropped_out", _l("Dropped out")
    NOT_ENROLLED = "not_enrolled", _l("Not in school")


class SchoolStage(LabelledEnum):
    """The stage a grade belongs to, for the counts by stage (never stored)."""

    PRESCHOOL = "preschool", _l("Pre-school")
    PRIMARY = "primary", _l("Primary school")
    JUNIOR = "junior", _l("Junior middle school")
    SENIOR = "senior", _l("Senior high school")
    VOCATIONAL = "vocational", _l("Secondary vocational school")


class AssistanceKind(LabelledEnum):
    """Help from the state a child's family receives (救助帮扶情况)."""

    MINIMUM_LIVING = "minimum_living", _l("Minimum living allowance")
    EXTREME_POVERTY = "extreme_poverty", _l("Support for the extremely poor")
    ORPHAN = "orphan", _l("Orphans' basic living allowance")
    UNSUPPORTED = "unsupported", _l("Allowance for children without de facto support")
    TEMPORARY = "temporary", _l("Temporary assistance")
    MEDICAL = "medical", _l("Medical assistance")
    HOUSING = "housing", _l("Housing assistance")
    OTHER = "other", _l("Other assistance")


class FamilySituation(LabelledEnum):
    ORDINARY = "ordinary", _l("Ordinary")
    SINGLE_PARENT = "single_parent", _l("Single-parent family")
    DIVORCED = "divorced", _l("Divorced family")
    ORPHAN = "orphan", _l("Orphan")


class ChildStatus(LabelledEnum):
    IN_CARE = "in_care", _l("In care")
    LEFT_CARE = "left_care", _l("Left care")


class LeaveReason(LabelledEnum):
    PARENTS_RETURNED = "parents_returned", _l("Parents returned")
    MOVED = "moved", _l("Moved away")
    TURNED_18 = "turned_18", _l("Turned 18")
    OTHER = "other", _l("Other")


class ParentRelation(LabelledEnum):
    FATHER = "father", _l("Father")
    MOTHER = "mother", _l("Mother")


class GuardianRelation(LabelledEnum):
    GRANDFATHER = "grandfather", _l("Grandfather")
    GRANDMOTHER = "grandmother", _l("Grandmother")
    MATERNAL_GRANDFATHER = "maternal_grandfather", _l("Maternal grandfather")
    MATERNAL_GRANDMOTHER = "maternal_grandmother", _l("Maternal grandmother")
    FATHER = "father", _l("Father")
    MOTHER = "mother", _l("Mother")
    RELATIVE = "relative", _l("Other relative")
    PROXY = "proxy", _l("Proxy guardian")
    OTHER = "other", _l("Other")


class VolunteerKind(LabelledEnum):
    CARING_MOTHER = "caring_mother", _l("Caring mother")
    PROXY_PARENT = "proxy_parent", _l("Proxy parent")
    TEACHER = "teacher", _l("Teacher")
    CADRE = "cadre", _l("Cadre")
    PARTY_MEMBER = "party_member", _l("Party member")
    WOMEN_VOLUNTEER = "women_volunteer", _l("Women's federation volunteer")
    STUDENT_VOLUNTEER = "student_volunteer", _l("Student volunteer")
    RETIREE = "retiree", _l("Retiree")
    OTHER = "other", _l("Other")


class CareKind(LabelledEnum):
    TALK = "talk", _l("Talk")
    HOME_VISIT = "home_visit", _l("Home visit")
    PARENT_CALL = "parent_call", _l("Call or video with parents")
    PARENT_LETTER = "parent_letter", _l("Letter to parents")
    TEACHER_CONTACT = "teacher_contact", _l("Class teacher contact")
    GUARDIAN_CONTACT = "guardian_contact", _l("Guardian contact")
    FESTIVAL = "festival", _l("Festival together")
    OTHER = "other", _l("Other")


class Frequency(LabelledEnum):
    """How often a duty of care is due, in order from the most often. Weeks and halves are
    windows inside a month, so that months add up to terms and years: a week is the
    1st–7th, 8th–14th, 15th–21st or 22nd to the month's end. A term's visits are due in
    three windows of its own, each counted in the month it ends in."""

    WEEKLY = "weekly", _l("Every week (1st–7th, 8th–14th, 15th–21st, 22nd–end)")
    FORTNIGHTLY = "fortnightly", _l("Every half month (1st–15th, 16th–end)")
    MONTHLY = "monthly", _l("Every month")
    # 期初、期中、期末: three weeks at each term's start, middle and end (models.terms).
    TERM_VISITS = "term_visits", _l("Three times a term (start, middle and end)")
    YEARLY = "yearly", _l("Every year")

    @property
    def short(self) -> object:
        """The pace in a word, for a badge on a phone."""
        return _SHORT_PACES[self]


_SHORT_PACES = {Frequency.WEEKLY: _l("Weekly"), Frequency.FORTNIGHTLY: _l("Twice a month"),
                Frequency.MONTHLY: _l("Monthly"), Frequency.TERM_VISITS: _l("Three a term"),
                Frequency.YEARLY: _l("Yearly")}


class Term(LabelledEnum):
    AUTUMN = "autumn", _l("Autumn term")
    SPRING = "spring", _l("Spring term")


class FulfilledBy(LabelledEnum):
    PAIRED = "paired", _l("The paired caring mother only")
    ANYONE = "anyone", _l("Anyone recording for the child")


class Risk(LabelledEnum):
    """What puts a child at risk, so that a duty may be due more often (models.duties)."""

    ALONE = "alone", _l("Living alone")
    NOBODY = "nobody", _l("No one caring for the child")
    PARENT_UNABLE = "parent_unable", _l("Father or mother unable to care")
    PROXY_UNABLE = "proxy_unable", _l("Entrusted guardian not able enough")
    POOR_CARE = "poor_care", _l("Poor guardianship")
    KEY_TARGET = "key_target", _l("Key assistance target")
    IN_DIFFICULTY = "in_difficulty", _l("Child in difficulty")


class ActivityStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    DONE = "done", _l("Done")
    CANCELLED = "cancelled", _l("Cancelled")


class MovementKind(LabelledEnum):
    DONATION = "donation", _l("Donation")
    PURCHASE = "purchase", _l("Purchase")
    TRANSFER_IN = "transfer_in", _l("Transfer in")
    LOAN_RETURN = "loan_return", _l("Loan returned")
    HAND_OUT = "hand_out", _l("Hand-out")
    LOAN = "loan", _l("Loan")
    LOSS = "loss", _l("Loss or write-off")
    TRANSFER_OUT = "transfer_out", _l("Transfer out")

    @property
    def sign(self) -> int:
        """+1 for stock coming in, -1 for stock going out."""
        return 1 if self in _INCOMING else -1


_INCOMING = {
    MovementKind.DONATION,
    MovementKind.PURCHASE,
    MovementKind.TRANSFER_IN,
    MovementKind.LOAN_RETURN,
}


class MoneyKind(LabelledEnum):
    """A line of a Home's money ledger (资金台账): money coming in, or going out to a child,
    for goods or for an activity."""

    DONATION = "donation", _l("Donation")
    ALLOCATION = "allocation", _l("Allocation from the township or county")
    OTHER_IN = "other_in", _l("Other income")
    CONDOLENCE = "condolence", _l("Money given to a child")
    PURCHASE = "purchase", _l("Purchase of goods")
    ACTIVITY = "activity", _l("Activity costs")
    OTHER_OUT = "other_out", _l("Other spending")

    @property
    def incoming(self) -> bool:
        return self in _MONEY_IN


_MONEY_IN = {MoneyKind.DONATION, MoneyKind.ALLOCATION, MoneyKind.OTHER_IN}


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    STAFF = "staff", _l("Staff")
    VOLUNTEER = "volunteer", _l("Caring mother")
    SUPERVISOR = "supervisor", _l("Supervisor")


# The roles whose scope is a Home, a township or the county (administrators see everything,
# caring mothers their own children).
HOME_SCOPED_ROLES = frozenset({Role.STAFF, Role.SUPERVISOR})


class AuditAction(LabelledEnum):
    CREATE = "create", _l("Added")
    UPDATE = "update", _l("Changed")
    ARCHIVE = "archive", _l("Left care")
    DELETE = "delete", _l("Deleted")
    VIEW = "view", _l("Viewed")
    EXPORT = "export", _l("Exported")
    IMPORT = "import", _l("Imported")
    UNMASK = "unmask", _l("Saw the full number")
    ANONYMISE = "anonymise", _l("Anonymised")
    SCHOOL_YEAR = "school_year", _l("Moved up a school year")
    SIGN_IN = "sign_in", _l("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _l("Failed sign-in")
    SIGN_IN_LET_IN = "sign_in_let_in", _l("Let in again after failed sign-ins")
