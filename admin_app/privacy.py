"""What the law asks of the records as a whole: retention (anonymise, never delete, records
past their period), the yearly compliance audit workbook, and the incident query.

Retention (儿童个人信息网络保护规定 Art. 20; PIPL Art. 19, 47): a child's record is kept for
PRIVACY_RETENTION_YEARS after the child leaves care or turns 18, whichever comes first; then
names become a code and sensitive columns are cleared, while pairings, care-record kinds and
dates, and every count stay for the statistics. Audit entries are kept; only those older
than AUDIT_KEEP_DAYS (the Cybersecurity Law's six months) lose the old values they quoted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from admin_app import access
from admin_app.audit import actor
from admin_app.i18n import local_midnight, wall_clock
from admin_app.xlsx import Column, Workbook
from models import (
    Assistance,
    AuditEntry,
    CareRecord,
    Child,
    Consent,
    DataRequest,
    Guardian,
    ParentContact,
    name_index,
)
from models.enums import AuditAction, ChildStatus

AUDIT_KEEP_DAYS = 183  # at least six months (Cybersecurity Law Art. 21)
BATCH = 500


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due_query(today: date, years: int):
    """Children past their retention period and not yet anonymised."""
    left_before = years_before(today, years)
    born_before = years_before(today, 18 + years)
    return select(Child.id).where(
        Child.anonymised_on.is_(None),
        or_(and_(Child.status == ChildStatus.LEFT_CARE, Child.left_on <= left_before),
            Child.birth_date <= born_before)).order_by(Child.id)


@dataclass
class PurgeReport:
    children: int = 0
    guardians: int = 0
    parents: int = 0
    care_records: int = 0
    audit_entries: int = 0
    codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"children": self.children, "guardians": self.guardians,
                "parents": self.parents, "care_records": self.care_records,
                "audit_entries": self.audit_entries}


def child_code(child_id: int) -> str:
    return f"匿名-{child_id:06d}"


def anonymise(session: Session, ids: list[int], today: date) -> PurgeReport:
    """Anonymise these children now (a deletion request); the caller commits."""
    report = PurgeReport()
    _anonymise(session, ids, today, report, dry_run=False)
    return report


def purge(session: Session, today: date, years: int, dry_run: bool = False) -> PurgeReport:
    """Anonymise the children past retention; a dry run counts what would change and
    changes nothing. Commits."""
    ids = list(session.scalars(due_query(today, years)))
    report = PurgeReport()
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        _anonymise(session, batch, today, report, dry_run)
    if not dry_run and ids:
        user_id, username, address = actor()
        session.execute(insert(AuditEntry), [{
            "user_id": user_id, "username": username, "address": address,
            "action": AuditAction.ANONYMISE, "table_name": Child.__tablename__,
            "record_id": None, "home_id": None, "record_label": gettext("Retention purge"),
            "changes": report.as_dict(), "version": None}])
        session.commit()
    elif dry_run:
        session.rollback()
    return report


def _anonymise(session: Session, ids: list[int], today: date, report: PurgeReport,
               dry_run: bool) -> None:
    report.children += len(ids)
    report.codes += [child_code(i) for i in ids][: max(0, 50 - len(report.codes))]
    guardians = set(session.scalars(select(Child.guardian_id).where(
        Child.id.in_(ids), Child.guardian_id.is_not(None))))
    # A guardian is anonymised with the last of her children still named.
    still_named = set(session.scalars(select(Child.guardian_id).where(
        Child.guardian_id.in_(guardians), Child.id.not_in(ids),
        Child.anonymised_on.is_(None))))
    guardians -= still_named
    parents = list(session.scalars(select(ParentContact.id).where(
        ParentContact.child_id.in_(ids))))
    records = list(session.scalars(select(CareRecord.id).where(CareRecord.child_id.in_(ids))))
    helped = list(session.scalars(select(Assistance.id).where(Assistance.child_id.in_(ids))))
    report.guardians += len(guardians)
    report.parents += len(parents)
    report.care_records += len(records)
    old = datetime.now(UTC) - timedelta(days=AUDIT_KEEP_DAYS)
    touched = [("child", ids), ("guardian", list(guardians)), ("parent_contact", parents),
               ("care_record", records), ("assistance", helped)]
    entries = [AuditEntry.id.in_(select(AuditEntry.id).where(
        AuditEntry.table_name == table, AuditEntry.record_id.in_(record_ids),
        AuditEntry.at < old)) for table, record_ids in touched if record_ids]
    report.audit_entries += session.scalar(
        select(func.count()).select_from(AuditEntry).where(or_(*entries))) if entries else 0
    if dry_run:
        return
    for child_id in ids:
        session.execute(update(Child).where(Child.id == child_id).values(
            name=child_code(child_id), id_number=None, id_number_hash=None, class_name="",
            class_teacher="", class_teacher_phone=None, address="", hukou_address="",
            health="", study="", psychology="", behaviour="", hobbies="", leave_note="",
            anonymised_on=today, version=Child.version + 1))
    for guardian_id in guardians:
        session.execute(update(Guardian).where(Guardian.id == guardian_id).values(
            name=f"匿名-{guardian_id:06d}", phone=None, phone_hash=None, health="",
            occupation="", education="", address="", version=Guardian.version + 1))
    # The old names' characters go from the index of names with the old names.
    name_index.refresh(session.connection(), "child", ids)
    if guardians:
        name_index.refresh(session.connection(), "guardian", list(guardians))
    if parents:
        session.execute(update(ParentContact).where(ParentContact.id.in_(parents)).values(
            name="—", phone=None, phone_hash=None, employer="", employer_address="",
            id_number=None, health="", version=ParentContact.version + 1))
    if helped:
        session.execute(update(Assistance).where(Assistance.id.in_(helped)).values(
            note="", version=Assistance.version + 1))
    if records:
        session.execute(update(CareRecord).where(CareRecord.id.in_(records)).values(
            notes="", follow_up_note="", version=CareRecord.version + 1))
    session.execute(update(Consent).where(Consent.child_id.in_(ids)).values(
        given_by="", note=""))
    session.execute(update(DataRequest).where(DataRequest.child_id.in_(ids)).values(
        requested_by="—", details=""))
    if entries:
        # Old entries keep who did what and when; the values they quoted go.
        for entry in session.scalars(select(AuditEntry).where(or_(*entries))):
            entry.changes = {key: None for key in (entry.changes or {})}
            if entry.table_name == "child":
                entry.record_label = child_code(entry.record_id)
            else:
                entry.record_label = "—"
    user_id, username, address = actor()
    session.execute(insert(AuditEntry), [{
        "user_id": user_id, "username": username, "address": address,
        "action": AuditAction.ANONYMISE, "table_name": "child", "record_id": child_id,
        "home_id": None, "record_label": child_code(child_id), "changes": None,
        "version": None} for child_id in ids])
    session.flush()


# -- the yearly compliance audit and the incident query ----------------------------------------
AUDITED = (AuditAction.VIEW, AuditAction.UNMASK, AuditAction.EXPORT, AuditAction.IMPORT,
           AuditAction.ANONYMISE)


def _entries(user, start: datetime, end: datetime, actions=AUDITED):
    return access.scoped(select(AuditEntry), AuditEntry, user).where(
        AuditEntry.at >= start, AuditEntry.at < end, AuditEntry.action.in_(actions)
    ).order_by(AuditEntry.at)


def yearly_audit_workbook(session: Session, user, year: int) -> Workbook:
    """A year's accesses, unmasks, exports, imports and purges; consent states; guardians'
    requests: what the yearly compliance audit (未成年人网络保护条例) asks to see."""
    start, end = local_midnight(date(year, 1, 1)), local_midnight(date(year + 1, 1, 1))
    title = gettext("Personal information audit %(year)s", year=year)
    book = Workbook(title=title)
    columns = [Column(gettext("When"), "datetime", 17), Column(gettext("Who"), "text", 12),
               Column(gettext("From"), "text", 14), Column(gettext("What"), "text", 10),
               Column(gettext("Record"), "text", 12), Column(gettext("Whose"), "text", 14),
               Column(gettext("Details"), "text", 50)]

    def rows(actions):
        for entry in session.scalars(_entries(user, start, end, actions)
                                     .execution_options(yield_per=1000)):
            details = entry.changes or {}
            shown = "；".join(f"{k}: {v}" for k, v in details.items()
                             if k in ("reason", "note", "rows", "file", "new", "updated",
                                      "children", "guardians", "parents", "care_records"))
            yield (wall_clock(entry.at), entry.username, entry.address,
                   entry.action, entry.table_name, entry.record_label, shown)

    for name, actions in ((gettext("Accesses"), (AuditAction.VIEW,)),
                          (gettext("Unmasks"), (AuditAction.UNMASK,)),
                          (gettext("Exports and imports"),
                           (AuditAction.EXPORT, AuditAction.IMPORT)),
                          (gettext("Anonymisations"), (AuditAction.ANONYMISE,))):
        book.table(name, f"{title} · {name}", columns, rows(actions))
    consents = access.scoped(select(Consent), Consent, user).order_by(Consent.decided_on)
    name = gettext("Consent")
    book.table(name, f"{title} · {name}", [
        Column(gettext("Child"), "text", 12), Column(gettext("Legal basis"), "text", 20),
        Column(gettext("State"), "text", 8), Column(gettext("Decided by"), "text", 10),
        Column(gettext("Decided on"), "date", 11), Column(gettext("Notice"), "text", 8),
        Column(gettext("What follows"), "text", 30)],
        ((c.child.name, c.basis, c.state, c.given_by, c.decided_on, c.notice_version, c.note)
         for c in session.scalars(consents)))
    # Days of the year itself: its first moment's UTC date is 31 December of the year before.
    requests = access.scoped(select(DataRequest), DataRequest, user).where(
        DataRequest.received_on.between(date(year, 1, 1), date(year, 12, 31)))
    name = gettext("Requests")
    book.table(name, f"{title} · {name}", [
        Column(gettext("Child"), "text", 12), Column(gettext("Request"), "text", 8),
        Column(gettext("Asked by"), "text", 10), Column(gettext("Received on"), "date", 11),
        Column(gettext("State"), "text", 8), Column(gettext("Handled on"), "date", 11),
        Column(gettext("Outcome"), "text", 30)],
        ((r.child.name, r.kind, r.requested_by, r.received_on, r.state, r.handled_on,
          r.outcome) for r in session.scalars(requests.order_by(DataRequest.received_on))))
    return book


@dataclass
class Reached:
    children: list[tuple[int, str]]
    guardians: list[tuple[int, str]]
    entries: int


def incident(session: Session, user, start: datetime, end: datetime, username: str = "",
             address: str = "", export_id: int | None = None) -> Reached:
    """The children and guardians whose data was reached in a time window by a user, from an
    address, or by one export: the records they viewed or unmasked, and the rows of the
    exports they made."""
    query = _entries(user, start, end, (AuditAction.VIEW, AuditAction.UNMASK,
                                        AuditAction.EXPORT))
    if username:
        query = query.where(AuditEntry.username == username)
    if address:
        query = query.where(AuditEntry.address == address)
    if export_id is not None:
        query = query.where(AuditEntry.id == export_id, AuditEntry.action == AuditAction.EXPORT)
    child_ids: set[int] = set()
    entries = 0
    for entry in session.scalars(query):
        entries += 1
        if entry.table_name == "child" and entry.record_id is not None:
            child_ids.add(entry.record_id)
        child_ids.update((entry.changes or {}).get("children", []) or [])
    children = session.execute(select(Child.id, Child.name, Child.guardian_id).where(
        Child.id.in_(child_ids)).order_by(Child.id)).all() if child_ids else []
    guardian_ids = {g for _, _, g in children if g is not None}
    guardians = session.execute(select(Guardian.id, Guardian.name).where(
        Guardian.id.in_(guardian_ids)).order_by(Guardian.id)).all() if guardian_ids else []
    return Reached([(i, n) for i, n, _ in children], [tuple(g) for g in guardians], entries)
