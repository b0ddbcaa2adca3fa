"""A child and her new guardian in one save (issue 23.3): the guardian entered on the
child's form is recorded with her, of her Home; the Home's guardian of the same name and
phone is chosen instead of a second record; half-filled or contradicting entries are said."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Child, Guardian
from models.enums import GuardianRelation, Role
from tests.test_calendar import signed_in
from tests.test_children import child_form


def guardians(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Guardian))


def test_a_new_guardian_is_saved_with_the_child(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.STAFF, home=home)
    response = client.post("/admin/child/new/", data=child_form(
        home, new_guardian_name=" 王新民 ", new_guardian_relation="GRANDFATHER",
        new_guardian_phone="139 1234 5678"))
    assert response.status_code == 302, response.text
    child = db.session.scalar(select(Child))
    guardian = db.session.scalar(select(Guardian))
    assert child.guardian_id == guardian.id
    assert (guardian.name, guardian.relation, guardian.phone, guardian.home_id) == (
        "王新民", GuardianRelation.GRANDFATHER, "13912345678", home.id)
    # Found again by her phone: a second child's form offers her.
    again = client.post("/admin/child/new/", data=child_form(
        home, name="王小红", new_guardian_name="王新民", new_guardian_relation="GRANDFATHER",
        new_guardian_phone="13912345678"))
    assert again.status_code == 200
    assert "已为您选上" in again.text
    assert guardians(db) == 1 and db.session.scalar(select(func.count()).select_from(Child)) == 1
    # The form comes back with her chosen and the new guardian's fields cleared.
    assert f'value="{guardian.id}"' in again.text.split('id="guardian"')[1][:400]
    saved = client.post("/admin/child/new/", data=child_form(
        home, name="王小红", guardian=str(guardian.id)))
    assert saved.status_code == 302
    assert guardians(db) == 1
    assert db.session.scalar(select(func.count()).where(Child.guardian_id == guardian.id)) == 2


def test_the_same_name_and_phone_in_another_home_is_another_guardian(app, make, db):
    home, other = make.home(), make.home()
    make.guardian(home=other, name="王新民", phone="13912345678")
    client = signed_in(app, make, Role.ADMIN)
    response = client.post("/admin/child/new/", data=child_form(
        home, new_guardian_name="王新民", new_guardian_relation="FATHER",
        new_guardian_phone="13912345678"))
    assert response.status_code == 302
    assert guardians(db) == 2


def test_half_filled_or_contradicting_new_guardians_are_refused(app, make, db):
    home = make.home()
    kept = make.guardian(home=home, name="李桂兰")
    client = signed_in(app, make, Role.STAFF, home=home)
    no_name = client.post("/admin/child/new/", data=child_form(
        home, new_guardian_phone="13912345678"))
    assert "请填写新监护人的姓名" in no_name.text
    no_relation = client.post("/admin/child/new/", data=child_form(
        home, new_guardian_name="王新民"))
    assert "请选择监护人与儿童的关系" in no_relation.text
    both = client.post("/admin/child/new/", data=child_form(
        home, guardian=str(kept.id), new_guardian_name="王新民",
        new_guardian_relation="FATHER"))
    assert "上面已选了监护人" in both.text
    assert guardians(db) == 1 and db.session.scalar(select(func.count()).select_from(Child)) == 0
    # Without a phone nothing tells two 王新民 apart: she is entered as the form says.
    plain = client.post("/admin/child/new/", data=child_form(
        home, new_guardian_name="李桂兰", new_guardian_relation="GRANDMOTHER"))
    assert plain.status_code == 302 and guardians(db) == 2


def test_a_role_that_may_not_add_guardians_cannot_add_one_through_the_child(app, make, db):
    home = make.home()
    client = signed_in(app, make, Role.SUPERVISOR)
    response = client.post("/admin/child/new/", data=child_form(
        home, new_guardian_name="王新民", new_guardian_relation="FATHER"))
    assert response.status_code in (302, 403)
    assert guardians(db) == 0
