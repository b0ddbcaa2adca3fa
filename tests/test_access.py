"""The role rules proved from the outside, for every registered view and page × every role.

Three Homes: 甲 (A) and 丙 (C) in the township 甲乡, 乙 (B) in 乙镇. Every record of Home B
carries 乙 in its name, every record of Home C 丙, and the child in Home A whom the caring
mother is not paired with carries 未结对. Home A's accounts see A; the township's see A and C;
the county's see all three. The matrix checks the answer of every handler and that no
out-of-scope row shows up in any answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from admin_app import access
from admin_app.access import CREATE, DELETE, EDIT, READ
from models import (
    ActivityKind,
    ActivityParticipant,
    AuditEntry,
    CareRecord,
    Child,
    Guardian,
    ResourceCategory,
    VolunteerOrganisation,
)
from models.base import local_today
from models.enums import Role
from tests.conftest import export_through_approval, sign_in
from tests.test_screens import registered_model_views

ROLES = ("admin", "staff", "county_staff", "supervisor", "volunteer", "township_staff",
         "township_supervisor")
MINE = "甲"
THEIRS = "乙"
NEIGHBOURS = "丙"  # a Home of Home A's township
UNPAIRED = "未结对"
TOWNSHIP = "甲乡"


@dataclass
class World:
    ids: dict = field(default_factory=dict)  # (endpoint, "A" | "B" | "A_unpaired") -> id
    users: dict = field(default_factory=dict)


def build_home(make, tag: str, world: World, key: str, township: str):
    home = make.home(name=f"{tag}家儿童之家", township=township)
    guardian = make.guardian(home=home, name=f"{tag}监护人", phone="13900001111")
    child = make.child(home=home, name=f"{tag}孩子", guardian=guardian,
                       id_number=_id(key), birth_date=date(2015, 3, 12))
    parent = make.parent(child, name=f"{tag}家长")
    volunteer = make.volunteer(home=home, name=f"{tag}妈妈")
    pairing = make.pairing(volunteer, child, end_reason=f"{tag}结对")
    record = make.care_record(child, volunteer=volunteer, notes=f"{tag}谈心记录")
    activity = make.activity(home=home, title=f"{tag}活动")
    make._save(ActivityParticipant(activity=activity, child=child))
    item = make.item(home=home, name=f"{tag}图书")
    movement = make.movement(item, donor=f"{tag}捐赠")
    for endpoint, record_ in (("home", home), ("guardian", guardian), ("child", child),
                              ("parent_contact", parent), ("volunteer", volunteer),
                              ("pairing", pairing), ("care_record", record),
                              ("activity", activity), ("resource_item", item),
                              ("stock_movement", movement)):
        world.ids[(endpoint, key)] = record_.id
    return home, volunteer


def _id(key: str) -> str:
    from seed.demo import id_number

    return id_number("430626", date(2015, 3, 12), {"A": 1, "B": 2, "U": 3, "C": 4}[key],
                     male=True)


@pytest.fixture
def world(make, db) -> World:
    w = World()
    home_a, volunteer_a = build_home(make, MINE, w, "A", TOWNSHIP)
    build_home(make, THEIRS, w, "B", "乙镇")
    build_home(make, NEIGHBOURS, w, "C", TOWNSHIP)
    # A child of Home A that the caring mother of Home A is not paired with.
    lonely_guardian = make.guardian(home=home_a, name=f"{MINE}{UNPAIRED}监护人")
    lonely = make.child(home=home_a, name=f"{MINE}{UNPAIRED}孩子", guardian=lonely_guardian,
                        id_number=_id("U"), birth_date=date(2015, 3, 12))
    make.care_record(lonely, notes=f"{UNPAIRED}记录")
    w.ids[("child", "U")] = lonely.id
    for model, name in ((ActivityKind, "讲座"), (ResourceCategory, "图书"),
                        (VolunteerOrganisation, "党员")):
        make._save(model(name=name))
    w.users = {
        "admin": make.user(Role.ADMIN, username="admin"),
        "staff": make.user(Role.STAFF, username="staff", home=home_a),
        "county_staff": make.user(Role.STAFF, username="county"),
        "supervisor": make.user(Role.SUPERVISOR, username="supervisor", home=home_a),
        "volunteer": make.user(Role.VOLUNTEER, username="volunteer", volunteer=volunteer_a),
        "township_staff": make.user(Role.STAFF, username="township_staff", township=TOWNSHIP),
        "township_supervisor": make.user(Role.SUPERVISOR, username="township_supervisor",
                                         township=TOWNSHIP),
    }
    # The trail of building the world belongs to it too (supervisors may read it).
    return w


def client_for(app, world: World, role: str):
    client = app.test_client()
    assert sign_in(client, world.users[role].username).status_code == 302
    return client


def forbidden_words(role: str) -> list[str]:
    """Text that must not appear in any answer to `role`."""
    if role in ("admin", "county_staff"):
        return []
    if role == "volunteer":
        return [THEIRS, NEIGHBOURS, UNPAIRED]
    if role.startswith("township_"):
        return [THEIRS]
    return [THEIRS, NEIGHBOURS]


def all_views(app):
    return [v for v in app.extensions["admin"][0]._views if v.endpoint != "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_by_role_and_leaks_nothing(app, world, role):
    client = client_for(app, world, role)
    user = world.users[role]
    for view in all_views(app):
        response = client.get(view.url + "/")
        allowed = access.can(user, READ, view.resource_name)
        assert response.status_code == (200 if allowed else 403), (view.endpoint, role)
        for word in forbidden_words(role):
            assert word not in response.text, (view.endpoint, role, word)
    overview = client.get("/admin/", follow_redirects=True)
    assert overview.status_code == 200
    for word in forbidden_words(role):
        assert word not in overview.text


@pytest.mark.parametrize("role", ROLES)
def test_details_edit_delete_by_id_obey_scope_and_role(app, world, db, role):
    client = client_for(app, world, role)
    user = world.users[role]
    for view in registered_model_views(app):
        for key in ("A", "B", "C"):
            record_id = world.ids.get((view.endpoint, key))
            if record_id is None:
                continue
            in_scope = db.session.scalar(access.scoped(
                select(view.model.id).where(view.model.id == record_id), view.model, user))
            may_read = access.can(user, READ, view.resource_name)
            details = client.get(f"/admin/{view.endpoint}/details/?id={record_id}")
            expected = 403 if not may_read else (200 if in_scope else 404)
            assert details.status_code == expected, (view.endpoint, role, key)
            edit = client.get(f"/admin/{view.endpoint}/edit/?id={record_id}")
            may_edit = access.can(user, EDIT, view.resource_name) and view.allow_edit
            if not may_edit:
                assert edit.status_code == 403, (view.endpoint, role, key)
            elif not in_scope:
                assert edit.status_code == 404, (view.endpoint, role, key)
            before = db.session.scalar(select(func.count()).select_from(view.model))
            delete = client.post(f"/admin/{view.endpoint}/delete/", data={"id": record_id})
            may_delete = access.can(user, DELETE, view.resource_name) and view.allow_delete
            if not may_delete:
                assert delete.status_code == 403, (view.endpoint, role, key)
            elif not in_scope:
                assert delete.status_code == 404, (view.endpoint, role, key)
            if not (may_delete and in_scope):
                db.session.expire_all()
                after = db.session.scalar(select(func.count()).select_from(view.model))
                assert after == before, (view.endpoint, role, key)


@pytest.mark.parametrize("role", ROLES)
def test_create_page_answers_by_role(app, world, role):
    client = client_for(app, world, role)
    user = world.users[role]
    for view in registered_model_views(app):
        allowed = access.can(user, CREATE, view.resource_name) and view.allow_create
        response = client.get(f"/admin/{view.endpoint}/new/")
        assert response.status_code == (200 if allowed else 403), (view.endpoint, role)
        for word in forbidden_words(role):
            assert word not in response.text, (view.endpoint, role, word)


@pytest.mark.parametrize("role", ROLES)
def test_ajax_lookups_find_only_rows_in_scope(app, world, role):
    client = client_for(app, world, role)
    user = world.users[role]
    checked = 0
    for view in registered_model_views(app):
        for name in view._form_ajax_refs:
            response = client.get(f"/admin/{view.endpoint}/ajax/lookup/?name={name}&query=")
            if not access.can(user, READ, view.resource_name):
                assert response.status_code == 403
                continue
            assert response.status_code == 200, (view.endpoint, name)
            # Decoded: the JSON escapes Chinese as \uXXXX, which a plain text search misses.
            found = " ".join(label for _, label in response.get_json())
            for word in forbidden_words(role):
                assert word not in found, (view.endpoint, name, role)
            checked += 1
    assert checked, role  # every role may use at least one look-up


@pytest.mark.parametrize("role", ["staff", "supervisor", "volunteer", "township_staff"])
def test_bulk_delete_with_out_of_scope_ids_deletes_nothing_outside(app, world, db, role):
    client = client_for(app, world, role)
    for view in registered_model_views(app):
        theirs = world.ids.get((view.endpoint, "B"))
        if theirs is None:
            continue
        # Followed, as a browser does: the refusal's message is shown, not left to pile up
        # in the session cookie.
        client.post(f"/admin/{view.endpoint}/action/",
                    data={"action": "delete", "rowid": [str(theirs)]}, follow_redirects=True)
        db.session.expire_all()
        assert db.session.get(view.model, theirs) is not None, (view.endpoint, role)


def test_every_lookup_of_every_view_is_scoped(app):
    from views.fields import ScopedAjaxLoader

    for view in registered_model_views(app):
        for name, loader in view._form_ajax_refs.items():
            assert isinstance(loader, ScopedAjaxLoader), (view.endpoint, name)


def test_unknown_role_fails_loudly():
    class Odd:
        is_authenticated = True
        role = "boss"

    with pytest.raises(access.UnknownRole):
        access.can(Odd(), READ, "child")


def test_volunteer_is_taken_to_her_children(app, world):
    client = client_for(app, world, "volunteer")
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-children/")
    page = client.get("/admin/my-children/").text
    assert f"{MINE}孩子" in page and UNPAIRED not in page and THEIRS not in page
    assert "/admin/guardian/" not in page  # the menu offers nothing she may not open


def test_volunteer_adds_a_care_record_for_her_child_only(app, world, db):
    client = client_for(app, world, "volunteer")
    mine, lonely = world.ids[("child", "A")], world.ids[("child", "U")]
    form = client.get(f"/admin/care_record/new/?child_id={mine}").text
    assert f'name="child" type="hidden" value="{mine}"' in form  # chosen already
    assert 'name="volunteer"' not in form
    ok = client.post("/admin/care_record/new/", data={
        "child": str(mine), "occurred_on": local_today().isoformat(), "kind": "TALK",
        "notes": "今天谈心，孩子很开心"})
    assert ok.status_code == 302
    # Notes are encrypted at rest: found by reading them, not by comparing in SQL.
    saved = next(r for r in db.session.scalars(select(CareRecord))
                 if r.notes == "今天谈心，孩子很开心")
    assert saved.volunteer.name == f"{MINE}妈妈"
    assert saved.recorded_by.username == "volunteer"
    refused = client.post("/admin/care_record/new/", data={
        "child": str(lonely), "occurred_on": local_today().isoformat(), "kind": "TALK",
        "notes": "不该保存"})
    assert refused.status_code == 200
    assert "不该保存" not in [r.notes for r in db.session.scalars(select(CareRecord))]


def test_volunteer_edits_only_her_own_recent_records(app, world, db, make):
    client = client_for(app, world, "volunteer")
    me = world.users["volunteer"]
    mine = db.session.get(Child, world.ids[("child", "A")])
    own = make.care_record(mine, recorded_by=me, volunteer=me.volunteer, notes="自己的记录")
    staff_record = db.session.get(CareRecord, world.ids[("care_record", "A")])
    old = make.care_record(mine, recorded_by=me, volunteer=me.volunteer, notes="上个月的记录")
    old.created_at = old.created_at - timedelta(days=8)
    db.session.commit()
    assert client.get(f"/admin/care_record/edit/?id={own.id}").status_code == 200
    assert client.get(f"/admin/care_record/edit/?id={staff_record.id}").status_code == 403
    assert client.get(f"/admin/care_record/edit/?id={old.id}").status_code == 403
    posted = client.post(f"/admin/care_record/edit/?id={old.id}", data={
        "child": str(mine.id), "occurred_on": "2025-03-01", "kind": "TALK", "notes": "改掉"})
    assert posted.status_code == 403
    db.session.expire_all()
    assert db.session.get(CareRecord, old.id).notes == "上个月的记录"


def test_supervisor_cannot_change_anything(app, world, db):
    client = client_for(app, world, "supervisor")
    child_id = world.ids[("child", "A")]
    response = client.post(f"/admin/child/edit/?id={child_id}", data={"name": "改名"})
    assert response.status_code == 403
    assert client.post("/admin/child/new/", data={"name": "新孩子"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Child, child_id).name == f"{MINE}孩子"


def test_staff_cannot_move_a_child_or_link_a_guardian_of_another_home(app, world, db):
    from tests.test_children import child_form

    client = client_for(app, world, "staff")
    child = db.session.get(Child, world.ids[("child", "A")])
    theirs_home = db.session.get(Child, world.ids[("child", "B")]).home
    theirs_guardian = world.ids[("guardian", "B")]
    form = {**child_form(child.home, name=child.name, id_number=child.id_number),
            "home": str(theirs_home.id)}
    assert client.post(f"/admin/child/edit/?id={child.id}", data=form).status_code == 200
    form = child_form(child.home, name=child.name, id_number=child.id_number,
                      guardian=str(theirs_guardian))
    assert client.post(f"/admin/child/edit/?id={child.id}", data=form).status_code == 200
    db.session.expire_all()
    child = db.session.get(Child, child.id)
    assert child.home.name == f"{MINE}家儿童之家"
    assert child.guardian_id == world.ids[("guardian", "A")]


def test_supervisor_and_volunteer_see_masked_id_numbers_and_phones(app, world):
    for role in ("supervisor", "volunteer"):
        client = client_for(app, world, role)
        child_id = world.ids[("child", "A")]
        details = client.get(f"/admin/child/details/?id={child_id}").text
        assert _id("A") not in details and "430626********" in details
        if role == "supervisor":
            assert "13900001111" not in details and "139****1111" in details
        else:  # her own child's guardian she calls (tests/test_calling.py)
            assert 'href="tel:13900001111"' in details
    # Staff call parents every day: phones in full; the ID number stays masked until a
    # reason is given (tests/test_privacy.py).
    staff = client_for(app, world, "staff")
    details = staff.get(f"/admin/child/details/?id={world.ids[('child', 'A')]}").text
    assert _id("A") not in details and "13900001111" in details


def test_search_by_full_id_number_is_for_staff_only(app, world):
    staff = client_for(app, world, "staff")
    assert f"{MINE}孩子" in staff.get(f"/admin/child/?search={_id('A')}").text
    supervisor = client_for(app, world, "supervisor")
    assert f"{MINE}孩子" not in supervisor.get(f"/admin/child/?search={_id('A')}").text
    # Nor may a fragment of a number be used to probe who has it.
    assert f"{MINE}孩子" not in supervisor.get("/admin/child/?search=4306262015").text


def test_audit_screen_shows_an_edit_with_old_and_new_values(app, world, db):
    from tests.test_children import child_form

    admin = client_for(app, world, "admin")
    child = db.session.get(Child, world.ids[("child", "A")])
    form = child_form(child.home, name="甲孩子改名", id_number=child.id_number)
    assert admin.post(f"/admin/child/edit/?id={child.id}", data=form).status_code == 302
    page = admin.get("/admin/audit/?search=甲孩子改名").text
    assert "甲孩子 → 甲孩子改名" in page
    admin.get(f"/admin/child/details/?id={child.id}")
    viewed = db.session.scalar(select(AuditEntry).where(
        AuditEntry.table_name == "child", AuditEntry.record_id == child.id,
        AuditEntry.action == "VIEW"))
    assert viewed is not None and viewed.username == "admin"


def test_supervisor_sees_the_trail_of_her_home_masked(app, world, db):
    from tests.test_children import child_form

    staff = client_for(app, world, "staff")
    child = db.session.get(Child, world.ids[("child", "A")])
    form = child_form(child.home, name=child.name, id_number=child.id_number,
                      class_teacher_phone="13712345678")
    assert staff.post(f"/admin/child/edit/?id={child.id}", data=form).status_code == 302
    supervisor = client_for(app, world, "supervisor")
    page = supervisor.get("/admin/audit/").text
    assert "137****5678" in page and "13712345678" not in page
    assert THEIRS not in page


def test_guardian_details_of_a_sibling_family_stays_in_scope(app, world, db):
    volunteer = client_for(app, world, "volunteer")
    theirs = world.ids[("guardian", "B")]
    assert volunteer.get(f"/admin/guardian/details/?id={theirs}").status_code == 403
    assert db.session.get(Guardian, theirs) is not None


def test_refusals_are_explained_in_chinese_and_buttons_are_hidden(app, world):
    supervisor = client_for(app, world, "supervisor")
    refused = supervisor.get("/admin/child/new/")
    assert refused.status_code == 403 and "无权操作" in refused.text
    listing = supervisor.get("/admin/child/").text
    assert "/admin/child/new/" not in listing and "/admin/child/edit/" not in listing
    missing = supervisor.get("/admin/child/details/?id=999999")
    assert missing.status_code == 404 and "未找到" in missing.text


def workbook_text(response) -> str:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return "\n".join(str(value) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for value in row
                     if value is not None)


EXPORT_PAGES = ("/admin/calendar/export.xlsx?month={month}",
                "/admin/calendar/export.xlsx?year={year}",
                "/admin/followup/export.xlsx?month={month}")


@pytest.mark.parametrize("role", ROLES)
def test_every_export_obeys_role_and_scope(app, world, role):
    from admin_app.access import EXPORT

    client = client_for(app, world, role)
    user = world.users[role]
    checked = 0
    for view in registered_model_views(app):
        for export_type in ("xlsx", "csv"):
            response = export_through_approval(
                client, f"/admin/{view.endpoint}/export/{export_type}/")
            allowed = (access.can(user, EXPORT, view.resource_name) and view.allow_export)
            if not allowed:
                assert response.status_code == 403, (view.endpoint, role, export_type)
            elif export_type != "xlsx":
                assert response.status_code == 404, (view.endpoint, role, export_type)
            else:
                assert response.status_code == 200, (view.endpoint, role)
                text = workbook_text(response)
                for word in forbidden_words(role):
                    assert word not in text, (view.endpoint, role, word)
                checked += 1
    today = local_today()
    for page in EXPORT_PAGES:
        url = page.format(month=f"{today:%Y-%m}", year=today.year)
        response = client.get(url)
        resource = url.split("/")[2]
        if not access.can(user, EXPORT, resource):
            assert response.status_code == 403, (url, role)
            continue
        assert response.status_code == 200, (url, role)
        text = workbook_text(response)
        for word in forbidden_words(role):
            assert word not in text, (url, role, word)
        checked += 1
    assert checked or role == "volunteer"


@pytest.mark.parametrize("role", ROLES)
def test_list_cell_updates_and_custom_actions_cannot_touch_other_rows(app, world, db, role):
    client = client_for(app, world, role)
    for view in registered_model_views(app):
        theirs = world.ids.get((view.endpoint, "B"))
        if theirs is None:
            continue
        before = db.session.get(view.model, theirs).version
        response = client.post(f"/admin/{view.endpoint}/ajax/update/",
                               data={"list_form_pk": str(theirs), "name": "篡改"})
        assert response.status_code in (403, 404), (view.endpoint, role)
        for name in [action for action, _ in view._actions if action != "delete"]:
            client.post(f"/admin/{view.endpoint}/action/",
                        data={"action": name, "rowid": [str(theirs)]})
        db.session.expire_all()
        if role not in ("admin", "county_staff"):
            assert db.session.get(view.model, theirs).version == before, (view.endpoint, role)


def test_series_of_another_home_is_out_of_reach_by_id(app, world, make, db):
    theirs_home = db.session.get(Child, world.ids[("child", "B")]).home
    series = make.series(home=theirs_home)
    for role in ("staff", "supervisor", "volunteer"):
        client = client_for(app, world, role)
        response = client.get(f"/admin/activity_series/details/?id={series.id}")
        assert response.status_code in (403, 404), role


def test_lookups_show_phones_masked_to_supervisors(app, world):
    supervisor = client_for(app, world, "supervisor")
    found = supervisor.get("/admin/child/ajax/lookup/?name=guardian&query=").get_json()
    labels = " ".join(label for _, label in found)
    assert "甲监护人" in labels and "139****1111" in labels and "13900001111" not in labels
    staff = client_for(app, world, "staff")
    assert "13900001111" in staff.get("/admin/child/ajax/lookup/?name=guardian&query=").text


def test_the_kept_menu_is_the_menu_each_role_is_drawn(app, world, monkeypatch):
    """The menu is kept per role, language and page (views.display.kept_menu): every role
    gets the menu Flask-Admin's macro draws for it, whoever asked first."""
    roles = list(world.users)
    pages = ("/admin/child/", "/admin/care_record/", "/admin/calendar/", "/admin/child/?lang=en")

    def menus() -> dict:
        found = {}
        for role in roles + roles[::-1]:  # each role after every other
            client = client_for(app, world, role)
            for url in pages:
                response = client.get(url)
                if response.status_code == 200:
                    found[role, url] = response.text.split('class="nav navbar-nav mr-auto"')[1] \
                        .split('class="nav navbar-nav navbar-right"')[0]
        return found

    kept = menus()
    assert kept[("admin", "/admin/child/")] != kept[("volunteer", "/admin/calendar/")]
    assert "/admin/user/" in kept[("admin", "/admin/child/")]
    assert "/admin/user/" not in kept[("volunteer", "/admin/calendar/")]
    assert "Children" in kept[("admin", "/admin/child/?lang=en")]
    monkeypatch.setitem(app.jinja_env.globals, "kept_menu", lambda draw: draw())
    assert menus() == kept


