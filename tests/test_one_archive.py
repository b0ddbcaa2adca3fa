"""One child, one archive across the county: the child form warns before a second record of
a child kept in any Home (a link to her only for those who may see her), saves only when
the user says it is another child; a child who moved keeps her archive, the move on it;
the guardian form offers the guardian the Home keeps already."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from models import Child, ChildMove, Guardian
from models.enums import Role
from tests.conftest import sign_in
from tests.test_children import child_form


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def _children_named(db, name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Child).where(Child.name == name))


def test_a_child_kept_by_another_home_is_said_not_shown_and_saved_only_when_confirmed(
        app, make, db):
    mine, theirs = make.home(name="甲之家"), make.home(name="乙之家", township="远镇")
    kept = make.child(home=theirs, name="王小明", birth_date=date(2015, 3, 12))
    staff = _client(app, make.user(Role.STAFF, home_id=mine.id))
    page = staff.post("/admin/child/new/", data=child_form(mine)).text
    assert _children_named(db, "王小明") == 1
    assert 'id="namesake"' in page and "县妇联" in page
    assert f"id={kept.id}" not in page and "乙之家" not in page  # nothing of her shown
    assert "这是另一个孩子" in page or "这是另一个人" in page
    answer = staff.post("/admin/child/new/", data=child_form(mine, someone_else="y"))
    assert answer.status_code == 302, answer.text[-2000:]
    assert _children_named(db, "王小明") == 2
    # Another name, or another birth date: no question asked.
    assert staff.post("/admin/child/new/", data=child_form(
        mine, name="王小亮")).status_code == 302
    assert staff.post("/admin/child/new/", data=child_form(
        mine, name="王小明", birth_date="2016-03-12")).status_code == 302


def test_a_child_the_user_may_see_is_linked(app, make, db):
    home_a, home_b = make.home(name="甲之家"), make.home(name="乙之家")
    kept = make.child(home=home_b, name="王小明", birth_date=date(2015, 3, 12))
    county = _client(app, make.user(Role.STAFF))  # county-level staff: every Home
    page = county.post("/admin/child/new/", data=child_form(home_a)).text
    assert f'/admin/child/details/?id={kept.id}' in page
    assert _children_named(db, "王小明") == 1


def test_a_child_who_moved_keeps_her_archive_and_the_move_is_on_it(app, make, db):
    home_a, home_b = make.home(name="甲之家"), make.home(name="乙之家")
    child = make.child(home=home_a, name="王小明", birth_date=date(2015, 3, 12))
    county = _client(app, make.user(Role.STAFF))
    form = child_form(home_b, loaded_version=str(child.version))
    answer = county.post(f"/admin/child/edit/?id={child.id}", data=form)
    assert answer.status_code == 302, answer.text[-2000:]
    moves = db.session.execute(text(
        "SELECT child_id, from_home_id, to_home_id FROM child_move")).all()
    assert moves == [(child.id, home_a.id, home_b.id)]
    assert _children_named(db, "王小明") == 1
    card = county.get(f"/admin/child/details/?id={child.id}").text
    moved = card.split('id="archive-moves"')[1].split("</table>")[0]
    assert "甲之家" in moved and "乙之家" in moved
    # Saving her again without a change of Home adds no move.
    db.session.expire_all()
    again = child_form(home_b, loaded_version=str(db.session.get(Child, child.id).version))
    assert county.post(f"/admin/child/edit/?id={child.id}", data=again).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ChildMove)) == 1


def _guardian_form(home, **overrides) -> dict:
    return {"name": "王新民", "relation": "GRANDFATHER", "phone": "139 1234 5678",
            "birth_year": "1956", "home": str(home.id), **overrides}


def test_the_guardian_form_offers_the_guardian_the_home_keeps(app, make, db):
    home, other = make.home(), make.home()
    kept = make.guardian(home=home, name="王新民", phone="13912345678")
    make.guardian(home=other, name="王新民", phone="13912345678")  # another Home's: not asked
    staff = _client(app, make.user(Role.STAFF, home_id=home.id))
    page = staff.post("/admin/guardian/new/", data=_guardian_form(home)).text
    assert 'id="namesake"' in page and f"/admin/guardian/details/?id={kept.id}" in page
    count = db.session.scalar(select(func.count()).select_from(Guardian))
    assert count == 2
    answer = staff.post("/admin/guardian/new/", data=_guardian_form(home, someone_else="y"))
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 3
    # Another phone: a different person, no question asked.
    assert staff.post("/admin/guardian/new/", data=_guardian_form(
        home, phone="13800005555")).status_code == 302
