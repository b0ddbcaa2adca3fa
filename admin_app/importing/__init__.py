"""Roster import (导入花名册): read a file staff already keep, preview every problem, then
save all of it or, when the user chooses, the valid rows only — never half a file by
accident. Used by the import page (views.importing) and `flask import children`."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from admin_app.audit import record_access
from admin_app.importing.frozen import is_frozen, read_once, thaw
from admin_app.importing.pairings import plan_pairings, save_pairings
from admin_app.importing.plan import plan_import
from admin_app.importing.reading import BadFile, read_roster
from admin_app.importing.rows import ERROR, Plan
from admin_app.importing.saving import StaleImport, apply_plan
from models import Child, Home, Pairing
from models.enums import AuditAction

ANALYZE_AFTER = 1000  # new children


CHILDREN, PAIRINGS = "children", "pairings"  # the kinds of roster


def preview(session: Session, content: bytes, filename: str, user, home: Home | None,
            mapping: dict[str, str] | None = None, kind: str = CHILDREN) -> Plan:
    """What importing the file would do; writes nothing. Raises BadFile. `kind`: a roster of
    children (花名册) or of pairings (爱心妈妈结对花名册). `content`: the file, or its cells as
    `read_once` kept them."""
    planner = plan_pairings if kind == PAIRINGS else plan_import
    with thaw(content) if is_frozen(content) else read_roster(content, filename) as roster:
        return planner(session, roster.sheets, filename, user, home, mapping)


def commit(session: Session, plan: Plan, home: Home | None, valid_only: bool = False,
           kind: str = CHILDREN) -> dict:
    """Save the plan in one transaction with an audit entry for the import itself. Refused
    rows stop the whole import unless `valid_only`. The caller's session is committed.
    Raises StaleImport, having saved nothing, if a child of the file was saved by someone
    else since the plan was made."""
    if not plan.ready:
        raise ValueError("the file cannot be imported as it is")
    if plan.count(ERROR) and not valid_only:
        raise ValueError("the plan has refused rows")
    try:
        save = save_pairings if kind == PAIRINGS else apply_plan
        counts = save(session, plan, valid_only=valid_only)
        table = Pairing.__tablename__ if kind == PAIRINGS else Child.__tablename__
        record_access(AuditAction.IMPORT, table_name=table,
                      home_id=home.id if home else None, label=plan.filename[:100],
                      details={"file": plan.filename, **counts,
                               "refused_rows": [row.number for row in plan.rows
                                                if row.outcome == ERROR][:1000]},
                      commit=False)
        session.commit()
        if counts["new"] >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
            # Fresh statistics now, not when autovacuum comes round: the next preview of a
            # large file looks its children up by index only if the planner knows the
            # tables have grown.
            session.execute(text("ANALYZE child, guardian, parent_contact, audit_entry"))
            session.commit()
    except StaleDataError:
        session.rollback()
        raise StaleImport() from None
    except Exception:
        session.rollback()
        raise
    return counts


__all__ = ["CHILDREN", "PAIRINGS", "BadFile", "Plan", "StaleImport", "commit", "preview",
           "read_once"]