def test_a_township_account_sees_every_home_of_its_township_and_no_other(app, world, db):
    home_c = db.session.get(Child, world.ids[("child", "C")]).home
    for role in ("township_staff", "township_supervisor"):
        client = client_for(app, world, role)
        children = client.get("/admin/child/").text
        assert f"{MINE}孩子" in children and f"{NEIGHBOURS}孩子" in children, role
        assert f"{THEIRS}孩子" not in children, role
        assert client.get(f"/admin/child/details/?id={world.ids[('child', 'C')]}"
                          ).status_code == 200
        assert client.get(f"/admin/child/details/?id={world.ids[('child', 'B')]}"
                          ).status_code == 404
        # The calendar, the follow-up and the overview are of the township's Homes.
        calendar = client.get("/admin/calendar/").text
        assert TOWNSHIP in calendar and f"{NEIGHBOURS}家儿童之家" in calendar
        assert client.get(f"/admin/calendar/?home={home_c.id}").status_code == 200
        followup = client.get(f"/admin/followup/?home={home_c.id}").text
        assert f"{NEIGHBOURS}孩子" in followup and f"{MINE}孩子" not in followup
    # A Home's own staff do not see the Home next door.
    staff = client_for(app, world, "staff")
    assert f"{NEIGHBOURS}孩子" not in staff.get("/admin/child/").text
    assert staff.get(f"/admin/child/details/?id={world.ids[('child', 'C')]}"
                     ).status_code == 404


