"""Chinese everywhere: every page each role may open (each registered view's list, its
create form, the edit form and details page of a real record, and every custom page) read
in Chinese shows no Latin word outside a short allow-list — in its visible text, in what
assistive technology reads (placeholder, title, aria-label), in its drop-downs and filters,
and in the messages its pickers show. The test data are Chinese, so any Latin word found is
interface text. The audit trail names every changed field by its label and every related
record by its name."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import select

from admin_app import access
from admin_app.access import CREATE, EDIT, READ
from models import (
    ActivityKind,
    ActivityParticipant,
    CareRecord,
    Child,
    Consent,
    DataRequest,
    ResourceCategory,
    StockMovement,
    VolunteerOrganisation,
)
from models.consent import LegalBasis, RequestKind
from models.enums import AuditAction, CareKind, MovementKind, Role
from seed.demo import id_number
from tests.conftest import sign_in
from tests.test_children import child_form

STATIC = Path(__file__).resolve().parents[1] / "admin_app" / "static"

# Latin words a Chinese page may show: file formats, programs, units and acronyms users
# know as such; and the language switch, which names English in English.
ALLOWED = {"Excel", "WPS", "Word", "CSV", "xls", "xlsx", "ID", "PIPL", "MB", "kg", "cm", "X",
           "English"}
LATIN = re.compile(r"[A-Za-z][A-Za-z'’_.-]*[A-Za-z]|[A-Za-z]")
# Attributes whose text a user reads or hears.
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-placeholder")
SKIPPED_ELEMENTS = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class ShownText(HTMLParser):
    """The text of a page as a user meets it: its text nodes (options included, scripts and
    styles not), the attributes read aloud or shown on hover, the buttons' values, the
    confirmations its links ask, and the filter menu Flask-Admin draws from JSON."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: list[str] = []  # open elements whose text is not shown as text
        self._data_of: str | None = None  # the element just opened holds data, not text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIPPED_ELEMENTS:
            self._skipping.append(tag)
        if attrs.get("id") in ("filter-groups-data", "actions-confirmation-data",
                               "message-data"):
            self._data_of = attrs["id"]
        if "inline-field-template" in (attrs.get("class") or ""):
            self._data_of = "template"  # the form of one more parent, drawn on a click
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.texts.append(attrs.get("value") or "")
        # The question a delete button asks: faHelpers.safeConfirm('…').
        for question in re.findall(r"safeConfirm\('((?:[^'\\]|\\.)*)'\)",
                                   attrs.get("onclick") or ""):
            self.texts.append(json.loads(f'"{question}"'))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self._skipping.pop()

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        data_of, self._data_of = self._data_of, None
        if data_of == "filter-groups-data":
            for group, items in json.loads(data).items():
                self.texts.append(group)
                for item in items:
                    self.texts.append(item["operation"])
                    self.texts.extend(label for _key, label in item.get("options") or ())
        elif data_of == "actions-confirmation-data":
            self.texts.extend(json.loads(data).values())
        elif data_of == "message-data":  # what a bulk action says with no row ticked
            self.texts.append(json.loads(data))
        elif data_of == "template":
            inner = ShownText()
            inner.feed(data)
            self.texts.extend(inner.texts)
        elif not self._skipping:
            self.texts.append(data)


# Values, not words: an activity kind's colour (#4e79a7).
COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


def latin_words(html: str) -> list[str]:
    parser = ShownText()
    parser.feed(html)
    return [word for text in parser.texts for word in LATIN.findall(COLOUR.sub("", text))
            if word not in ALLOWED]


# Chinese, but the wrong words: Flask-Admin's 50 项目 and 选中的, the pairings' 结对数; an
# item's or a Home's 姓名 (a thing's name is 名称).
WRONG = ("项目", "选中的", "结对数")
WRONG_ON = {"/admin/resource_item/": ("姓名",),
            "/admin/home/": ("姓名",), "/admin/activity_kind/": ("姓名",)}


def wrong_words(url: str, html: str) -> list[str]:
    parser = ShownText()
    parser.feed(html)
    text = " ".join(parser.texts)
    wrong = WRONG + next((words for prefix, words in WRONG_ON.items()
                          if url.startswith(prefix)), ())
    return [word for word in wrong if word in text]


def script_messages(path: Path) -> list[str]:
    """The messages a static script gives users: its string literals that hold Chinese."""
    literals = re.findall(r'"([^"\\]*)"', path.read_text(encoding="utf-8"))
    return [text for text in literals if re.search(r"[\u4e00-\u9fff]", text)]


