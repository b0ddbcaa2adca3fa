"""Saving a plan: new guardians, children and parents in one INSERT each a batch, with
their audit entries; changed children through the ORM, so the version check and the audit
hook see each change as they see a form's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from admin_app.audit import insert_recorded
from admin_app.importing.matching import GUARDIAN_FIELDS, guardian_changes, parent_values
from admin_app.importing.rows import (
    BATCH,
    CHILD_FIELDS,
    ERROR,
    NEW,
    PARENTS,
    UPDATED,
    Plan,
    RowPlan,
)
from models import Assistance, Child, Guardian, ParentContact, name_index
from models.base import local_today
from models.enums import FamilySituation, GuardianRelation


class StaleImport(Exception):
    """A child of the file was saved by someone else after the preview."""


def apply_plan(session: Session, plan: Plan, valid_only: bool = False) -> dict[str, int]:
    """Save the plan's rows (not the refused ones), a batch at a time: new guardians, new
    children and their parents in one INSERT each, with their audit entries; changed
    children through the ORM, so the version check and the audit hook see every change as
    they see a form's. The caller commits, or rolls back on any error."""
    if plan.count(ERROR) and not valid_only:
        raise ValueError("the plan has refused rows")
    made: dict[tuple, int] = {}  # the guardians this import creates, by key
    todo = [row for row in plan.rows if row.outcome in (NEW, UPDATED)]
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        _insert_guardians(session, batch, made)
        _insert_children(session, [row for row in batch if row.outcome == NEW], made)
        _update_children(session, [row for row in batch if row.outcome == UPDATED], made)
        for row in batch:
            row.values = {}
        session.flush()
    # The children this import created or changed, for the link to them afterwards.
    plan.saved_children = [row.child_id for row in todo]
    return plan.counts


def _insert_guardians(session: Session, rows: list[RowPlan], made: dict) -> None:
    """The batch's new guardians in one INSERT; changes to kept ones through the ORM."""
    fresh: dict[tuple, dict] = {}
    for row in rows:
        key, values = row.values.get("guardian"), row.values
        if isinstance(key, tuple) and key not in made and key not in fresh:
            fresh[key] = {"home_id": row.home.id, "name": values["guardian_name"],
                          "phone": values.get("guardian_phone"),
                          "relation": values.get("guardian_relation") or GuardianRelation.OTHER,
                          "birth_year": values.get("guardian_birth_year"),
                          "health": values.get("guardian_health") or ""}
        elif isinstance(key, int) and guardian_changes(_NOTHING, values):
            guardian = session.get(Guardian, key)
            for attr, field_key in GUARDIAN_FIELDS.items():
                if values.get(field_key) not in (None, "") and \
                        getattr(guardian, attr) != values[field_key]:
                    setattr(guardian, attr, values[field_key])
    ids = insert_recorded(session, Guardian, list(fresh.values()),
                          [g["home_id"] for g in fresh.values()])
    name_index.add(session.connection(), "guardian",
                   zip(ids, (g["name"] for g in fresh.values()), strict=True))
    made.update(zip(fresh, ids, strict=True))


class _Nothing:
    """Stands for a guardian about whom nothing is known: every filled value is news."""

    def __getattr__(self, name):
        return object()


_NOTHING = _Nothing()


def _guardian_id(row: RowPlan, made: dict) -> int | None:
    guardian = row.values.get("guardian")
    return made[guardian] if isinstance(guardian, tuple) else guardian


_CHILD_DEFAULTS = {"school": "", "grade": "", "class_name": "", "class_teacher": "",
                   "address": "", "health": "", "id_number": None, "class_teacher_phone": None,
                   "boarding": False, "key_target": False, "ethnicity": "",
                   "hukou_address": "", "hukou_elsewhere": None, "schooling": None,
                   "family_situation": FamilySituation.ORDINARY}


def _insert_children(session: Session, rows: list[RowPlan], made: dict) -> None:
    """New children of a batch, then their parents: two INSERTs."""
    children = [{
        **_CHILD_DEFAULTS,
        **{key: row.values[key] for key in CHILD_FIELDS
           if row.values.get(key) not in (None, "")},
        "home_id": row.home.id, "entered_on": row.values.get("entered_on") or local_today(),
        "guardian_id": _guardian_id(row, made),
    } for row in rows]
    ids = insert_recorded(session, Child, children, [c["home_id"] for c in children])
    name_index.add(session.connection(), "child",
                   zip(ids, (c["name"] for c in children), strict=True))
    parents, homes = [], []
    for row, child_id in zip(rows, ids, strict=True):
        row.child_id = child_id
        for prefix, relation in PARENTS:
            wanted = parent_values(row.values, prefix)
            if wanted.get("name"):
                parents.append({"child_id": child_id, "relation": relation,
                                "name": wanted["name"], "phone": wanted.get("phone"),
                                "work_city": wanted.get("work_city", ""),
                                "id_number": wanted.get("id_number"),
                                "health": wanted.get("health", ""),
                                "able_to_guard": wanted.get("able_to_guard")})
                homes.append(row.home.id)
    insert_recorded(session, ParentContact, parents, homes)
    helped = [(row, child_id, kind) for row, child_id in zip(rows, ids, strict=True)
              for kind in sorted(row.values.get("assistance") or ())]
    insert_recorded(session, Assistance, [{"child_id": child_id, "kind": kind, "note": ""}
                                          for _, child_id, kind in helped],
                    [row.home.id for row, _, _ in helped])


def _update_children(session: Session, rows: list[RowPlan], made: dict) -> None:
    """Changed children through the ORM, refusing any saved by someone since the preview."""
    if not rows:
        return
    children = {child.id: child for child in session.scalars(
        select(Child).options(selectinload(Child.parents), selectinload(Child.assistance))
        .where(Child.id.in_([row.child_id for row in rows])))}
    for row in rows:
        child = children.get(row.child_id)
        if child is None or child.version != row.version:
            raise StaleImport(row.number)
        values = row.values
        for key in CHILD_FIELDS:
            if values.get(key) not in (None, "") and getattr(child, key) != values[key]:
                setattr(child, key, values[key])
        # Help the file names that the records do not hold yet is added; none is removed.
        held = {given.kind for given in child.assistance}
        for kind in sorted(set(values.get("assistance") or ()) - held):
            child.assistance.append(Assistance(kind=kind))
        guardian_id = _guardian_id(row, made)
        if guardian_id is not None and child.guardian_id != guardian_id:
            child.guardian_id = guardian_id
        for prefix, relation in PARENTS:
            wanted = parent_values(values, prefix)
            if not wanted:
                continue
            parent = next((p for p in child.parents if p.relation is relation), None)
            if parent is None:
                if not wanted.get("name"):
                    continue
                parent = ParentContact(relation=relation, name=wanted["name"])
                child.parents.append(parent)
            for key, value in wanted.items():
                if getattr(parent, key) != value:
                    setattr(parent, key, value)
