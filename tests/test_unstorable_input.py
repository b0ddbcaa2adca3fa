"""A NUL byte (which PostgreSQL's text cannot hold) never reaches the database as a 500, on
either database: every search, filter, look-up and path of every view, the sign-in, and
custom pages answer 400 with a message; a record's form keeps what was typed and puts the
message under the field, saving nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Child
from models.enums import Role
from tests.conftest import sign_in
from tests.test_children import child_form
from tests.test_views_smoke import model_views

NUL = "a\x00b"
SAID = "无法保存的字符"


def _staff(app, make):
    home = make.home()
    make.child(home=home, name="王小明")
    client = app.test_client()
    user = make.user(Role.ADMIN)
    assert sign_in(client, user.username).status_code == 302
    return client, home


def test_every_search_filter_and_look_up_of_every_view_refuses_a_nul(app, make, db):
    client, _home = _staff(app, make)
    checked = 0
    for view in model_views(app):
        base = f"/admin/{view.endpoint}/"
        answers = [client.get(base, query_string={"search": NUL})]
        for group in view._filter_groups.values() if view._filter_groups else ():
            for item in group.filters:
                answers.append(client.get(base, query_string={f"flt0_{item['arg']}": NUL}))
        for name in view._form_ajax_refs or {}:
            answers.append(client.get(f"{base}ajax/lookup/",
                                      query_string={"name": name, "query": NUL}))
        answers.append(client.get(f"{base}details/", query_string={"id": NUL}))
        for answer in answers:
            assert answer.status_code == 400, (view.endpoint, answer.request.url)
            assert SAID in answer.text
            checked += 1
    assert checked > 60


def test_sign_in_custom_pages_and_paths_refuse_a_nul(app, make, db):
    anonymous = app.test_client()
    answer = anonymous.post("/login", data={"username": "ad\x00min", "password": "x" * 12})
    assert answer.status_code == 400 and SAID in answer.text
    client, _home = _staff(app, make)
    for url, args in (("/admin/calendar/", {"month": "2026\x0012"}),
                      ("/admin/followup/", {"home": NUL}),
                      ("/admin/calendar/export.xlsx", {"month": NUL})):
        assert client.get(url, query_string=args).status_code == 400, url
    assert client.get("/admin/import/a%00b/").status_code == 400
    assert client.post("/admin/child/delete/", data={"id": NUL}).status_code == 400


def test_a_record_form_says_it_under_the_field_and_saves_nothing(app, make, db):
    client, home = _staff(app, make)
    before = db.session.scalar(select(func.count()).select_from(Child))
    answer = client.post("/admin/child/new/", data=child_form(home, name="王\x00小红",
                                                               school="城关\x00小学"))
    assert answer.status_code == 200 and SAID in answer.text
    assert db.session.scalar(select(func.count()).select_from(Child)) == before
    # An inline parent's field too.
    data = child_form(home, name="王小红")
    data.update({"parents-0-relation": "FATHER", "parents-0-name": "王\x00大明",
                 "parents-0-phone": "13912345678"})
    answer = client.post("/admin/child/new/", data=data)
    assert answer.status_code == 200 and SAID in answer.text
    assert db.session.scalar(select(func.count()).select_from(Child)) == before
