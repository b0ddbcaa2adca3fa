"""Minors' personal information (PIPL): what each column is, and how it is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from models import Child
from models.base import db
from models.privacy import CLASSIFICATION, COMMON, LEVELS, SENSITIVE, classify


def test_every_column_is_classified_with_a_purpose():
    missing, unknown = [], []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            try:
                level, purpose = classify(table.name, column.name)
            except KeyError:
                missing.append(f"{table.name}.{column.name}")
                continue
            if level not in LEVELS or len(purpose) < 4:
                unknown.append(f"{table.name}.{column.name}")
    assert missing == [], f"classify these columns in models/privacy.py: {missing}"
    assert unknown == []


def test_the_classification_names_no_column_that_does_not_exist():
    tables = {t.name: set(t.columns.keys()) for t in db.metadata.sorted_tables}
    stale = [f"{table}.{column}" for table, columns in CLASSIFICATION.items()
             for column in columns if column not in tables.get(table, set())]
    assert stale == []
    assert set(COMMON) == {"id", "version", "created_at", "updated_at"}


def test_what_the_law_calls_sensitive_is_sensitive():
    for table, column in [("child", "id_number"), ("child", "address"), ("child", "health"),
                          ("child", "psychology"), ("guardian", "phone"),
                          ("parent_contact", "phone"), ("volunteer", "phone"),
                          ("care_record", "notes"), ("guardian", "address")]:
        assert classify(table, column)[0] == SENSITIVE, (table, column)


# -- item 2: encryption at rest ----------------------------------------------------------------
SECRETS = {"id_number": "430626201503120034", "guardian phone": "13812349876",
           "parent phone": "13998761234", "address": "新联村八组门牌十六号",
           "notes": "孩子说晚上一个人害怕", "health": "先天性心脏病"}


def _record_secrets(make, db):
    from datetime import date

    from tests.test_children import valid_id_for

    home = make.home()
    number = valid_id_for(date(2015, 3, 12), 34)
    guardian = make.guardian(home=home, phone=SECRETS["guardian phone"])
    child = make.child(home=home, name="测试儿童甲", id_number=number, birth_date=date(2015, 3, 12),
                       address=SECRETS["address"], health=SECRETS["health"], guardian=guardian)
    make.parent(child, phone=SECRETS["parent phone"])
    make.care_record(child, notes=SECRETS["notes"])
    child.address = SECRETS["address"] + "（新）"  # an update: the trail records old and new
    db.session.commit()
    return {**SECRETS, "id_number": number}


def _clear_text_found(blob: bytes, secrets: dict) -> list[str]:
    return [name for name, value in secrets.items()
            if value.encode() in blob or value.encode("utf-16-le") in blob]


def test_no_id_number_phone_or_note_in_clear_in_the_database_file(app, make, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL run reads a dump instead")
    secrets = _record_secrets(make, db)
    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.commit()
    path = Path(db.engine.url.database)
    blob = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert _clear_text_found(blob, secrets) == []
    assert _clear_text_found(blob, {"name (not sealed)": "测试儿童甲"}) != []  # it can find
    # ...and the application reads them back as they were typed.
    child = db.session.scalar(select(Child))
    assert child.id_number == secrets["id_number"] and child.health == secrets["health"]


def test_no_id_number_phone_or_note_in_clear_in_a_postgresql_dump(app, make, db):
    import shutil
    import subprocess

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQLite run reads the file instead")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is missing (postgresql-client)")
    secrets = _record_secrets(make, db)
    url = db.engine.url
    dump = subprocess.run(  # noqa: S603 (our own database's address, as a list)
        [pg_dump, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U",
         url.username or "postgres", "--data-only", url.database],
        check=True, capture_output=True).stdout
    assert _clear_text_found(dump, secrets) == []
    assert _clear_text_found(dump, {"name (not sealed)": "测试儿童甲"}) != []  # it can find


def test_search_by_full_id_number_and_phone_goes_through_the_blind_index(app, make, db,
                                                                        admin_client):
    from models.sealed import blind_index
    from tests.conftest import count_queries

    secrets = _record_secrets(make, db)
    child = db.session.scalar(select(Child))
    assert child.id_number_hash == blind_index(secrets["id_number"])
    with count_queries(db.engine) as queries:
        page = admin_client.get(f"/admin/child/?search={secrets['id_number']}").text
    assert child.name in page
    assert any("id_number_hash" in sql for sql in queries.statements)
    page = admin_client.get(f"/admin/child/?search={secrets['guardian phone']}").text
    assert child.name in page
    # A fragment of the number finds nothing: the stored value is ciphertext.
    page = admin_client.get(f"/admin/child/?search={secrets['id_number'][:10]}").text
    assert child.name not in page


def test_key_rotation_reseals_every_value_and_drops_the_old_key(app, make, db, tmp_path):
    import json

    from models import sealed
    from models.audit import AuditEntry

    secrets = _record_secrets(make, db)
    before = sealed.keyring().current
    keys = tmp_path / "data_keys.json"
    original = sealed.keyring().content()
    keys.write_text(json.dumps(original))
    app.config["DATA_KEYS_FILE"] = keys
    try:
        result = app.test_cli_runner().invoke(args=["privacy", "rotate-key"])
        assert result.exit_code == 0, result.output
        after = json.loads(keys.read_text())
        assert list(after["keys"]) == [after["current"]] and after["current"] != before
        raw = db.session.execute(text("SELECT id_number, address FROM child")).one()
        assert all(value.startswith(f"s1.{after['current']}.") for value in raw)
        trail = db.session.scalars(select(AuditEntry.changes).where(
            AuditEntry.table_name == "child")).all()
        sealed_in_trail = [v for changes in trail for value in changes.values()
                           for v in (value if isinstance(value, list) else [value])
                           if isinstance(v, str) and v.startswith("s1.")]
        assert sealed_in_trail and all(v.startswith(f"s1.{after['current']}.")
                                       for v in sealed_in_trail)
        db.session.expire_all()
        assert db.session.scalar(select(Child)).id_number == secrets["id_number"]
    finally:
        app.config.pop("DATA_KEYS_FILE")
        sealed.configure(original)  # the tests after this one seal with the test key again


# -- item 3: masked by default, unmasked with a reason ----------------------------------------
def _child_with_number(make):
    from datetime import date

    from tests.test_children import valid_id_for

    home = make.home()
    number = valid_id_for(date(2015, 3, 12), 21)
    child = make.child(home=home, name="揭示测试", id_number=number,
                       birth_date=date(2015, 3, 12),
                       guardian=make.guardian(home=home, phone="13811112222"))
    return home, child, number


def _signed_in(app, make, role, home=None):
    from models.enums import Role
    from tests.conftest import sign_in

    user = make.user(getattr(Role, role), home_id=home.id if home else None)
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def _unmasks(db):
    from models import AuditEntry
    from models.enums import AuditAction

    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.UNMASK)).all()


def test_staff_see_the_full_id_number_only_with_a_reason_and_it_is_logged(app, make, db):
    home, child, number = _child_with_number(make)
    staff = _signed_in(app, make, "STAFF", home)
    card = staff.get(f"/admin/child/details/?id={child.id}").text
    assert number not in card and number[:6] + "********" + number[-4:] in card
    assert "13811112222" in card  # the Home's staff see phones
    assert 'id="reveal-id-number"' in card
    # No reason: refused, nothing shown, nothing logged.
    refused = staff.post(f"/admin/child/reveal/?id={child.id}", data={"reason": ""})
    assert refused.status_code == 302 and _unmasks(db) == []
    other = staff.post(f"/admin/child/reveal/?id={child.id}", data={"reason": "other"})
    assert other.status_code == 302 and _unmasks(db) == []
    # With a reason: the number on this page, and an entry saying who, why.
    shown = staff.post(f"/admin/child/reveal/?id={child.id}",
                       data={"reason": "identity", "note": "办理医保"})
    assert shown.status_code == 200 and number in shown.text and 'id="revealed"' in shown.text
    [entry] = _unmasks(db)
    assert entry.record_id == child.id and entry.changes["note"] == "办理医保"
    assert "证件" in entry.changes["reason"]
    # The next page masks it again.
    assert number not in staff.get(f"/admin/child/details/?id={child.id}").text


def test_volunteers_and_supervisors_cannot_unmask_and_admins_see_phones_masked(app, make, db):
    home, child, number = _child_with_number(make)
    for role in ("VOLUNTEER", "SUPERVISOR"):
        client = _signed_in(app, make, role, home)
        response = client.post(f"/admin/child/reveal/?id={child.id}",
                               data={"reason": "identity"})
        assert response.status_code == 403 and number not in response.text
    admin = _signed_in(app, make, "ADMIN")
    card = admin.get(f"/admin/child/details/?id={child.id}").text
    assert "13811112222" not in card and "138****2222" in card
    other_staff = _signed_in(app, make, "STAFF", make.home())
    assert other_staff.post(f"/admin/child/reveal/?id={child.id}",
                            data={"reason": "identity"}).status_code == 404
    assert _unmasks(db) == []


def test_the_edit_form_never_shows_the_id_number_and_an_empty_field_keeps_it(app, make, db):
    from tests.test_children import child_form

    home, child, number = _child_with_number(make)
    staff = _signed_in(app, make, "STAFF", home)
    form = staff.get(f"/admin/child/edit/?id={child.id}").text
    assert number not in form and f'placeholder="{number[:6]}********{number[-4:]}"' in form
    data = child_form(home, name="揭示测试", id_number="", grade="五年级",
                      loaded_version=str(child.version))
    response = staff.post(f"/admin/child/edit/?id={child.id}", data=data)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    saved = db.session.get(Child, child.id)
    assert saved.id_number == number and saved.grade == "五年级"
