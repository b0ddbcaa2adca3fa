"""How the app starts: `create_app(config=None)` is the only place the app is assembled."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from admin_app import config as settings
from admin_app.extensions import babel, csrf, db, limiter, mail, migrate
from admin_app.guard import refuse_unstorable
from admin_app.headers import init_headers
from admin_app.i18n import TRANSLATIONS

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings.load(Path(app.instance_path), dict(config or {})))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)

    import models  # noqa: F401  (registers every table on db.metadata)
    from models import sealed

    # The keys of the sealed (encrypted) columns: outside the database and the repository.
    sealed.configure(app.config.pop("DATA_KEYS_CONTENT"))
    from admin_app import audit, cli, i18n  # noqa: F401  (audit registers the session hooks)
    from admin_app.auth import init_auth
    from admin_app.operations import init_operations
    from views import init_admin
    from views.display import kept_menu, phone_link
    from views.export_requests import waiting_for_me

    db.init_app(app)
    init_operations(app)  # first: the request log's clock starts before any other hook
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    app.before_request(refuse_unstorable)
    app.before_request(i18n.remember_language_choice)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["show_datetime"] = i18n.show_datetime
    app.jinja_env.globals["kept_menu"] = kept_menu
    app.jinja_env.globals["approvals_waiting"] = waiting_for_me
    app.jinja_env.filters["tel"] = phone_link
    init_auth(app)
    init_admin(app)
    cli.init_cli(app)
    _register_error_pages(app)

    init_headers(app)
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _register_error_pages(app: Flask) -> None:
    pages = {
        400: (_l("The request could not be understood"),
              _l("The form may have expired. Please go back, reload the page and try again.")),
        403: (_l("Not allowed"), _l("Your account may not do this.")),
        404: (_l("Not found"), _l("This page or record does not exist, or you may not see it.")),
        413: (_l("The file is too large"),
              _l("Files up to 20 MB can be uploaded. Split the roster into several files.")),
        429: (_l("Too many attempts"),
              _l("Too many failed sign-ins. Please wait a quarter of an hour and try again.")),
        500: (_l("Something went wrong"),
              _l("The error has been logged. Please try again in a moment.")),
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        heading, message = pages.get(code, pages[500])
        message = getattr(error, "user_message", None) or message
        return render_template("errors/error.html", code=code, heading=heading,
                               message=message), code

    for code in pages:
        app.register_error_handler(code, handler)
