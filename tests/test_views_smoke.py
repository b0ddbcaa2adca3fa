"""Every registered model view answers its list; and what views.listing draws with less work
(counts, sorts, rows, icons, filter menus) is what Flask-Admin would have drawn."""

from __future__ import annotations

import re

from flask_admin.contrib.sqla import ModelView


def model_views(app):
    admin = app.extensions["admin"][0]
    return [v for v in admin._views if isinstance(v, ModelView)]


def list_page(client, endpoint: str, squeeze: bool = False) -> str:
    """A list page with its CSRF tokens (they carry the second they were made) made equal;
    `squeeze`: without the whitespace around tags."""
    text = re.sub(r'value="[\w-]+\.[\w-]+\.[\w-]+"', 'value="token"',
                  without_nonces(client.get(f"/admin/{endpoint}/").text))
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", text) if squeeze else text


def without_nonces(page: str) -> str:
    """A page with its scripts' nonces (one per answer, admin_app/headers.py) made equal."""
    return re.sub(r' nonce="[\w-]+"', ' nonce="n"', page)


def without_phone_hints(page: str) -> str:
    """A squeezed list page less what only a phone's card reads (each cell's label and place
    on the card, the checkbox cell's class, the menu's fold and its tab) and the further
    exports our menu adds (the children list's 登记表)."""
    page = re.sub(r' data-label="[^"]*"', "", page)
    page = re.sub(r'(<td class="col-[^" ]+) phone-(?:title|hide)"', r'\1"', page)
    page = page.replace('<td class="list-checkbox-column">', "<td>")
    page = re.sub(r'<li class="nav-item list-tools-toggle">.*?</li>', "", page, flags=re.S)
    page = re.sub(r'<li class="nav-item"><a class="nav-link" id="export-[^"]*".*?</li>', "",
                  page, flags=re.S)
    return re.sub(r'<div class="list-menu(?: open)?">(<ul class="nav nav-tabs">.*?</ul>)</div>',
                  r"\1", page, flags=re.S)


def one_of_each(make, home) -> None:
    """A row for every list: a child with a parent and a care record, an activity, stock."""
    child = make.child(home=home)
    make.parent(child)
    make.care_record(child)
    make.activity(home=home)
    make.movement(make.item(home=home))


def test_every_list_page_answers(app, admin_client, make):
    make.child()
    for view in model_views(app):
        response = admin_client.get(f"/admin/{view.endpoint}/")
        assert response.status_code == 200, (view.endpoint, response.text[:500])


def test_stamped_row_icons_are_the_markup_flask_admins_macros_draw(app, admin_client, make,
                                                                    monkeypatch):
    import views.listing

    one_of_each(make, make.home())
    stamped = {view.endpoint: list_page(admin_client, view.endpoint) for view in model_views(app)}
    assert 'name="id" type="hidden" value="' in stamped["care_record"]  # a delete form
    monkeypatch.setattr(views.listing, "quick_row_actions", lambda actions: actions)
    for view in model_views(app):
        assert list_page(admin_client, view.endpoint) == stamped[view.endpoint], view.endpoint


def test_our_list_rows_are_the_rows_flask_admins_list_template_draws(app, admin_client, make,
                                                                      monkeypatch):
    home = make.home(name="<b>甲</b>之家")
    make.child(home=home, name="李&小明")
    one_of_each(make, home)
    # The same markup, whatever the whitespace between tags.
    ours = {view.endpoint: without_phone_hints(list_page(admin_client, view.endpoint,
                                                         squeeze=True))
            for view in model_views(app)}
    assert "李&amp;小明" in ours["child"] and "&lt;b&gt;甲" in ours["home"]
    for view in model_views(app):
        monkeypatch.setattr(view, "list_template", "admin/model/list.html")
        assert list_page(admin_client, view.endpoint, squeeze=True) == ours[view.endpoint], \
            view.endpoint


def test_every_list_costs_the_same_queries_for_one_row_or_many(app, admin_client, make, db):
    from tests.conftest import count_queries

    def rows():
        home = make.home()
        child = make.child(home=home, guardian=make.guardian(home=home))
        make.parent(child)
        volunteer = make.volunteer(home=home)
        make.pairing(volunteer, child)
        make.care_record(child, volunteer=volunteer, follow_up_needed=True,
                         follow_up_note="再去看看")
        make.activity(home=home)
        make.movement(make.item(home=home))

    def costs():
        made = {}
        for view in model_views(app):
            with count_queries(db.engine) as counted:
                assert admin_client.get(f"/admin/{view.endpoint}/").status_code == 200
            made[view.endpoint] = counted.count
        return made

    rows()
    one = costs()
    for _ in range(4):
        rows()
    assert costs() == one


# Tables that grow with the Homes, not with the children or the years: sorted in full, fast.
FEW_ROWS = ("home", "activity_kind", "activity_series", "resource_category", "resource_item",
            "volunteer_organisation", "user_account", "data_request")