def test_township_staff_keep_children_in_their_township_only(app, world, db):
    from tests.test_children import child_form

    client = client_for(app, world, "township_staff")
    child = db.session.get(Child, world.ids[("child", "A")])
    home_b = db.session.get(Child, world.ids[("child", "B")]).home
    home_c = db.session.get(Child, world.ids[("child", "C")]).home
    form = child_form(child.home, name=child.name, id_number=child.id_number)
    new_form = client.get("/admin/child/new/").text
    assert home_c.name in new_form and home_b.name not in new_form
    # Moved to the other Home of her township: saved; to a Home of another township: refused.
    moved = client.post(f"/admin/child/edit/?id={child.id}",
                        data={**form, "home": str(home_b.id)})
    assert moved.status_code == 200
    db.session.expire_all()
    assert db.session.get(Child, child.id).home_id == child.home_id
    moved = client.post(f"/admin/child/edit/?id={child.id}",
                        data={**form, "home": str(home_c.id),
                              "guardian": str(world.ids[("guardian", "A")])})
    assert moved.status_code == 302, moved.text[:2000]
    db.session.expire_all()
    assert db.session.get(Child, child.id).home_id == home_c.id


def test_a_township_officer_decides_requests_of_her_townships_homes_only(app, world, db, make):
    from admin_app.access import may_decide
    from models import ExportRequest, Home

    officer = make.user(Role.STAFF, username="township_officer", township=TOWNSHIP,
                        privacy_officer=True)
    county_officer = make.user(Role.STAFF, username="county_officer", privacy_officer=True)
    homes = {h.name[0]: h.id for h in db.session.scalars(select(Home))}
    asked = {key: ExportRequest(user_id=world.users["staff"].id, home_id=home_id,
                                endpoint="child", query="", reason="家访")
             for key, home_id in homes.items()}
    asked["county"] = ExportRequest(user_id=world.users["township_staff"].id, home_id=None,
                                    endpoint="child", query="", reason="家访")
    assert {key for key, item in asked.items() if may_decide(officer, item)} == {
        MINE, NEIGHBOURS}
    assert all(may_decide(county_officer, item) for item in asked.values())
    # A caring mother's account marked by mistake has no scope to decide anything in (with no
    # Home it counted as the county's before).
    mistaken = make.user(Role.VOLUNTEER, username="mistaken_officer",
                         volunteer=make.volunteer(), privacy_officer=True)
    assert not any(may_decide(mistaken, item) for item in asked.values())
    # Her queue and the privacy page say the same.
    for item in asked.values():
        db.session.add(item)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, "township_officer").status_code == 302
    queue = client.get("/admin/export-requests/").text
    assert queue.count("家访") == 2
    # Another township's request is out of her reach: not found, as any record out of scope.
    assert client.post(f"/admin/export-requests/{asked[THEIRS].id}/decide",
                       data={"approve": "1"}).status_code == 404
    page = client.get("/admin/privacy/").text
    assert "township_officer" in page and f"{THEIRS}家儿童之家" not in page


