"""Interface language: Simplified Chinese unless the user picked English."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, to_user_timezone, to_utc

LANGUAGE_SESSION_KEY = "lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get(LANGUAGE_SESSION_KEY)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language_choice() -> None:
    """`?lang=en` on any page switches the language for the rest of the session."""
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        session[LANGUAGE_SESSION_KEY] = chosen


def use_our_admin_words() -> None:
    """Flask-Admin's words read from its own catalogue and then from our admin.po, ours
    winning where both have one: our corrections of its words (its "50 项目", "选中的") and
    the few it lacks. (Given as Admin(translations_path=...), ours would be read first and
    its own would win.)"""
    from flask_admin.babel import domain

    directories = domain._translation_directories  # [Flask-Admin's own]
    if str(TRANSLATIONS) not in directories:
        directories.append(str(TRANSLATIONS))


def show_date(value: date | None) -> str:
    """2026年12月1日 in Chinese, Dec 1, 2026 in English."""
    return "" if value is None else format_date(value, "long")


def show_datetime(value: datetime | None) -> str:
    """2026-12-01 09:30. Moments (aware, UTC: models.base.Moment) are shown in the configured
    zone (BABEL_DEFAULT_TIMEZONE); naive values (an activity's start) are wall-clock already."""
    if value is None:
        return ""
    return format_datetime(value, "yyyy-MM-dd HH:mm", rebase=value.tzinfo is not None)


def wall_clock(value: datetime) -> datetime:
    """A moment as the naive wall-clock time of the configured zone, for spreadsheets (Excel
    has no time zones)."""
    return to_user_timezone(value).replace(tzinfo=None)


def local_midnight(day: date) -> datetime:
    """The moment (UTC) a day begins in the configured zone, to compare with Moments."""
    return to_utc(datetime.combine(day, time.min)).replace(tzinfo=UTC)