def test_every_sort_a_list_offers_walks_an_index(app, admin_client, make, db):
    """No sort a list offers makes the database sort a table, or a group of equal values,
    to find one page (a county's 2.4 million care records by kind took 4 s a page; a day's
    7,000 records sorted by id, 100 ms on PostgreSQL). PostgreSQL is asked to avoid sorting
    and scanning whatever they cost (its tiny test tables would be read whole anyway)."""
    import sqlalchemy as sa

    sqlite = db.engine.dialect.name == "sqlite"
    make.child()
    seen = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY" in statement and "LIMIT" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        for view in model_views(app):
            columns = [name for name, _label in view._list_columns]
            for name in view._sortable_columns:
                if name not in columns:
                    continue  # sortable, but not a column of the list
                for desc in ("", "&desc=1"):
                    url = f"/admin/{view.endpoint}/?sort={columns.index(name)}{desc}"
                    assert admin_client.get(url).status_code == 200, url
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert len(seen) > 60
    sorted_in_full = []
    with db.engine.connect() as conn:
        if not sqlite:
            conn.exec_driver_sql("SET enable_sort = off")
            conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in seen:
            plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(
                ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters))
            # PostgreSQL may sort each group of equal values by id (Incremental Sort): the
            # columns with big groups have the id in their index (models.base.sorted_by).
            sorts = ("TEMP B-TREE FOR ORDER BY" in plan if sqlite
                     else re.search(r"(?:^|\| |->)\s*Sort  \(", plan) is not None)
            if sorts and not any(f"FROM {table} " in statement for table in FEW_ROWS):
                sorted_in_full.append(statement.split(" ORDER BY ")[-1])
    assert sorted_in_full == []


def test_quick_drop_down_options_are_written_as_wtforms_writes_them():
    from flask_admin.form import Select2Widget
    from wtforms.fields.choices import Choice

    from views.fields import QuickSelect2Widget

    for choice in (Choice("3", "平江<县>", True, {}), Choice(7, "甲 & 乙", False, {}),
                   Choice("__None", "—", False, {}), Choice("x", None, False, {}),
                   Choice("a", "b", True, {"disabled": True}), Choice(True, "是", False, {})):
        assert QuickSelect2Widget.render_option(choice) == Select2Widget.render_option(choice)


def test_a_long_list_counts_only_as_far_as_is_worth_knowing(app, admin_client, db):
    from sqlalchemy import insert

    from models import Home

    db.session.execute(insert(Home), [
        {"name": f"第{n:03d}号之家", "township": "东山镇" if n % 12 == 0 else "城关镇",
         "village": "新联村"} for n in range(130)])
    db.session.commit()
    app.config["LIST_COUNT_LIMIT"] = 10

    def shown(url):
        page = admin_client.get(url).text
        tab = re.search(r'class="nav-link active">[^<(]*\(([^)]*)\)', page).group(1)
        pages = {int(p) for p in re.findall(r'page=(\d+)', page)}
        return tab, pages, page

    # Page 1 of 20 a page: counted to five pages ahead (100 rows), said as "100+", and the
    # pager offers the page past them.
    tab, pages, _ = shown("/admin/home/?page_size=20")
    assert tab == "100+" and 5 in pages
    # There, five pages ahead reach past the end: the count is exact again.
    tab, pages, page = shown("/admin/home/?page_size=20&page=5")
    assert tab == "130" and 6 in pages and 7 not in pages
    assert page.count('<td class="col-name ') == 20
    assert shown("/admin/home/?page_size=20&page=6")[2].count('<td class="col-name ') == 10
    # A filter that finds fewer is counted exactly.
    assert shown("/admin/home/?flt0_0=东山镇")[0] == "11"
    app.config["LIST_COUNT_LIMIT"] = 10_000
    assert shown("/admin/home/?page_size=20")[0] == "130"


def test_filter_menus_made_once_per_language_are_flask_admins_own(app, make, db):
    from flask_babel import get_locale, refresh
    from flask_login import login_user

    from models.enums import Role

    home = make.home(name="甲之家")
    make.home(name="乙之家")
    for user in (make.user(Role.ADMIN), make.user(Role.STAFF, home=home)):
        for language in ("zh_Hans_CN", "en", "zh_Hans_CN"):
            with app.test_request_context(f"/?lang={language}"):
                refresh()  # the test's app context would keep the first language
                assert str(get_locale()) == language
                login_user(user)
                for view in model_views(app):
                    assert view._get_filter_groups() == ModelView._get_filter_groups(view), \
                        (view.endpoint, language)
                child_view = next(v for v in model_views(app) if v.endpoint == "child")
                homes = child_view._get_filter_groups()[str(child_view.column_labels["home"])]
                assert [name for _, name in homes[0]["options"]] == (
                    ["乙之家", "甲之家"] if user.home_id is None else ["甲之家"])
    # A Home added later is offered at once.
    make.home(name="丙之家")
    with app.test_request_context("/"):
        login_user(make.user(Role.ADMIN))
        groups = next(v for v in model_views(app) if v.endpoint == "child")._get_filter_groups()
        assert any(name == "丙之家" for items in groups.values() for item in items
                   for _, name in (item["options"] or ()))


