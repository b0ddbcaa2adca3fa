"""The MCA registration form of each child (附件1 登记表) at /admin/reports/mca-registration.xlsx:
each child's values in the form's places (the cell after the form's label), its boxes
ticked as the records say and no box a record does not answer; one page per child; the
children of the children list's search and filters only; approved first, as the roster;
ID numbers in full only in an approved copy for staff and administrators."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from models import Assistance
from models.enums import (
    AssistanceKind,
    AuditAction,
    ChildStatus,
    Gender,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    ParentRelation,
    Role,
    Schooling,
)
from seed.demo import id_number
from tests.conftest import export_through_approval, sign_in

URL = "/admin/reports/mca-registration.xlsx"
GIRL = id_number("430624", date(2016, 2, 29), 5, male=False)
FATHER = id_number("430624", date(1985, 6, 1), 3, male=True)
MOTHER = id_number("430624", date(1987, 2, 9), 4, male=False)


E, V = "（\u3000）", "（√）"  # a box left empty, a box ticked


def _masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[14:]


def _county(make, db):
    home = make.home(name="南桥村儿童之家", township="南桥镇")
    grandma = make.guardian(home=home, name="李奶奶", relation=GuardianRelation.GRANDMOTHER,
                            phone="13800001111", birth_year=1955, address="南桥村三组")
    hua = make.child(home=home, name="刘小花", gender=Gender.FEMALE,
                     birth_date=date(2016, 2, 29), id_number=GIRL, ethnicity="苗族",
                     hukou_address="湖南省平江县南桥镇", address="南桥村三组",
                     hukou_elsewhere=False,
                     boarding=True, schooling=Schooling.IN_SCHOOL, grade="初二",
                     left_behind_type=LeftBehindType.BOTH_PARENTS,
                     guardianship=Guardianship.FAIR, guardian=grandma)
    make.parent(hua, name="刘大明", phone="13912345678", work_city="广东省深圳市",
                id_number=FATHER, health="良好", able_to_guard=True)
    make.parent(hua, relation=ParentRelation.MOTHER, name="张芳", phone="0731-8123456",
                work_city="浙江省宁波市", id_number=MOTHER, health="良好")
    # One parent away, the mother at home unable to care; nothing else known.
    ming = make.child(home=home, name="王小明", left_behind_type=LeftBehindType.ONE_PARENT)
    make.parent(ming, relation=ParentRelation.MOTHER, name="赵母", phone="", work_city="",
                health="重病", able_to_guard=False)
    make.child(home=home, name="陈小军", schooling=Schooling.SUSPENDED, grade="四年级",
               guardianship=Guardianship.POOR)
    # One parent away, nothing recorded of the other: neither box of 另一方无监护能力.
    yu = make.child(home=home, name="周小雨", left_behind_type=LeftBehindType.ONE_PARENT)
    # Her father is the one away, and unable to care: nothing said of her mother at home.
    make.parent(yu, name="周父", work_city="广东省东莞市", able_to_guard=False)
    # Left care, and anonymised: not the survey's.
    make.child(home=home, name="已离开", status=ChildStatus.LEFT_CARE,
               left_on=date(2025, 6, 30), anonymised_on=date(2026, 1, 1))
    db.session.add_all([
        Assistance(child=hua, kind=AssistanceKind.MINIMUM_LIVING, since=date(2025, 1, 1)),
        Assistance(child=hua, kind=AssistanceKind.ORPHAN),
        # Ended: not on the form.
        Assistance(child=hua, kind=AssistanceKind.MEDICAL, until=date(2025, 6, 30))])
    db.session.commit()
    return home


def _forms(content: bytes):
    """Each form as {label: the cell after it}, a label the form repeats (出生日期) kept at
    its first place; and each row's pairs under "row " and its first label."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    forms, form = [], None
    for row in sheet.iter_rows():
        cells = list(row)
        if cells[0].value == "农村留守儿童基本情况登记表":
            form = {}
            forms.append(form)
            continue
        pairs = [(cell.value, cells[n + 1].value) for n, cell in enumerate(cells[:-1])
                 if cell.value is not None and cell.font.b]
        for label, value in pairs:
            form.setdefault(label, value)
        if pairs:
            form[f"row {pairs[0][0]}"] = pairs
    return sheet, forms


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def test_each_childs_values_are_in_the_forms_places(app, make, db):
    _county(make, db)
    admin = make.user(Role.ADMIN)
    response = export_through_approval(_client(app, admin), URL)
    assert response.status_code == 200, response.location
    sheet, forms = _forms(response.data)
    by_name = {form["姓名"]: form for form in forms}
    assert sorted(by_name) == ["刘小花", "周小雨", "王小明", "陈小军"]
    # One printed page each: a page break before every form but the first.
    assert len(sheet.row_breaks.brk) == 3
    hua = by_name["刘小花"]
    assert (hua["性别"], hua["民族"], hua["出生日期"]) == ("女", "苗族", "2016-02-29")
    assert hua["公民身份证号码"] == GIRL  # an administrator's approved copy: in full
    assert (hua["户籍所在地"], hua["现居住地"]) == ("湖南省平江县南桥镇", "南桥村三组")
    assert hua["人户分离"] == f"是{E}\u3000否{V}"
    assert hua["是否学校寄宿"] == f"是{V}\u3000否{E}"
    assert hua["就学情况"] == (f"幼儿园{E}\u3000未入园{E}；小学{E}\u3000初中{V}"
                           f"\u3000高中{E}\u3000中职{E}；辍学{E}；不在学{E}")
    # The guardian is her grandmother: her name and her year in the grandmother's places.
    assert hua["row 祖父姓名"] == [("祖父姓名", None), ("出生日期", None),
                                 ("祖母姓名", "李奶奶"), ("出生日期", "1955年")]
    assert (hua["父亲姓名"], hua["当前务工地点"], hua["联系电话"]) == (
        "刘大明", "广东省深圳市", "139****5678")
    assert hua["父亲公民身份证号码"] == FATHER and hua["母亲公民身份证号码"] == MOTHER
    assert hua["父母双方同时外出"] == f"是{V}\u3000否{E}"
    assert hua["父母一方外出、另一方无监护能力"] == f"是{E}\u3000否{V}"
    assert hua["父母外出有无委托其他监护人"] == f"是{V}\u3000否{E}"
    assert (hua["受委托监护人姓名"], hua["受委托监护人电话"], hua["与被监护人关系"],
            hua["居住地地址"]) == ("李奶奶", "138****1111", "奶奶", "南桥村三组")
    assert hua["监护类型"] == (f"无人监护{E}\u3000父或母无监护能力{E}\u3000"
                           f"受委托监护人监护能力不足{E}\u3000一般{V}\u3000较好{E}")
    assert hua["救助帮扶情况"] == (f"享受低保{V}\u3000临时救助{E}\u3000医疗救助{E}"
                             f"\u3000住房救助{E}\u3000其他救助{V}（孤儿基本生活费）"
                             "（以上选项可多选）")
    # What no record holds is left blank, never guessed.
    assert hua["是否登记户口"] is None and hua["残疾类别及等级"] is None
    assert hua["身体情况"] == f"健康{E}\u3000残疾{E}\u3000患病{E}"
    ming = by_name["王小明"]
    assert ming["父母双方同时外出"] == f"是{E}\u3000否{V}"
    assert ming["父母一方外出、另一方无监护能力"] == f"是{V}\u3000否{E}"
    assert ming["无监护能力"] == f"父亲{E}\u3000母亲{V}"
    assert ming["母亲健康状况"] == "重病"
    # No schooling, guardian or assessment recorded: no box ticked.
    assert "√" not in ming["就学情况"] and "√" not in ming["监护类型"]
    assert ming["父母外出有无委托其他监护人"] == f"是{E}\u3000否{E}"
    assert ming["人户分离"] == f"是{E}\u3000否{E}"
    assert by_name["周小雨"]["父母一方外出、另一方无监护能力"] == f"是{E}\u3000否{E}"
    assert by_name["周小雨"]["父母双方同时外出"] == f"是{E}\u3000否{V}"
    assert by_name["周小雨"]["无监护能力"] == f"父亲{V}\u3000母亲{E}"
    jun = by_name["陈小军"]
    assert jun["就学情况"].endswith(f"不在学{V}（休学）")
    assert "√" not in jun["监护类型"] and jun["监护类型"].endswith("（档案记为差，未注明类型）")


