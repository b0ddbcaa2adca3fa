"""Search by a fragment of a name goes through the index of names' characters: it finds
exactly what testing every name would, after every kind of change to a name, and never
finds a child by a name the child no longer has."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from admin_app.extensions import db
from models import Child, Guardian, NameGram, name_index
from models.base import local_today
from models.enums import ChildStatus, Role
from tests.conftest import database_at
from tests.test_calendar import signed_in


def kept() -> set:
    return set(db.session.execute(sa.select(NameGram.kind, NameGram.gram,
                                            NameGram.record_id)).all())


def from_names() -> set:
    found = set()
    for kind, model in name_index.KINDS.items():
        for record_id, name in db.session.execute(sa.select(model.id, model.name)):
            found |= {(kind, gram, record_id) for gram in name_index.grams(name)}
    return found


def test_grams_of_a_name_and_of_a_fragment():
    assert name_index.grams("欧阳小芳") == {"欧", "阳", "小", "芳", "欧阳", "阳小", "小芳"}
    assert name_index.grams("Li Na") == {"l", "i", "n", "a", "li", "in", "na"}
    assert name_index.fragment_grams("芳") == {"芳"}
    assert name_index.fragment_grams("阳小芳") == {"阳小", "小芳"}


def test_every_change_of_a_name_keeps_the_index(make):
    home = make.home()
    granny = make.guardian(home=home, name="赵奶奶")
    child = make.child(home=home, name="欧阳小芳", guardian=granny)
    other = make.child(home=home, name="张三")
    assert kept() == from_names()
    child.name = "欧阳小梅"
    db.session.commit()
    assert kept() == from_names()
    granny.name = "钱奶奶"
    db.session.commit()
    db.session.delete(db.session.get(Child, other.id))
    db.session.commit()
    assert kept() == from_names()
    assert ("child", "张三", other.id) not in kept()


def test_search_finds_what_testing_every_name_finds(app, make):
    home = make.home()
    granny = make.guardian(home=home, name="赵奶奶")
    names = ["欧阳小芳", "王小芳", "芳芳", "小王", "李娜", "Li Na", "王芳小"]
    for name in names:
        make.child(home=home, name=name, guardian=granny if name == "小王" else None)
    client = signed_in(app, make, Role.STAFF, home=home)
    for term in ("芳", "小芳", "阳小芳", "芳芳", "王", "li", "LI NA", "na", "奶奶", "赵", "小芳欧"):
        page = client.get("/admin/child/", query_string={"search": term}).text
        for name in names:
            hit = all(word.lower() in name.lower() for word in term.split()) or (
                name == "小王" and term in "赵奶奶")
            assert (f">{name}<" in page) == hit, (term, name)


def test_a_renamed_or_anonymised_child_is_not_found_by_the_old_name(app, make):
    from admin_app.privacy import purge

    home = make.home()
    renamed = make.child(home=home, name="陈旧名")
    renamed.name = "陈新名"
    db.session.commit()
    gone = make.child(home=home, name="周离开", status=ChildStatus.LEFT_CARE,
                      left_on=date(2018, 1, 1), birth_date=date(2005, 1, 1))
    client = signed_in(app, make, Role.STAFF, home=home)
    assert "陈新名" in client.get("/admin/child/?search=新名").text
    assert "陈新名" not in client.get("/admin/child/?search=旧名").text
    assert "周离开" in client.get("/admin/child/?search=离开").text
    assert purge(db.session, local_today(), 3).children == 1
    assert db.session.get(Child, gone.id).anonymised_on is not None
    assert kept() == from_names()
    assert f"?id={gone.id}&" not in client.get("/admin/child/?search=离开").text


def test_the_migration_indexes_the_names_already_written(tmp_path):
    from flask_migrate import downgrade, upgrade

    from models import Home
    from models.enums import Gender, GuardianRelation, LeftBehindType, LivingArrangement

    with database_at(tmp_path, "929b56dacd3d"):
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Home.__table__).values(
                id=1, name="甲", township="镇", village="村"))
            conn.execute(sa.insert(Guardian.__table__).values(
                id=1, home_id=1, name="赵奶奶", relation=GuardianRelation.GRANDMOTHER))
            conn.execute(sa.insert(Child.__table__), [dict(
                id=i, home_id=1, name=name, gender=Gender.MALE, guardian_id=1,
                birth_date=date(2015, 3, 12), entered_on=date(2024, 9, 1),
                left_behind_type=LeftBehindType.BOTH_PARENTS,
                living_arrangement=LivingArrangement.GRANDPARENTS)
                for i, name in ((1, "欧阳小芳"), (2, "张三"))])
        upgrade(revision="99ec6760d857")
        assert kept() == from_names() and ("child", "小芳", 1) in kept()
        assert ("guardian", "奶奶", 1) in kept()
        db.session.remove()
        downgrade(revision="929b56dacd3d")
