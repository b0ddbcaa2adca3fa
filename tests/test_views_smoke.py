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
