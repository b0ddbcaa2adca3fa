"""Figures worked out over a whole county, kept for a few minutes so that the overview does
not count 100,000 children and their pairings on every visit. Shared by every process
through the database; views.dashboard says how old they are and refreshes them on demand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Moment, db


class KeptFigures(db.Model):
    __tablename__ = "kept_figures"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(Moment)
    content: Mapped[dict] = mapped_column(JSON)