def test_the_forms_follow_the_childrens_list_search_and_filters(app, make, db):
    _county(make, db)
    client = _client(app, make.user(Role.ADMIN))
    response = export_through_approval(client, URL + "?search=刘小花")
    _sheet, forms = _forms(response.data)
    assert [form["姓名"] for form in forms] == ["刘小花"]
    assert _sheet.row_breaks.brk == []


def test_ids_in_full_only_in_an_approved_copy_for_staff_not_for_a_supervisor(app, make, db):
    home = _county(make, db)
    staff = make.user(Role.STAFF, home_id=home.id)
    supervisor = make.user(Role.SUPERVISOR, township="南桥镇")
    seen, warned = {}, {}
    for user in (staff, supervisor):
        client = _client(app, user)
        # Not approved: asked for first, nothing downloaded.
        first = client.get(URL)
        assert first.status_code == 302 and "/admin/export-requests/ask" in first.location
        # The one who asks, and so the one who approves, is told the copy is in full.
        warned[user.role] = 'id="ids-in-full"' in client.get(first.location).text
        _sheet, forms = _forms(export_through_approval(client, URL).data)
        seen[user.role] = {form["姓名"]: form for form in forms}["刘小花"]
    assert warned == {Role.STAFF: True, Role.SUPERVISOR: False}
    from models import AuditEntry, ExportRequest

    titles = {request.user_id: request.title for request in db.session.query(ExportRequest)}
    assert titles == {staff.id: "登记表（附件1）（含完整身份证号）",
                      supervisor.id: "登记表（附件1）"}
    trail = {entry.user_id: entry.changes["ids_in_full"] for entry in db.session.query(
        AuditEntry).filter(AuditEntry.action == AuditAction.EXPORT)}
    assert trail == {staff.id: True, supervisor.id: False}
    assert seen[Role.STAFF]["公民身份证号码"] == GIRL
    assert seen[Role.STAFF]["母亲公民身份证号码"] == MOTHER
    assert seen[Role.STAFF]["联系电话"] == "13912345678"  # staff call parents: in full
    assert seen[Role.SUPERVISOR]["公民身份证号码"] == _masked(GIRL)
    assert seen[Role.SUPERVISOR]["母亲公民身份证号码"] == _masked(MOTHER)
    assert seen[Role.SUPERVISOR]["联系电话"] == "139****5678"
    # The father's birth date is read from his number only where it is shown in full.
    assert seen[Role.STAFF]["row 父亲姓名"][1] == ("出生日期", "1985-06-01")
    assert seen[Role.SUPERVISOR]["row 父亲姓名"][1] == ("出生日期", None)


