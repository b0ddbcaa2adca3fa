"""Figures worked out over a whole county, kept for a few minutes so that the overview and
the scorecard do not count 100,000 children and their pairings on every visit. Shared by
every process through the database; the pages say how old they are and count again on
demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import JSON, String, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Moment, db


class KeptFigures(db.Model):
    __tablename__ = "kept_figures"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(Moment)
    content: Mapped[dict] = mapped_column(JSON)


def kept(key: str, day: date, count: Callable[[], dict],
         again: bool = False) -> tuple[dict, datetime]:
    """The figures kept under `key` and when they were counted, if counted on `day` (the
    local day: a day's windows and ages change at midnight) less than OVERVIEW_MAX_AGE
    seconds ago; otherwise (or `again`) `count()` now, kept for the next visitor. Commits."""
    now = datetime.now(UTC)
    max_age = timedelta(seconds=current_app.config["OVERVIEW_MAX_AGE"])
    found = None if again else db.session.get(KeptFigures, key)
    if found is not None and found.content.get("day") == day.isoformat() \
            and timedelta(0) <= now - found.computed_at <= max_age:
        return found.content, found.computed_at
    content = {**count(), "day": day.isoformat()}
    try:
        db.session.execute(delete(KeptFigures).where(KeptFigures.key == key))
        db.session.execute(insert(KeptFigures).values(key=key, computed_at=now,
                                                      content=content))
        db.session.commit()
    except IntegrityError:  # another process kept the same figures a moment earlier
        db.session.rollback()
    return content, now


def forget() -> None:
    """Drop every kept figure (the duty rules or the terms they were counted by changed)."""
    db.session.execute(delete(KeptFigures))