def test_an_account_has_a_home_or_a_township_never_both(app, world, db):
    from models import Home, User

    admin = client_for(app, world, "admin")
    home_a = db.session.scalar(select(Home).where(Home.name == f"{MINE}家儿童之家"))
    form = {"username": "new_one", "display_name": "新账号", "role": "STAFF", "active": "y",
            "new_password": "a long password 1"}
    offered = admin.get("/admin/user/new/").text
    assert TOWNSHIP in offered and "乙镇" in offered
    for extra, message in (({"home": str(home_a.id), "township": TOWNSHIP}, "不能同时"),
                           ({"township": TOWNSHIP, "role": "ADMIN"}, "只有工作人员和督导"),
                           # The rule `flask users create` holds too (access.account_scope).
                           ({"role": "VOLUNTEER"}, "须关联她的志愿者档案"),
                           # Sign-in ignores capitals: a second "Admin" would be unreachable.
                           ({"username": "ADMIN"}, "已有同名账号")):
        refused = admin.post("/admin/user/new/", data={**form, **extra})
        assert refused.status_code == 200 and message in refused.text, refused.text[-3000:]
    assert db.session.scalar(select(User).where(User.username == "new_one")) is None
    made = admin.post("/admin/user/new/", data={**form, "township": TOWNSHIP})
    assert made.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "new_one"))
    assert user.township == TOWNSHIP and user.home_id is None
    assert not access.sees_every_home(user)