# -- a small Home, all in Chinese -------------------------------------------------------------
ROLES = (Role.ADMIN, Role.STAFF, Role.VOLUNTEER, Role.SUPERVISOR)
# What a page needs to be drawn at all: the ask page asks for the export of one list.
ARGUMENTS = {"export_request.ask": "?list=child"}
USERNAMES = {Role.ADMIN: "管理员", Role.STAFF: "工作人员", Role.VOLUNTEER: "爱心妈妈甲",
             Role.SUPERVISOR: "督导"}


@pytest.fixture
def home_world(app, make, db):
    home = make.home(name="红星村儿童之家", township="城关镇", village="红星村")
    guardian = make.guardian(home=home, name="李奶奶", phone="13900001111")
    child = make.child(home=home, name="王小红", guardian=guardian, school="红星小学",
                       class_teacher="周老师")
    father = make.parent(child, name="王大明")
    mother = make.volunteer(home=home, name="张妈妈")
    other = make.volunteer(home=home, name="刘妈妈")
    make.pairing(other, child, started_on=date(2023, 9, 1), ended_on=date(2024, 6, 30),
                 end_reason="搬家")
    make.pairing(mother, child, started_on=date(2024, 9, 1))
    record = make.care_record(child, volunteer=mother, notes="谈心，孩子很开心")
    activity = make.activity(home=home, title="六一联欢", place="活动室")
    make._save(ActivityParticipant(activity=activity, child=child))
    make.series(home=home)
    item = make.item(home=home, name="儿童图书", unit="本")
    tablet = make.item(home=home, name="亲情电话平板", unit="台")
    make.care_record(child, volunteer=mother, kind=CareKind.PARENT_CALL, parent=father,
                     minutes=20, video=True, device=tablet, notes="和爸爸视频")
    movement = make.movement(item, donor="县妇联")
    make.movement(item, kind=MovementKind.HAND_OUT, quantity=2, occurred_on=date(2025, 2, 1))
    for model in (ActivityKind, ResourceCategory, VolunteerOrganisation):
        make._save(model(name="其他"))
    make._save(Consent(child=child, basis=LegalBasis.GUARDIAN_CONSENT, given_by="李奶奶",
                       relation="祖母", decided_on=date(2025, 1, 1), scope="档案"))
    make._save(DataRequest(child=child, kind=RequestKind.ACCESS, requested_by="李奶奶",
                           received_on=date(2025, 2, 1), details="查看档案"))
    users = {role: make.user(role, username=USERNAMES[role], display_name=USERNAMES[role],
                             **({"volunteer": mother} if role is Role.VOLUNTEER
                                else {} if role is Role.ADMIN else {"home": home}))
             for role in ROLES}
    # Edits through the forms, for the audit trail: a related record (the guardian, the
    # caring mother), a choice, a yes/no, an encrypted number and its blind index.
    admin = client_as(app, users[Role.ADMIN])
    grandfather = make.guardian(home=home, name="王爷爷")
    edits = {
        f"/admin/child/edit/?id={child.id}": child_form(
            home, name="王小红", guardian=str(grandfather.id),
            id_number=id_number("430626", date(2015, 3, 12), 1, male=True)),
        f"/admin/care_record/edit/?id={record.id}": {
            "child": str(child.id), "volunteer": str(other.id), "occurred_on": "2025-03-01",
            "kind": "HOME_VISIT", "notes": "家访，孩子很开心", "follow_up_needed": "y",
            "follow_up_note": "下周再去"},
        f"/admin/stock_movement/edit/?id={movement.id}": {
            "item": str(item.id), "occurred_on": "2025-01-05", "kind": "PURCHASE",
            "quantity": "12", "donor": "县妇联"},
    }
    for url, form in edits.items():
        saved = admin.post(url, data=form)
        assert saved.status_code == 302, (url, saved.text[-3000:])
    return {"users": users, "child": child, "record": record, "movement": movement}


