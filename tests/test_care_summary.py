"""The care summary (each child's latest care record; per child, month and volunteer, and for
all the child's records, the days of each kind) always says what the care records say:
after every kind of change through the session, after a bulk rebuild, and after the
migrations that made it from records already written."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from admin_app.extensions import db
from models import CareMonth, CareRecord, Child, care_summary
from models.care import kind_days
from models.duties import duties
from models.enums import CareKind, Role
from models.followup import care_days, marks
from tests.conftest import database_at
from tests.test_calendar import signed_in


def stored(connection) -> tuple[set, dict]:
    months = {tuple(row) for row in connection.execute(sa.select(
        CareMonth.child_id, CareMonth.volunteer_id, CareMonth.month,
        *(kind_days(CareMonth, kind) for kind in CareKind)))}
    last = dict(connection.execute(sa.select(Child.id, Child.last_care_on)).all())
    return months, last


def from_records(connection) -> tuple[set, dict]:
    """The same, worked out here in Python from every care record: each volunteer's row and
    the child's row of all records (no volunteer), day d of a kind as the bit 2**(d-1)."""
    months: dict = {}
    last = dict.fromkeys(connection.execute(sa.select(Child.id)).scalars())
    kinds = list(CareKind)
    for child_id, volunteer_id, on, kind in connection.execute(sa.select(
            CareRecord.child_id, CareRecord.volunteer_id, CareRecord.occurred_on,
            CareRecord.kind)):
        for who in {volunteer_id, None}:
            days = months.setdefault((child_id, who, on.replace(day=1)), [0] * len(kinds))
            days[kinds.index(kind)] |= 2 ** (on.day - 1)
        last[child_id] = max(last[child_id] or on, on)
    return {(*key, *days) for key, days in months.items()}, last


def plain(rows) -> set:
    """Rows read by raw SQL with their dates as ISO text (SQLite gives text, PostgreSQL
    dates)."""
    return {tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows}


def agrees() -> bool:
    connection = db.session.connection()
    return stored(connection) == from_records(connection)


def test_every_change_of_a_care_record_keeps_the_summary(make):
    home = make.home()
    ana, bo = make.volunteer(home=home), make.volunteer(home=home)
    xia, yu = make.child(home=home), make.child(home=home)
    talk = make.care_record(xia, volunteer=ana, occurred_on=date(2025, 3, 5))
    call = make.care_record(xia, volunteer=ana, kind=CareKind.PARENT_CALL,
                            occurred_on=date(2025, 3, 20))
    visit = make.care_record(xia, volunteer=bo, kind=CareKind.HOME_VISIT,
                             occurred_on=date(2025, 3, 10))
    make.care_record(xia, kind=CareKind.TEACHER_CONTACT, occurred_on=date(2025, 4, 2))
    festival = make.care_record(yu, volunteer=ana, kind=CareKind.FESTIVAL,
                                occurred_on=date(2025, 2, 14))
    assert agrees()
    assert db.session.get(Child, xia.id).last_care_on == date(2025, 4, 2)
    row = db.session.execute(sa.select(CareMonth).where(
        CareMonth.child_id == xia.id, CareMonth.volunteer_id == bo.id)).scalar_one()
    assert (row.month, row.home_visit_days, row.talk_days) == (date(2025, 3, 1), 512, 0)
    everyone = db.session.execute(sa.select(CareMonth).where(
        CareMonth.child_id == xia.id, CareMonth.volunteer_id.is_(None),
        CareMonth.month == date(2025, 3, 1))).scalar_one()
    # Talk on the 5th (bit 4), the visit on the 10th (bit 9), the call on the 20th (bit 19).
    assert (everyone.talk_days, everyone.home_visit_days, everyone.parent_call_days) == (
        16, 512, 2 ** 19)

    changes = [
        (talk, {"occurred_on": date(2025, 4, 30)}),          # into another month
        (call, {"kind": CareKind.FESTIVAL}),                  # another duty
        (visit, {"volunteer_id": ana.id}),                    # another caring mother
        (festival, {"child_id": xia.id, "occurred_on": date(2025, 5, 1)}),  # both at once
    ]
    for record, values in changes:
        for name, value in values.items():
            setattr(record, name, value)
        db.session.commit()
        assert agrees(), values
    assert db.session.get(Child, yu.id).last_care_on is None
    db.session.delete(db.session.get(CareRecord, festival.id))
    db.session.commit()
    assert agrees()
    assert db.session.get(Child, xia.id).last_care_on == date(2025, 4, 30)


def test_a_rebuild_gives_the_same_summary(make, db):
    home = make.home()
    mother = make.volunteer(home=home)
    for i in range(6):
        child = make.child(home=home)
        for month in range(1, i + 2):
            make.care_record(child, volunteer=mother if i % 2 else None,
                             kind=list(CareKind)[(i + month) % len(CareKind)],
                             occurred_on=date(2025, month, 3 + i))
    kept = stored(db.session.connection())
    db.session.execute(sa.delete(CareMonth))
    db.session.execute(sa.update(Child).values(last_care_on=None))
    care_summary.rebuild(db.session.connection())
    assert stored(db.session.connection()) == kept == from_records(db.session.connection())


