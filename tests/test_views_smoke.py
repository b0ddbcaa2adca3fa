"""Every registered model view answers its list, create form and details page."""

from __future__ import annotations

from flask_admin.contrib.sqla import ModelView


def model_views(app):
    admin = app.extensions["admin"][0]
    return [v for v in admin._views if isinstance(v, ModelView)]


def test_every_list_page_answers(app, admin_client, make):
    make.child()
    for view in model_views(app):
        response = admin_client.get(f"/admin/{view.endpoint}/")
        assert response.status_code == 200, (view.endpoint, response.text[:500])


def test_quick_drop_down_options_are_written_as_wtforms_writes_them():
    from flask_admin.form import Select2Widget
    from wtforms.fields.choices import Choice

    from views.fields import QuickSelect2Widget

    for choice in (Choice("3", "平江<县>", True, {}), Choice(7, "甲 & 乙", False, {}),
                   Choice("__None", "—", False, {}), Choice("x", None, False, {}),
                   Choice("a", "b", True, {"disabled": True}), Choice(True, "是", False, {})):
        assert QuickSelect2Widget.render_option(choice) == Select2Widget.render_option(choice)
