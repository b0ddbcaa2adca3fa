"""The legal basis for keeping each child's information, and guardians' requests about it
(PIPL Art. 13, 31, 44–47; 儿童个人信息网络保护规定 Art. 9–10, 19–20)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Timestamped, Versioned, db, enum_column, sorted_by
from models.enums import LabelledEnum
from models.people import Child


class LegalBasis(LabelledEnum):
    STATUTORY_DUTY = "statutory_duty", _l("Statutory duty (care of left-behind children)")
    GUARDIAN_CONSENT = "guardian_consent", _l("Guardian's consent")


class ConsentState(LabelledEnum):
    GIVEN = "given", _l("Given")
    REFUSED = "refused", _l("Refused")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


class RequestKind(LabelledEnum):
    ACCESS = "access", _l("See what is kept")
    CORRECTION = "correction", _l("Correction")
    DELETION = "deletion", _l("Deletion")


class RequestState(LabelledEnum):
    OPEN = "open", _l("Open")
    DONE = "done", _l("Done")
    REFUSED = "refused", _l("Refused")


# The notice this deployment shows guardians; a consent records which one was read.
NOTICE_VERSION = "2026-11"


class Consent(Versioned, Timestamped, db.Model):
    """One decision about one child: the basis, who decided, when, for what, and with
    which notice. The latest entry of a child is in force; earlier ones are its history."""

    __tablename__ = "consent"
    __table_args__ = (sorted_by("consent", "state"), sorted_by("consent", "decided_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    basis: Mapped[LegalBasis] = mapped_column(enum_column(LegalBasis))
    state: Mapped[ConsentState] = mapped_column(enum_column(ConsentState),
                                                default=ConsentState.GIVEN)
    given_by: Mapped[str] = mapped_column(String(50), default="")
    relation: Mapped[str] = mapped_column(String(20), default="")
    decided_on: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(200), default="")
    notice_version: Mapped[str] = mapped_column(String(20), default=NOTICE_VERSION)
    # What follows from a refusal or withdrawal (e.g. "只保留法定统计所需信息").
    note: Mapped[str] = mapped_column(String(200), default="")

    child: Mapped[Child] = relationship()

    def __str__(self) -> str:
        # A form sets the member's name; the label once read back from the database.
        return f"{self.child.name if self.child else ''} {getattr(self.state, 'label', '')}"


class DataRequest(Versioned, Timestamped, db.Model):
    """A guardian's (or the child's) request to see, correct or delete what is kept, from
    receipt to its outcome."""

    __tablename__ = "data_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind))
    requested_by: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(20), default="")
    received_on: Mapped[date] = mapped_column(Date)
    details: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState),
                                                default=RequestState.OPEN, index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(500), default="")

    child: Mapped[Child] = relationship()
    handled_by: Mapped[User | None] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"{getattr(self.kind, 'label', '')} {self.child.name if self.child else ''}"


class ExportState(LabelledEnum):
    PENDING = "pending", _l("Waiting for approval")
    APPROVED = "approved", _l("Approved")
    REFUSED = "refused", _l("Refused")
    USED = "used", _l("Downloaded")


class ExportRequest(Versioned, Timestamped, db.Model):
    """An export carrying sensitive columns (phones, addresses, talk notes): asked for with a
    reason, approved by the Home's designated person (an administrator approves her own),
    downloaded once, stamped with who, when and what for."""

    __tablename__ = "export_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    home_id: Mapped[int | None] = mapped_column(ForeignKey("home.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(50))
    # The list's own arguments (search, filters, sort), replayed at download.
    query: Mapped[str] = mapped_column(String(2000), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[ExportState] = mapped_column(enum_column(ExportState),
                                               default=ExportState.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])  # noqa: F821

    def __str__(self) -> str:
        return self.title or self.endpoint
