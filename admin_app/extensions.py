"""Extensions created once, unbound; `create_app` binds them to an app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from models.base import db

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# Storage from RATELIMIT_STORAGE_URI: memory:// for one process, redis://... for several.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
