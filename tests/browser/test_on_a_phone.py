"""Every page a caring mother or a village's staff opens on a phone, at 390 × 844: nothing
scrolls sideways, and short Chinese labels and names read on one line (before, a list's
cells stacked one character per line)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shoot

PAGES = {
    "staff": (("home", "/admin/"), ("children", "/admin/child/"),
              ("guardians", "/admin/guardian/"), ("care-records", "/admin/care_record/"),
              ("pairings", "/admin/pairing/"), ("stock-movements", "/admin/stock_movement/"),
              ("activities", "/admin/activity/"), ("calendar", "/admin/calendar/"),
              ("followup", "/admin/followup/"), ("new-child", "/admin/child/new/"),
              ("new-care-record", "/admin/care_record/new/"), ("reminders", "/admin/reminders/"),
              ("scorecard", "/admin/scorecard/"), ("family-calls", "/admin/family_call/"),
              ("new-family-call", "/admin/family_call/new/"),
              ("duties", "/admin/duty_rule/"), ("reports", "/admin/reports/"),
              ("assistance", "/admin/assistance/"),
              ("work-report", "/admin/reports/work-report/?period=2026"),
              ("money", "/admin/money_entry/"), ("new-money", "/admin/money_entry/new/"),
              ("donors", "/admin/donors/"),
              # The demo's second round is this winter's, open and half given (seed.giving).
              ("care-round", "/admin/care_round/details/?id=2"),
              ("care-rounds", "/admin/care_round/"),
              ("donor-reached", "/admin/donors/reached/?donor=回收瓶子募捐")),
    "volunteer": (("my-children", "/admin/my-children/"),
                  ("care-records", "/admin/care_record/"),
                  ("new-care-record", "/admin/care_record/new/"),
                  ("new-family-call", "/admin/family_call/new/"),
                  ("calendar", "/admin/calendar/")),
}

# The visible elements whose own text is a short label or name (2 to 6 Chinese characters),
# and how many of them take more than one line.
MEASURE = """() => {
  const short = /^[\\u3400-\\u9fff\\uff08\\uff09（）·]{2,6}$/;
  const seen = [...document.querySelectorAll(
      'th, td, label, a, button, span, h1, h2, h3, h4, h5, h6, .card-title, dt, dd, li')]
    .filter(el => {
      const text = el.innerText ? el.innerText.trim() : '';
      if (!short.test(text) || el.getBoundingClientRect().width < 2) return false;
      if (el.closest('.select2-offscreen, .sr-only')) return false;  // read aloud, not seen
      // The innermost element holding the text, once.
      return ![...el.children].some(child => child.innerText && child.innerText.trim() === text);
    });
  const wrapped = seen.filter(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    const tops = rects.map(r => r.top);
    return Math.max(...tops) - Math.min(...tops) > rects[0].height / 2;
  });
  return {width: document.documentElement.scrollWidth, labels: seen.length,
          wrapped: wrapped.map(el => el.tagName + ':' + el.innerText.trim())};
}"""


@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_fit_a_phone_and_short_labels_stay_on_one_line(signed_in, role):
    page = signed_in(role, phone=True)
    base = page.url.split("/admin")[0]
    measured = {}
    for name, path in PAGES[role]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        shoot(page, f"phone-{role}-{name}")
        found = page.evaluate(MEASURE)
        measured[name] = found
        print(f"{role} {name}: width {found['width']}, {len(found['wrapped'])} of "
              f"{found['labels']} short labels wrapped {found['wrapped'][:8]}")
    for name, found in measured.items():
        assert found["width"] <= 390, (name, found["width"])
        assert found["labels"], name
        assert len(found["wrapped"]) <= 0.05 * found["labels"], (name, found["wrapped"])


def test_a_phone_offers_its_dial_pad_date_picker_and_a_keyboard_with_x(signed_in):
    page = signed_in("staff", phone=True)
    page.goto(page.url.split("/admin")[0] + "/admin/child/new/")
    attributes = page.evaluate("""() => Object.fromEntries(
        ['class_teacher_phone', 'id_number', 'birth_date', 'entered_on'].map(id => {
          const input = document.getElementById(id);
          return [id, [input.type, input.inputMode, input.getAttribute('autocapitalize')]];
        }))""")
    assert attributes["class_teacher_phone"][:2] == ["tel", "tel"]
    assert attributes["id_number"] == ["text", "text", "characters"]  # 17 digits and X
    assert attributes["birth_date"][0] == attributes["entered_on"][0] == "date"
    page.fill("#birth_date", "2016-05-01")
    assert page.input_value("#birth_date") == "2016-05-01"  # what the form reads


def test_a_desktop_keeps_its_tables_and_its_date_picker(signed_in):
    page = signed_in("staff")
    base = page.url.split("/admin")[0]
    page.goto(base + "/admin/child/new/")
    assert page.get_attribute("#birth_date", "type") == "text"
    assert page.get_attribute("#birth_date", "data-role") == "datepicker"
    shoot(page, "desktop-staff-new-child")
    page.goto(base + "/admin/child/")
    assert page.is_visible("table.model-list thead")
    assert page.evaluate("getComputedStyle(document.querySelector('table.model-list tr')).display"
                         ) == "table-row"
    assert not page.is_visible(".list-tools-toggle") and page.is_visible("input[name=search]")
    shoot(page, "desktop-staff-children")
    page.goto(base + "/admin/calendar/")
    assert page.is_visible("#month-grid") and not page.is_visible("#month-agenda")
    shoot(page, "desktop-staff-calendar")
