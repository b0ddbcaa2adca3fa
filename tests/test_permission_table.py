"""The answer key: who may do what, written out by hand — never read from access.PERMISSIONS
or computed by access.can — and checked against access.can itself and, from the outside,
against every registered view over HTTP for the seven kinds of account.

Each cell is five letters in a fixed order, R(ead) C(reate) E(dit) D(elete) (e)X(port), a
dot where the role may not: "R...X" reads and exports, "....." nothing. A new resource in
the rules fails `test_the_key_names_every_resource_the_rules_name` until it is written here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from admin_app import access
from admin_app.access import CREATE, DELETE, EDIT, EXPORT, READ
from models import ActivityKind, CareRecord, Child, ResourceCategory, VolunteerOrganisation
from models.enums import Role
from tests.conftest import sign_in
from tests.test_access import World, build_home
from tests.test_screens import registered_model_views

LETTERS = {"R": READ, "C": CREATE, "E": EDIT, "D": DELETE, "X": EXPORT}

#                           admin    staff    supervisor volunteer
KEY: dict[str, tuple[str, str, str, str]] = {
    "home":                   ("RCEDX", "R.E.X", "R...X", "....."),
    "child":                  ("RCEDX", "RCEDX", "R...X", "R...."),
    "guardian":               ("RCEDX", "RCEDX", "R...X", "....."),
    "parent_contact":         ("RCEDX", "RCEDX", "R...X", "....."),
    "assistance":             ("RCEDX", "RCEDX", "R...X", "....."),
    "volunteer":              ("RCEDX", "RCEDX", "R...X", "....."),
    "pairing":                ("RCEDX", "RCEDX", "R...X", "....."),
    "care_record":            ("RCEDX", "RCEDX", "R...X", "RCE.."),
    "family_call":            ("RCEDX", "RCEDX", "R...X", "RCE.."),
    "activity":               ("RCEDX", "RCEDX", "R...X", "R...."),
    "activity_series":        ("RCEDX", "RCEDX", "R...X", "....."),
    "resource_item":          ("RCEDX", "RCEDX", "R...X", "....."),
    "stock_movement":         ("RCEDX", "RCEDX", "R...X", "....."),
    # A line of money is corrected, never deleted.
    "money_entry":            ("RCE.X", "RCE.X", "R...X", "....."),
    # 慰问 rounds: a round with gifts is kept (views.rounds refuses its deletion).
    "care_round":             ("RCEDX", "RCEDX", "R...X", "....."),
    "consent":                ("RCEDX", "RCEDX", "R...X", "....."),
    "data_request":           ("RCEDX", "RCEDX", "R...X", "....."),
    "activity_kind":          ("RCEDX", "RCEDX", "R...X", "....."),
    "resource_category":      ("RCEDX", "RCEDX", "R...X", "....."),
    "volunteer_organisation": ("RCEDX", "RCEDX", "R...X", "....."),
    "duty_rule":              ("RCE.X", "R....", "R....", "....."),
    "school_term":            ("RCE.X", "R....", "R....", "....."),
    "reminders":              ("R....", "R....", "R....", "....."),
    "scorecard":              ("R...X", "R...X", "R...X", "....."),
    "reports":                ("R...X", "R...X", "R...X", "....."),
    "user":                   ("RCEDX", ".....", ".....", "....."),
    "audit":                  ("R...X", ".....", "R....", "....."),
    "dashboard":              ("R....", "R....", "R....", "R...."),
    "calendar":               ("R...X", "R...X", "R...X", "R...."),
    "followup":               ("R...X", "R...X", "R...X", "....."),
    "donors":                 ("R...X", "R...X", "R...X", "....."),
    "import":                 ("RC...", "RC...", ".....", "....."),
    "school_year":            ("RC...", "RC...", ".....", "....."),
    "privacy":                ("RCEDX", "R....", "R...X", "....."),
    "export_request":         ("RC...", "RC...", "RC...", "....."),
    "my_children":            (".....", ".....", ".....", "R...."),
}
COLUMN = {Role.ADMIN: 0, Role.STAFF: 1, Role.SUPERVISOR: 2, Role.VOLUNTEER: 3}
# The seven kinds of account and the role whose column they read.
ACCOUNTS = {"admin": Role.ADMIN, "staff": Role.STAFF, "county_staff": Role.STAFF,
            "township_staff": Role.STAFF, "supervisor": Role.SUPERVISOR,
            "township_supervisor": Role.SUPERVISOR, "volunteer": Role.VOLUNTEER}


def allowed(role: Role, resource: str, action) -> bool:
    cell = KEY[resource][COLUMN[role]]
    return any(LETTERS.get(letter) is action for letter in cell)


class Someone:
    """An account as the rules see it, without a database."""

    is_authenticated = True

    def __init__(self, role: Role, home_id=None, township=None, volunteer_id=None) -> None:
        self.role, self.home_id, self.township = role, home_id, township
        self.volunteer_id, self.id = volunteer_id, 1


def test_the_key_is_well_formed():
    for resource, cells in KEY.items():
        for cell in cells:
            assert len(cell) == 5 and all(c in ("R", "C", "E", "D", "X", ".") for c in cell)
            assert [c for c in cell if c != "."] == [c for c in "RCEDX" if c in cell], resource


def test_the_key_names_every_resource_the_rules_name():
    named = {resource for rules in access.PERMISSIONS.values() for resource in rules}
    assert named <= set(KEY), sorted(named - set(KEY))


@pytest.mark.parametrize("role", list(COLUMN))
def test_the_rules_answer_as_the_key_says(role):
    user = Someone(role, volunteer_id=7 if role is Role.VOLUNTEER else None)
    wrong = [(resource, action.value) for resource in KEY for action in LETTERS.values()
             if access.can(user, action, resource) != allowed(role, resource, action)]
    assert wrong == []


#                 admin  staff  supervisor volunteer
MASKED = {
    "id_number": (True,  True,  True,  True),
    "phone":     (True,  False, True,  True),
    "name":      (False, False, False, False),
}
HANDLES_NUMBERS = (True, True, False, False)
CALLS_HER_CHILDREN = (False, False, False, True)


@pytest.mark.parametrize("role", list(COLUMN))
def test_who_sees_what_masked_types_numbers_and_calls(role):
    column = COLUMN[role]
    user = Someone(role, volunteer_id=7 if role is Role.VOLUNTEER else None)
    assert {kind: access.masks(user, kind) for kind in MASKED} == {
        kind: masked[column] for kind, masked in MASKED.items()}
    assert access.handles_numbers(user) is HANDLES_NUMBERS[column]
    assert access.calls_her_children(user) is CALLS_HER_CHILDREN[column]
    # A caring mother's account with no volunteer linked calls nobody.
    assert access.calls_her_children(Someone(role)) is False


def test_nobody_signed_out_and_no_unknown_resource_is_allowed():
    class SignedOut:
        is_authenticated = False
        role = Role.ADMIN

    for action in LETTERS.values():
        assert not access.can(SignedOut(), action, "child")
        assert not access.can(None, action, "child")
        for role in COLUMN:
            assert not access.can(Someone(role), action, "no_such_page")


# ---- from the outside ----

TOWNSHIP = "甲乡"


@pytest.fixture
def world(make, db) -> World:
    w = World()
    home_a, volunteer_a = build_home(make, "甲", w, "A", TOWNSHIP)
    build_home(make, "乙", w, "B", "乙镇")
    for model, name in ((ActivityKind, "讲座"), (ResourceCategory, "图书"),
                        (VolunteerOrganisation, "党员")):
        w.ids[(model.__tablename__, "A")] = make._save(model(name=name)).id
    w.users = {
        "admin": make.user(Role.ADMIN, username="admin"),
        "staff": make.user(Role.STAFF, username="staff", home=home_a),
        "county_staff": make.user(Role.STAFF, username="county"),
        "township_staff": make.user(Role.STAFF, username="township_staff", township=TOWNSHIP),
        "supervisor": make.user(Role.SUPERVISOR, username="supervisor", home=home_a),
        "township_supervisor": make.user(Role.SUPERVISOR, username="township_supervisor",
                                         township=TOWNSHIP),
        "volunteer": make.user(Role.VOLUNTEER, username="volunteer", volunteer=volunteer_a),
    }
    # Her own recent care record, so her right to edit is not hidden by the row rule
    # (a caring mother corrects only her own records).
    child_a = db.session.get(Child, w.ids[("child", "A")])
    w.ids[("care_record", "A")] = make.care_record(
        child_a, volunteer=volunteer_a, recorded_by=w.users["volunteer"],
        occurred_on=date(2025, 3, 1), notes="她自己的记录").id
    return w


def _client(app, world, account):
    client = app.test_client()
    assert sign_in(client, world.users[account].username).status_code == 302
    return client


def _views(app):
    return [v for v in app.extensions["admin"][0]._views if v.endpoint != "admin"]


def test_every_registered_view_is_in_the_key(app):
    assert [v.endpoint for v in _views(app) if v.resource_name not in KEY] == []


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_page_opens_as_the_key_says(app, world, account):
    role, client = ACCOUNTS[account], _client(app, world, account)
    wrong = []
    for view in _views(app):
        expected = 200 if allowed(role, view.resource_name, READ) else 403
        got = client.get(view.url + "/").status_code
        if got != expected:
            wrong.append((view.endpoint, expected, got))
    assert wrong == []


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_model_views_handlers_answer_as_the_key_says(app, world, db, account):
    """New, details, edit, delete and export of a record in the account's scope (Home A:
    every account's, and the caring mother's child and her own care record)."""
    role, client = ACCOUNTS[account], _client(app, world, account)
    wrong = []

    def check(what, view, response, action, offered=True):
        refused = not (allowed(role, view.resource_name, action) and offered)
        if (response.status_code == 403) != refused:
            wrong.append((view.endpoint, what, response.status_code))

    for view in registered_model_views(app):
        check("new", view, client.get(f"/admin/{view.endpoint}/new/"), CREATE,
              view.allow_create)
        check("export", view, client.get(f"/admin/{view.endpoint}/export/xlsx/"), EXPORT,
              view.allow_export)
        record_id = world.ids.get((view.endpoint, "A"))
        if record_id is None:
            continue
        if role is Role.VOLUNTEER and view.endpoint not in ("child", "care_record"):
            continue  # not hers: out of scope (404) whatever she may do
        check("details", view, client.get(f"/admin/{view.endpoint}/details/?id={record_id}"),
              READ)
        check("edit", view, client.get(f"/admin/{view.endpoint}/edit/?id={record_id}"), EDIT,
              view.allow_edit)
        before = db.session.scalar(select(func.count()).select_from(view.model))
        deleted = client.post(f"/admin/{view.endpoint}/delete/", data={"id": record_id})
        check("delete", view, deleted, DELETE, view.allow_delete)
        if deleted.status_code == 403:
            db.session.expire_all()
            assert db.session.scalar(select(func.count()).select_from(view.model)) == before
    assert wrong == []


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_custom_pages_export_and_ask_as_the_key_says(app, world, account):
    role, client = ACCOUNTS[account], _client(app, world, account)
    for resource, url in (("calendar", "/admin/calendar/export.xlsx?month=2025-06"),
                          ("followup", "/admin/followup/export.xlsx?month=2025-06")):
        refused = client.get(url).status_code == 403
        assert refused is not allowed(role, resource, EXPORT), (resource, account)
    asked = client.get("/admin/export-requests/ask?list=child")
    may_ask = allowed(role, "export_request", CREATE) and allowed(role, "child", EXPORT)
    assert asked.status_code == (200 if may_ask else 403 if not allowed(
        role, "export_request", CREATE) else 404), account


def test_a_caring_mother_may_add_a_care_record_but_not_delete_one(app, world, db):
    client = _client(app, world, "volunteer")
    own = world.ids[("care_record", "A")]
    assert client.get(f"/admin/care_record/edit/?id={own}").status_code == 200
    assert client.post("/admin/care_record/delete/", data={"id": own}).status_code == 403
    assert client.post("/admin/care_record/action/", data={
        "action": "delete", "rowid": [str(own)]}).status_code == 403
    db.session.expire_all()
    assert db.session.get(CareRecord, own) is not None


@pytest.mark.parametrize("account", ["supervisor", "township_supervisor", "staff",
                                     "county_staff", "volunteer"])
def test_accounts_refuse_everyone_but_administrators_by_every_handler(app, world, account):
    """Every URL rule of the Accounts view (`user`), each of its methods, is 403."""
    client = _client(app, world, account)
    target = world.users["admin"].id
    answered = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("user."):
            continue
        url = rule.build({name: "xlsx" if name == "export_type" else target
                          for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, query_string={"id": target},
                                   data={"id": target, "rowid": [target],
                                         "action": "delete", "list_form_pk": target,
                                         "username": "taken_over"})
            answered.append((rule.rule, method, response.status_code))
    assert answered and all(status == 403 for _, _, status in answered), answered
    admin = _client(app, world, "admin")
    assert admin.get("/admin/user/").status_code == 200


def test_a_caring_mother_corrects_her_own_care_records_for_seven_days_exactly():
    mother = Someone(Role.VOLUNTEER, volunteer_id=7)  # her account's id is 1
    written = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    own = CareRecord(recorded_by_id=1, created_at=written)
    theirs = CareRecord(recorded_by_id=2, created_at=written)
    at = {"now": written + timedelta(days=7)}
    late = {"now": written + timedelta(days=7, seconds=1)}
    assert access.can_change(mother, EDIT, own, **at) is True
    assert access.can_change(mother, EDIT, own, **late) is False
    assert access.can_change(mother, EDIT, own, now=written + timedelta(days=8)) is False
    assert access.can_change(mother, EDIT, theirs, **at) is False
    assert access.can_change(mother, CREATE, theirs, **late) is True
    assert access.can_change(mother, DELETE, own, **at) is False
    assert access.can_change(mother, EDIT, Child(), **at) is False
    assert access.can_change(mother, CREATE, Child(), **at) is False
    for role in (Role.ADMIN, Role.STAFF, Role.SUPERVISOR):
        assert access.can_change(Someone(role), EDIT, theirs, **late) is True
    assert access.can_change(None, EDIT, own, **at) is False
