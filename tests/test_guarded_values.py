"""The values that identify a child, kept and shown safely: landlines masked like mobiles,
the ID number's check character X only where it is the right one, the blind index a keyed
HMAC (not a hash anyone can recompute), uploaded rosters and every sealing encrypted with
a fresh nonce, a key rotation that keeps old keys and the index key, a key file only its
owner reads. Each expected answer is written out."""

from __future__ import annotations

import hashlib
import stat

import pytest
from sqlalchemy import select, text

from admin_app.masking import mask_phone, shown
from models import Guardian, RosterUpload, sealed
from models.enums import Role
from models.validators import InvalidValue, clean_id_number, clean_phone
from tests.conftest import sign_in


@pytest.mark.parametrize(("phone", "masked"), [
    ("0931-8123456", "0931-***3456"),
    ("010-12345678", "010-****5678"),
    ("0730-1234567", "0730-***4567"),
    ("13912345678", "139****5678"),
])
def test_phones_are_masked_landlines_too(phone, masked):
    assert mask_phone(phone) == masked


def test_landlines_are_stored_with_their_area_code():
    assert clean_phone("0931 8123456") == "0931-8123456"
    assert clean_phone("01012345678") == "010-12345678"
    assert clean_phone("(022)12345678") == "022-12345678"


@pytest.mark.parametrize("typed", ["12345678901", "11012345678", "9318123456", "1391234567"])
def test_numbers_that_are_neither_mobile_nor_landline_are_refused(typed):
    with pytest.raises(InvalidValue):
        clean_phone(typed)


def test_a_supervisor_and_an_administrator_see_a_landline_masked_staff_in_full(app, make):
    home = make.home()
    guardian = make.guardian(home=home, name="马奶奶", phone="0931-8123456")
    child = make.child(home=home, name="马小兰", guardian=guardian,
                       class_teacher_phone="010-12345678")
    for role, username in ((Role.SUPERVISOR, "sup"), (Role.ADMIN, "adm"), (Role.STAFF, "stf")):
        make.user(role, username=username, home=home if role is not Role.ADMIN else None)
        client = app.test_client()
        assert sign_in(client, username).status_code == 302
        card = client.get(f"/admin/child/details/?id={child.id}").text
        guardians = client.get("/admin/guardian/").text
        if role is Role.STAFF:
            assert "0931-8123456" in card and "010-12345678" in card
            assert "0931-8123456" in guardians
        else:
            for page in (card, guardians):
                assert "0931-8123456" not in page and "8123456" not in page, role
            assert "0931-***3456" in card and "010-****5678" in card, role
            assert "0931-***3456" in guardians, role


def test_a_value_revealed_for_a_page_is_shown_and_only_that_one(app, make):
    from admin_app.masking import reveal

    supervisor = make.user(Role.SUPERVISOR, username="sup2")
    with app.test_request_context("/"):
        reveal("0931-8123456")
        reveal("13912345678")
        assert shown(supervisor, "phone", "0931-8123456") == "0931-8123456"
        assert shown(supervisor, "phone", "13912345678") == "13912345678"
        assert shown(supervisor, "phone", "13800001111") == "138****1111"


@pytest.mark.parametrize("number", [
    "11010519491231003X",  # X where the check character is 2
    "110105194912310020",  # 0 where it is X
    "11010519491231002Y",
])
def test_a_wrong_check_character_is_refused_x_included(number):
    with pytest.raises(InvalidValue):
        clean_id_number(number)


def test_x_is_accepted_where_it_is_the_check_character():
    assert clean_id_number("11010519491231002x") == "11010519491231002X"
    assert clean_id_number("430626201503120037") == "430626201503120037"


def test_the_blind_index_is_keyed_not_a_plain_hash(app, make, db):
    guardian = make.guardian(phone="13800001111")
    stored = db.session.scalar(text("SELECT phone_hash FROM guardian WHERE id = :id"),
                               {"id": guardian.id})
    plain = hashlib.sha256(b"13800001111").hexdigest()
    assert stored == sealed.blind_index("13800001111") and len(stored) == 64
    assert stored != plain
    previous = sealed.keyring().content()
    try:
        sealed.configure({**previous, "index": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVowMTIzNDU="})
        assert sealed.blind_index("13800001111") not in (stored, plain)
    finally:
        sealed.configure(previous)
    assert sealed.blind_index("13800001111") == stored


def test_an_uploaded_roster_is_stored_encrypted(make, db):
    content = b"PK\x03\x04 \xe8\x8a\xb1\xe5\x90\x8d\xe5\x86\x8c 430626201503120017"
    user = make.user(Role.STAFF, username="uploader")
    db.session.add(RosterUpload(id="t" * 43, user_id=user.id, filename="花名册.xlsx",
                                content=content))
    db.session.commit()
    raw = bytes(db.session.scalar(text("SELECT content FROM roster_upload")))
    assert raw.startswith(b"s1.") and b"430626201503120037" not in raw and content not in raw
    db.session.expire_all()
    assert db.session.get(RosterUpload, "t" * 43).content == content


def test_every_sealing_has_a_fresh_nonce():
    first, second = sealed.seal_text("13800001111"), sealed.seal_text("13800001111")
    assert first != second
    assert first[:20] != second[:20]  # the nonce leads the sealed body
    assert sealed.open_text(first) == sealed.open_text(second) == "13800001111"
    assert sealed.seal_text(first) == first  # sealed already: left as it is


def test_a_rotation_keeps_the_old_keys_and_the_index_key():
    old = {"current": "k1", "keys": {"k1": "AAAA"}, "index": "SU5ERVg="}
    new = sealed.new_key_file_content(old)
    assert new["current"] == "k2"
    assert set(new["keys"]) == {"k1", "k2"} and new["keys"]["k1"] == "AAAA"
    assert new["index"] == "SU5ERVg="


def test_the_key_file_made_on_first_run_is_for_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("DATA_KEYS", raising=False)
    content, path = sealed.load_keys(tmp_path / "instance")
    assert path == tmp_path / "instance" / "data_keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(content) == {"current", "keys", "index"}


def test_a_sealed_column_compared_in_sql_is_refused():
    with pytest.raises(TypeError):
        select(Guardian).where(Guardian.phone == "13800001111")
    with pytest.raises(TypeError):
        select(Guardian).where(Guardian.phone.like("138%"))


def test_a_rotation_is_committed_for_every_other_connection_to_see(make, db):
    from admin_app.sealing import reseal_everything

    child = make.child(id_number="430626201503120037", address="新联村3组")
    original = sealed.keyring().content()
    new = sealed.new_key_file_content(original)
    try:
        sealed.configure(new)
        counts = reseal_everything(db.session)
        assert counts["child"] == 1
        with db.engine.connect() as other:
            stored = other.execute(text("SELECT id_number, address FROM child WHERE id = :id"),
                                   {"id": child.id}).one()
        assert all(value.startswith(f"s1.{new['current']}.") for value in stored), stored
    finally:
        sealed.configure(original)
