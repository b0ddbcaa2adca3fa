"""The audit trail: who changed or looked at which record, when, from where, and what changed."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Moment, db, enum_column, utcnow
from models.enums import AuditAction

# The username of entries written outside a request.
SYSTEM = "system"


class AuditEntry(db.Model):
    """Written by the application only; no screen edits or deletes an entry."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_record", "table_name", "record_id"),
        Index("ix_audit_entry_home_at", "home_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(Moment, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Kept as written, so the entry still says who it was if the account is renamed.
    username: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(45), default="")
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    table_name: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int | None] = mapped_column(Integer)
    # The Home the record belongs to, so a supervisor's audit screen can be scoped.
    home_id: Mapped[int | None] = mapped_column(Integer)
    record_label: Mapped[str] = mapped_column(String(100), default="")
    # {field: [old, new]} for updates; {field: value} for creates and deletes.
    changes: Mapped[dict | None] = mapped_column(JSON)
    version: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def who(self) -> str:
        """The username as people read it: 系统 for what no one signed in did (a seed, an
        import from the command line), which admin_app.audit writes as "system"."""
        return str(_l("System")) if self.username == SYSTEM else self.username

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.table_name}"
