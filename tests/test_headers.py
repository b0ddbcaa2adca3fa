"""Security headers on every page of the crawl (issue 19.5): a Content-Security-Policy that
runs no inline script but the nonce'd ones of that very answer, no inline event handler in
any page (static/app.js binds them), never framed, no MIME sniffing, no referrer outside."""

from __future__ import annotations

import re

import pytest

from models.enums import Role
from tests.test_all_chinese import ROLES, client_as, home_world, pages  # noqa: F401

NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'")
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# An attribute such as onclick= or onchange= inside a tag (text between tags is not one).
HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)


def check_headers(response) -> str:
    """The answer's nonce, having checked every header; fails the test otherwise."""
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "object-src 'none'" in policy and "unsafe-inline' " not in policy.split(
        "style-src")[0], policy  # scripts: never 'unsafe-inline'
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("X-Frame-Options") == "DENY"
    found = NONCE.search(policy)
    assert found, policy
    return found.group(1)


def check_page(url: str, response) -> None:
    nonce = check_headers(response)
    html = response.text
    assert not HANDLER.findall(html), (url, HANDLER.findall(html))
    for attributes in SCRIPT.findall(html):
        # Every script, its own file or inline, carries this answer's nonce.
        assert f'nonce="{nonce}"' in attributes, (url, attributes)
    # Flask-Admin's links that do nothing themselves are the only javascript: URLs.
    assert "javascript:" not in re.sub(r'href=("|&#34;)javascript:void\(0\)("|&#34;)', "",
                                       html), url


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name.lower())
def test_every_page_carries_the_security_headers(app, db, home_world, role):  # noqa: F811
    client = client_as(app, home_world["users"][role])
    seen = 0
    for _kind, url in list(pages(app, db, home_world["users"][role])):
        response = client.get(url)
        if response.status_code == 200:
            check_page(url, response)
            seen += 1
    assert seen >= (20 if role is Role.ADMIN else 3)


def test_the_sign_in_page_and_errors_carry_them_too(app):
    client = app.test_client()
    for url, status in (("/login", 200), ("/admin/child/?id=%00", 400), ("/nowhere", 302)):
        response = client.get(url)
        assert response.status_code == status, url
        check_headers(response)


def test_each_answer_has_a_nonce_of_its_own(app, db, home_world):  # noqa: F811
    client = client_as(app, home_world["users"][Role.STAFF])
    nonces = {check_headers(client.get("/admin/child/")) for _ in range(3)}
    assert len(nonces) == 3


def test_no_template_of_ours_writes_an_inline_handler_or_an_unsigned_script():
    """Pages the crawl cannot reach (a Home's choice shown to a county's user only, a form
    shown on an error) are checked in their templates."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "admin_app" / "templates"
    found = []
    for template in sorted(folder.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        found += [f"{template.name}: {name}" for name in HANDLER.findall(text)]
        found += [f"{template.name}: <script{attributes}>" for attributes in SCRIPT.findall(text)
                  if "admin_csp_nonce_attribute" not in attributes]
    assert found == []


# Our copies of Flask-Admin's templates differ from its own by these replacements only.
COPIED = {
    "admin/actions.html": [(
        '''            <a class="dropdown-item" href="javascript:void(0)"
               onclick="return modelActions.execute('{{ p[0] }}');">''',
        '''            <a class="dropdown-item" href="javascript:void(0)" '''
        '''data-action="{{ p[0] }}">''')],
    "admin/model/row_actions.html": [(
        '''<button onclick="return faHelpers.safeConfirm('{{ _gettext('Are you sure you want '''
        '''to delete this record?') }}');" title''',
        '''<button data-confirm="{{ _gettext('Are you sure you want to delete this record?') }}"'''
        ''' title''')],
    "admin/model/inline_list_base.html": [(
        '''role="button" onclick="faForm.addInlineField(this, '{{ field.id }}');">''',
        '''role="button" data-add-inline="{{ field.id }}">''')],
    "admin/model/layout.html": [(
        '''<a href="javascript:void(0)" class="dropdown-item filter" onclick="return false;">''',
        '''<a href="javascript:void(0)" class="dropdown-item filter">''')],
}


@pytest.mark.parametrize("name", sorted(COPIED))
def test_our_copies_of_flask_admins_templates_follow_its_own(name):
    """A Flask-Admin upgrade that changes one of these templates fails here: copy it again
    and make the same replacements."""
    from pathlib import Path

    import flask_admin

    theirs = (Path(flask_admin.__file__).parent / "templates" / "bootstrap4" / name).read_text()
    ours = (Path(__file__).resolve().parents[1] / "admin_app" / "templates" / name).read_text()
    for original, replacement in COPIED[name]:
        assert theirs.count(original) == 1, original
        theirs = theirs.replace(original, replacement)
    assert ours.split("-#}\n", 1)[1] == theirs
