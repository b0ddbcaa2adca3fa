"""The lookup tables every county starts with (activity kinds, resource categories,
volunteer organisations): `flask seed lookups`, and the demo before its Homes."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import ActivityKind, ResourceCategory, VolunteerOrganisation
from seed import vocabulary as words


def ensure_lookups(session: Session) -> None:
    """The usual activity kinds, resource categories and organisations, once."""
    if session.scalar(select(ActivityKind.id).limit(1)) is None:
        session.execute(insert(ActivityKind), [
            {"name": name, "colour": colour, "sort_order": i}
            for i, (name, colour) in enumerate(words.ACTIVITY_KINDS)
        ])
    if session.scalar(select(ResourceCategory.id).limit(1)) is None:
        session.execute(insert(ResourceCategory), [
            {"name": name, "sort_order": i} for i, name in enumerate(words.RESOURCE_CATEGORIES)
        ])
    if session.scalar(select(VolunteerOrganisation.id).limit(1)) is None:
        session.execute(insert(VolunteerOrganisation), [
            {"name": name, "sort_order": i}
            for i, name in enumerate(words.VOLUNTEER_ORGANISATIONS)
        ])
