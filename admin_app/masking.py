"""Masking of ID numbers and phones: `430624********1234`, `138****5678`.

Which columns are masked is tagged on the column (`info={"mask": ...}` in models.people);
who sees them masked is access.masks. Lists, details, look-ups, the archive card
and the audit trail all show values through `shown`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g, has_request_context

from admin_app import access


def mask_id_number(value: str) -> str:
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if "-" in value:  # landline: keep the area code and the last four digits
        area, number = value.split("-", 1)
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def mask(kind: str, value):
    if value is None or value == "":
        return value
    return MASKS[kind](str(value))


def shown(user, kind: str | None, value):
    """The value as `user` may see it: masked, unless the rules let this role see it or
    the user has revealed it, with a reason, for this page (`reveal`)."""
    if kind is None or not access.masks(user, kind) or value in _revealed():
        return value
    return mask(kind, value)


def shown_by(user, kind: str | None) -> Callable:
    """`shown` for many values of one kind, the rules looked up once: an export of 100,000
    rows asked them for each of its 400,000 ID numbers and phones (a tenth of its time)."""
    if kind is None or not access.masks(user, kind):
        return lambda value: value
    revealed = _revealed()
    return lambda value: value if value in revealed else mask(kind, value)


def reveal(value) -> None:
    """Show `value` unmasked for the rest of this request (one page), nowhere else."""
    if has_request_context():
        g.revealed_values = {*_revealed(), value}


def _revealed() -> set:
    return g.get("revealed_values", set()) if has_request_context() else set()


def to_call(user, children) -> None:
    """The phones a caring mother calls about `children` (hers: scoped by the caller), shown
    in full on this page only, each child's recorded in the audit trail (one statement for
    the page): the guardian's, the parents' and the class teacher's. Anyone else sees them
    as before."""
    if not access.calls_her_children(user):
        return
    from admin_app.audit import record_accesses
    from models.enums import AuditAction

    entries = []
    for child in children:
        numbers = [("guardian", child.guardian.phone if child.guardian else None),
                   ("class_teacher", child.class_teacher_phone),
                   *((p.relation.name.lower(), p.phone) for p in child.parents)]
        shown = [whose for whose, number in numbers if number]
        for _whose, number in numbers:
            if number:
                reveal(number)
        if shown:
            entries.append((child, {"field": "phone", "shown": shown}))
    record_accesses(AuditAction.UNMASK, entries)


def column_mask(model, name: str) -> str | None:
    """The mask kind tagged on `model.name`, if it is a tagged column."""
    column = getattr(getattr(model, "__table__", None), "c", {}).get(name)
    return column.info.get("mask") if column is not None else None