def test_the_follow_up_ticks_come_from_the_summary(make):
    home = make.home()
    mother = make.volunteer(home=home)
    child = make.child(home=home)
    make.care_record(child, volunteer=mother, kind=CareKind.FESTIVAL,
                     occurred_on=date(2025, 1, 28))
    make.care_record(child, volunteer=mother, kind=CareKind.HOME_VISIT,
                     occurred_on=date(2025, 3, 9))
    make.care_record(child, volunteer=mother, occurred_on=date(2025, 3, 2))
    make.care_record(child, kind=CareKind.PARENT_CALL, occurred_on=date(2025, 2, 2))
    rules = duties(db.session)
    talk, parents, teacher, guardian, festival = (duty.key for duty in rules)

    def lasts(month, volunteer):
        found = care_days(db.session, [child.id], month, rules)
        return {key: mark.last for key, mark in
                marks(rules, found, child.id, volunteer, month).items()}

    assert lasts(date(2025, 3, 15), mother.id) == {
        talk: date(2025, 3, 9), parents: None, teacher: None,
        guardian: date(2025, 3, 9), festival: date(2025, 1, 28)}
    # Last year's festival does not count this year; February's call is not March's.
    assert set(lasts(date(2026, 1, 5), None).values()) == {None}
    assert lasts(date(2025, 2, 1), None) == {
        talk: None, parents: date(2025, 2, 2), teacher: None, guardian: None,
        festival: date(2025, 1, 28)}


def test_a_care_record_added_in_the_panel_is_counted(app, make):
    home = make.home()
    child = make.child(home=home)
    client = signed_in(app, make, Role.STAFF, home=home)
    response = client.post("/admin/care_record/new/", data={
        "child": child.id, "occurred_on": "2025-06-01", "kind": CareKind.TALK.name,
        "notes": "谈心"})
    assert response.status_code == 302, response.text
    assert db.session.scalar(sa.select(Child.last_care_on).where(Child.id == child.id)) == \
        date(2025, 6, 1)
    assert agrees()


def test_the_migration_fills_the_summary_from_records_already_written(tmp_path):
    from flask_migrate import downgrade, upgrade

    from models import Home, Volunteer
    from models.enums import Gender, LeftBehindType, LivingArrangement, VolunteerKind

    with database_at(tmp_path, "47cf8739cef1"):
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Home.__table__).values(
                id=1, name="甲", township="镇", village="村"))
            conn.execute(sa.insert(Volunteer.__table__).values(
                id=1, home_id=1, name="张妈妈", gender=Gender.FEMALE, phone="",
                kind=VolunteerKind.CARING_MOTHER, joined_on=date(2024, 1, 1)))
            conn.execute(sa.insert(Child.__table__), [dict(
                id=i, home_id=1, name=f"孩子{i}", gender=Gender.MALE,
                birth_date=date(2015, 3, 12), entered_on=date(2024, 9, 1),
                left_behind_type=LeftBehindType.BOTH_PARENTS,
                living_arrangement=LivingArrangement.GRANDPARENTS) for i in (1, 2)])
            # The table as it was at that revision (the model's has columns added since).
            then = sa.table("care_record", *(sa.column(name) for name in (
                "child_id", "volunteer_id", "occurred_on", "kind", "notes",
                "follow_up_needed", "follow_up_note", "version")))
            conn.execute(sa.insert(then), [dict(
                child_id=1, volunteer_id=volunteer, occurred_on=on, kind=kind.name, notes="",
                follow_up_needed=False, follow_up_note="", version=1)
                for volunteer, on, kind in (
                    (1, date(2025, 3, 5), CareKind.TALK),
                    (1, date(2025, 3, 9), CareKind.HOME_VISIT),
                    (None, date(2025, 4, 1), CareKind.TEACHER_CONTACT),
                    (1, date(2024, 12, 31), CareKind.FESTIVAL))])
        upgrade(revision="3926e6e1505e")
        with db.engine.connect() as conn:
            assert plain(conn.execute(sa.text(
                "SELECT child_id, volunteer_id, month, child_on, teacher_on, festival_on "
                "FROM care_month"))) == {
                (1, 1, "2025-03-01", "2025-03-09", None, None),
                (1, None, "2025-04-01", None, "2025-04-01", None),
                (1, 1, "2024-12-01", None, None, "2024-12-31")}
            assert plain(conn.execute(sa.text("SELECT id, last_care_on FROM child"))) == {
                (1, "2025-04-01"), (2, None)}
        upgrade()
        with db.engine.connect() as conn:
            assert stored(conn) == from_records(conn)
            assert len(stored(conn)[0]) == 5  # two volunteer months and three of all
        downgrade(revision="a8c4e6f1d3b7")
        with db.engine.connect() as conn:
            assert plain(conn.execute(sa.text(
                "SELECT child_id, volunteer_id, month, child_on, guardian_on, teacher_on "
                "FROM care_month"))) == {
                (1, 1, "2025-03-01", "2025-03-09", "2025-03-09", None),
                (1, None, "2025-04-01", None, None, "2025-04-01"),
                (1, 1, "2024-12-01", None, None, None)}
        downgrade(revision="47cf8739cef1")


def test_a_record_deleted_unread_after_its_commit_leaves_the_summary(make):
    child = make.child()
    record = make.care_record(child, occurred_on=date(2025, 3, 5))
    db.session.delete(record)  # expired by its commit: nothing of it loaded here
    db.session.commit()
    assert db.session.get(Child, child.id).last_care_on is None
    assert agrees()
