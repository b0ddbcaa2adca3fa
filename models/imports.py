"""A roster file between its upload and its import: kept in the database (not on one
server's disk), so the preview and the commit may be served by different processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Moment, db, utcnow
from models.sealed import SealedBytes


class RosterUpload(db.Model):
    """Only its uploader sees it; it is deleted a day after upload (see importing.forget_old)."""

    __tablename__ = "roster_upload"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # secrets.token_urlsafe
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    # The Home picked on upload; None when each row names its Home.
    home_id: Mapped[int | None] = mapped_column(ForeignKey("home.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(SealedBytes)
    # {header text: field key or ""} chosen by the user where a header was not recognised.
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    uploaded_at: Mapped[datetime] = mapped_column(Moment, default=utcnow,
                                                  index=True)
    # What the file lists: "children" (花名册) or "pairings" (结对花名册).
    kind: Mapped[str] = mapped_column(String(20), default="children",
                                      server_default="children")
    # Set when the import was committed: {"created": n, "updated": n, ...}.
    result: Mapped[dict | None] = mapped_column(JSON)
