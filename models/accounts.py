"""Sign-in accounts: who may log in, with which role, for which Home."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, false, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import Moment, Timestamped, Versioned, db, enum_column
from models.enums import Role
from models.people import Volunteer
from models.places import Home

MIN_PASSWORD_LENGTH = 10


class User(UserMixin, Versioned, Timestamped, db.Model):
    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    # Where the reminders' daily digest goes (counts and links only); none: no digest.
    email: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # The account's scope: one Home; or, with no Home, every Home of a township (a
    # township's women's federation); with neither, the county.
    home_id: Mapped[int | None] = mapped_column(ForeignKey("home.id"))
    township: Mapped[str | None] = mapped_column(String(50))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(Moment)
    # 儿童个人信息保护负责人: of the user's Home, or of the deployment when home_id is None.
    # Named in the guardians' notice; approves exports of sensitive columns.
    privacy_officer: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=false())
    # Part of every session cookie; a new one signs the account out everywhere (Flask-Login
    # alone cannot invalidate a copied cookie).
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    home: Mapped[Home | None] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Sign the account out on every device."""
        self.session_token = secrets.token_hex(16)

    def set_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password shorter than {MIN_PASSWORD_LENGTH} characters")
        # scrypt by default; tests configure a cheap method so the suite stays quick.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.display_name or self.username


def username_taken(session, username: str, excluding: int | None = None) -> bool:
    """Whether another account has this name, capitals aside: sign-in ignores them, so
    "Admin" beside "admin" would make one of them unreachable."""
    query = select(User.id).where(func.lower(User.username) == username.strip().lower())
    if excluding is not None:
        query = query.where(User.id != excluding)
    return session.scalar(query.limit(1)) is not None