def test_an_account_kept_from_before_the_rules_can_still_be_switched_off(app, world, db, make):
    """A caring mother's account with no volunteer linked, and a name that differs from
    another's only in capitals, were possible before the accounts form held the rules: an
    administrator can still switch them off (or reset their password)."""
    from models import User

    unlinked = make.user(Role.VOLUNTEER, username="old_mother")
    twin = make.user(Role.STAFF, username="Staff_Twin")
    make.user(Role.STAFF, username="staff_twin")
    admin = client_for(app, world, "admin")
    for user in (unlinked, twin):
        form = {"username": user.username, "display_name": user.username,
                "role": user.role.name, "active": "", "must_change_password": "",
                "loaded_version": str(user.version)}
        saved = admin.post(f"/admin/user/edit/?id={user.id}", data=form)
        assert saved.status_code == 302, saved.text.split("alert-danger")[-1][:300]
        db.session.expire_all()
        assert db.session.get(User, user.id).active is False
    # Making an account a caring mother's is held to the rule.
    refused = admin.post(f"/admin/user/edit/?id={twin.id}", data={
        "username": twin.username, "role": "VOLUNTEER", "active": "",
        "loaded_version": str(db.session.get(User, twin.id).version), "volunteer": ""})
    assert refused.status_code == 200 and "须关联她的志愿者档案" in refused.text
