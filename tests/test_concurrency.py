"""No lost updates: a save based on an old version of a record is refused, with what
changed, and what the user typed is kept; the second try goes through."""

from __future__ import annotations

import re

from models import Child, ParentContact
from models.enums import Role
from tests.conftest import sign_in
from tests.test_children import child_form


def loaded_version(page: str) -> str:
    return re.search(r'name="loaded_version" type="hidden" value="(\d+)"', page).group(1)


def test_second_editor_is_refused_and_shown_what_changed(app, make, db):
    child = make.child(name="王小明")
    first, second = app.test_client(), app.test_client()
    make.user(Role.STAFF, username="li")
    make.user(Role.STAFF, username="zhang")
    sign_in(first, "li")
    sign_in(second, "zhang")
    url = f"/admin/child/edit/?id={child.id}"
    version_first = loaded_version(first.get(url).text)
    version_second = loaded_version(second.get(url).text)
    assert version_first == version_second

    saved = first.post(url, data={**child_form(child.home, name="王小明明"),
                                  "loaded_version": version_first})
    assert saved.status_code == 302

    refused = second.post(url, data={**child_form(child.home, name="王晓明", school="新学校"),
                                     "loaded_version": version_second})
    assert refused.status_code == 200
    assert "已有其他人保存了修改" in refused.text
    assert "王小明 → 王小明明" in refused.text and "li" in refused.text
    assert 'value="王晓明"' in refused.text  # what the second editor typed is still there
    db.session.expire_all()
    assert db.session.get(Child, child.id).name == "王小明明"

    retried = second.post(url, data={**child_form(child.home, name="王晓明"),
                                     "loaded_version": loaded_version(refused.text)})
    assert retried.status_code == 302
    db.session.expire_all()
    assert db.session.get(Child, child.id).name == "王晓明"


def test_inline_rows_of_another_child_cannot_be_taken_over(app, make, db):
    home = make.home()
    mine, other = make.child(home=home), make.child(home=home)
    theirs = make.parent(other, name="别人的家长")
    staff = app.test_client()
    make.user(Role.STAFF, username="wu", home=home)
    sign_in(staff, "wu")
    data = {**child_form(home, name=mine.name), "parents-0-id": str(theirs.id),
            "parents-0-relation": "MOTHER", "parents-0-name": "篡改"}
    staff.post(f"/admin/child/edit/?id={mine.id}", data=data)
    db.session.expire_all()
    assert db.session.get(ParentContact, theirs.id).name == "别人的家长"
    assert db.session.get(ParentContact, theirs.id).child_id == other.id


def test_two_sessions_saving_the_same_row_at_once_cannot_both_win(app, make, db):
    import pytest
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    child = make.child(name="并发")
    with Session(db.engine) as one, Session(db.engine) as two:
        a, b = one.get(Child, child.id), two.get(Child, child.id)
        a.school, b.school = "甲校", "乙校"
        one.commit()
        with pytest.raises(StaleDataError):
            two.commit()
    db.session.expire_all()
    assert db.session.get(Child, child.id).school == "甲校"


def test_sqlite_connections_enforce_keys_share_readers_and_map_the_file(db):
    """Every SQLite connection: foreign keys on (as on PostgreSQL), the write-ahead log (an
    export does not lock out people saving), a wait for a busy file, reads through a memory
    map, and no indexes made up on the fly (admin_app.extensions)."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("foreign_keys", "journal_mode", "busy_timeout", "mmap_size",
                               "automatic_index")}
    assert pragma["foreign_keys"] == 1 and pragma["journal_mode"] == "wal"
    assert pragma["busy_timeout"] == 10000 and pragma["mmap_size"] >= 2**30
    assert pragma["automatic_index"] == 0


def test_every_pooled_sqlite_connection_enforces_keys_after_the_migrations(db):
    """The migrations switch SQLite's foreign keys off on their connection (batch moves of
    tables) and must switch them on again: the app that migrated itself (as the tests' does)
    hands that connection out later. It did not: whichever test got that connection ran with
    keys unchecked (CI caught it once, in the pragma test above)."""
    if db.engine.dialect.name != "sqlite":
        return
    held = [db.engine.connect() for _ in range(db.engine.pool.size() + 2)]
    try:
        assert [conn.exec_driver_sql("PRAGMA foreign_keys").scalar() for conn in held] == [
            1] * len(held)
    finally:
        for conn in held:
            conn.close()


def test_one_approved_export_downloaded_six_times_at_once_is_downloaded_once(app, make, db):
    """Six parallel downloads of one approval: exactly one file; the others are told the
    approval was used (they once got 500s from a stale flush)."""
    import threading

    from models import ExportRequest
    from models.consent import ExportState

    home = make.home()
    make.child(home=home, name="王小明")
    user = make.user(Role.ADMIN, username="chen")
    client = app.test_client()
    assert sign_in(client, "chen").status_code == 302
    asked = client.get("/admin/child/export/xlsx/")
    assert asked.status_code == 302 and "/export-requests/ask" in asked.location
    assert client.post("/admin/export-requests/ask", data={
        "list": "child", "query": "", "purpose": "report"}).status_code == 302
    item = db.session.query(ExportRequest).filter_by(user_id=user.id).one()
    if item.state is ExportState.PENDING:
        item.state = ExportState.APPROVED
        db.session.commit()
    cookie = client.get_cookie("session").value
    url = f"/admin/child/export/xlsx/?approved={item.id}"
    answers: list[int] = []
    start = threading.Barrier(6)

    def download():
        other = app.test_client()
        other.set_cookie("session", cookie)
        start.wait()
        answers.append(other.get(url).status_code)

    threads = [threading.Thread(target=download) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 302, 302, 302, 302, 302], answers
    db.session.expire_all()
    assert db.session.get(ExportRequest, item.id).state is ExportState.USED
    again = client.get(url, follow_redirects=True).text
    assert "已经用过" in again or "只能下载一次" in again