def test_an_approval_for_the_roster_does_not_download_the_forms(app, make, db):
    from models import ExportRequest
    from models.consent import ExportState

    home = _county(make, db)
    staff = make.user(Role.STAFF, home_id=home.id)
    roster = ExportRequest(user_id=staff.id, home_id=home.id, endpoint="child", query="",
                           reason="上报", state=ExportState.APPROVED)
    db.session.add(roster)
    db.session.commit()
    response = _client(app, staff).get(f"{URL}?approved={roster.id}")
    assert response.status_code == 302 and "/admin/export-requests/ask" in response.location
    db.session.refresh(roster)
    assert roster.state is ExportState.APPROVED  # not spent on a download it does not cover


def test_a_caring_mother_gets_no_forms_and_the_list_offers_them_to_staff(app, make, db):
    home = _county(make, db)
    volunteer = make.volunteer(home=home)
    mother = make.user(Role.VOLUNTEER, volunteer_id=volunteer.id)
    assert _client(app, mother).get(URL).status_code == 403
    staff = _client(app, make.user(Role.STAFF, home_id=home.id))
    page = staff.get("/admin/child/?search=刘").text
    assert 'id="export-reports-mca-registration"' in page
    assert "/admin/reports/mca-registration.xlsx?search=" in page


def test_a_name_that_excel_would_read_as_a_formula_stays_text(app, make, db):
    home = make.home()
    make.child(home=home, name="=HYPERLINK(1)")
    response = export_through_approval(_client(app, make.user(Role.ADMIN)), URL)
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=HYPERLINK(1)"]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix


def test_the_approved_download_link_replays_a_cleared_search(app, make, db):
    """The export requests page's link downloads what was approved, a blank search and
    all; an approval's number smuggled into the query is not kept with it."""
    import html

    _county(make, db)
    client = _client(app, make.user(Role.ADMIN))
    asked = client.get(URL + "?search=")
    assert asked.status_code == 302
    answer = client.post("/admin/export-requests/ask", data={
        "list": "reports.mca_registration", "query": "search=&approved=999",
        "purpose": "report"})
    assert answer.status_code == 302
    link = html.unescape(answer.location)
    assert "approved=999" not in link and "search=" in link
    response = client.get(link)
    assert response.status_code == 200, response.location
    assert client.get("/admin/export-requests/").status_code == 200