def client_as(app, user):
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def pages(app, db, user):
    """(kind, url) of every page `user` may open: each model view's list, create form, and
    edit form and details page of a record in her scope; each custom page's own pages."""
    for view in app.extensions["admin"][0]._views:
        if not access.can(user, READ, view.resource_name):
            continue
        if not isinstance(view, ModelView):
            for url, name, methods in view._urls:
                if "GET" in methods and "<" not in url and not url.endswith((".xlsx", ".docx")):
                    arguments = ARGUMENTS.get(f"{view.endpoint}.{name}", "")
                    yield "custom", view.url.rstrip("/") + url + arguments
            continue
        yield "list", view.url + "/"
        if view.allow_create and access.can(user, CREATE, view.resource_name):
            yield "create", view.url + "/new/"
        query = access.scoped(select(view.model), view.model, user)
        if getattr(view, "kept_rows", None) is not None:  # a view of some of a table's rows
            query = query.where(view.kept_rows)
        record = db.session.scalars(query.order_by(view.model.id).limit(1)).first()
        if record is None:
            continue
        yield "details", f"{view.url}/details/?id={record.id}"
        if (view.allow_edit and access.can(user, EDIT, view.resource_name)
                and access.can_change(user, EDIT, record)):
            yield "edit", f"{view.url}/edit/?id={record.id}"


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name.lower())
def test_every_page_a_role_opens_is_in_chinese(app, db, home_world, role):
    user = home_world["users"][role]
    client = client_as(app, user)
    found: dict[str, list[str]] = {}
    kinds: Counter = Counter()
    for kind, url in list(pages(app, db, user)):
        response = client.get(url)
        if kind == "custom" and response.status_code in (302, 403):
            # A page of a menu entry this role may open that is not hers (a privacy
            # incident is the designated person's) or sends her elsewhere (to 我的孩子);
            # test_access proves who may open what.
            continue
        assert response.status_code == 200, (url, response.status_code)
        kinds[kind] += 1
        words = latin_words(response.text) + wrong_words(url, response.text)
        if words:
            found[url] = words
    assert kinds["list"] and kinds["details"] and kinds["custom"], kinds
    assert not found, "\n".join(f"{url}: {' '.join(sorted(set(words)))}"
                                for url, words in found.items())


def test_pickers_speak_chinese_in_chinese_only(app, db, home_world):
    client = client_as(app, home_world["users"][Role.STAFF])
    zh = client.get("/admin/care_record/new/").text
    assert "zh-CN.js" in zh
    assert "zh-CN.js" not in client.get("/admin/care_record/new/?lang=en").text
    messages = script_messages(STATIC / "zh-CN.js")
    # Select2's prompts, the date picker's months, weekdays and buttons.
    for needed in ("没有找到匹配项", "搜索中…", "一月", "星期一", "确定", "取消"):
        assert any(needed in message for message in messages), needed
    assert not [word for message in messages for word in LATIN.findall(message)]
    assert "dow: 1" in (STATIC / "zh-CN.js").read_text(encoding="utf-8")  # Monday first


@pytest.mark.parametrize("role", (Role.ADMIN, Role.SUPERVISOR), ids=("admin", "supervisor"))
def test_audit_trail_shows_labels_and_names_not_columns(app, db, home_world, role):
    from models import AuditEntry

    client = client_as(app, home_world["users"][role])
    listing = client.get("/admin/audit/?page_size=100").text
    assert not latin_words(listing)
    assert "<th" in listing and "网络地址" in listing  # where an entry came from, not 住址
    assert "监护人: 李奶奶 → 王爷爷" in listing
    assert "爱心妈妈: 张妈妈 → 刘妈妈" in listing
    changed = {CareRecord: home_world["record"].id, Child: home_world["child"].id,
               StockMovement: home_world["movement"].id}
    for model, record_id in changed.items():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.table_name == model.__tablename__, AuditEntry.record_id == record_id,
            AuditEntry.action == AuditAction.UPDATE)).first()
        assert entry is not None, model
        details = client.get(f"/admin/audit/details/?id={entry.id}").text
        assert not latin_words(details), (model, latin_words(details))


def test_every_column_the_trail_records_has_a_label(app):
    """Each column a change may name is shown by a label: its own, or its relationship's (a
    care record's `volunteer_id` is its 爱心妈妈); bookkeeping columns are never shown."""
    from admin_app.audit import UNAUDITED, _hidden, _references
    from admin_app.extensions import db as database
    from views.labels import LABELS, TABLE_LABELS

    audited = [mapper.class_ for mapper in database.Model.registry.mappers
               if mapper.class_ not in UNAUDITED and mapper.local_table is not None]
    unlabelled = []
    for model in audited:
        references = _references(model)
        for column in model.__table__.columns:
            name = references[column.key][0] if column.key in references else column.key
            if column.key != "id" and not _hidden(column.key) and name not in LABELS:
                unlabelled.append(f"{model.__tablename__}.{column.key}")
    # Tables filled by SQL of their own (never through the session's audit hook).
    written_apart = {"care_month", "kept_figures", "name_gram"}
    tables = {model.__tablename__ for model in audited} - written_apart
    assert not [u for u in unlabelled if u.split(".")[0] in tables]
    assert tables <= set(TABLE_LABELS)
