"""Children, their guardians and parents, and the volunteers who care for them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Timestamped, Versioned, db, enum_column, sorted_by
from models.enums import (
    AssistanceKind,
    ChildStatus,
    FamilySituation,
    Gender,
    GuardianRelation,
    Guardianship,
    LeaveReason,
    LeftBehindType,
    LivingArrangement,
    ParentRelation,
    Schooling,
    VolunteerKind,
)
from models.places import Home, VolunteerOrganisation
from models.sealed import Sealed, blind_index, index_default

# Column tags read by the masking formatter (admin_app.masking) and the search: how a value
# is masked, and the blind index column an exact look-up of it uses.
ID_NUMBER = {"mask": "id_number", "index": "id_number_hash"}
PHONE = {"mask": "phone", "index": "phone_hash"}
UNINDEXED_PHONE = {"mask": "phone"}
INDEX_LENGTH = 64  # hex of an HMAC-SHA256


def _index_column(of: str, unique: bool = False):
    return mapped_column(String(INDEX_LENGTH), unique=unique, index=not unique,
                         default=index_default(of))


class Guardian(Versioned, Timestamped, db.Model):
    """The adult the child lives with; siblings share one record."""

    __tablename__ = "guardian"
    __table_args__ = (sorted_by("guardian", "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    name: Mapped[str] = mapped_column(String(50), index=True, info={"name_index": "guardian"})
    relation: Mapped[GuardianRelation] = mapped_column(enum_column(GuardianRelation))
    phone: Mapped[str | None] = mapped_column(Sealed(20), info=PHONE)
    phone_hash: Mapped[str | None] = _index_column("phone")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    health: Mapped[str] = mapped_column(Sealed(100), default="")
    occupation: Mapped[str] = mapped_column(String(50), default="")
    education: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(Sealed(200), default="")

    home: Mapped[Home] = relationship()
    children: Mapped[list[Child]] = relationship(back_populates="guardian")

    def __str__(self) -> str:
        return self.name


class Child(Versioned, Timestamped, db.Model):
    __tablename__ = "child"
    __table_args__ = (
        # Only the id: a page far into the children list walks this narrow index for its ids
        # (views.base._apply_pagination) instead of every earlier row, which encrypted
        # columns make long.
        Index("ix_child_id_only", "id"),
        *(sorted_by("child", name) for name in ("status", "living_arrangement", "grade",
                                                 "school")),
        # The overview: children by living arrangement and kind, counted from this index
        # alone (76 → 9 ms for a county); who has gone longest without care, and who never
        # had any, walked in order (views.dashboard.most_overdue).
        Index("ix_child_arrangement", "status", "living_arrangement", "left_behind_type"),
        sorted_by("child", "last_care_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    name: Mapped[str] = mapped_column(String(50), index=True, info={"name_index": "child"})
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    id_number: Mapped[str | None] = mapped_column(Sealed(18), info=ID_NUMBER)
    id_number_hash: Mapped[str | None] = _index_column("id_number", unique=True)
    # The MCA registration's 民族 and 户籍所在地, and whether she lives elsewhere than her
    # household is registered (empty: not asked).
    # Filled by the database when not given (server defaults), so inserts written for
    # an earlier schema (the migrations' tests) still work.
    ethnicity: Mapped[str] = mapped_column(String(20), server_default="")
    hukou_address: Mapped[str] = mapped_column(Sealed(200), server_default="")
    hukou_elsewhere: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # 就学情况; empty until someone says it. The stage follows from the grade. Its old value
    # is loaded before a change even when the record was expired, so the audit trail, which
    # the consolidation rate reads a pupil's past schooling from, never records it as empty.
    schooling: Mapped[Schooling | None] = mapped_column(enum_column(Schooling), nullable=True,
                                                        active_history=True)
    school: Mapped[str] = mapped_column(String(100), default="")
    grade: Mapped[str] = mapped_column(String(20), default="")
    class_name: Mapped[str] = mapped_column(String(20), default="")
    class_teacher: Mapped[str] = mapped_column(String(50), default="")
    class_teacher_phone: Mapped[str | None] = mapped_column(Sealed(20), info=UNINDEXED_PHONE)
    address: Mapped[str] = mapped_column(Sealed(200), default="")
    left_behind_type: Mapped[LeftBehindType] = mapped_column(enum_column(LeftBehindType))
    living_arrangement: Mapped[LivingArrangement] = mapped_column(
        enum_column(LivingArrangement)
    )
    boarding: Mapped[bool] = mapped_column(Boolean, default=False)
    family_situation: Mapped[FamilySituation] = mapped_column(
        enum_column(FamilySituation), default=FamilySituation.ORDINARY
    )
    # The MCA survey's assessment (监护情况); empty until someone assesses it.
    guardianship: Mapped[Guardianship | None] = mapped_column(enum_column(Guardianship),
                                                              nullable=True)
    key_target: Mapped[bool] = mapped_column(Boolean, default=False)
    in_difficulty: Mapped[bool] = mapped_column(Boolean, default=False)
    health: Mapped[str] = mapped_column(Sealed(multiline=True), default="")
    study: Mapped[str] = mapped_column(Text, default="")
    psychology: Mapped[str] = mapped_column(Sealed(multiline=True), default="")
    behaviour: Mapped[str] = mapped_column(Sealed(multiline=True), default="")
    hobbies: Mapped[str] = mapped_column(String(200), default="")
    entered_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ChildStatus] = mapped_column(
        enum_column(ChildStatus), default=ChildStatus.IN_CARE
    )
    left_on: Mapped[date | None] = mapped_column(Date)
    leave_reason: Mapped[LeaveReason | None] = mapped_column(enum_column(LeaveReason))
    leave_note: Mapped[str] = mapped_column(String(200), default="")
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardian.id"), index=True)
    # Set when the retention period passed and the record was anonymised (privacy purge).
    anonymised_on: Mapped[date | None] = mapped_column(Date)
    # The date of the child's latest care record, kept by models.care_summary (derived).
    last_care_on: Mapped[date | None] = mapped_column(Date)

    home: Mapped[Home] = relationship()
    guardian: Mapped[Guardian | None] = relationship(back_populates="children")
    parents: Mapped[list[ParentContact]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="ParentContact.id"
    )
    # Newest first, for the archive card; pairings are written through Pairing itself.
    pairings: Mapped[list[Pairing]] = relationship(  # noqa: F821
        viewonly=True, order_by="(Pairing.started_on.desc(), Pairing.id.desc())")
    assistance: Mapped[list[Assistance]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Assistance.id")

    def __str__(self) -> str:
        return self.name


class ParentContact(Versioned, Timestamped, db.Model):
    """A parent working away: where, for whom, how to reach them, when they come home."""

    __tablename__ = "parent_contact"
    __table_args__ = (sorted_by("parent_contact", "work_city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    relation: Mapped[ParentRelation] = mapped_column(enum_column(ParentRelation))
    name: Mapped[str] = mapped_column(String(50), index=True)
    phone: Mapped[str | None] = mapped_column(Sealed(20), info=PHONE)
    phone_hash: Mapped[str | None] = _index_column("phone")
    work_city: Mapped[str] = mapped_column(String(50), default="")
    employer: Mapped[str] = mapped_column(String(100), default="")
    employer_address: Mapped[str] = mapped_column(String(200), default="")
    usual_return: Mapped[str] = mapped_column(String(50), default="")
    # The MCA registration's 父亲/母亲公民身份证号码 (masked as the child's), health, and
    # whether the parent can act as guardian (无监护能力: 重病、重残; empty: not asked).
    id_number: Mapped[str | None] = mapped_column(Sealed(18), info={"mask": "id_number"})
    health: Mapped[str] = mapped_column(Sealed(100), server_default="")
    able_to_guard: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    child: Mapped[Child] = relationship(back_populates="parents")

    def __str__(self) -> str:
        return self.name


class Assistance(Versioned, Timestamped, db.Model):
    """Help from the state the child's family receives (救助帮扶: 低保, 特困供养, 孤儿基本
    生活费, 事实无人抚养儿童补贴 …), with the monthly amount where one is paid."""

    __tablename__ = "assistance"
    __table_args__ = (CheckConstraint("monthly_amount IS NULL OR monthly_amount >= 0",
                                      name="amount_not_negative"),
                      CheckConstraint("until IS NULL OR since IS NULL OR until >= since",
                                      name="ends_after_it_starts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    kind: Mapped[AssistanceKind] = mapped_column(enum_column(AssistanceKind))
    monthly_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")

    child: Mapped[Child] = relationship(back_populates="assistance")

    def __str__(self) -> str:
        return AssistanceKind.label_of(self.kind)


class Volunteer(Versioned, Timestamped, db.Model):
    """A caring mother (爱心妈妈) or proxy parent (代理家长)."""

    __tablename__ = "volunteer"
    __table_args__ = (sorted_by("volunteer", "kind"), sorted_by("volunteer", "joined_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("home.id"), index=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    phone: Mapped[str | None] = mapped_column(Sealed(20), info=PHONE)
    phone_hash: Mapped[str | None] = _index_column("phone")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_organisation.id"))
    kind: Mapped[VolunteerKind] = mapped_column(enum_column(VolunteerKind))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on: Mapped[date] = mapped_column(Date)

    home: Mapped[Home] = relationship()
    organisation: Mapped[VolunteerOrganisation | None] = relationship()

    def __str__(self) -> str:
        return self.name


def _keep_index(attribute, index: str) -> None:
    """The blind index follows its value whenever the ORM sets it (forms, the import)."""

    @event.listens_for(attribute, "set")
    def _set(target, value, old, initiator):
        setattr(target, index, blind_index(value))


_keep_index(Child.id_number, "id_number_hash")
for _model in (Guardian, ParentContact, Volunteer):
    _keep_index(_model.phone, "phone_hash")
