"""A caring mother calls: on 我的孩子 and on her children's archive cards she sees their
guardian's, parents' and class teacher's phones in full as tel: links, each number shown to
her recorded; nobody else's masking changes, and a child whose pairing ended is out of her
reach, numbers and all."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from models.enums import ParentRelation, Role
from tests.conftest import sign_in

LANDLINE = "0730-8123456"


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def _world(make):
    home = make.home()
    guardian = make.guardian(home=home, name="李奶奶", phone=LANDLINE)
    child = make.child(home=home, name="李小芳", guardian=guardian,
                       class_teacher="张老师", class_teacher_phone="13712345678")
    make.parent(child, name="李大明", phone="13912345678")
    make.parent(child, relation=ParentRelation.MOTHER, name="王芳", phone="13698765432")
    volunteer = make.volunteer(home=home)
    make.pairing(volunteer, child, started_on=date(2025, 9, 1))
    # A child whose pairing with her ended: not hers any more.
    former = make.child(home=home, name="李小旧", guardian=make.guardian(
        home=home, name="李爷爷", phone="13811112222"))
    make.pairing(volunteer, former, started_on=date(2024, 9, 1), ended_on=date(2025, 6, 30),
                 end_reason="学期结束")
    mother = make.user(Role.VOLUNTEER, volunteer_id=volunteer.id, home_id=home.id)
    return home, child, former, mother


def _unmasks(db, child_id: int) -> int:
    return db.session.execute(text(
        "SELECT count(*) FROM audit_entry WHERE action = 'UNMASK' AND table_name = 'child' "
        "AND record_id = :id"), {"id": child_id}).scalar()


def test_a_caring_mother_calls_from_her_cards_and_each_number_is_recorded(app, make, db):
    _home, child, former, mother = _world(make)
    client = _client(app, mother)
    page = client.get("/admin/my-children/").text
    for number, digits in ((LANDLINE, "07308123456"), ("13912345678", "13912345678"),
                           ("13698765432", "13698765432"), ("13712345678", "13712345678")):
        assert f'href="tel:{digits}">{number}</a>' in page, number
    assert "李小旧" not in page and "13811112222" not in page
    assert _unmasks(db, child.id) == 1
    card = client.get(f"/admin/child/details/?id={child.id}").text
    assert f'href="tel:07308123456">{LANDLINE}</a>' in card
    assert 'href="tel:13912345678"' in card and 'href="tel:13712345678"' in card
    assert _unmasks(db, child.id) == 2
    # The ended pairing: out of reach (404), nothing shown, nothing recorded.
    assert client.get(f"/admin/child/details/?id={former.id}").status_code == 404
    assert _unmasks(db, former.id) == 0


def test_nobody_elses_masking_changes(app, make, db):
    home, child, _former, _mother = _world(make)
    supervisor = _client(app, make.user(Role.SUPERVISOR, home_id=home.id))
    card = supervisor.get(f"/admin/child/details/?id={child.id}").text
    assert "0730-***3456" in card and "139****5678" in card
    assert "tel:" not in card and LANDLINE not in card and "13912345678" not in card
    # Another Home's caring mother reaches neither the child nor the numbers.
    other = make.volunteer()
    stranger = _client(app, make.user(Role.VOLUNTEER, volunteer_id=other.id,
                                      home_id=other.home_id))
    assert stranger.get(f"/admin/child/details/?id={child.id}").status_code == 404
    assert "13912345678" not in stranger.get("/admin/my-children/").text
    assert _unmasks(db, child.id) == 0


def test_my_children_costs_the_same_queries_for_one_child_or_three(app, make, db):
    from admin_app.extensions import db as _db
    from tests.conftest import count_queries

    home, _child, _former, mother = _world(make)
    client = _client(app, mother)
    client.get("/admin/my-children/")
    with count_queries(_db.engine) as one:
        assert client.get("/admin/my-children/").status_code == 200
    volunteer_id = mother.volunteer_id
    from models import Volunteer

    volunteer = db.session.get(Volunteer, volunteer_id)
    for n in range(2):
        other = make.child(home=home, guardian=make.guardian(home=home, phone=f"1380000000{n}"))
        make.parent(other, phone=f"1390000000{n}")
        make.pairing(volunteer, other, started_on=date(2025, 9, 1))
    with count_queries(_db.engine) as three:
        page = client.get("/admin/my-children/").text
    assert page.count('class="card h-100 child-card"') == 3
    assert three.count == one.count, three.statements
