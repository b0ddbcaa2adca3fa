"""The pages under the Content-Security-Policy (admin_app/headers.py), in Chromium: nothing
refused, and what Flask-Admin once did with inline handlers still works from static/app.js
(delete's confirmation, bulk actions, adding a parent in the child's form, selects that
submit, the print button)."""

from __future__ import annotations

from sqlalchemy import func, select

from admin_app.extensions import db
from models import Activity
from tests.browser.conftest import shoot

PAGES = ("/admin/", "/admin/child/", "/admin/child/new/", "/admin/activity/new/",
         "/admin/calendar/", "/admin/followup/", "/admin/privacy/", "/admin/privacy/notice/",
         "/admin/import/", "/admin/stock_movement/", "/admin/care_record/")


def refusals(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None)
    return found


def test_no_page_breaks_the_policy(live, signed_in):
    page = signed_in("admin")
    found = refusals(page)
    for path in PAGES:
        page.goto(live["base"] + path)
        page.wait_for_load_state("networkidle")
        # The list's dropdowns and links Flask-Admin wrote as javascript:void(0).
        for link in page.locator("a.dropdown-toggle").all()[:3]:
            if link.is_visible():
                link.click()
    assert found == []


def test_delete_asks_first_and_a_no_deletes_nothing(live, signed_in):
    app = live["app"]
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Activity))
    page = signed_in("admin")
    found = refusals(page)
    page.goto(live["base"] + "/admin/activity/")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("form.icon button[data-confirm]").first.click()
    page.wait_for_timeout(300)
    assert len(asked) == 1 and "删除" in asked[0], asked
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Activity)) == before
    # A bulk action asks too (with nothing chosen it says so).
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("a.dropdown-toggle", has_text="批量操作").first.click()
    page.locator("a[data-action]").first.click()
    page.wait_for_timeout(300)
    assert len(asked) == 2
    assert found == []


def test_a_parent_is_added_in_the_childs_form(live, signed_in):
    page = signed_in("admin")
    found = refusals(page)
    page.goto(live["base"] + "/admin/child/new/")
    forms = page.locator(".inline-field.fresh, .inline-field")
    before = forms.count()
    page.locator("a[data-add-inline]").first.click()
    page.wait_for_timeout(200)
    assert page.locator(".inline-field").count() > before
    shoot(page, "csp-child-form-parent-added")
    assert found == []


def test_a_select_submits_its_form(live, signed_in):
    page = signed_in("admin")
    page.goto(live["base"] + "/admin/calendar/")
    choice = page.locator("select[data-submit-on-change]").first
    value = choice.locator("option").nth(1).get_attribute("value")
    with page.expect_navigation():
        choice.select_option(value)
    assert f"home={value}" in page.url
