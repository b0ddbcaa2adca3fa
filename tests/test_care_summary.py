"""The care summary (each child's latest care record, the five ones per month) always says
what the care records say: after every kind of change through the session, after a bulk
rebuild, and after the migration that made it from records already written."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from admin_app.extensions import db
from models import CareMonth, CareRecord, Child, care_summary
from models.enums import CareKind, Role
from models.followup import FIVE_ONES, five_ones
from tests.conftest import database_at
from tests.test_calendar import signed_in


def stored(connection) -> tuple[set, dict]:
    months = {tuple(row) for row in connection.execute(sa.select(
        CareMonth.child_id, CareMonth.volunteer_id, CareMonth.month,
        *(getattr(CareMonth, f"{duty.key}_on") for duty in FIVE_ONES)))}
    last = dict(connection.execute(sa.select(Child.id, Child.last_care_on)).all())
    return months, last


def from_records(connection) -> tuple[set, dict]:
    """The same, worked out here in Python from every care record."""
    months: dict = {}
    last = dict.fromkeys(connection.execute(sa.select(Child.id)).scalars())
    for child_id, volunteer_id, on, kind in connection.execute(sa.select(
            CareRecord.child_id, CareRecord.volunteer_id, CareRecord.occurred_on,
            CareRecord.kind)):
        ticks = months.setdefault((child_id, volunteer_id, on.replace(day=1)),
                                  [None] * len(FIVE_ONES))
        for i, duty in enumerate(FIVE_ONES):
            if kind in duty.kinds:
                ticks[i] = max(ticks[i] or on, on)
        last[child_id] = max(last[child_id] or on, on)
    return {(*key, *ticks) for key, ticks in months.items()}, last


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
    assert (row.month, row.child_on, row.guardian_on, row.parents_on) == (
        date(2025, 3, 1), date(2025, 3, 10), date(2025, 3, 10), None)

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
    ticks = five_ones(db.session, [child.id], date(2025, 3, 15), by_volunteer=True)
    assert ticks == {(child.id, mother.id): {
        "child": date(2025, 3, 9), "parents": None, "teacher": None,
        "guardian": date(2025, 3, 9), "festival": date(2025, 1, 28)}}
    # Last year's festival does not count this year; February's call is not March's.
    assert five_ones(db.session, [child.id], date(2026, 1, 5)) == {}
    assert five_ones(db.session, [child.id], date(2025, 2, 1))[(child.id, None)] == {
        "child": None, "parents": date(2025, 2, 2), "teacher": None, "guardian": None,
        "festival": date(2025, 1, 28)}


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
            conn.execute(sa.insert(CareRecord.__table__), [dict(
                child_id=1, volunteer_id=volunteer, occurred_on=on, kind=kind)
                for volunteer, on, kind in (
                    (1, date(2025, 3, 5), CareKind.TALK),
                    (1, date(2025, 3, 9), CareKind.HOME_VISIT),
                    (None, date(2025, 4, 1), CareKind.TEACHER_CONTACT),
                    (1, date(2024, 12, 31), CareKind.FESTIVAL))])
        upgrade(revision="3926e6e1505e")
        with db.engine.connect() as conn:
            assert stored(conn) == from_records(conn)
            assert len(stored(conn)[0]) == 3
            assert stored(conn)[1] == {1: date(2025, 4, 1), 2: None}
        downgrade(revision="47cf8739cef1")


def test_a_record_deleted_unread_after_its_commit_leaves_the_summary(make):
    child = make.child()
    record = make.care_record(child, occurred_on=date(2025, 3, 5))
    db.session.delete(record)  # expired by its commit: nothing of it loaded here
    db.session.commit()
    assert db.session.get(Child, child.id).last_care_on is None
    assert agrees()