def test_quick_attributes_are_written_as_wtforms_writes_them():
    from markupsafe import Markup

    from views.fields import WTFORMS_HTML_PARAMS, quick_html_params

    for params in ({"name": "a", "id": "f", "class_": "text"}, {},
                   {"checked": True, "readonly": False, "abc": "hello"},
                   {"data_role": "select2", "aria_described_by": "x", "data_json": '{"a": 1}'},
                   {"value": '平江<县> & "乙"\'s'}, {"value": Markup('<b title="x">甲</b>')},
                   {"value": 3, "min": 0, "step": 0.5}, {"value": None, "for_": "id_number"},
                   {"placeholder": Markup("430626********")}, {"<k>": "v"}):
        assert quick_html_params(**params) == WTFORMS_HTML_PARAMS(**params), params


def test_every_form_is_the_markup_wtforms_own_attributes_write(app, admin_client, make, db,
                                                               monkeypatch):
    from wtforms.widgets import core

    from views.fields import WTFORMS_HTML_PARAMS

    one_of_each(make, make.home(name='"甲"之家'))
    pages = []
    for view in model_views(app):
        pages.append(f"/admin/{view.endpoint}/new/")
        row = db.session.scalar(db.select(view.model.id).limit(1))
        if row is not None:
            pages.append(f"/admin/{view.endpoint}/edit/?id={row}")

    def drawn() -> dict:  # CSRF tokens (also inside the inline forms' templates) made equal
        return {url: re.sub(r"[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}", "token",
                            without_nonces(admin_client.get(url).text)) for url in pages}

    ours = drawn()
    child_form = ours[next(url for url in pages if url.startswith("/admin/child/edit/"))]
    assert '<input class="form-control" id="name" maxlength="50" name="name" required ' \
        'type="text"' in child_form
    monkeypatch.setattr(core, "html_params", WTFORMS_HTML_PARAMS)
    for widget in (core.Input, core.Button):
        monkeypatch.setattr(widget, "html_params", staticmethod(WTFORMS_HTML_PARAMS))
    assert drawn() == ours


def test_a_drop_down_of_homes_by_name_is_flask_admins_drop_down(app, make, db):
    from flask_admin.contrib.sqla.fields import QuerySelectField
    from wtforms import Form

    from models import Home
    from views.fields import NamedSelectField, QuickSelect2Widget

    homes = [make.home(name=name) for name in ("平江<一>", '"二"之家', "三 & 四")]
    chosen = homes[1]

    def form(field_class, **extra):
        class OneField(Form):
            home = field_class(query_factory=lambda: db.session.query(Home).order_by(Home.id),
                               widget=QuickSelect2Widget(), allow_blank=True, blank_text="—",
                               **extra)
        return OneField(obj=type("Record", (), {"home": chosen})())

    with app.test_request_context():
        theirs, ours = form(QuerySelectField), form(NamedSelectField, model=Home)
        assert ours.home() == theirs.home() and f'selected value="{chosen.id}"' in ours.home()
        for sent in (str(homes[2].id), "__None"):
            theirs, ours = form(QuerySelectField), form(NamedSelectField, model=Home)
            for each in (theirs, ours):
                each.process(formdata=_Sent(home=sent))
            assert ours.validate() and theirs.validate(), sent
            assert ours.home.data is theirs.home.data, sent
        # A Home not offered: Flask-Admin's field leaves the relation blank; ours says so.
        for sent in ("999999", "x"):
            ours = form(NamedSelectField, model=Home)
            ours.process(formdata=_Sent(home=sent))
            assert not ours.validate() and ours.home.errors == ["Not a valid choice"], sent


class _Sent(dict):
    """Form data as WTForms reads it (a multi-dict's getlist)."""

    def getlist(self, key):
        return [self[key]] if key in self else []


def test_a_filter_value_no_choice_has_is_not_a_server_error(app, admin_client, make):
    """A hand-edited or stale link (a kind no longer offered, a date where a kind goes):
    every filter of every list and its export given a value none of its choices has answers
    as Flask-Admin does for a value it cannot read (the filter left out), never a 500."""
    make.care_record(make.child())
    asked = 0
    for view in model_views(app):
        if not getattr(view, "_filter_args", None):
            continue
        for key in view._filter_args:
            for path in (f"/admin/{view.endpoint}/", f"/admin/{view.endpoint}/export/xlsx/"):
                response = admin_client.get(f"{path}?flt0_{key}=2026-12-01+to+2026-12-31")
                assert response.status_code in (200, 302, 403, 404), (path, key,
                                                                 response.status_code)
                asked += 1
    assert asked > 50
