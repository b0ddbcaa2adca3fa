"""The children's screen through HTTP: create with parents inline, validation in Chinese,
the archive card, search, filters, the guardian look-up and a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import Child, ParentContact
from models.base import local_today
from models.enums import ChildStatus, GuardianRelation, LivingArrangement, MovementKind
from tests.conftest import count_queries, wall_time


def valid_id_for(born: date, seq: int = 0) -> str:
    from seed.demo import id_number

    return id_number("430626", born, seq, male=True)


VALID_ID = valid_id_for(date(2015, 3, 12), seq=7)


def child_form(home, **overrides) -> dict:
    data = {
        "name": "  王小明 ",
        "gender": "MALE",
        "birth_date": "2015-03-12",
        "id_number": "",
        "home": str(home.id),
        "school": "城关中心小学",
        "grade": "四年级",
        "class_name": "2班",
        "class_teacher": "刘老师",
        "class_teacher_phone": "138 0000 1234",
        "address": "新联村3组",
        "left_behind_type": "BOTH_PARENTS",
        "living_arrangement": "GRANDPARENTS",
        "family_situation": "ORDINARY",
        "entered_on": "2024-09-01",
        "status": "IN_CARE",
        "leave_reason": "__None",
    }
    data.update(overrides)
    return data


def count_children(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Child))


def test_staff_create_a_child_with_parents_inline(admin_client, make, db):
    home = make.home()
    guardian = make.guardian(home=home)
    born = date(2015, 3, 12)
    data = child_form(home, id_number=valid_id_for(born).lower().replace("x", "x"),
                      guardian=str(guardian.id))
    data.update({
        "parents-0-relation": "FATHER", "parents-0-name": "王大明",
        "parents-0-phone": "139-1234-5678", "parents-0-work_city": "深圳",
        "parents-0-employer": "深圳电子厂",
        "parents-1-relation": "MOTHER", "parents-1-name": "李春花",
        "parents-1-phone": "１３６１２３４５６７８", "parents-1-work_city": "东莞",
    })
    response = admin_client.post("/admin/child/new/", data=data)
    assert response.status_code == 302, response.text
    child = db.session.scalar(select(Child))
    assert child.name == "王小明"
    assert child.class_teacher_phone == "13800001234"
    assert child.id_number == valid_id_for(born)
    assert child.guardian_id == guardian.id
    assert child.living_arrangement is LivingArrangement.GRANDPARENTS
    phones = sorted(p.phone for p in db.session.scalars(select(ParentContact)))
    assert phones == ["13612345678", "13912345678"]


@pytest.mark.parametrize("overrides, message", [
    ({"id_number": "430626201503120011"}, "身份证号校验位不正确"),
    ({"id_number": "4306262015031200"}, "身份证号应为 18 位"),
    ({"id_number": "PLACEHOLDER_OTHER_BIRTH"}, "身份证号中的出生日期与填写的出生日期不一致"),
    ({"class_teacher_phone": "12345"}, "请填写 11 位手机号"),
    ({"name": "王" * 51}, "姓名最多 50 个字"),
    ({"name": "   "}, "请填写姓名"),
    ({"birth_date": (local_today() + timedelta(days=1)).isoformat()}, "日期不能晚于今天"),
    ({"birth_date": "2000-01-01", "entered_on": "2024-09-01"}, "入册时儿童应未满 18 周岁"),
    ({"status": "LEFT_CARE"}, "请填写离册日期"),
    ({"parents-0-relation": "FATHER", "parents-0-name": "王大明",
      "parents-0-phone": "999"}, "请填写 11 位手机号"),
])
def test_bad_child_values_get_a_chinese_message_and_nothing_is_saved(
    admin_client, make, db, overrides, message
):
    home = make.home()
    if overrides.get("id_number") == "PLACEHOLDER_OTHER_BIRTH":
        overrides["id_number"] = valid_id_for(date(2016, 1, 1))
    response = admin_client.post("/admin/child/new/", data=child_form(home, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert count_children(db) == 0
    assert db.session.scalar(select(func.count()).select_from(ParentContact)) == 0


def test_name_outside_the_bmp_is_kept(admin_client, make, db):
    home = make.home()
    response = admin_client.post("/admin/child/new/", data=child_form(home, name="𠮷𡈼"))
    assert response.status_code == 302
    assert db.session.scalar(select(Child.name)) == "𠮷𡈼"
    listing = admin_client.get("/admin/child/?search=𠮷")
    assert "𠮷𡈼" in listing.text


def test_duplicate_id_number_is_refused_without_sql_in_the_message(admin_client, make, db):
    home = make.home()
    make.child(home=home, id_number=VALID_ID, birth_date=date(2015, 3, 12))
    response = admin_client.post("/admin/child/new/", data=child_form(home, id_number=VALID_ID),
                                 follow_redirects=True)
    assert "已经存在" in response.text
    assert "INSERT" not in response.text and "UNIQUE" not in response.text
    assert count_children(db) == 1


def test_edit_a_child_records_leaving_care(admin_client, make, db):
    child = make.child()
    data = child_form(child.home, name=child.name, status="LEFT_CARE", left_on="2025-07-01",
                      leave_reason="PARENTS_RETURNED")
    response = admin_client.post(f"/admin/child/edit/?id={child.id}", data=data)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    child = db.session.get(Child, child.id)
    assert child.status is ChildStatus.LEFT_CARE
    assert child.left_on == date(2025, 7, 1)


def test_a_child_cannot_be_deleted(admin_client, make, db):
    child = make.child()
    response = admin_client.post("/admin/child/delete/", data={"id": str(child.id)})
    assert response.status_code in (302, 403, 404)
    assert count_children(db) == 1


def test_archive_card_shows_the_childs_whole_file(admin_client, make):
    home = make.home()
    guardian = make.guardian(home=home, name="赵奶奶")
    child = make.child(home=home, guardian=guardian)
    make.parent(child, name="王务工", work_city="广州")
    volunteer = make.volunteer(home=home, name="陈爱心")
    make.pairing(volunteer, child)
    make.care_record(child, volunteer=volunteer, notes="谈心：想念妈妈")
    activity = make.activity(home=home, title="端午包粽子")
    from models import ActivityParticipant

    make._save(ActivityParticipant(activity=activity, child=child, attended=True))
    bag = make.item(home=home, name="书包")
    make.movement(bag, quantity=5, donor="县妇联")
    make.movement(bag, kind=MovementKind.HAND_OUT, quantity=1, child=child)
    page = admin_client.get(f"/admin/child/details/?id={child.id}").text
    for expected in ("赵奶奶", "王务工", "广州", "陈爱心", "谈心：想念妈妈", "端午包粽子", "书包",
                     "2015年3月12日"):
        assert expected in page, expected


def test_archive_card_costs_seven_queries_however_long_the_childs_history(admin_client, make,
                                                                        db):
    from models import ActivityParticipant

    home = make.home()
    bag = make.item(home=home, name="书包", unit="个")
    make.movement(bag, quantity=500, occurred_on=date(2024, 1, 1))

    def with_history(n: int) -> Child:
        child = make.child(home=home)
        make.parent(child)
        for i in range(n):
            volunteer = make.volunteer(home=home)
            make.pairing(volunteer, child, started_on=date(2020 + i, 1, 1),
                         ended_on=date(2020 + i, 12, 31))
            make.care_record(child, volunteer=volunteer, occurred_on=date(2024, 1, 1 + i))
            activity = make.activity(home=home, title=f"活动{i:02d}",
                                     starts_at=wall_time(2024, 2, 1 + i, 15, 0))
            make._save(ActivityParticipant(activity=activity, child=child, attended=i % 2 == 0))
            make.movement(bag, kind=MovementKind.HAND_OUT, quantity=i + 1, child=child,
                          occurred_on=date(2024, 3, 1 + i))
        return child

    few, many = with_history(1).id, with_history(14).id
    with count_queries(db.engine) as one:
        assert admin_client.get(f"/admin/child/details/?id={few}").status_code == 200
    with count_queries(db.engine) as fourteen:
        page = admin_client.get(f"/admin/child/details/?id={many}").text
    # Six for the card, one for the approvals waiting for the administrator (the menu bar).
    assert one.count == fourteen.count <= 7, [s[:80] for s in fourteen.statements]
    # The newest ten of each, newest first, with what each was.
    activities = page.split('id="archive-activities"')[1].split("</table>")[0]
    assert activities.index("活动13") < activities.index("活动04") and "活动03" not in activities
    received = page.split('id="archive-received"')[1].split("</table>")[0]
    assert "2024年3月14日" in received and "14 个" in received and "发放" in received
    assert "2024年3月4日" not in received
    pairings = page.split('id="archive-pairings"')[1].split("</table>")[0]
    assert pairings.index("2033年") < pairings.index("2020年")


def test_search_by_name_fragment_id_number_and_guardian_phone(admin_client, make):
    home = make.home()
    guardian = make.guardian(home=home, phone="13911112222")
    make.child(home=home, name="欧阳小芳", id_number=VALID_ID, birth_date=date(2015, 3, 12))
    make.child(home=home, name="李四", guardian=guardian)
    make.child(home=home, name="张三")
    assert "欧阳小芳" in admin_client.get("/admin/child/?search=小芳").text
    by_id = admin_client.get(f"/admin/child/?search={VALID_ID}").text
    assert "欧阳小芳" in by_id and "张三" not in by_id
    by_phone = admin_client.get("/admin/child/?search=13911112222").text
    assert "李四" in by_phone and "张三" not in by_phone
    by_guardian = admin_client.get(f"/admin/child/?search={guardian.name[1:]}").text
    assert "李四" in by_guardian and "张三" not in by_guardian
    both = admin_client.get("/admin/child/?search=小芳+欧阳").text  # every word must match
    assert "欧阳小芳" in both and "李四" not in both


def test_each_row_links_to_its_own_card_and_form(app, admin_client, make):
    from models.enums import Role
    from tests.test_calendar import signed_in

    home = make.home()
    ids = [make.child(home=home, name=f"孩子{i}").id for i in range(3)]
    page = admin_client.get("/admin/child/?sort=0").text
    back = "url=/admin/child/?sort%3D0%26page_size%3D50"
    for child_id in ids:
        assert f'href="/admin/child/details/?id={child_id}&amp;{back}"' in page
        assert f'href="/admin/child/edit/?id={child_id}&amp;{back}"' in page
    # A supervisor reads: the card, no form.
    read_only = signed_in(app, make, Role.SUPERVISOR).get("/admin/child/").text
    assert f"/admin/child/details/?id={ids[0]}" in read_only
    assert "/admin/child/edit/" not in read_only


def test_filter_by_home_and_living_arrangement(admin_client, make, app):
    home_a, home_b = make.home(), make.home()
    make.child(home=home_a, name="甲家孩子", living_arrangement=LivingArrangement.ALONE)
    make.child(home=home_a, name="甲家另一个", living_arrangement=LivingArrangement.RELATIVES)
    make.child(home=home_b, name="乙家孩子", living_arrangement=LivingArrangement.ALONE)
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "child")
    args = {}
    for group in view._filter_groups.values():
        for flt in group.filters:
            args.setdefault(str(group.label), flt["arg"])
    home_arg, living_arg = args["儿童之家"], args["生活方式"]
    page = admin_client.get(
        f"/admin/child/?flt1_{home_arg}={home_a.id}&flt2_{living_arg}=ALONE"
    ).text
    assert "甲家孩子" in page
    assert "甲家另一个" not in page and "乙家孩子" not in page


def test_guardian_lookup_answers_json_with_matches_only(admin_client, make):
    home = make.home()
    make.guardian(home=home, name="李奶奶", phone="13800009999")
    make.guardian(home=home, name="王爷爷", phone="13700008888",
                  relation=GuardianRelation.GRANDFATHER)
    response = admin_client.get("/admin/child/ajax/lookup/?name=guardian&query=李")
    assert response.status_code == 200
    names = [label for _, label in response.get_json()]
    # Relation and phone tell namesakes apart (an administrator sees the phone masked).
    assert names == ["李奶奶（奶奶 138****9999）"]
    # Phones are encrypted: the whole number finds its guardian (by its blind index), a
    # fragment finds nobody.
    by_phone = admin_client.get("/admin/child/ajax/lookup/?name=guardian&query=13700008888")
    assert [label for _, label in by_phone.get_json()] == ["王爷爷（爷爷 137****8888）"]
    fragment = admin_client.get("/admin/child/ajax/lookup/?name=guardian&query=137000")
    assert fragment.get_json() == []


def test_edit_form_does_not_load_every_guardian(admin_client, make):
    home = make.home()
    for n in range(30):
        make.guardian(home=home, name=f"监护人{n:02d}")
    child = make.child(home=home)
    page = admin_client.get(f"/admin/child/edit/?id={child.id}").text
    assert "监护人17" not in page  # an ajax look-up, not a <select> of the whole table


def test_children_list_costs_the_same_queries_whatever_the_page_size(admin_client, make, db):
    home = make.home()
    for n in range(100):
        guardian = make.guardian(home=home, name=f"奶奶{n}")
        child = make.child(home=home, guardian=guardian)
        make.parent(child)
    with count_queries(db.engine) as small:
        assert admin_client.get("/admin/child/?page_size=20").status_code == 200
    with count_queries(db.engine) as large:
        page = admin_client.get("/admin/child/?page_size=100")
        assert page.status_code == 200
    assert page.text.count("奶奶") >= 100
    assert large.count == small.count
    assert large.count <= 8, large.statements


def test_a_page_far_into_the_list_shows_its_own_rows_in_order(admin_client, make, db):
    home = make.home()
    made = [make.child(home=home, name=f"翻页{n:02d}") for n in range(25)]
    with count_queries(db.engine) as first:
        top = admin_client.get("/admin/child/?page_size=20").text
    with count_queries(db.engine) as second:
        rest = admin_client.get("/admin/child/?page=1&page_size=20").text
    names = [c.name for c in made]  # newest first in the list: page 2 holds the 5 oldest
    assert all(name in top for name in names[5:]) and not any(n in top for n in names[:5])
    shown = [name for name in reversed(names[:5])]
    positions = [rest.index(name) for name in shown]
    assert positions == sorted(positions) and not any(n in rest for n in names[5:])
    assert second.count == first.count


def test_unknown_or_malformed_ids_are_not_found_not_a_crash(admin_client):
    for query in ("id=999999", "id=1,2", "id=abc", "id="):
        response = admin_client.get(f"/admin/child/details/?{query}")
        assert response.status_code in (302, 404), query


def test_paging_a_sort_with_ties_shows_every_child_once(admin_client, make):
    import re

    home = make.home()
    made = {make.child(home=home, name=f"同校{n:02d}", school="城关小学").id for n in range(25)}
    school = 4  # the list's fifth column
    seen = []
    for page in (0, 1):
        for desc in ("", "&desc=1"):
            text = admin_client.get(f"/admin/child/?sort={school}{desc}&page_size=20"
                                    f"&page={page}").text
            seen.append(re.findall(r'name="rowid" class="action-checkbox" value="(\d+)"', text)
                        or re.findall(r"/admin/child/details/\?id=(\d+)&", text))
    ascending, descending = seen[0] + seen[2], seen[1] + seen[3]
    assert sorted(map(int, ascending)) == sorted(made) == sorted(map(int, descending))
    assert ascending == descending[::-1]


def test_a_new_child_is_of_her_home_and_enters_care_today(app, make, db):
    import time_machine

    from models.enums import Role
    from tests.conftest import sign_in

    home = make.home(name="新联村儿童之家")
    make.home(name="别的儿童之家")
    user = make.user(Role.STAFF, home_id=home.id)
    client = app.test_client()
    # 23:30 UTC is the next morning in Beijing: that is the day she enters care.
    with time_machine.travel(datetime(2026, 2, 28, 23, 30, tzinfo=UTC), tick=False):
        assert sign_in(client, user.username).status_code == 302
        page = client.get("/admin/child/new/").text
    import re

    field = re.search(r'<input[^>]*name="entered_on"[^>]*>', page).group(0)
    assert 'value="2026-03-01"' in field
    chosen = page.split('id="home"')[1].split("</select>")[0]
    assert f'selected value="{home.id}"' in chosen or f'value="{home.id}" selected' in chosen
