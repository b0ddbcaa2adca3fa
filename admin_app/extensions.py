"""Extensions created once, unbound; `create_app` binds them to an app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from models.base import db

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
