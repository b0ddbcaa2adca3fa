"""Sign-in, sign-out and password change (a blueprint), and the gate before every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from admin_app import throttle
from admin_app.audit import record_access
from admin_app.extensions import db, login_manager
from admin_app.i18n import LANGUAGE_SESSION_KEY
from models import User
from models.accounts import MIN_PASSWORD_LENGTH
from models.base import utcnow
from models.enums import AuditAction

bp = Blueprint("auth", __name__)

# Endpoints reachable without signing in.
PUBLIC_ENDPOINTS = {"auth.login", "static", "admin.static", "health.healthz"}
# Endpoints a user who must change the password may still reach.
PASSWORD_CHANGE_ENDPOINTS = PUBLIC_ENDPOINTS | {"auth.change_password", "auth.logout"}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("At least 10 characters.")),
        ],
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account of a session: still active, and the session not ended since."""
    user_id, _, token = session_id.partition(":")
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.active or not token or token != user.session_token:
        return None
    return user


def safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in, never another host (open redirect)."""
    fallback = url_for("admin.index")
    if not target:
        return fallback
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def require_sign_in():
    """Before every request: anonymous users see only the sign-in page and static files."""
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.login"))
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        flash(_l("Please choose a new password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "POST" and (
            refused := throttle.refusal(request.form.get("username", ""))) is not None:
        raise refused
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
        # The same words whether the name is unknown, the password wrong or the account off.
        if user is None or not user.active or not user.check_password(form.password.data):
            flash(_l("Wrong username or password."), "error")
            device = throttle.failed(username)
            record_access(AuditAction.SIGN_IN_FAILED, table_name=User.__tablename__,
                          label=username[:100], details={"device": device} if device else None)
        else:
            language = session.get(LANGUAGE_SESSION_KEY)
            session.clear()  # a fresh session on sign-in (no fixation)
            if language:
                session[LANGUAGE_SESSION_KEY] = language
            session.permanent = True
            login_user(user)
            user.last_login_at = utcnow()
            record_access(AuditAction.SIGN_IN, user, commit=False)
            db.session.commit()
            return throttle.remember_device(redirect(safe_next(request.args.get("next"))),
                                            username)
    return render_template("auth/login.html", form=form, title=_l("Sign in"),
                           submit=_l("Sign in"))


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Signing out ends every copy of this session, not only this browser's cookie.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    language = session.get(LANGUAGE_SESSION_KEY)
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language
    flash(_l("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_l("The current password is wrong."))
        elif form.new.data == form.current.data:
            form.new.errors.append(_l("Please choose a password different from the current one."))
        else:
            current_user.set_password(form.new.data)
            current_user.must_change_password = False
            db.session.commit()
            login_user(current_user)  # a new session token was made with the password
            flash(_l("Your password has been changed."), "info")
            return redirect(url_for("admin.index"))
    return render_template("auth/login.html", form=form, title=_l("Change password"),
                           submit=_l("Save"))


def init_auth(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in.")
    app.register_blueprint(bp)
    app.before_request(require_sign_in)
